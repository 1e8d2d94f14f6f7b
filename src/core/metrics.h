// core/metrics.h — a small metrics registry rendered in the Prometheus text format (0.0.4).
//
// Three kinds of instruments, each registered once as a family with fixed label names:
//   * Counter   — only goes up (requests, errors);
//   * Gauge     — set to a value (queue depth, workers, rate-limit remaining);
//   * Histogram — cumulative buckets, _sum and _count (latencies in seconds).
// plus callback gauges, sampled when the registry is rendered (jobs by state read from a store,
// the in-flight count of an executor); a callback is removed when its handle is destroyed, so it
// never outlives what it reads.
//
//   auto& requests = registry.AddCounter("altscribe_http_requests_total", "HTTP requests.",
//                                        {"route", "code"});
//   requests.With({"/v1/describe", "200"}).Inc();
//   std::string text = registry.Render();
//
// Registering a name again returns the existing family when the kind and label names agree (so
// two parts of one process may both declare a metric); otherwise it is a programming error and
// aborts. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.
//
// Thread-safe: instruments may be updated from any thread while another renders. Instrument
// references stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace altscribe::metrics {

class Counter {
 public:
  void Inc(double delta = 1);  // REQUIRES: delta >= 0 (negative deltas are ignored)
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: upper bounds of the buckets, strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Snap() const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // GUARDED_BY(mu_): per bucket, the last is +Inf
  double sum_ = 0;                // GUARDED_BY(mu_)
  uint64_t count_ = 0;            // GUARDED_BY(mu_)
};

// Bucket bounds for latencies in seconds: 5 ms … 60 s.
std::vector<double> LatencyBuckets();

// The instruments of one metric, one per combination of label values.
template <typename T>
class Family {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;
  Family(std::vector<std::string> label_names, Factory factory)
      : label_names_(std::move(label_names)), factory_(std::move(factory)) {}

  // The instrument for these label values (created on first use). The number of values must
  // equal the number of label names; extra values are dropped, missing ones are "".
  T& With(const std::vector<std::string>& label_values);
  // For families without labels.
  T& Get() { return With({}); }

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls f(values, instrument) for every instrument, in label-value order.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& f) const;

 private:
  const std::vector<std::string> label_names_;
  const Factory factory_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // GUARDED_BY(mu_)
};

// One sample of a callback gauge: label values (as many as the family's label names) → value.
using Samples = std::vector<std::pair<std::vector<std::string>, double>>;

class Registry;

// Keeps a callback gauge registered; destroying (or Reset()ting) it removes the callback, and
// waits for a render in progress to finish with it.
class CallbackHandle {
 public:
  CallbackHandle() = default;
  CallbackHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  ~CallbackHandle() { Reset(); }
  CallbackHandle(CallbackHandle&& other) noexcept;
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  CallbackHandle(const CallbackHandle&) = delete;
  CallbackHandle& operator=(const CallbackHandle&) = delete;
  void Reset();

 private:
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds = LatencyBuckets());
  // A gauge whose samples `sample` returns at every Render(). Several callbacks may feed one
  // name (their samples are concatenated); the family is declared by the first.
  [[nodiscard]] CallbackHandle AddCallbackGauge(const std::string& name, const std::string& help,
                                                std::vector<std::string> label_names,
                                                std::function<Samples()> sample);
  // The same for a counter kept elsewhere (a total read from a store).
  [[nodiscard]] CallbackHandle AddCallbackCounter(const std::string& name, const std::string& help,
                                                  std::vector<std::string> label_names,
                                                  std::function<Samples()> sample);

  // Every metric, sorted by name, as Prometheus text (# HELP, # TYPE, samples).
  std::string Render() const;

  // The process-wide registry that /metrics serves.
  static Registry& Default();

 private:
  friend class CallbackHandle;
  enum class Kind { kCounter, kGauge, kHistogram, kCallbackGauge, kCallbackCounter };
  struct Entry {
    Kind kind;
    std::string help;
    std::vector<std::string> label_names;
    std::unique_ptr<Family<Counter>> counter;
    std::unique_ptr<Family<Gauge>> gauge;
    std::unique_ptr<Family<Histogram>> histogram;
  };
  struct Callback {
    std::string name;
    std::function<Samples()> sample;
  };
  Entry& Declare(const std::string& name, const std::string& help, Kind kind,
                 const std::vector<std::string>& label_names);
  CallbackHandle AddCallback(const std::string& name, const std::string& help, Kind kind,
                             std::vector<std::string> label_names, std::function<Samples()> sample);
  void RemoveCallback(uint64_t id);

  mutable std::mutex mu_;                   // guards entries_ and callbacks_
  mutable std::mutex render_mu_;            // held while callbacks run (see CallbackHandle)
  std::map<std::string, Entry> entries_;    // GUARDED_BY(mu_)
  std::map<uint64_t, Callback> callbacks_;  // GUARDED_BY(mu_)
  uint64_t next_callback_ = 1;              // GUARDED_BY(mu_)
};

// Prometheus text helpers, exposed for tests.
std::string FormatSampleValue(double v);           // "12", "0.25", "+Inf", "NaN"
std::string EscapeLabelValue(std::string_view v);  // backslash, quote, newline
bool ValidMetricName(std::string_view name);
bool ValidLabelName(std::string_view name);

// ---- template definitions ----
template <typename T>
T& Family<T>::With(const std::vector<std::string>& label_values) {
  std::vector<std::string> key(label_names_.size());
  for (size_t i = 0; i < key.size() && i < label_values.size(); ++i) key[i] = label_values[i];
  std::lock_guard<std::mutex> l(mu_);
  auto& slot = children_[key];
  if (!slot) slot = factory_();
  return *slot;
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& f) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [values, child] : children_) f(values, *child);
}

}  // namespace altscribe::metrics
