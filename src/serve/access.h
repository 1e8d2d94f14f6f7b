// serve/access.h — who may call the describe API.
//
// With tokens configured, a request needs "Authorization: Bearer <token>" naming one of them
// (compared in constant time); the answer names the token by its position ("token 2"), never by
// its value, for rate limits and logs. With no tokens configured, only loopback callers
// (127.0.0.0/8, ::1, ::ffff:127.x) are let in: a server started without a token on a public
// address answers nobody else.
//
// Tokens come from a file (one per line; blank lines and lines starting with '#' are skipped)
// or the environment (ALTSCRIBE_SERVE_TOKEN, or the file named by ALTSCRIBE_SERVE_TOKEN_FILE) —
// never from a flag, so they do not show in `ps`.
//
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace altscribe::serve {

struct AccessDecision {
  enum class Kind { kAllowed, kUnauthorized, kForbidden };
  Kind kind = Kind::kAllowed;
  std::string caller;   // "token 1" when a token was used, else "" (anonymous loopback)
  std::string message;  // for refusals: one line for the JSON error
};

class Access {
 public:
  explicit Access(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

  // Tokens of a token file (see the file comment). Errors name the file; an empty file is an
  // error (it would silently mean "loopback only").
  static Result<std::vector<std::string>> ParseTokenFile(const std::string& path);
  // The tokens from ALTSCRIBE_SERVE_TOKEN_FILE (a file, as above) or ALTSCRIBE_SERVE_TOKEN (one
  // token); none when neither is set.
  static Result<std::vector<std::string>> FromEnvironment();

  // `authorization`: the Authorization header ("" if absent); `remote_addr`: the peer address.
  AccessDecision Check(std::string_view authorization, std::string_view remote_addr) const;

  bool tokens_configured() const { return !tokens_.empty(); }

 private:
  std::vector<std::string> tokens_;
};

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1).
bool IsLoopbackAddress(std::string_view addr);

}  // namespace altscribe::serve
