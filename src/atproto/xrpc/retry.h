// atproto/xrpc/retry.h — when to try an XRPC call again, as pure functions.
//
// 429: wait for Retry-After, else until RateLimit-Reset (absolute seconds), else back off.
// 5xx and transport failures: exponential back-off with full jitter. Other 4xx: never.
// Waits longer than max_rate_limit_wait are not slept through: the call fails and the caller
// reschedules the work (a bot must not block for an hour inside one call).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "atproto/xrpc/client.h"

namespace altscribe::atproto {

struct RetryPolicy {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds base{250};
  std::chrono::milliseconds cap{20'000};
  std::chrono::milliseconds max_rate_limit_wait{60'000};
};

// Full-jitter exponential back-off: jitter * min(cap, base * 2^attempt), jitter in [0, 1).
// `attempt` counts failures so far, from 0.
std::chrono::milliseconds Backoff(int attempt, const RetryPolicy& policy, double jitter);

// The wait before the next try after response `r` (attempt = failures so far, from 0), or
// nullopt when the call must not be retried (success, non-retryable 4xx, attempts used up, or
// a rate-limit wait over max_rate_limit_wait).
std::optional<std::chrono::milliseconds> RetryDelay(const XrpcResponse& r, int attempt,
                                                    const RetryPolicy& policy, int64_t now_epoch_s,
                                                    double jitter);

}  // namespace altscribe::atproto
