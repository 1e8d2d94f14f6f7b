#include "atproto/xrpc/client.h"

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "core/pipeline_metrics.h"

namespace altscribe::atproto {
namespace {

int64_t NowEpoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

}  // namespace

std::string UrlEncode(std::string_view value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

RateLimit ParseRateLimit(const http::Response& r, int64_t now_epoch_s) {
  RateLimit rl;
  ParseInt(r.Header("RateLimit-Limit"), &rl.limit);
  ParseInt(r.Header("RateLimit-Remaining"), &rl.remaining);
  ParseInt(r.Header("RateLimit-Reset"), &rl.reset_epoch_s);
  std::string ra = r.Header("Retry-After");
  if (!ParseInt(ra, &rl.retry_after_s) && !ra.empty()) {
    std::tm tm{};
    if (strptime(ra.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
      rl.retry_after_s = std::max<int64_t>(0, timegm(&tm) - now_epoch_s);
    }
  }
  return rl;
}

std::string XrpcResponse::Describe() const {
  std::string s = http::StatusText(status);
  if (!error.empty()) s += " " + error;
  if (!message.empty()) s += ": " + message;
  return s;
}

Status ResponseStatus(const XrpcResponse& r, std::string_view what) {
  std::string m = std::string(what) + ": " + r.Describe();
  if (r.status == 404 || r.error == "RecordNotFound" || r.error == "NotFound") {
    return Status::NotFound(m);
  }
  if (r.status == 413) return Status::TooLarge(m);
  if (r.status == 429 || r.status >= 500) return Status::Network(m);
  return Status::InvalidArgument(m);
}

XrpcClient::XrpcClient(std::string service, http::Limits limits)
    : service_(std::move(service)), limits_(limits) {
  while (!service_.empty() && service_.back() == '/') service_.pop_back();
}

Result<XrpcResponse> XrpcClient::Send(http::Request request) const {
  auto resp = http::Send(request, limits_);
  if (!resp.ok()) return resp.status();
  XrpcResponse out;
  out.status = resp->status;
  out.content_type = resp->content_type;
  out.rate = ParseRateLimit(*resp, NowEpoch());
  metrics::RecordPdsRateLimit(out.rate.limit, out.rate.remaining);
  out.body = std::move(resp->body);
  if (out.content_type.find("json") != std::string::npos || !out.ok()) {
    out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
    if (out.json.is_discarded()) out.json = nullptr;
  }
  if (!out.ok() && out.json.is_object()) {
    if (auto e = out.json.find("error"); e != out.json.end() && e->is_string()) out.error = *e;
    if (auto m = out.json.find("message"); m != out.json.end() && m->is_string()) {
      out.message = *m;
    }
  }
  return out;
}

Result<XrpcResponse> XrpcClient::Query(std::string_view nsid, const Params& params,
                                       const std::string& token) const {
  http::Request req;
  req.url = service_ + "/xrpc/" + std::string(nsid);
  for (size_t i = 0; i < params.size(); ++i) {
    req.url +=
        (i == 0 ? "?" : "&") + UrlEncode(params[i].first) + "=" + UrlEncode(params[i].second);
  }
  if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
  return Send(std::move(req));
}

Result<XrpcResponse> XrpcClient::Procedure(std::string_view nsid, const nlohmann::json& input,
                                           const std::string& token) const {
  http::Request req;
  req.method = "POST";
  req.url = service_ + "/xrpc/" + std::string(nsid);
  req.headers.push_back({"Content-Type", "application/json"});
  if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
  req.body = input.is_null() ? "" : input.dump();
  return Send(std::move(req));
}

Result<XrpcResponse> XrpcClient::Upload(std::string_view nsid, std::string_view bytes,
                                        std::string_view mime, const std::string& token) const {
  http::Request req;
  req.method = "POST";
  req.url = service_ + "/xrpc/" + std::string(nsid);
  req.headers.push_back({"Content-Type", std::string(mime)});
  if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
  req.body = std::string(bytes);
  return Send(std::move(req));
}

}  // namespace altscribe::atproto
