// bot/bot_metrics.h — what `altscribe bot --metrics-listen` adds to metrics::Registry::Default().
//
// BotMetrics registers the bot process's callback metrics, sampled at every scrape of /metrics:
//   altscribe_mentions_received_total  counter: mentions in the state store (each one received
//                                      is stored once, so this only goes up)
//   altscribe_jobs{state}              gauge: mentions by state (received, planned, described,
//                                      posting, done, failed), from Store::CountByState
//   altscribe_queue_depth{queue}       gauge: "describe_jobs" (jobs waiting or running in the
//                                      executor), "mentions" (mentions queued or being worked on)
//   altscribe_workers{kind}            gauge: "describe" (executor threads), "mention" (the bots'
//                                      worker threads)
// The bot records altscribe_stage_seconds{stage="plan"|"describe"|"post"} with StageTimer; the
// executor records images, tokens and describe errors (core/pipeline_metrics.h); the XRPC client
// the PDS rate limit.
//
// Destroying BotMetrics removes its callbacks: destroy it before the store and the functions it
// reads. Thread-safe (the callbacks run on the metrics server's threads).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "bot/store.h"
#include "core/metrics.h"

namespace altscribe::bot {

struct BotMetricsSources {
  Store* store = nullptr;                  // REQUIRED; outlives the BotMetrics
  std::function<size_t()> describe_queue;  // jobs in the executor (unset: not exported)
  std::function<size_t()> mention_queue;   // mentions queued or in progress (unset: not exported)
  int describe_workers = 0;
  int mention_workers = 0;
};

class BotMetrics {
 public:
  explicit BotMetrics(BotMetricsSources sources,
                      metrics::Registry& registry = metrics::Registry::Default());
  BotMetrics(const BotMetrics&) = delete;
  BotMetrics& operator=(const BotMetrics&) = delete;

 private:
  BotMetricsSources sources_;
  metrics::CallbackHandle received_, jobs_, queue_, workers_;
};

// The samples of altscribe_jobs: one per mention state, in lifecycle order, 0 for states that no
// mention is in.
metrics::Samples JobStateSamples(const std::map<MentionState, int64_t>& counts);
// Every mention counted in `counts`: the value of altscribe_mentions_received_total.
double MentionsReceived(const std::map<MentionState, int64_t>& counts);

// Measures one stage of a mention; Done() records it in altscribe_stage_seconds{stage} (once).
// A stage that fails is not recorded (its retry will be).
class StageTimer {
 public:
  explicit StageTimer(std::string_view stage) : stage_(stage) {}
  void Done();

 private:
  std::string stage_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool done_ = false;
};

}  // namespace altscribe::bot
