// atproto/syntax/datetime.h — an atproto datetime (a record's createdAt, a view's indexedAt).
//
// Parse follows the atproto datetime rules (RFC 3339 with the ISO 8601 overlap):
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", uppercase 'T' and 'Z', seconds required,
// 1–20 fraction digits (kept to the microsecond), a real calendar date, no leap second, no
// "-00:00" offset, year 0001–9999, at most 64 characters. ParseLenient also accepts what
// sloppy clients write: a space or 't' for 'T', 'z', no offset (UTC), "-00:00", "+HHMM".
// ToString gives the canonical form the Bluesky app writes: UTC with milliseconds
// ("2024-05-06T07:08:09.123Z").
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Datetime {
 public:
  static constexpr size_t kMaxLength = 64;

  // Errors (InvalidArgument): "invalid datetime 'x': ...".
  static Result<Datetime> Parse(std::string_view s);
  static Result<Datetime> ParseLenient(std::string_view s);
  static Datetime FromUnixMicros(int64_t micros) { return Datetime(micros); }
  static Datetime Now();  // the system clock
  Datetime() = default;   // the Unix epoch

  int64_t unix_micros() const { return micros_; }
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC (sub-millisecond digits are dropped).
  std::string ToString() const;

  friend bool operator==(const Datetime&, const Datetime&) = default;
  friend std::strong_ordering operator<=>(const Datetime&, const Datetime&) = default;

 private:
  explicit Datetime(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

}  // namespace altscribe::atproto
