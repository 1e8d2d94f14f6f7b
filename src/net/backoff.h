// net/backoff.h — how long to wait before reconnecting a subscription. Pure policy: the caller
// supplies the randomness (a value in [0,1)) and the clock readings, so it is tested value by
// value and never sleeps.
//
// Full jitter (the default): attempt n (0 for the first retry) waits r · min(cap, base · 2^n).
// Decorrelated jitter: waits min(cap, base + r · (3 · previous − base)), previous starting at
// base. Both after "Exponential Backoff and Jitter" (AWS Architecture Blog, 2015).
// A connection that stayed up for `healthy_after` resets the sequence: the next failure is
// attempt 0 again.
#pragma once

#include <chrono>

namespace altscribe::net {

struct BackoffPolicy {
  enum class Jitter { kFull, kDecorrelated };
  Jitter jitter = Jitter::kFull;
  std::chrono::milliseconds base{250};
  std::chrono::milliseconds cap{30'000};
  std::chrono::milliseconds healthy_after{60'000};
};

// r · min(cap, base · 2^attempt). REQUIRES: attempt >= 0, 0 <= r < 1.
std::chrono::milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt, double r);
// min(cap, base + r · (3 · previous − base)); previous below base counts as base.
std::chrono::milliseconds DecorrelatedJitterDelay(const BackoffPolicy& policy,
                                                  std::chrono::milliseconds previous, double r);

// The sequence for one subscription. Not thread-safe; value type.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}) : policy_(policy) {}

  // The wait before the next attempt; advances the sequence.
  std::chrono::milliseconds Next(double r);
  // Reports how long the last connection stayed up; resets the sequence when it was healthy.
  void ConnectionLasted(std::chrono::milliseconds uptime);
  int attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  int attempt_ = 0;
  std::chrono::milliseconds previous_{0};
};

}  // namespace altscribe::net
