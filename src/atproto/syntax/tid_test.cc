#include "atproto/syntax/tid.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(TidTest, Vectors) { testing::CheckVectors<Tid>("tid_valid.txt", "tid_invalid.txt"); }

TEST(TidTest, KnownValues) {
  EXPECT_EQ(Tid::FromInteger(0).str(), "2222222222222");
  EXPECT_EQ(Tid::Parse("2222222222222")->integer(), 0u);
  EXPECT_EQ(Tid::FromInteger(1).str(), "2222222222223");
  EXPECT_EQ(Tid::FromInteger(32).str(), "2222222222232");
  // The top bit is always dropped.
  EXPECT_EQ(Tid::FromInteger(~uint64_t{0}).str(), "bzzzzzzzzzzzz");
  EXPECT_EQ(Tid::FromInteger(~uint64_t{0}).integer(), ~uint64_t{0} >> 1);
}

TEST(TidTest, FromPartsRoundTrips) {
  // 2024-01-02T03:04:05.678901Z, clock id 17.
  const uint64_t micros = 1704164645678901;
  Tid t = Tid::FromParts(micros, 17);
  EXPECT_EQ(t.micros(), micros);
  EXPECT_EQ(t.clock_id(), 17u);
  EXPECT_EQ(t.str().size(), Tid::kLength);
  auto parsed = Tid::Parse(t.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, t);
  EXPECT_EQ(parsed->micros(), micros);
  EXPECT_EQ(parsed->clock_id(), 17u);
  // A present-day TID starts with '3' like the ones Bluesky writes.
  EXPECT_EQ(t.str()[0], '3');

  Tid max = Tid::FromParts(Tid::kMaxMicros, Tid::kMaxClockId);
  EXPECT_EQ(max.micros(), Tid::kMaxMicros);
  EXPECT_EQ(max.clock_id(), Tid::kMaxClockId);
  EXPECT_TRUE(Tid::Parse(max.str()).ok());
  // Clock ids above 1023 keep only their low 10 bits.
  EXPECT_EQ(Tid::FromParts(5, 1024 + 3).clock_id(), 3u);
}

TEST(TidTest, StringOrderIsTimeOrder) {
  std::vector<uint64_t> times = {
      0, 1, 1023, 1024, 1704164645678901, 1704164645678902, Tid::kMaxMicros};
  for (size_t i = 1; i < times.size(); ++i) {
    Tid a = Tid::FromParts(times[i - 1], 1023);
    Tid b = Tid::FromParts(times[i], 0);
    EXPECT_LT(a, b);
    EXPECT_LT(a.str(), b.str());
  }
  EXPECT_LT(Tid::FromParts(7, 1), Tid::FromParts(7, 2));
}

TEST(TidTest, DecodesARealPostKey) {
  auto t = Tid::Parse("3k44deefqdk2g");
  ASSERT_TRUE(t.ok());
  // A 2023 post: between 2023-01-01 and 2024-01-01.
  EXPECT_GT(t->micros(), 1672531200000000u);
  EXPECT_LT(t->micros(), 1704067200000000u);
  EXPECT_EQ(Tid::FromParts(t->micros(), t->clock_id()), *t);
}

}  // namespace
}  // namespace altscribe::atproto
