// net/backoff.cc — see backoff.h.
#include "net/backoff.h"

#include <algorithm>

namespace altscribe::net {

using std::chrono::milliseconds;

milliseconds FullJitterDelay(const BackoffPolicy& policy, int attempt, double r) {
  // base · 2^attempt without overflow: stop doubling once past the cap.
  double ceiling = static_cast<double>(policy.base.count());
  const double cap = static_cast<double>(policy.cap.count());
  for (int i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  return milliseconds(static_cast<int64_t>(r * ceiling));
}

milliseconds DecorrelatedJitterDelay(const BackoffPolicy& policy, milliseconds previous, double r) {
  const double base = static_cast<double>(policy.base.count());
  const double prev = std::max(base, static_cast<double>(previous.count()));
  const double wait = base + r * (3 * prev - base);
  return milliseconds(
      static_cast<int64_t>(std::min(wait, static_cast<double>(policy.cap.count()))));
}

milliseconds Backoff::Next(double r) {
  milliseconds wait = policy_.jitter == BackoffPolicy::Jitter::kFull
                          ? FullJitterDelay(policy_, attempt_, r)
                          : DecorrelatedJitterDelay(policy_, previous_, r);
  ++attempt_;
  previous_ = wait;
  return wait;
}

void Backoff::ConnectionLasted(milliseconds uptime) {
  if (uptime >= policy_.healthy_after) {
    attempt_ = 0;
    previous_ = milliseconds(0);
  }
}

}  // namespace altscribe::net
