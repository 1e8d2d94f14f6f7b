// atproto/syntax/tid.h — a Timestamp Identifier, the record key of posts ("3jzfcijpj2z2a").
//
// A TID is a 64-bit integer — top bit 0, then 53 bits of microseconds since the Unix epoch, then
// a 10-bit clock id — written as 13 characters of the base32-sortable alphabet
// "234567abcdefghijklmnopqrstuvwxyz", most significant first; the first character is one of
// "234567abcdefghij" (so a parsed TID may have the top bit set, which FromParts/FromInteger never
// produce). The string order equals the integer order, so TIDs sort by time.
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Tid {
 public:
  static constexpr size_t kLength = 13;
  static constexpr uint64_t kMaxMicros = (uint64_t{1} << 53) - 1;
  static constexpr uint32_t kMaxClockId = 1023;

  // Errors (InvalidArgument): "invalid TID 'x': ...".
  static Result<Tid> Parse(std::string_view s);
  // The TID for a time and clock id. REQUIRES: micros_since_epoch <= kMaxMicros and
  // clock_id <= kMaxClockId; higher bits are dropped.
  static Tid FromParts(uint64_t micros_since_epoch, uint32_t clock_id);
  // The TID whose integer value is `v` (the top bit is dropped).
  static Tid FromInteger(uint64_t v);

  const std::string& str() const { return s_; }
  uint64_t integer() const { return v_; }
  uint64_t micros() const { return (v_ >> 10) & kMaxMicros; }  // since the Unix epoch
  uint32_t clock_id() const { return static_cast<uint32_t>(v_ & kMaxClockId); }

  friend bool operator==(const Tid& a, const Tid& b) { return a.v_ == b.v_; }
  friend std::strong_ordering operator<=>(const Tid& a, const Tid& b) { return a.v_ <=> b.v_; }

 private:
  Tid(uint64_t v, std::string s) : v_(v), s_(std::move(s)) {}
  uint64_t v_ = 0;
  std::string s_;
};

}  // namespace altscribe::atproto
