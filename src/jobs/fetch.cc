#include "jobs/fetch.h"

#include <curl/curl.h>

#include <memory>

#include "core/sha256.h"
#include "core/text.h"
#include "http/client.h"
#include "http/url.h"

namespace altscribe::jobs {
namespace {

Status CheckHost(const std::string& url, const FetchPolicy& policy) {
  if (policy.allow_hosts.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(http::Url parsed, http::ParseHttpUrl(url));
  if (!HostAllowed(parsed.host, policy.allow_hosts)) {
    return Status::InvalidArgument("host '" + parsed.host + "' is not on the allow-list");
  }
  return Status::Ok();
}

// `location` (absolute, scheme-relative or relative) resolved against `base`.
Result<std::string> ResolveLocation(const std::string& base, const std::string& location) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  char* out = nullptr;
  if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK ||
      curl_url_get(u.get(), CURLUPART_URL, &out, 0) != CURLUE_OK) {
    return Status::Network("bad redirect location '" + http::UrlForDisplay(location) + "'");
  }
  std::string resolved(out);
  curl_free(out);
  return resolved;
}

Result<std::vector<uint8_t>> FetchUrl(const std::string& url, const FetchPolicy& policy) {
  if (policy.allow_hosts.empty()) return vision::LoadSource(url, policy.limits);
  // With an allow-list, redirects are followed here, one hop at a time, so that no request
  // reaches a host off the list (curl would follow them before we could look).
  http::Limits hop = policy.limits.http;
  hop.max_redirects = 0;
  std::string current = url;
  for (int redirects = 0;; ++redirects) {
    Status allowed = CheckHost(current, policy);
    if (!allowed.ok()) return redirects == 0 ? allowed : allowed.WithPrefix("redirected");
    ASSIGN_OR_RETURN(http::Response resp, http::Get(current, hop));
    bool redirect = resp.status == 301 || resp.status == 302 || resp.status == 303 ||
                    resp.status == 307 || resp.status == 308;
    std::string location = resp.Header("Location");
    if (redirect && !location.empty()) {
      if (redirects >= policy.limits.http.max_redirects) {
        return Status::Network("too many redirects (more than " +
                               std::to_string(policy.limits.http.max_redirects) + ")");
      }
      ASSIGN_OR_RETURN(current, ResolveLocation(current, location));
      continue;
    }
    if (resp.status < 200 || resp.status >= 300) {
      Code code = resp.status == 404 || resp.status == 410 ? Code::kNotFound : Code::kNetwork;
      return Status(code, "the server answered " + http::StatusText(resp.status));
    }
    return std::vector<uint8_t>(resp.body.begin(), resp.body.end());
  }
}

}  // namespace

bool HostAllowed(std::string_view host, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  std::string h = AsciiLower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();  // "cdn.bsky.app." is the same host
  for (const auto& raw : patterns) {
    std::string p = AsciiLower(raw);
    if (p.rfind("*.", 0) == 0) {
      std::string_view suffix = std::string_view(p).substr(1);  // ".bsky.network"
      if (h.size() > suffix.size() && h.ends_with(suffix)) return true;
    } else if (!p.empty() && h == p) {
      return true;
    }
  }
  return false;
}

Result<ImageBytes> FetchImage(const JobImage& image, const FetchPolicy& policy) {
  ImageBytes bytes = image.bytes;
  if (!bytes) {
    Result<std::vector<uint8_t>> fetched = Status::InvalidArgument("not an http(s) URL");
    if (http::IsHttpUrl(image.url)) fetched = FetchUrl(image.url, policy);
    if (!fetched.ok()) return fetched.status();
    bytes = std::make_shared<const std::vector<uint8_t>>(std::move(fetched).value());
  }
  if (image.sha256) {
    std::string got =
        Sha256Hex(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
    if (got != AsciiLower(*image.sha256)) {
      return Status::InvalidArgument("image bytes do not match the job's sha256 (got " +
                                     got.substr(0, 12) + "…)");
    }
  }
  return bytes;
}

}  // namespace altscribe::jobs
