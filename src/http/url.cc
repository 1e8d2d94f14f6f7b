#include "http/url.h"

#include <curl/curl.h>

#include <memory>

#include "core/text.h"
#include "http/curl_util.h"

namespace altscribe::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

// Reads one part; empty when absent.
std::string GetPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK || out == nullptr) return "";
  std::string s(out);
  curl_free(out);
  return s;
}

}  // namespace

Result<Url> ParseHttpUrl(const std::string& url) {
  internal::GlobalInit();
  std::string shown = UrlForDisplay(url);
  if (url.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("malformed URL '" + shown + "' (contains whitespace)");
  }
  UrlHandle u(curl_url());
  if (!u) return Status::Internal("out of memory parsing a URL");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    if (url.find("://") == std::string::npos) {
      return Status::InvalidArgument("malformed URL '" + shown +
                                     "' (expected http:// or https://)");
    }
    return Status::InvalidArgument("malformed URL '" + shown + "'");
  }
  Url out;
  out.scheme = AsciiLower(GetPart(u.get(), CURLUPART_SCHEME));
  if (out.scheme != "http" && out.scheme != "https") {
    return Status::InvalidArgument("unsupported URL scheme '" + out.scheme +
                                   "' (only http and https)");
  }
  out.host = GetPart(u.get(), CURLUPART_HOST);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) return Status::InvalidArgument("malformed URL '" + shown + "' (no host)");
  std::string port = GetPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out.port = port.empty() ? (out.scheme == "https" ? 443 : 80) : std::stoi(port);
  out.path = GetPart(u.get(), CURLUPART_PATH);
  if (out.path.empty()) out.path.push_back('/');
  return out;
}

bool IsHttpUrl(std::string_view s) {
  return StartsWithIgnoreCase(s, "http://") || StartsWithIgnoreCase(s, "https://");
}

std::string HostPort(const Url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

std::string UrlFileName(const std::string& url) {
  std::string_view s(url);
  if (auto cut = s.find_first_of("?#"); cut != std::string_view::npos) s = s.substr(0, cut);
  if (auto scheme = s.find("://"); scheme != std::string_view::npos) {
    s = s.substr(scheme + 3);
    auto slash = s.find('/');
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  auto slash = s.rfind('/');
  std::string_view seg = slash == std::string_view::npos ? s : s.substr(slash + 1);
  std::string name;
  for (size_t i = 0; i < seg.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (seg[i] == '%' && i + 2 < seg.size() && hex(seg[i + 1]) >= 0 && hex(seg[i + 2]) >= 0) {
      name.push_back(static_cast<char>(hex(seg[i + 1]) * 16 + hex(seg[i + 2])));
      i += 2;
    } else {
      name.push_back(seg[i]);
    }
  }
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
    return "";
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "";
  }
  return name;
}

std::string UrlForDisplay(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  auto at = url.rfind('@', end - 1);
  if (at == std::string::npos || at < start || end == start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

}  // namespace altscribe::http
