// atproto/xrpc/agent.h — an account's authenticated connection to its PDS.
//
// Logs in at most when it must: a stored session (from the state store) is used as is; on
// ExpiredToken the refresh token gets a new pair (refreshSession), and only when that fails too
// does the agent call createSession with the app password. Every new session goes to
// `on_session` (persist it) before it is used. Concurrent callers that all see ExpiredToken
// cause one refresh, not many.
//
// Retries: queries (idempotent) are retried on 429 / 5xx / transport failures per RetryPolicy.
// Procedures are retried only where the server surely did nothing (429, ExpiredToken, a refused
// connection); after a 5xx or a timeout they fail with kNetwork and the caller decides (the
// poster checks whether its record was written). 4xx other than 429/ExpiredToken: never.
//
// The app password and tokens are never logged or put into Status messages. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "atproto/xrpc/client.h"
#include "atproto/xrpc/retry.h"

namespace altscribe::atproto {

struct Session {
  std::string did;
  std::string handle;
  std::string access_jwt;
  std::string refresh_jwt;
};

struct AgentOptions {
  std::string identifier;  // handle or DID
  std::string password;    // app password (from env or a file, never a flag)
  RetryPolicy retry;
  // Called with every new session, before it is used; an error stops the call.
  std::function<Status(const Session&)> on_session;
  // Injected for tests; defaults sleep for real, read the clock, and draw uniform jitter.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<int64_t()> now_epoch_s;
  std::function<double()> jitter;
};

class Agent {
 public:
  Agent(XrpcClient pds, AgentOptions options, std::optional<Session> stored = std::nullopt);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Makes sure there is a session (createSession only if none is stored).
  Status EnsureSession();
  Session session() const;
  const XrpcClient& pds() const { return pds_; }

  Result<nlohmann::json> Query(std::string_view nsid, const Params& params);
  Result<nlohmann::json> Procedure(std::string_view nsid, const nlohmann::json& input);
  Result<nlohmann::json> UploadBlob(std::string_view bytes, std::string_view mime);
  // The raw response of an authenticated query, for callers that need status and headers.
  Result<XrpcResponse> QueryResponse(std::string_view nsid, const Params& params);

  // How many times each session call was made (for tests and `bot status`).
  int create_session_calls() const { return creates_; }
  int refresh_session_calls() const { return refreshes_; }

 private:
  enum class Kind { kQuery, kProcedure, kUpload };
  Result<XrpcResponse> Call(Kind kind, std::string_view nsid, const Params& params,
                            const nlohmann::json& input, std::string_view bytes,
                            std::string_view mime);
  Status Login();                                   // REQUIRES: mu_ held
  Status Refresh(const std::string& stale_access);  // takes mu_
  Status Adopt(const nlohmann::json& body);         // REQUIRES: mu_ held

  XrpcClient pds_;
  AgentOptions options_;
  mutable std::mutex mu_;
  std::optional<Session> session_;  // GUARDED_BY(mu_)
  int creates_ = 0;
  int refreshes_ = 0;
};

}  // namespace altscribe::atproto
