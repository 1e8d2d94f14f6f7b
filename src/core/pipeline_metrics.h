// core/pipeline_metrics.h — the metrics altscribe exports, named once, in Registry::Default().
//
// Every process (altscribe serve, altscribe bot --metrics-listen) exposes these on /metrics:
//   altscribe_stage_seconds{stage}          histogram: per image fetch, decode, encode, generate,
//                                           total; per bot mention plan, describe, post
//   altscribe_generated_tokens_total        counter
//   altscribe_tokens_per_second             gauge: generation speed of the last image
//   altscribe_images_described_total{outcome}  counter: ok | error
//   altscribe_errors_total{kind}            counter: describe failures by Status code name
//                                           ("not found", "too large", …) and HTTP API refusals
//                                           ("unauthorized", "rate limited", …)
//   altscribe_pds_ratelimit_remaining       gauge: RateLimit-Remaining of the last PDS answer
//   altscribe_pds_ratelimit_limit           gauge: RateLimit-Limit of the last PDS answer
// plus, registered by their owners as callback metrics: altscribe_mentions_received_total,
// altscribe_jobs{state}, altscribe_queue_depth, altscribe_workers, altscribe_ready.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/metrics.h"
#include "core/status.h"

namespace altscribe::metrics {

// One described image's times, in milliseconds, as vision::DescribeTimings carries them.
struct StageTimes {
  double fetch_ms = 0;
  double decode_ms = 0;
  double encode_ms = 0;
  double generate_ms = 0;
  double total_ms = 0;
  int generated_tokens = 0;
};

// Records one image: stage latencies and tokens (stages that did not run, 0 ms after a failure,
// are skipped), its outcome, and the error kind when `error` is not OK.
void RecordDescribe(const StageTimes& times, Code error);
// Records one bot mention's stage ("plan", "describe", "post") that took `seconds`.
void RecordStage(std::string_view stage, double seconds);
// Counts one error of `kind` (a short lower-case phrase) in altscribe_errors_total.
void RecordError(std::string_view kind);
// The PDS rate-limit headers of the last XRPC answer; negative values (absent) are ignored.
void RecordPdsRateLimit(int64_t limit, int64_t remaining);

}  // namespace altscribe::metrics
