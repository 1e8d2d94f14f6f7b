// http/url.h — the few URL facts altscribe needs: scheme, host, port, file name.
//
// Parsing goes through libcurl's URL parser, so what is checked here is what curl will fetch.
// Only http and https URLs pass ParseHttpUrl(); anything else is InvalidArgument with a message
// that names the scheme ("unsupported URL scheme 'ftp' (only http and https)").
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::http {

struct Url {
  std::string scheme;  // "http" or "https", lowercase
  std::string host;    // as written, IPv6 literals without brackets ("::1")
  int port = 0;        // explicit or the scheme's default (80, 443)
  std::string path;    // "/dir/file.gguf", never empty, without the query
};

// Parses an absolute http(s) URL. Errors (InvalidArgument): "malformed URL 'x'",
// "unsupported URL scheme 'ftp' (only http and https)".
Result<Url> ParseHttpUrl(const std::string& url);

// True when `s` starts with "http://" or "https://" (any case). Cheap: for telling URLs from
// file paths on a command line; ParseHttpUrl() does the real validation.
bool IsHttpUrl(std::string_view s);

// "host:port" with IPv6 literals in brackets ("[::1]:8080"), for messages.
std::string HostPort(const Url& url);

// The last path segment, percent-decoded ("model.gguf" for ".../resolve/main/model.gguf?x=1").
// Empty when there is none or it is not a safe file name ("", ".", "..", contains '/' or NUL).
std::string UrlFileName(const std::string& url);

// The URL without user:password@ (for messages and logs).
std::string UrlForDisplay(const std::string& url);

}  // namespace altscribe::http
