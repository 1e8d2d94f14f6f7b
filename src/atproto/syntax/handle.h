// atproto/syntax/handle.h — a syntactically valid handle ("alice.bsky.social").
//
// Atproto handle syntax: a DNS host name of at least two labels, at most 253 characters; labels
// are 1–63 characters of [A-Za-z0-9-], not starting or ending with '-'; the last label (the TLD)
// starts with a letter. Parse normalizes to lowercase, so handles compare case-insensitively.
// Syntax only: it does not resolve the handle. "handle.invalid", which the AppView shows for a
// handle that failed verification, parses (see IsInvalidMarker).
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Handle {
 public:
  static constexpr size_t kMaxLength = 253;

  // Errors (InvalidArgument): "invalid handle 'x': ...".
  static Result<Handle> Parse(std::string_view s);

  const std::string& str() const { return s_; }  // lowercase
  std::string_view tld() const;                  // the last label ("social")
  // True for "handle.invalid".
  bool IsInvalidMarker() const { return s_ == "handle.invalid"; }
  // False for TLDs that may never be used for a real handle: .alt .arpa .example .internal
  // .invalid .local .localhost .onion (".test" is allowed: local networks use it).
  bool HasAllowedTld() const;

  friend bool operator==(const Handle&, const Handle&) = default;
  friend std::strong_ordering operator<=>(const Handle&, const Handle&) = default;

 private:
  explicit Handle(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

}  // namespace altscribe::atproto
