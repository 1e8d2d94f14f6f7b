#include "atproto/syntax/datetime.h"

#include <chrono>
#include <cstdio>

#include "core/text.h"

namespace altscribe::atproto {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid datetime '" + std::string(Utf8Prefix(s, 80)) +
                                 "': " + why);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at s[*pos].
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

Result<Datetime> ParseImpl(std::string_view s, bool lenient) {
  if (s.size() > Datetime::kMaxLength) return Invalid(s, "longer than 64 characters");
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &day)) {
    return Invalid(s, "expected a YYYY-MM-DD date");
  }
  char sep = pos < s.size() ? s[pos] : '\0';
  if (!(sep == 'T' || (lenient && (sep == 't' || sep == ' ')))) {
    return Invalid(s, "expected 'T' between date and time");
  }
  ++pos;
  if (!Digits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minute) ||
      !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &second)) {
    return Invalid(s, "expected an HH:MM:SS time");
  }
  int64_t fraction_micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction_micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 20) return Invalid(s, "fraction must have 1 to 20 digits");
  }
  int64_t offset_minutes = 0;
  if (pos == s.size()) {
    if (!lenient) return Invalid(s, "missing time zone ('Z' or ±HH:MM)");
  } else if (s[pos] == 'Z' || (lenient && s[pos] == 'z')) {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    bool negative = s[pos] == '-';
    ++pos;
    int oh = 0, om = 0;
    if (!Digits(s, &pos, 2, &oh)) return Invalid(s, "bad time-zone offset");
    bool colon = Expect(s, &pos, ':');
    if ((!colon && !lenient) || !Digits(s, &pos, 2, &om)) {
      return Invalid(s, "bad time-zone offset");
    }
    if (oh > 23 || om > 59) return Invalid(s, "time-zone offset out of range");
    if (negative && oh == 0 && om == 0 && !lenient) {
      return Invalid(s, "'-00:00' (unknown offset) is not allowed");
    }
    offset_minutes = (negative ? -1 : 1) * (oh * 60 + om);
  } else {
    return Invalid(s, "expected 'Z' or ±HH:MM after the time");
  }
  if (pos != s.size()) return Invalid(s, "unexpected characters after the time zone");
  if (year < 1) return Invalid(s, "year 0000 is not allowed");
  if (month < 1 || month > 12) return Invalid(s, "month out of range");
  if (day < 1 || day > DaysInMonth(year, month)) return Invalid(s, "day out of range");
  if (hour > 23 || minute > 59 || second > 59) return Invalid(s, "time out of range");
  int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 +
                    second - offset_minutes * 60;
  return Datetime::FromUnixMicros(seconds * kMicrosPerSecond + fraction_micros);
}

}  // namespace

Result<Datetime> Datetime::Parse(std::string_view s) { return ParseImpl(s, false); }

Result<Datetime> Datetime::ParseLenient(std::string_view s) { return ParseImpl(s, true); }

Datetime Datetime::Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Datetime(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

std::string Datetime::ToString() const {
  int64_t seconds = micros_ / kMicrosPerSecond;
  int64_t sub = micros_ % kMicrosPerSecond;
  if (sub < 0) {
    sub += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t rem = seconds % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(year), month, day, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60),
                static_cast<int>(sub / 1000));
  return buf;
}

}  // namespace altscribe::atproto
