// nats/jetstream_config.cc — see jetstream_config.h.
#include "nats/jetstream_config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace altscribe::nats {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

int64_t Nanos(milliseconds d) { return int64_t{d.count()} * 1000000; }
milliseconds FromNanos(int64_t ns) { return milliseconds(ns / 1000000); }

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

const char* RetentionName(StreamConfig::Retention r) {
  switch (r) {
    case StreamConfig::Retention::kLimits:
      return "limits";
    case StreamConfig::Retention::kInterest:
      return "interest";
    case StreamConfig::Retention::kWorkQueue:
      return "workqueue";
  }
  return "limits";
}

const char* DeliverPolicyName(ConsumerConfig::DeliverPolicy p) {
  switch (p) {
    case ConsumerConfig::DeliverPolicy::kAll:
      return "all";
    case ConsumerConfig::DeliverPolicy::kLast:
      return "last";
    case ConsumerConfig::DeliverPolicy::kNew:
      return "new";
    case ConsumerConfig::DeliverPolicy::kLastPerSubject:
      return "last_per_subject";
  }
  return "all";
}

json StreamConfigJson(const StreamConfig& c) {
  json j = {{"name", c.name},
            {"subjects", c.subjects},
            {"retention", RetentionName(c.retention)},
            {"storage", c.memory_storage ? "memory" : "file"},
            {"discard", c.discard == StreamConfig::Discard::kNew ? "new" : "old"},
            {"max_consumers", -1},
            {"max_msgs", c.max_msgs},
            {"max_bytes", c.max_bytes},
            {"max_msgs_per_subject", c.max_msgs_per_subject},
            {"max_age", Nanos(c.max_age)},
            {"max_msg_size", c.max_msg_size},
            {"num_replicas", c.replicas}};
  if (c.duplicate_window.count() > 0) j["duplicate_window"] = Nanos(c.duplicate_window);
  return j;
}

StreamConfig StreamConfigFromJson(const json& j) {
  StreamConfig c;
  c.name = j.value("name", "");
  if (auto it = j.find("subjects"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (s.is_string()) c.subjects.push_back(s.get<std::string>());
    }
  }
  std::string retention = j.value("retention", "limits");
  c.retention = retention == "workqueue"  ? StreamConfig::Retention::kWorkQueue
                : retention == "interest" ? StreamConfig::Retention::kInterest
                                          : StreamConfig::Retention::kLimits;
  c.memory_storage = j.value("storage", "file") == "memory";
  c.discard = j.value("discard", "old") == "new" ? StreamConfig::Discard::kNew
                                                 : StreamConfig::Discard::kOld;
  c.duplicate_window = FromNanos(j.value("duplicate_window", int64_t{0}));
  c.replicas = j.value("num_replicas", 1);
  c.max_age = FromNanos(j.value("max_age", int64_t{0}));
  c.max_msgs = j.value("max_msgs", int64_t{-1});
  c.max_bytes = j.value("max_bytes", int64_t{-1});
  c.max_msgs_per_subject = j.value("max_msgs_per_subject", int64_t{-1});
  c.max_msg_size = j.value("max_msg_size", int32_t{-1});
  return c;
}

json ConsumerConfigJson(const ConsumerConfig& c) {
  json j = {{"deliver_policy", DeliverPolicyName(c.deliver_policy)},
            {"ack_policy", "explicit"},
            {"ack_wait", Nanos(c.ack_wait)},
            {"max_deliver", c.max_deliver},
            {"max_ack_pending", c.max_ack_pending},
            {"replay_policy", "instant"}};
  if (!c.durable.empty()) j["durable_name"] = c.durable;
  if (!c.filter_subject.empty()) j["filter_subject"] = c.filter_subject;
  if (!c.backoff.empty()) {
    json b = json::array();
    for (auto d : c.backoff) b.push_back(Nanos(d));
    j["backoff"] = b;
  }
  if (c.inactive_threshold.count() > 0) j["inactive_threshold"] = Nanos(c.inactive_threshold);
  return j;
}

ConsumerConfig ConsumerConfigFromJson(const json& j) {
  ConsumerConfig c;
  c.durable = j.value("durable_name", "");
  c.filter_subject = j.value("filter_subject", "");
  c.ack_wait = FromNanos(j.value("ack_wait", int64_t{30000000000}));
  c.max_deliver = j.value("max_deliver", -1);
  c.max_ack_pending = j.value("max_ack_pending", 1000);
  std::string p = j.value("deliver_policy", "all");
  c.deliver_policy = p == "last"               ? ConsumerConfig::DeliverPolicy::kLast
                     : p == "new"              ? ConsumerConfig::DeliverPolicy::kNew
                     : p == "last_per_subject" ? ConsumerConfig::DeliverPolicy::kLastPerSubject
                                               : ConsumerConfig::DeliverPolicy::kAll;
  if (auto it = j.find("backoff"); it != j.end() && it->is_array()) {
    for (const auto& b : *it) {
      if (b.is_number_integer()) c.backoff.push_back(FromNanos(b.get<int64_t>()));
    }
  }
  c.inactive_threshold = FromNanos(j.value("inactive_threshold", int64_t{0}));
  return c;
}

std::string StreamIncompatibility(const StreamConfig& existing, const StreamConfig& wanted) {
  if (existing.retention != wanted.retention) {
    return std::string("retention is ") + RetentionName(existing.retention) + ", wanted " +
           RetentionName(wanted.retention);
  }
  if (existing.memory_storage != wanted.memory_storage) {
    return std::string("storage is ") + (existing.memory_storage ? "memory" : "file") +
           ", wanted " + (wanted.memory_storage ? "memory" : "file");
  }
  return "";
}

std::string ConsumerIncompatibility(const ConsumerConfig& existing, const ConsumerConfig& wanted) {
  if (existing.deliver_policy != wanted.deliver_policy) {
    return std::string("deliver_policy is ") + DeliverPolicyName(existing.deliver_policy) +
           ", wanted " + DeliverPolicyName(wanted.deliver_policy);
  }
  if (existing.filter_subject != wanted.filter_subject) {
    return "filter_subject is '" + existing.filter_subject + "', wanted '" + wanted.filter_subject +
           "'";
  }
  return "";
}

bool StreamNeedsUpdate(const StreamConfig& e, const StreamConfig& w) {
  return Sorted(e.subjects) != Sorted(w.subjects) || e.replicas != w.replicas ||
         e.max_age != w.max_age || e.max_msgs != w.max_msgs || e.max_bytes != w.max_bytes ||
         e.max_msgs_per_subject != w.max_msgs_per_subject || e.max_msg_size != w.max_msg_size ||
         e.discard != w.discard ||
         (w.duplicate_window.count() > 0 && e.duplicate_window != w.duplicate_window);
}

bool ConsumerNeedsUpdate(const ConsumerConfig& e, const ConsumerConfig& w) {
  // With a backoff list the server keeps ack_wait = backoff[0].
  auto ack_wait = w.backoff.empty() ? w.ack_wait : w.backoff[0];
  return e.ack_wait != ack_wait || e.max_deliver != w.max_deliver ||
         e.max_ack_pending != w.max_ack_pending || e.backoff != w.backoff ||
         (w.inactive_threshold.count() > 0 && e.inactive_threshold != w.inactive_threshold);
}

}  // namespace altscribe::nats
