#include "serve/rate_limit.h"

#include <gtest/gtest.h>

namespace altscribe::serve {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  RateLimiter::Clock fn() {
    return [this] { return now; };
  }
};

TEST(RateLimiter, BurstThenRetryAfterUntilRefilled) {
  FakeClock clock;
  RateLimiter limiter({.per_minute = 6, .burst = 2}, clock.fn());  // one every 10 s
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_TRUE(limiter.Take("a").allowed);
  RateDecision d = limiter.Take("a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 10);
  clock.now += 4s;
  d = limiter.Take("a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 6);
  clock.now += 6s;
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
}

TEST(RateLimiter, KeysAreIndependent) {
  FakeClock clock;
  RateLimiter limiter({.per_minute = 1, .burst = 1}, clock.fn());
  EXPECT_TRUE(limiter.Take("ip 1").allowed);
  EXPECT_FALSE(limiter.Take("ip 1").allowed);
  EXPECT_TRUE(limiter.Take("ip 2").allowed);
}

TEST(RateLimiter, ZeroRateIsUnlimited) {
  RateLimiter limiter({.per_minute = 0, .burst = 1});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Take("a").allowed);
  EXPECT_EQ(limiter.KeyCount(), 0u);
}

TEST(RateLimiter, FullBucketsAreForgottenWhenTheTableIsFull) {
  FakeClock clock;
  RateLimiter limiter({.per_minute = 60, .burst = 1}, clock.fn(), /*max_keys=*/100);
  for (int i = 0; i < 100; ++i) limiter.Take("k" + std::to_string(i));
  EXPECT_EQ(limiter.KeyCount(), 100u);
  clock.now += 2s;  // every bucket is full again
  limiter.Take("new");
  EXPECT_EQ(limiter.KeyCount(), 1u);
}

TEST(RateLimiter, RetryAfterIsAtLeastOneSecond) {
  FakeClock clock;
  RateLimiter limiter({.per_minute = 6000, .burst = 1}, clock.fn());
  limiter.Take("a");
  RateDecision d = limiter.Take("a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 1);
}

}  // namespace
}  // namespace altscribe::serve
