// atproto/syntax/did.h — a syntactically valid DID (did:plc, did:web, or any did:method:...).
//
// Follows the atproto DID syntax (as indigo's atproto/syntax does): "did:", a lowercase method,
// ":", then an identifier of [A-Za-z0-9._:%-] that does not end in ':' or '%', where every '%' is
// followed by two hex digits; at most 2048 characters. Parse checks syntax only: it does not
// resolve the DID or check that a did:plc identifier is 24 base32 characters.
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Did {
 public:
  static constexpr size_t kMaxLength = 2048;

  // Errors (InvalidArgument) name the input: "invalid DID 'did:Foo:x': method must be lowercase
  // letters".
  static Result<Did> Parse(std::string_view s);

  const std::string& str() const { return s_; }
  std::string_view method() const;      // "plc", "web", ...
  std::string_view identifier() const;  // everything after "did:<method>:"
  bool IsPlc() const { return method() == "plc"; }
  bool IsWeb() const { return method() == "web"; }

  // For did:web, the host to fetch /.well-known/did.json from, with a percent-encoded port
  // decoded ("did:web:localhost%3A2583" → "localhost:2583"). InvalidArgument for other methods
  // and for did:web with a path (atproto supports only host-level did:web).
  Result<std::string> WebHost() const;

  friend bool operator==(const Did&, const Did&) = default;
  friend std::strong_ordering operator<=>(const Did&, const Did&) = default;

 private:
  explicit Did(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

}  // namespace altscribe::atproto
