// net/backoff_test.cc — the reconnect policy, value by value (no sleeping).
#include "net/backoff.h"

#include <gtest/gtest.h>

namespace altscribe::net {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, FullJitterTable) {
  const BackoffPolicy p;  // base 250 ms, cap 30 s
  struct Row {
    int attempt;
    double r;
    int64_t want_ms;
  } rows[] = {
      {0, 0.0, 0},       {0, 0.5, 125},    {0, 0.999, 249},    {1, 0.5, 250},
      {2, 0.5, 500},     {3, 0.999, 1998}, {6, 0.5, 8000},     {7, 0.5, 15000},  // 32 s → cap 30 s
      {7, 0.999, 29970}, {60, 0.5, 15000}, {1000, 0.5, 15000}, {1 << 30, 0.999, 29970},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FullJitterDelay(p, row.attempt, row.r), milliseconds(row.want_ms))
        << "attempt " << row.attempt << " r " << row.r;
  }
}

TEST(BackoffTest, DecorrelatedJitterTable) {
  const BackoffPolicy p;
  struct Row {
    int64_t previous_ms;
    double r;
    int64_t want_ms;
  } rows[] = {
      {0, 0.0, 250},  // previous below base counts as base: [250, 750)
      {0, 0.5, 500},       {250, 0.999, 749},   {1000, 0.5, 1625},  // 250 + 0.5 · 2750
      {10000, 0.5, 15125}, {20000, 0.9, 30000},                     // 54 s → cap 30 s
      {30000, 0.0, 250},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(DecorrelatedJitterDelay(p, milliseconds(row.previous_ms), row.r),
              milliseconds(row.want_ms))
        << "previous " << row.previous_ms << " r " << row.r;
  }
}

TEST(BackoffTest, SequenceGrowsAndResetsAfterAHealthyConnection) {
  Backoff b;  // full jitter
  EXPECT_EQ(b.Next(0.5), milliseconds(125));
  EXPECT_EQ(b.Next(0.5), milliseconds(250));
  EXPECT_EQ(b.Next(0.5), milliseconds(500));
  b.ConnectionLasted(milliseconds(59'999));  // not healthy long enough
  EXPECT_EQ(b.Next(0.5), milliseconds(1000));
  EXPECT_EQ(b.attempt(), 4);
  b.ConnectionLasted(milliseconds(60'000));
  EXPECT_EQ(b.attempt(), 0);
  EXPECT_EQ(b.Next(0.5), milliseconds(125));
}

TEST(BackoffTest, DecorrelatedSequenceFeedsOnThePreviousWait) {
  BackoffPolicy p;
  p.jitter = BackoffPolicy::Jitter::kDecorrelated;
  Backoff b(p);
  EXPECT_EQ(b.Next(0.5), milliseconds(500));  // 250 + 0.5 · (750 − 250)
  EXPECT_EQ(b.Next(0.5), milliseconds(875));  // 250 + 0.5 · (1500 − 250)
  EXPECT_EQ(b.Next(0.0), milliseconds(250));  // the floor is base
  b.ConnectionLasted(milliseconds(3'600'000));
  EXPECT_EQ(b.Next(0.5), milliseconds(500));
}

}  // namespace
}  // namespace altscribe::net
