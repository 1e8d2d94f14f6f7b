// http/curl_util.h — INTERNAL to altscribe_http: what client.cc and download.cc share about
// driving libcurl: one-time global init, the options every transfer gets (protocols, limits,
// user agent, the private-address guard) and turning a CURLcode into a one-line Status.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::http::internal {

// curl_global_init, exactly once per process, thread-safe.
void GlobalInit();

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// What a transfer may do. Zero durations mean "no limit".
struct TransferConfig {
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  int max_redirects = 3;
  bool block_private_addresses = false;
  bool allow_loopback = false;  // with block_private_addresses: loopback passes the guard
  uint64_t max_filesize = 0;    // refuse a declared Content-Length above this; 0 = none
  long low_speed_bytes = 0;     // abort when slower than this many bytes/s ...
  long low_speed_seconds = 0;   // ... for this long
};

// Per-transfer state of the address guard; must outlive the transfer.
struct Guard {
  bool block_private = false;
  bool allow_loopback = false;
  std::string blocked_address;  // the first address refused, if any
};

// A new easy handle with the shared options applied. `guard` and `errbuf` (CURL_ERROR_SIZE
// bytes) must outlive the transfer. Proxies from the environment are honoured, except with
// block_private_addresses: then none is used, since a proxy would resolve and connect for us
// and the guard could not see where to.
Easy NewEasy(const TransferConfig& config, Guard* guard, char* errbuf);

// "Name: value" lines for CURLOPT_HTTPHEADER, plus "Expect:" (no 100-continue round trip)
// unless !suppress_expect (curl's SigV4 would sign the empty "expect" header it never sends).
// InvalidArgument when a name or value holds a line break or a name is empty.
Result<Slist> BuildHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                           bool suppress_expect = true);

// Maps a failed transfer to a Status naming host and cause. `url` is the URL the caller asked
// for (used when curl cannot say which one failed). Does not handle CURLE_WRITE_ERROR /
// CURLE_ABORTED_BY_CALLBACK causes that the caller's callbacks know better.
Status CurlError(CURL* h, CURLcode code, const std::string& url, const TransferConfig& config,
                 const Guard& guard, const char* errbuf);

// "20 s", "1.5 s", "0.2 s".
std::string FormatSeconds(std::chrono::milliseconds d);

// "host:port" of the URL curl was working on last (after redirects), or of `fallback_url`.
std::string CurrentHostPort(CURL* h, const std::string& fallback_url);

}  // namespace altscribe::http::internal
