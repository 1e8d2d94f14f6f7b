#include "atproto/xrpc/agent.h"

#include <random>
#include <thread>

#include "core/log.h"

namespace altscribe::atproto {
namespace {

bool IsExpired(const XrpcResponse& r) {
  return (r.status == 400 || r.status == 401) &&
         (r.error == "ExpiredToken" || r.error == "InvalidToken");
}

}  // namespace

Agent::Agent(XrpcClient pds, AgentOptions options, std::optional<Session> stored)
    : pds_(std::move(pds)), options_(std::move(options)), session_(std::move(stored)) {
  if (!options_.sleep)
    options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options_.now_epoch_s) {
    options_.now_epoch_s = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options_.jitter) {
    options_.jitter = [] {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    };
  }
}

Session Agent::session() const {
  std::lock_guard<std::mutex> lock(mu_);
  return session_.value_or(Session{});
}

Status Agent::Adopt(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("accessJwt") || !body["accessJwt"].is_string() ||
      !body.contains("refreshJwt") || !body["refreshJwt"].is_string() || !body.contains("did") ||
      !body["did"].is_string()) {
    return Status::Network("the PDS sent a session without tokens");
  }
  Session s;
  s.did = body["did"];
  s.handle = body.value("handle", std::string());
  s.access_jwt = body["accessJwt"];
  s.refresh_jwt = body["refreshJwt"];
  if (options_.on_session) RETURN_IF_ERROR(options_.on_session(s));
  session_ = std::move(s);
  return Status::Ok();
}

Status Agent::Login() {
  if (options_.identifier.empty() || options_.password.empty()) {
    return Status::InvalidArgument(
        "no usable session and no app password: set the handle and ALTSCRIBE_APP_PASSWORD (or "
        "--app-password-file)");
  }
  ++creates_;
  LogInfo("logging in to " + pds_.service() + " as " + options_.identifier);
  auto r = pds_.Procedure("com.atproto.server.createSession",
                          {{"identifier", options_.identifier}, {"password", options_.password}});
  if (!r.ok()) return r.status().WithPrefix("createSession");
  if (!r->ok()) return ResponseStatus(*r, "createSession as " + options_.identifier);
  return Adopt(r->json);
}

Status Agent::EnsureSession() {
  std::lock_guard<std::mutex> lock(mu_);
  if (session_) return Status::Ok();
  return Login();
}

Status Agent::Refresh(const std::string& stale_access) {
  std::lock_guard<std::mutex> lock(mu_);
  // Someone else already replaced the token this caller used: nothing to do.
  if (session_ && session_->access_jwt != stale_access) return Status::Ok();
  if (session_ && !session_->refresh_jwt.empty()) {
    ++refreshes_;
    auto r = pds_.Procedure("com.atproto.server.refreshSession", nullptr, session_->refresh_jwt);
    if (r.ok() && r->ok()) return Adopt(r->json);
    if (!r.ok()) return r.status().WithPrefix("refreshSession");
    LogInfo("refreshSession failed (" + r->Describe() + "); logging in again");
  }
  session_.reset();
  return Login();
}

Result<XrpcResponse> Agent::Call(Kind kind, std::string_view nsid, const Params& params,
                                 const nlohmann::json& input, std::string_view bytes,
                                 std::string_view mime) {
  RETURN_IF_ERROR(EnsureSession());
  bool refreshed = false;
  for (int attempt = 0;; ++attempt) {
    std::string token = session().access_jwt;
    Result<XrpcResponse> r = kind == Kind::kQuery       ? pds_.Query(nsid, params, token)
                             : kind == Kind::kProcedure ? pds_.Procedure(nsid, input, token)
                                                        : pds_.Upload(nsid, bytes, mime, token);
    if (!r.ok()) {
      // Transport failure. Queries are safe to repeat; a procedure is only if we never
      // connected (nothing reached the server).
      bool never_sent = r.status().message().find("cannot connect") != std::string::npos ||
                        r.status().message().find("could not resolve") != std::string::npos;
      if ((kind == Kind::kQuery || never_sent) && attempt + 1 < options_.retry.max_attempts) {
        options_.sleep(Backoff(attempt, options_.retry, options_.jitter()));
        continue;
      }
      return r.status().WithPrefix(std::string(nsid));
    }
    if (IsExpired(*r) && !refreshed) {
      refreshed = true;
      RETURN_IF_ERROR(Refresh(token));
      --attempt;  // a refresh is not a failed attempt
      continue;
    }
    if (r->ok()) return r;
    if (kind != Kind::kQuery && r->status != 429) return r;  // the caller decides
    auto wait = RetryDelay(*r, attempt, options_.retry, options_.now_epoch_s(), options_.jitter());
    if (!wait) return r;
    LogInfo(std::string(nsid) + ": " + r->Describe() + "; retrying in " +
            std::to_string(wait->count()) + " ms");
    options_.sleep(*wait);
  }
}

Result<XrpcResponse> Agent::QueryResponse(std::string_view nsid, const Params& params) {
  return Call(Kind::kQuery, nsid, params, nullptr, {}, {});
}

Result<nlohmann::json> Agent::Query(std::string_view nsid, const Params& params) {
  ASSIGN_OR_RETURN(XrpcResponse r, Call(Kind::kQuery, nsid, params, nullptr, {}, {}));
  if (!r.ok()) return ResponseStatus(r, nsid);
  return std::move(r.json);
}

Result<nlohmann::json> Agent::Procedure(std::string_view nsid, const nlohmann::json& input) {
  ASSIGN_OR_RETURN(XrpcResponse r, Call(Kind::kProcedure, nsid, {}, input, {}, {}));
  if (!r.ok()) return ResponseStatus(r, nsid);
  return std::move(r.json);
}

Result<nlohmann::json> Agent::UploadBlob(std::string_view bytes, std::string_view mime) {
  ASSIGN_OR_RETURN(XrpcResponse r,
                   Call(Kind::kUpload, "com.atproto.repo.uploadBlob", {}, nullptr, bytes, mime));
  if (!r.ok()) return ResponseStatus(r, "uploadBlob");
  return std::move(r.json);
}

}  // namespace altscribe::atproto
