// nats/jetstream_config.h — stream and consumer configurations as the JetStream API spells them
// (docs.nats.io "JetStream wire API": durations in nanoseconds, policies as lower-case words), and
// which differences between a wanted and an existing configuration the server can apply in place.
//
// Pure values and JSON conversions (no I/O), tested in jetstream_config_test.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace altscribe::nats {

struct StreamConfig {
  std::string name;
  std::vector<std::string> subjects;
  enum class Retention { kLimits, kInterest, kWorkQueue } retention = Retention::kWorkQueue;
  bool memory_storage = false;                                // file storage otherwise
  std::chrono::milliseconds duplicate_window{0};              // 0: the server's default (2 min)
  int replicas = 1;                                           // 1..5; 3 for a 3-node cluster
  std::chrono::milliseconds max_age{0};                       // 0: messages never expire
  int64_t max_msgs = -1, max_bytes = -1;                      // -1: unlimited
  int64_t max_msgs_per_subject = -1;                          // -1: unlimited
  int32_t max_msg_size = -1;                                  // -1: the server's max_payload
  enum class Discard { kOld, kNew } discard = Discard::kOld;  // which to drop at a limit
};

struct ConsumerConfig {
  // Durable name; "" makes an ephemeral consumer (CreateConsumer), named by the server and
  // deleted after inactive_threshold without pulls. REQUIRES for CreateDurable: non-empty, no
  // '.', '*', '>' or whitespace.
  std::string durable;
  std::string filter_subject;  // "" for the whole stream
  std::chrono::milliseconds ack_wait{30000};
  int max_deliver = -1;  // -1: unlimited
  int max_ack_pending = 1000;
  enum class DeliverPolicy {
    kAll,
    kLast,
    kNew,
    kLastPerSubject
  } deliver_policy = DeliverPolicy::kAll;
  // Redelivery delays, one per delivery (the last repeats); replaces ack_wait for redelivery
  // timing. REQUIRES: empty, or max_deliver > backoff.size() (or -1).
  std::vector<std::chrono::milliseconds> backoff;
  std::chrono::milliseconds inactive_threshold{0};  // 0: the server's default (ephemeral: 5 s)
};

const char* RetentionName(StreamConfig::Retention r);  // "limits", "interest", "workqueue"
const char* DeliverPolicyName(ConsumerConfig::DeliverPolicy p);  // "all", "last_per_subject"...

// The JSON the API takes ("config" of STREAM.CREATE / CONSUMER.CREATE), and back from INFO.
nlohmann::json StreamConfigJson(const StreamConfig& c);
StreamConfig StreamConfigFromJson(const nlohmann::json& j);
nlohmann::json ConsumerConfigJson(const ConsumerConfig& c);
ConsumerConfig ConsumerConfigFromJson(const nlohmann::json& j);

// What keeps `existing` from serving as `wanted` although the server can't change it in place
// (stream retention and storage; consumer deliver policy and filter subject), e.g.
// "retention is limits, wanted workqueue"; "" when compatible.
std::string StreamIncompatibility(const StreamConfig& existing, const StreamConfig& wanted);
std::string ConsumerIncompatibility(const ConsumerConfig& existing, const ConsumerConfig& wanted);
// True when `existing` differs from `wanted` in a field that can be updated in place. Fields
// `wanted` leaves at "server default" (duplicate_window 0, inactive_threshold 0) don't count.
bool StreamNeedsUpdate(const StreamConfig& existing, const StreamConfig& wanted);
bool ConsumerNeedsUpdate(const ConsumerConfig& existing, const ConsumerConfig& wanted);

}  // namespace altscribe::nats
