// atproto/syntax/record_key.h — a record key ("3jui7kd54zh2y", "self").
//
// Atproto record-key syntax: 1–512 characters of [A-Za-z0-9_~.:-], and not "." or "..".
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class RecordKey {
 public:
  static constexpr size_t kMaxLength = 512;

  // Errors (InvalidArgument): "invalid record key 'x': ...".
  static Result<RecordKey> Parse(std::string_view s);

  const std::string& str() const { return s_; }

  friend bool operator==(const RecordKey&, const RecordKey&) = default;
  friend std::strong_ordering operator<=>(const RecordKey&, const RecordKey&) = default;

 private:
  explicit RecordKey(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

}  // namespace altscribe::atproto
