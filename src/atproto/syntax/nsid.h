// atproto/syntax/nsid.h — a Namespaced Identifier ("app.bsky.feed.post").
//
// Atproto NSID syntax: at least three '.'-separated segments, at most 317 characters. The
// domain authority (all segments but the last, at most 253 characters) follows host-name rules:
// segments of 1–63 characters of [A-Za-z0-9-], not starting or ending with '-', the first
// starting with a letter. The name (last segment) is 1–63 letters and digits, starting with a
// letter. Parse keeps the string as written (case-sensitive comparisons).
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Nsid {
 public:
  static constexpr size_t kMaxLength = 317;

  // Errors (InvalidArgument): "invalid NSID 'x': ...".
  static Result<Nsid> Parse(std::string_view s);

  const std::string& str() const { return s_; }
  std::string_view authority() const;  // "app.bsky.feed" (reversed domain, as written)
  std::string_view name() const;       // "post"

  friend bool operator==(const Nsid&, const Nsid&) = default;
  friend std::strong_ordering operator<=>(const Nsid&, const Nsid&) = default;

 private:
  explicit Nsid(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

}  // namespace altscribe::atproto
