#include "bot/bot_metrics.h"

#include "core/log.h"
#include "core/pipeline_metrics.h"

namespace altscribe::bot {

namespace {

constexpr MentionState kStates[] = {MentionState::kReceived,  MentionState::kPlanned,
                                    MentionState::kDescribed, MentionState::kPosting,
                                    MentionState::kDone,      MentionState::kFailed};

}  // namespace

metrics::Samples JobStateSamples(const std::map<MentionState, int64_t>& counts) {
  metrics::Samples out;
  for (MentionState s : kStates) {
    auto it = counts.find(s);
    out.push_back({{MentionStateName(s)}, it == counts.end() ? 0.0 : double(it->second)});
  }
  return out;
}

double MentionsReceived(const std::map<MentionState, int64_t>& counts) {
  double total = 0;
  for (const auto& [state, n] : counts) total += double(n);
  return total;
}

BotMetrics::BotMetrics(BotMetricsSources sources, metrics::Registry& r)
    : sources_(std::move(sources)) {
  // One store read per callback per scrape; a failed read leaves the metric out of that scrape.
  auto counts = [this]() -> std::optional<std::map<MentionState, int64_t>> {
    auto c = sources_.store->CountByState();
    if (!c.ok()) {
      LogWarn("metrics: " + c.status().message());
      return std::nullopt;
    }
    return std::move(c).value();
  };
  received_ = r.AddCallbackCounter("altscribe_mentions_received_total",
                                   "Mentions received (stored in the state store).", {}, [counts] {
                                     auto c = counts();
                                     if (!c) return metrics::Samples{};
                                     return metrics::Samples{{{}, MentionsReceived(*c)}};
                                   });
  jobs_ = r.AddCallbackGauge("altscribe_jobs", "Mentions in the state store, by state.", {"state"},
                             [counts] {
                               auto c = counts();
                               return c ? JobStateSamples(*c) : metrics::Samples{};
                             });
  queue_ = r.AddCallbackGauge(
      "altscribe_queue_depth", "Work waiting or running, by queue.", {"queue"}, [this] {
        metrics::Samples out;
        if (sources_.describe_queue) {
          out.push_back({{"describe_jobs"}, double(sources_.describe_queue())});
        }
        if (sources_.mention_queue) out.push_back({{"mentions"}, double(sources_.mention_queue())});
        return out;
      });
  workers_ = r.AddCallbackGauge("altscribe_workers", "Worker threads, by kind.", {"kind"}, [this] {
    return metrics::Samples{{{"describe"}, double(sources_.describe_workers)},
                            {{"mention"}, double(sources_.mention_workers)}};
  });
}

void StageTimer::Done() {
  if (done_) return;
  done_ = true;
  metrics::RecordStage(
      stage_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

}  // namespace altscribe::bot
