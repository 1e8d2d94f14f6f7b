// atproto/xrpc/client.h — one XRPC call over HTTP, and the error as the wire gives it.
//
// XrpcClient knows a service URL (a PDS, an AppView) and turns a call into
// GET /xrpc/<nsid>?params or POST /xrpc/<nsid>. It does not retry, refresh sessions or sleep:
// that is Agent's job (agent.h). Transport failures are a Status; an HTTP error is a response
// with `error` filled in from the body ({"error": "ExpiredToken", "message": "..."}), so callers
// can tell ExpiredToken from RateLimitExceeded from InvalidRequest. Tokens passed in are sent as
// "Authorization: Bearer" and never logged. Thread-safe (no mutable state).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/client.h"

namespace altscribe::atproto {

// Rate-limit headers of a response; -1 when absent.
struct RateLimit {
  int64_t limit = -1;
  int64_t remaining = -1;
  int64_t reset_epoch_s = -1;  // RateLimit-Reset: absolute Unix seconds
  int64_t retry_after_s = -1;  // Retry-After: seconds (the HTTP-date form is converted)
};

struct XrpcResponse {
  long status = 0;
  std::string body;  // raw bytes (blobs) or JSON text
  std::string content_type;
  nlohmann::json json;  // parsed when the body is JSON, else null
  std::string error;    // XRPC error name on failure ("ExpiredToken"), else ""
  std::string message;  // XRPC error message on failure
  RateLimit rate;

  bool ok() const { return status >= 200 && status < 300; }
  // One line for logs and Status: "HTTP 400 InvalidRequest: Record already exists".
  std::string Describe() const;
};

using Params = std::vector<std::pair<std::string, std::string>>;

class XrpcClient {
 public:
  // `service` is the base URL, e.g. "http://127.0.0.1:2583" (no trailing /xrpc).
  XrpcClient(std::string service, http::Limits limits);

  const std::string& service() const { return service_; }

  Result<XrpcResponse> Query(std::string_view nsid, const Params& params,
                             const std::string& token = "") const;
  Result<XrpcResponse> Procedure(std::string_view nsid, const nlohmann::json& input,
                                 const std::string& token = "") const;
  // A procedure whose input is raw bytes (com.atproto.repo.uploadBlob).
  Result<XrpcResponse> Upload(std::string_view nsid, std::string_view bytes, std::string_view mime,
                              const std::string& token) const;

 private:
  Result<XrpcResponse> Send(http::Request request) const;
  std::string service_;
  http::Limits limits_;
};

// Status for a failed response: NotFound for 404 / RecordNotFound, TooLarge for 413,
// Network for 429 and 5xx, InvalidArgument for other 4xx. `what` names the call.
Status ResponseStatus(const XrpcResponse& response, std::string_view what);

// Parses RateLimit-* and Retry-After (seconds or an HTTP-date) headers; `now_epoch_s` converts
// the date form.
RateLimit ParseRateLimit(const http::Response& response, int64_t now_epoch_s);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view value);

}  // namespace altscribe::atproto
