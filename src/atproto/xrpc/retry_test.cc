#include "atproto/xrpc/retry.h"

#include <gtest/gtest.h>

namespace altscribe::atproto {
namespace {

using std::chrono::milliseconds;

XrpcResponse Resp(long status, int64_t retry_after = -1, int64_t reset = -1) {
  XrpcResponse r;
  r.status = status;
  r.rate.retry_after_s = retry_after;
  r.rate.reset_epoch_s = reset;
  return r;
}

TEST(Retry, BackoffIsExponentialCappedAndJittered) {
  RetryPolicy p{.max_attempts = 10, .base = milliseconds(100), .cap = milliseconds(1000)};
  EXPECT_EQ(Backoff(0, p, 1.0), milliseconds(100));
  EXPECT_EQ(Backoff(1, p, 1.0), milliseconds(200));
  EXPECT_EQ(Backoff(3, p, 1.0), milliseconds(800));
  EXPECT_EQ(Backoff(4, p, 1.0), milliseconds(1000));
  EXPECT_EQ(Backoff(40, p, 1.0), milliseconds(1000));
  EXPECT_EQ(Backoff(3, p, 0.5), milliseconds(400));
  EXPECT_EQ(Backoff(3, p, 0.0), milliseconds(0));
}

TEST(Retry, Table) {
  RetryPolicy p{.max_attempts = 4,
                .base = milliseconds(100),
                .cap = milliseconds(1000),
                .max_rate_limit_wait = milliseconds(60'000)};
  const int64_t now = 1'700'000'000;
  struct Case {
    XrpcResponse r;
    int attempt;
    std::optional<milliseconds> want;
  } cases[] = {
      {Resp(200), 0, std::nullopt},  // success
      {Resp(400), 0, std::nullopt},  // InvalidRequest: never
      {Resp(401), 0, std::nullopt},
      {Resp(404), 0, std::nullopt},
      {Resp(429, 7), 0, milliseconds(7000)},               // Retry-After wins
      {Resp(429, -1, now + 30), 0, milliseconds(30'000)},  // RateLimit-Reset (absolute)
      {Resp(429, -1, now - 5), 0, milliseconds(1000)},     // reset in the past: 1 s
      {Resp(429, 3600), 0, std::nullopt},                  // too long: reschedule
      {Resp(429), 0, milliseconds(1000)},                  // no headers: at least 1 s
      {Resp(500), 0, milliseconds(100)},                   // back off
      {Resp(503), 2, milliseconds(400)},
      {Resp(501), 0, std::nullopt},  // not implemented: never
      {Resp(500), 3, std::nullopt},  // attempts used up
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RetryDelay(c.r, c.attempt, p, now, 1.0), c.want)
        << "status " << c.r.status << " attempt " << c.attempt;
  }
}

TEST(Retry, ParsesRateLimitHeaders) {
  http::Response r;
  r.headers = {{"ratelimit-limit", "5000"},
               {"RateLimit-Remaining", "0"},
               {"RateLimit-Reset", "1700000100"},
               {"Retry-After", "Tue, 14 Nov 2023 22:15:00 GMT"}};
  RateLimit rl = ParseRateLimit(r, 1700000000);  // 2023-11-14T22:13:20Z
  EXPECT_EQ(rl.limit, 5000);
  EXPECT_EQ(rl.remaining, 0);
  EXPECT_EQ(rl.reset_epoch_s, 1700000100);
  EXPECT_EQ(rl.retry_after_s, 100);
  r.headers = {{"Retry-After", "12"}};
  EXPECT_EQ(ParseRateLimit(r, 0).retry_after_s, 12);
  EXPECT_EQ(ParseRateLimit(r, 0).reset_epoch_s, -1);
}

TEST(Retry, UrlEncode) {
  EXPECT_EQ(UrlEncode("at://did:plc:abc/app.bsky.feed.post/3k"),
            "at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3k");
  EXPECT_EQ(UrlEncode("a b&c=d~"), "a%20b%26c%3Dd~");
}

}  // namespace
}  // namespace altscribe::atproto
