// serve/rate_limit.h — token-bucket rate limits keyed by caller (an IP address, a token).
//
// Each key has a bucket of `burst` requests that refills at `per_minute` requests a minute. A
// request takes one; when the bucket is empty the answer says how long until one is back, for
// the Retry-After header (whole seconds, rounded up, at least 1). per_minute <= 0 disables the
// limit. Buckets that are full again are forgotten when the table grows past `max_keys`, so a
// flood of distinct callers cannot grow memory without bound (an attacker with many addresses
// gets fresh buckets, as it would anyway).
//
// Thread-safe. Time comes from the injected clock (tests) or steady_clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace altscribe::serve {

struct RateLimit {
  double per_minute = 0;  // <= 0: unlimited
  double burst = 10;      // bucket size (at least 1)
};

struct RateDecision {
  bool allowed = true;
  int retry_after_s = 0;  // when !allowed: seconds until a request would be allowed
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit RateLimiter(RateLimit limit, Clock clock = {}, size_t max_keys = 100'000);

  // Takes one request from `key`'s bucket, or says how long to wait.
  RateDecision Take(const std::string& key);
  size_t KeyCount() const;

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  void Refill(Bucket& b, std::chrono::steady_clock::time_point now) const;
  void Prune(std::chrono::steady_clock::time_point now);  // REQUIRES mu_ held

  const RateLimit limit_;
  const Clock clock_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace altscribe::serve
