#include "atproto/xrpc/retry.h"

#include <algorithm>

namespace altscribe::atproto {

std::chrono::milliseconds Backoff(int attempt, const RetryPolicy& p, double jitter) {
  double ms = static_cast<double>(p.base.count());
  for (int i = 0; i < attempt && ms < p.cap.count(); ++i) ms *= 2;
  ms = std::min(ms, static_cast<double>(p.cap.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ms * jitter));
}

std::optional<std::chrono::milliseconds> RetryDelay(const XrpcResponse& r, int attempt,
                                                    const RetryPolicy& p, int64_t now_epoch_s,
                                                    double jitter) {
  if (r.ok() || attempt + 1 >= p.max_attempts) return std::nullopt;
  if (r.status == 429) {
    std::chrono::milliseconds wait;
    if (r.rate.retry_after_s >= 0) {
      wait = std::chrono::seconds(r.rate.retry_after_s);
    } else if (r.rate.reset_epoch_s > 0) {
      wait = std::chrono::seconds(std::max<int64_t>(1, r.rate.reset_epoch_s - now_epoch_s));
    } else {
      wait = std::max(std::chrono::milliseconds(1000), Backoff(attempt, p, jitter));
    }
    if (wait > p.max_rate_limit_wait) return std::nullopt;
    return wait;
  }
  if (r.status >= 500 && r.status != 501) return Backoff(attempt, p, jitter);
  return std::nullopt;
}

}  // namespace altscribe::atproto
