// http/client.h — outbound HTTP(S) over libcurl, with limits that make untrusted URLs safe.
//
// Only http and https are allowed, for the first request and every redirect. Every call has a
// size limit, a total time limit, a connect time limit and a redirect limit. With
// block_private_addresses, connections to loopback, private, link-local, CGNAT, multicast and
// unspecified addresses are refused at connect time (after DNS, so redirects and DNS rebinding
// cannot reach them either): the guard against SSRF for URLs that come from other people. Its
// refusal is Network "refusing to connect to private address 10.0.0.1 (host evil.example)", and
// no connection to that address is ever attempted. allow_loopback (for tests against servers on
// 127.0.0.1) lets loopback addresses through the guard while every other blocked range stays
// blocked, so a test server's redirect to 10.0.0.1 or 169.254.169.254 is still refused.
//
// Thread-safe: each call uses its own curl handle. Secrets passed in headers are never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::http {

struct Limits {
  uint64_t max_bytes = 20'000'000;            // response body
  std::chrono::milliseconds timeout{20'000};  // whole transfer
  std::chrono::milliseconds connect_timeout{5'000};
  int max_redirects = 3;
  bool block_private_addresses = false;
  bool allow_loopback = false;  // with block_private_addresses: loopback still allowed (tests)
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Content-Type", "..."}
  std::string body;
  // Optional AWS Signature V4, done by libcurl (CURLOPT_AWS_SIGV4 with `provider`, e.g.
  // "aws:amz:us-east-1:s3"). The key pair goes through CURLOPT_USERNAME/CURLOPT_PASSWORD, so a
  // ':' in the access key is fine; neither is ever logged or put in an error message. Callers
  // add x-amz-content-sha256 themselves and pass the URL's query already sorted and encoded.
  struct AwsSigV4 {
    std::string provider;
    std::string access_key;
    std::string secret_key;
  };
  std::optional<AwsSigV4> aws_sigv4;
};

struct Response {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string effective_url;                                 // after redirects
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response, in order

  // The first header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Performs the request. A non-2xx status is NOT an error here (callers decide); errors are:
// InvalidArgument (malformed URL, scheme other than http/https), Network ("cannot connect to
// host:port: Connection refused", DNS, TLS, too many redirects, blocked private address),
// Timeout, TooLarge ("response is larger than the 20 MB limit").
Result<Response> Send(const Request& request, const Limits& limits);
Result<Response> Get(const std::string& url, const Limits& limits);

// "HTTP 404 Not Found" style text for a status code.
std::string StatusText(long status);

}  // namespace altscribe::http
