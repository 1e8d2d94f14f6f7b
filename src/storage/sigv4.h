// storage/sigv4.h — the pieces of AWS Signature Version 4 that altscribe computes itself.
//
// libcurl signs ordinary requests (CURLOPT_AWS_SIGV4) but signs the path and query exactly as
// given, so callers encode them here first: UriEncode() for the path, CanonicalQuery() for the
// query (encoded and sorted by name, as SigV4 requires). PresignGetUrl() implements SigV4 query
// signing (HMAC-SHA256 through OpenSSL): a URL that anyone can fetch with a plain GET, without
// credentials, until it expires.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::storage {

// RFC 3986 percent-encoding as SigV4 wants it: every byte except A-Z a-z 0-9 - . _ ~ becomes
// %XX (uppercase hex); '/' stays as is when `keep_slash` (object key paths).
std::string UriEncode(std::string_view s, bool keep_slash);

// "a=1&b=x%2Fy": each name and value UriEncode()d, sorted by encoded name (then value).
std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> params);

// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// "20130524T000000Z" (UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

struct PresignRequest {
  std::string method = "GET";
  std::string scheme;        // "http" or "https"
  std::string host;          // as the client will send it in Host: "127.0.0.1:9000", "b.s3.x"
  std::string encoded_path;  // already UriEncode()d, starting with '/'
  std::string region;        // "us-east-1"
  std::string access_key;
  std::string secret_key;
  std::string session_token;           // "" = none
  std::chrono::seconds expires{3600};  // 1 s .. 7 days
  std::chrono::system_clock::time_point now;
};

// The full presigned URL: scheme://host/path?X-Amz-Algorithm=...&X-Amz-Signature=<hex>.
// InvalidArgument when `expires` is outside 1 s .. 7 days (S3's limits).
Result<std::string> PresignUrl(const PresignRequest& r);

}  // namespace altscribe::storage
