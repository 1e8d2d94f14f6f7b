#include "http/curl_util.h"

#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/files.h"
#include "core/text.h"
#include "http/address_guard.h"
#include "http/url.h"

namespace altscribe::http::internal {
namespace {

constexpr char kUserAgent[] = "altscribe/0.1";

curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* guard = static_cast<Guard*>(clientp);
  if (guard->block_private && IsBlockedAddress(&address->addr) &&
      !(guard->allow_loopback && IsLoopbackAddress(&address->addr))) {
    if (guard->blocked_address.empty()) guard->blocked_address = FormatAddress(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// The text after the last ": " of curl's error buffer is usually the useful part; keep it whole
// but on one line.
std::string OneLine(const char* s) {
  std::string out(s ? s : "");
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return std::string(Trim(out));
}

}  // namespace

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Easy NewEasy(const TransferConfig& config, Guard* guard, char* errbuf) {
  GlobalInit();
  Easy easy(curl_easy_init());
  CURL* h = easy.get();
  if (!h) return easy;
  errbuf[0] = '\0';
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, config.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(config.max_redirects));
  curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  if (config.max_filesize > 0) {
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(config.max_filesize));
  }
  if (config.low_speed_bytes > 0 && config.low_speed_seconds > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, config.low_speed_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, config.low_speed_seconds);
  }
  guard->block_private = config.block_private_addresses;
  guard->allow_loopback = config.allow_loopback;
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, guard);
  if (config.block_private_addresses) curl_easy_setopt(h, CURLOPT_PROXY, "");
  return easy;
}

Result<Slist> BuildHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                           bool suppress_expect) {
  Slist list;
  auto append = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next) {
      list.release();
      list.reset(next);
    }
    return next != nullptr;
  };
  for (const auto& [name, value] : headers) {
    if (name.empty() || name.find_first_of(":\r\n") != std::string::npos) {
      return Status::InvalidArgument("invalid HTTP header name '" + OneLine(name.c_str()) + "'");
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("HTTP header " + name + " contains a line break");
    }
    // "Name;" is curl's way to send a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return Status::Internal("out of memory building HTTP headers");
    }
  }
  if (suppress_expect && !append("Expect:")) {
    return Status::Internal("out of memory building HTTP headers");
  }
  return list;
}

std::string FormatSeconds(std::chrono::milliseconds d) {
  long long ms = d.count();
  char buf[32];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld s", ms / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  }
  return buf;
}

std::string CurrentHostPort(CURL* h, const std::string& fallback_url) {
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective && *effective) {
    auto url = ParseHttpUrl(effective);
    if (url.ok()) return HostPort(*url);
  }
  auto url = ParseHttpUrl(fallback_url);
  return url.ok() ? HostPort(*url) : UrlForDisplay(fallback_url);
}

Status CurlError(CURL* h, CURLcode code, const std::string& url, const TransferConfig& config,
                 const Guard& guard, const char* errbuf) {
  std::string where = CurrentHostPort(h, url);
  std::string host = where.substr(0, where.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::string detail = OneLine(errbuf);
  if (detail.empty()) detail = curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT: {
      if (!guard.blocked_address.empty()) {
        return Status::Network("refusing to connect to private address " + guard.blocked_address +
                               " (host " + host + ")");
      }
      long os_errno = 0;
      curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
      std::string cause = os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : detail;
      return Status::Network("cannot connect to " + where + ": " + cause);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return Status::Network("could not resolve host " + host);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status::Network("could not resolve the proxy host: " + detail);
    case CURLE_OPERATION_TIMEDOUT: {
      if (detail.find("too slow") != std::string::npos) {
        return Status::Timeout("transfer from " + where + " stalled: less than " +
                               std::to_string(config.low_speed_bytes) + " bytes/s for " +
                               std::to_string(config.low_speed_seconds) + " s");
      }
      // curl says which limit fired only in prose; tell them apart by the time spent.
      curl_off_t elapsed_us = 0;
      curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &elapsed_us);
      auto elapsed = std::chrono::milliseconds(elapsed_us / 1000 + 50);
      if (config.timeout.count() > 0 && elapsed >= config.timeout) {
        return Status::Timeout("timed out after " + FormatSeconds(config.timeout) +
                               " waiting for " + where);
      }
      if (config.connect_timeout.count() > 0 && elapsed >= config.connect_timeout) {
        return Status::Timeout("cannot connect to " + where + ": timed out after " +
                               FormatSeconds(config.connect_timeout));
      }
      return Status::Timeout("timed out waiting for " + where + ": " + detail);
    }
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::Network("too many redirects (more than " +
                             std::to_string(config.max_redirects) + ") from " + UrlForDisplay(url));
    case CURLE_UNSUPPORTED_PROTOCOL: {
      // The first URL was checked before the transfer, so this is a redirect's target.
      std::string scheme;
      if (auto q = detail.find('"'); q != std::string::npos) {
        auto end = detail.find('"', q + 1);
        if (end != std::string::npos) scheme = AsciiLower(detail.substr(q + 1, end - q - 1));
      }
      return Status::Network("redirect to unsupported URL scheme '" + scheme +
                             "' (only http and https) from " + UrlForDisplay(url));
    }
    case CURLE_FILESIZE_EXCEEDED:
      return Status::TooLarge("response is larger than the " + FormatBytes(config.max_filesize) +
                              " limit");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return Status::Network("TLS error with " + where + ": " + detail);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      return Status::Network("connection to " + where + " was cut: " + detail);
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument("malformed URL '" + UrlForDisplay(url) + "'");
    default:
      return Status::Network(where + ": " + detail);
  }
}

}  // namespace altscribe::http::internal
