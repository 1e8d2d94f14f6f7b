#include "atproto/syntax/datetime.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(DatetimeTest, Vectors) {
  testing::CheckVectors<Datetime>("datetime_valid.txt", "datetime_invalid.txt");
}

TEST(DatetimeTest, Values) {
  EXPECT_EQ(Datetime::Parse("1970-01-01T00:00:00Z")->unix_micros(), 0);
  EXPECT_EQ(Datetime::Parse("1970-01-01T00:00:00.000001Z")->unix_micros(), 1);
  EXPECT_EQ(Datetime::Parse("2024-01-02T03:04:05.678901Z")->unix_micros(), 1704164645678901);
  // Offsets move the instant: 23:20 at -07:00 is 06:20 the next day in UTC.
  EXPECT_EQ(Datetime::Parse("1985-04-12T23:20:50.123-07:00").value(),
            Datetime::Parse("1985-04-13T06:20:50.123Z").value());
  EXPECT_EQ(Datetime::Parse("1985-04-12T23:20:50+05:30").value(),
            Datetime::Parse("1985-04-12T17:50:50Z").value());
  // Digits past the microsecond are dropped.
  EXPECT_EQ(Datetime::Parse("1985-04-12T23:20:50.1234567891Z")->unix_micros() % 1000000, 123456);
  EXPECT_LT(Datetime::Parse("0001-01-01T00:00:00Z")->unix_micros(), 0);
}

TEST(DatetimeTest, ToStringIsCanonicalUtcMillis) {
  EXPECT_EQ(Datetime::FromUnixMicros(0).ToString(), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Datetime::FromUnixMicros(1704164645678901).ToString(), "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(Datetime::Parse("1985-04-12T23:20:50.123-07:00")->ToString(),
            "1985-04-13T06:20:50.123Z");
  EXPECT_EQ(Datetime::Parse("2000-02-29T23:59:59.999Z")->ToString(), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(Datetime::Parse("0001-01-01T00:00:00Z")->ToString(), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(Datetime::Parse("9999-12-31T23:59:59.999Z")->ToString(), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(Datetime::FromUnixMicros(-1).ToString(), "1969-12-31T23:59:59.999Z");
  // Every valid vector survives a round trip through ToString (to the millisecond).
  for (const std::string& s : testing::ReadVectors("datetime_valid.txt")) {
    Datetime d = Datetime::Parse(s).value();
    Datetime back = Datetime::Parse(d.ToString()).value();
    EXPECT_EQ(back.unix_micros(), d.unix_micros() - ((d.unix_micros() % 1000) + 1000) % 1000) << s;
  }
}

TEST(DatetimeTest, LenientAcceptsSloppyClients) {
  const int64_t want = Datetime::Parse("1985-04-12T23:20:50.123Z")->unix_micros();
  for (const char* s : {"1985-04-12T23:20:50.123Z", "1985-04-12 23:20:50.123Z",
                        "1985-04-12t23:20:50.123z", "1985-04-12T23:20:50.123",
                        "1985-04-12T23:20:50.123-00:00", "1985-04-12T23:20:50.123+0000"}) {
    auto d = Datetime::ParseLenient(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status().message();
    EXPECT_EQ(d->unix_micros(), want) << s;
  }
  // Still not garbage.
  for (const char* s : {"", "yesterday", "1985-04-12", "1985-02-30T00:00:00Z", "12/04/1985"}) {
    EXPECT_FALSE(Datetime::ParseLenient(s).ok()) << s;
  }
}

TEST(DatetimeTest, NowIsNow) {
  Datetime now = Datetime::Now();
  EXPECT_GT(now, Datetime::Parse("2024-01-01T00:00:00Z").value());
  EXPECT_TRUE(Datetime::Parse(now.ToString()).ok());
}

TEST(DatetimeTest, ErrorsNameTheCause) {
  auto r = Datetime::Parse("2023-02-29T00:00:00Z");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid datetime '2023-02-29T00:00:00Z': day out of range");
  r = Datetime::Parse("1985-04-12T23:20:50.123");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("missing time zone"), std::string::npos);
}

}  // namespace
}  // namespace altscribe::atproto
