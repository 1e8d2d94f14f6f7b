#include "core/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/log.h"

namespace altscribe::metrics {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  LogError("metrics: " + message);
  std::abort();
}

// `{a="x",b="y"}` (with `extra` appended, for histogram buckets), or "" without labels.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + EscapeLabelValue(i < values.size() ? values[i] : "") + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "{" : ",") + extra;
  if (!out.empty()) out += "}";
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Counter::Inc(double delta) {
  if (delta > 0) value_.fetch_add(delta, std::memory_order_relaxed);
}

void Gauge::Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  for (size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i] > bounds_[i - 1])) Fail("histogram bounds must increase strictly");
  }
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  std::lock_guard<std::mutex> l(mu_);
  ++counts_[i];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.bounds = bounds_;
  std::lock_guard<std::mutex> l(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.sum = sum_;
  s.count = count_;
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

CallbackHandle::CallbackHandle(CallbackHandle&& other) noexcept
    : registry_(other.registry_), id_(other.id_) {
  other.registry_ = nullptr;
}

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

void CallbackHandle::Reset() {
  if (registry_) registry_->RemoveCallback(id_);
  registry_ = nullptr;
}

Registry::Entry& Registry::Declare(const std::string& name, const std::string& help, Kind kind,
                                   const std::vector<std::string>& label_names) {
  if (!ValidMetricName(name)) Fail("invalid metric name '" + name + "'");
  for (const auto& l : label_names) {
    if (!ValidLabelName(l) || l == "le") Fail("invalid label name '" + l + "' for " + name);
  }
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    if (it->second.kind != kind || it->second.label_names != label_names) {
      Fail(name + " is already registered with another kind or other labels");
    }
    return it->second;
  }
  Entry& e = entries_[name];
  e.kind = kind;
  e.help = help;
  e.label_names = label_names;
  return e;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> l(mu_);
  Entry& e = Declare(name, help, Kind::kCounter, label_names);
  if (!e.counter) {
    e.counter = std::make_unique<Family<Counter>>(std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
  }
  return *e.counter;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> l(mu_);
  Entry& e = Declare(name, help, Kind::kGauge, label_names);
  if (!e.gauge) {
    e.gauge = std::make_unique<Family<Gauge>>(std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
  }
  return *e.gauge;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  std::lock_guard<std::mutex> l(mu_);
  Entry& e = Declare(name, help, Kind::kHistogram, label_names);
  if (!e.histogram) {
    e.histogram = std::make_unique<Family<Histogram>>(
        std::move(label_names), [bounds] { return std::make_unique<Histogram>(bounds); });
  }
  return *e.histogram;
}

CallbackHandle Registry::AddCallbackGauge(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::function<Samples()> sample) {
  return AddCallback(name, help, Kind::kCallbackGauge, std::move(label_names), std::move(sample));
}

CallbackHandle Registry::AddCallbackCounter(const std::string& name, const std::string& help,
                                            std::vector<std::string> label_names,
                                            std::function<Samples()> sample) {
  return AddCallback(name, help, Kind::kCallbackCounter, std::move(label_names), std::move(sample));
}

CallbackHandle Registry::AddCallback(const std::string& name, const std::string& help, Kind kind,
                                     std::vector<std::string> label_names,
                                     std::function<Samples()> sample) {
  std::lock_guard<std::mutex> l(mu_);
  Declare(name, help, kind, label_names);
  uint64_t id = next_callback_++;
  callbacks_[id] = {name, std::move(sample)};
  return CallbackHandle(this, id);
}

void Registry::RemoveCallback(uint64_t id) {
  std::lock_guard<std::mutex> render(render_mu_);  // not while a render may be calling it
  std::lock_guard<std::mutex> l(mu_);
  callbacks_.erase(id);
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> render(render_mu_);
  // Sample the callbacks first, without mu_ (they may take their own locks).
  std::map<std::string, Samples> sampled;
  std::vector<std::pair<std::string, std::function<Samples()>>> callbacks;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, cb] : callbacks_) callbacks.emplace_back(cb.name, cb.sample);
  }
  for (const auto& [name, sample] : callbacks) {
    Samples s = sample();
    auto& all = sampled[name];
    all.insert(all.end(), s.begin(), s.end());
  }

  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  for (const auto& entry : entries_) {
    // Plain references, not structured bindings: lambdas below capture them (clang 14 refuses
    // to capture bindings).
    const std::string& name = entry.first;
    const auto& e = entry.second;
    const char* type = e.kind == Kind::kCounter || e.kind == Kind::kCallbackCounter ? "counter"
                       : e.kind == Kind::kHistogram                                 ? "histogram"
                                                                                    : "gauge";
    out += "# HELP " + name + " " + EscapeHelp(e.help) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    switch (e.kind) {
      case Kind::kCounter:
        e.counter->ForEach([&](const std::vector<std::string>& v, const Counter& c) {
          out += name + LabelSet(e.label_names, v) + " " + FormatSampleValue(c.Value()) + "\n";
        });
        break;
      case Kind::kGauge:
        e.gauge->ForEach([&](const std::vector<std::string>& v, const Gauge& g) {
          out += name + LabelSet(e.label_names, v) + " " + FormatSampleValue(g.Value()) + "\n";
        });
        break;
      case Kind::kHistogram:
        e.histogram->ForEach([&](const std::vector<std::string>& v, const Histogram& h) {
          Histogram::Snapshot s = h.Snap();
          for (size_t i = 0; i <= s.bounds.size(); ++i) {
            std::string le = i < s.bounds.size() ? FormatSampleValue(s.bounds[i]) : "+Inf";
            out += name + "_bucket" + LabelSet(e.label_names, v, "le=\"" + le + "\"") + " " +
                   std::to_string(s.cumulative[i]) + "\n";
          }
          out += name + "_sum" + LabelSet(e.label_names, v) + " " + FormatSampleValue(s.sum) + "\n";
          out +=
              name + "_count" + LabelSet(e.label_names, v) + " " + std::to_string(s.count) + "\n";
        });
        break;
      case Kind::kCallbackGauge:
      case Kind::kCallbackCounter:
        if (auto it = sampled.find(name); it != sampled.end()) {
          for (const auto& [values, value] : it->second) {
            out += name + LabelSet(e.label_names, values) + " " + FormatSampleValue(value) + "\n";
          }
        }
        break;
    }
  }
  return out;
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();  // never destroyed: threads may outlive main
  return *registry;
}

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // The shortest form that reads back the same value.
  for (int prec = 1; prec <= 17; ++prec) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", prec, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

static bool NameChars(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool ValidMetricName(std::string_view name) { return NameChars(name, true); }
bool ValidLabelName(std::string_view name) {
  return NameChars(name, false) && name.substr(0, 2) != "__";
}

}  // namespace altscribe::metrics
