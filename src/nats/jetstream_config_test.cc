// nats/jetstream_config_test.cc — configs to and from the API's JSON, what can change in place,
// and the metadata in $JS.ACK reply subjects.
#include "nats/jetstream_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nats/jetstream.h"

namespace altscribe::nats {
namespace {

using std::chrono::milliseconds;

TEST(JetStreamConfig, StreamJsonRoundTrip) {
  StreamConfig c;
  c.name = "JOBS";
  c.subjects = {"a.>", "b.*"};
  c.retention = StreamConfig::Retention::kInterest;
  c.memory_storage = true;
  c.duplicate_window = milliseconds(30000);
  c.replicas = 3;
  c.max_age = milliseconds(3600000);
  c.max_msgs_per_subject = 1;
  c.discard = StreamConfig::Discard::kNew;
  nlohmann::json j = StreamConfigJson(c);
  EXPECT_EQ(j["retention"], "interest");
  EXPECT_EQ(j["storage"], "memory");
  EXPECT_EQ(j["discard"], "new");
  EXPECT_EQ(j["num_replicas"], 3);
  EXPECT_EQ(j["max_age"], int64_t{3600} * 1000000000);
  EXPECT_EQ(j["duplicate_window"], int64_t{30} * 1000000000);
  StreamConfig back = StreamConfigFromJson(j);
  EXPECT_EQ(back.subjects, c.subjects);
  EXPECT_EQ(back.retention, c.retention);
  EXPECT_TRUE(back.memory_storage);
  EXPECT_EQ(back.duplicate_window, c.duplicate_window);
  EXPECT_EQ(back.max_age, c.max_age);
  EXPECT_EQ(back.max_msgs_per_subject, 1);
  EXPECT_EQ(back.discard, StreamConfig::Discard::kNew);
  EXPECT_FALSE(StreamNeedsUpdate(back, c));
  EXPECT_EQ(StreamIncompatibility(back, c), "");
  // The server's default duplicate window doesn't count as a difference.
  StreamConfig defaults = c;
  defaults.duplicate_window = milliseconds(0);
  EXPECT_FALSE(StreamNeedsUpdate(back, defaults));
  EXPECT_FALSE(StreamConfigJson(defaults).contains("duplicate_window"));
}

TEST(JetStreamConfig, StreamDifferences) {
  StreamConfig a;
  a.name = "S";
  a.subjects = {"x", "y"};
  StreamConfig b = a;
  b.subjects = {"y", "x"};  // order doesn't matter
  EXPECT_FALSE(StreamNeedsUpdate(a, b));
  b.max_age = milliseconds(1000);
  EXPECT_TRUE(StreamNeedsUpdate(a, b));
  b = a;
  b.retention = StreamConfig::Retention::kLimits;
  EXPECT_EQ(StreamIncompatibility(a, b), "retention is workqueue, wanted limits");
  b = a;
  b.memory_storage = true;
  EXPECT_EQ(StreamIncompatibility(a, b), "storage is file, wanted memory");
}

TEST(JetStreamConfig, ConsumerJsonRoundTripAndDifferences) {
  ConsumerConfig c;
  c.durable = "workers";
  c.filter_subject = "jobs.m1";
  c.ack_wait = milliseconds(2000);
  c.max_deliver = 5;
  c.max_ack_pending = 8;
  c.deliver_policy = ConsumerConfig::DeliverPolicy::kLastPerSubject;
  c.backoff = {milliseconds(1000), milliseconds(5000)};
  c.inactive_threshold = milliseconds(60000);
  nlohmann::json j = ConsumerConfigJson(c);
  EXPECT_EQ(j["deliver_policy"], "last_per_subject");
  EXPECT_EQ(j["ack_policy"], "explicit");
  EXPECT_EQ(j["backoff"][1], int64_t{5} * 1000000000);
  ConsumerConfig back = ConsumerConfigFromJson(j);
  EXPECT_EQ(back.durable, "workers");
  EXPECT_EQ(back.deliver_policy, c.deliver_policy);
  EXPECT_EQ(back.backoff, c.backoff);
  EXPECT_EQ(back.inactive_threshold, c.inactive_threshold);
  // With a backoff list the server keeps ack_wait = backoff[0]: not a difference.
  back.ack_wait = milliseconds(1000);
  EXPECT_FALSE(ConsumerNeedsUpdate(back, c));
  ConsumerConfig more = c;
  more.max_deliver = 6;
  EXPECT_TRUE(ConsumerNeedsUpdate(back, more));
  more = c;
  more.filter_subject = "jobs.m2";
  EXPECT_EQ(ConsumerIncompatibility(back, more), "filter_subject is 'jobs.m1', wanted 'jobs.m2'");
  more = c;
  more.deliver_policy = ConsumerConfig::DeliverPolicy::kNew;
  EXPECT_EQ(ConsumerIncompatibility(back, more), "deliver_policy is last_per_subject, wanted new");
  ConsumerConfig ephemeral;
  EXPECT_FALSE(ConsumerConfigJson(ephemeral).contains("durable_name"));
}

TEST(JetStreamAckSubject, ParsesBothForms) {
  JsMessage m;
  ASSERT_TRUE(ParseAckSubject("$JS.ACK.JOBS.workers.2.17.9.1700000000123456789.4", &m));
  EXPECT_EQ(m.stream, "JOBS");
  EXPECT_EQ(m.consumer, "workers");
  EXPECT_EQ(m.delivered, 2u);
  EXPECT_EQ(m.stream_seq, 17u);
  EXPECT_EQ(m.consumer_seq, 9u);
  EXPECT_EQ(m.timestamp_ns, 1700000000123456789);
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(m.timestamp().time_since_epoch()).count(),
      1700000000);
  EXPECT_EQ(m.pending, 4u);
  EXPECT_EQ(m.domain, "");

  JsMessage v2;
  ASSERT_TRUE(
      ParseAckSubject("$JS.ACK.hub.ACCHASH.JOBS.workers.1.5.5.1700000000000000000.0.rnd", &v2));
  EXPECT_EQ(v2.domain, "hub");
  EXPECT_EQ(v2.stream, "JOBS");
  EXPECT_EQ(v2.stream_seq, 5u);
  JsMessage none;
  ASSERT_TRUE(ParseAckSubject("$JS.ACK._.ACCHASH.S.C.1.2.3.4.5.rnd", &none));
  EXPECT_EQ(none.domain, "");
}

TEST(JetStreamAckSubject, RejectsOtherSubjects) {
  JsMessage m;
  EXPECT_FALSE(ParseAckSubject("", &m));
  EXPECT_FALSE(ParseAckSubject("_INBOX.abc.1", &m));
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.2.3.4", &m));      // 8 tokens
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.x.3.4.5", &m));    // not a number
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.2.3.4.", &m));     // empty pending
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.a.b.S.C.1.2.3.4", &m));  // 10 tokens
  EXPECT_FALSE(ParseAckSubject("$JS.NAK.S.C.1.2.3.4.5", &m));
}

}  // namespace
}  // namespace altscribe::nats
