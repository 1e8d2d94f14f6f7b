#include "atproto/syntax/tid.h"

#include "core/text.h"

namespace altscribe::atproto {
namespace {

constexpr std::string_view kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";

// The 5-bit value of a base32-sortable character, or -1.
int Value(char c) {
  if (c >= '2' && c <= '7') return c - '2';
  if (c >= 'a' && c <= 'z') return c - 'a' + 6;
  return -1;
}

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid TID '" + std::string(Utf8Prefix(s, 80)) + "': " + why);
}

}  // namespace

Result<Tid> Tid::Parse(std::string_view s) {
  if (s.size() != kLength) return Invalid(s, "must be 13 characters");
  uint64_t v = 0;
  for (char c : s) {
    int d = Value(c);
    if (d < 0) return Invalid(s, "character outside the base32-sortable alphabet");
    v = (v << 5) | static_cast<uint64_t>(d);
  }
  if (Value(s[0]) >= 16) return Invalid(s, "first character must be one of 234567abcdefghij");
  return Tid(v, std::string(s));
}

Tid Tid::FromParts(uint64_t micros_since_epoch, uint32_t clock_id) {
  return FromInteger(((micros_since_epoch & kMaxMicros) << 10) | (clock_id & kMaxClockId));
}

Tid Tid::FromInteger(uint64_t v) {
  v &= ~(uint64_t{1} << 63);
  std::string s(kLength, '2');
  uint64_t rest = v;
  for (size_t i = kLength; i-- > 0;) {
    s[i] = kAlphabet[rest & 0x1F];
    rest >>= 5;
  }
  return Tid(v, std::move(s));
}

}  // namespace altscribe::atproto
