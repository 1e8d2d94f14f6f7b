#include "serve/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace altscribe::serve {

RateLimiter::RateLimiter(RateLimit limit, Clock clock, size_t max_keys)
    : limit_{limit.per_minute, std::max(1.0, limit.burst)},
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      max_keys_(max_keys) {}

void RateLimiter::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  double seconds = std::chrono::duration<double>(now - b.updated).count();
  if (seconds > 0) b.tokens = std::min(limit_.burst, b.tokens + seconds * limit_.per_minute / 60);
  b.updated = now;
}

void RateLimiter::Prune(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= limit_.burst ? buckets_.erase(it) : std::next(it);
  }
}

RateDecision RateLimiter::Take(const std::string& key) {
  if (limit_.per_minute <= 0) return {};
  auto now = clock_();
  std::lock_guard<std::mutex> l(mu_);
  if (buckets_.size() >= max_keys_ && !buckets_.contains(key)) Prune(now);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
  Bucket& b = it->second;
  if (!fresh) Refill(b, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return {};
  }
  double wait_s = (1 - b.tokens) * 60 / limit_.per_minute;
  return {false, std::max(1, static_cast<int>(std::ceil(wait_s - 1e-9)))};
}

size_t RateLimiter::KeyCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return buckets_.size();
}

}  // namespace altscribe::serve
