// nats/jetstream_admin_test.cc — AddOrUpdate idempotence, stream and consumer options, ephemeral
// consumers, NakWithDelay and message metadata, against a real nats-server -js.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "nats/jetstream.h"
#include "nats/test_server.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class JetStreamAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    auto c = Connection::Connect(server_.options());
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
    js_ = std::make_unique<JetStream>(*conn_);
  }
  static StreamConfig Jobs() {
    StreamConfig c;
    c.name = "JOBS";
    c.subjects = {"altscribe.jobs.>"};
    return c;
  }
  static ConsumerConfig Workers() {
    ConsumerConfig c;
    c.durable = "workers";
    c.filter_subject = "altscribe.jobs.m1";
    c.ack_wait = 5s;
    c.max_deliver = 3;
    return c;
  }
  testing::NatsServer server_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(JetStreamAdminTest, AddOrUpdateStreamIsIdempotent) {
  auto a = js_->AddOrUpdateStream(Jobs());
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "kept", "k1").ok());
  auto b = js_->AddOrUpdateStream(Jobs());  // exists, same config: accepted as is
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->messages, 1u);

  StreamConfig changed = Jobs();
  changed.subjects = {"altscribe.jobs.>", "altscribe.extra.>"};
  changed.max_age = 1h;
  auto c = js_->AddOrUpdateStream(changed);  // updated in place
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->config.subjects.size(), 2u);
  EXPECT_EQ(c->config.max_age, 1h);
  EXPECT_EQ(c->messages, 1u);

  StreamConfig other = changed;
  other.retention = StreamConfig::Retention::kLimits;
  auto d = js_->AddOrUpdateStream(other);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.status().message(),
            "jetstream: stream 'JOBS' exists but its retention is workqueue, wanted limits "
            "(delete it first)");
  auto info = js_->GetStream("JOBS");  // nothing lost
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, 1u);
  EXPECT_EQ(info->config.retention, StreamConfig::Retention::kWorkQueue);

  EXPECT_EQ(js_->AddOrUpdateStream(StreamConfig{}).status().message(),
            "jetstream: bad stream name ''");
}

TEST_F(JetStreamAdminTest, StreamOptionsReachTheServer) {
  StreamConfig c;
  c.name = "RESULTS";
  c.subjects = {"altscribe.results.*"};
  c.retention = StreamConfig::Retention::kLimits;
  c.memory_storage = true;
  c.max_msgs_per_subject = 1;
  c.duplicate_window = 30s;
  c.max_age = 10min;
  auto s = js_->AddOrUpdateStream(c);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->config.memory_storage);
  EXPECT_EQ(s->config.duplicate_window, 30s);
  EXPECT_EQ(s->config.max_msgs_per_subject, 1);
  // One message per subject: a newer result replaces the older one.
  ASSERT_TRUE(js_->Publish("altscribe.results.j1", "first").ok());
  ASSERT_TRUE(js_->Publish("altscribe.results.j1", "second").ok());
  ASSERT_TRUE(js_->Publish("altscribe.results.j2", "other").ok());
  auto info = js_->GetStream("RESULTS");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, 2u);
  // last_per_subject sees the newest of each subject only.
  ConsumerConfig last;
  last.deliver_policy = ConsumerConfig::DeliverPolicy::kLastPerSubject;
  last.filter_subject = "altscribe.results.*";  // the server requires one for this policy
  auto eph = js_->CreateConsumer("RESULTS", last);
  ASSERT_TRUE(eph.ok()) << eph.status().message();
  auto got = js_->Fetch("RESULTS", eph->name, 10, 1s);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].msg.data, "second");
  EXPECT_EQ((*got)[1].msg.data, "other");
  ASSERT_TRUE(js_->DeleteStream("RESULTS").ok());
  EXPECT_EQ(js_->GetStream("RESULTS").status().code(), Code::kNotFound);
}

TEST_F(JetStreamAdminTest, AddOrUpdateConsumerIsIdempotent) {
  ASSERT_TRUE(js_->AddOrUpdateStream(Jobs()).ok());
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "job", "j1").ok());
  auto a = js_->AddOrUpdateConsumer("JOBS", Workers());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->config.max_deliver, 3);
  auto b = js_->AddOrUpdateConsumer("JOBS", Workers());
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->num_pending, 1u);

  ConsumerConfig changed = Workers();
  changed.max_deliver = 5;
  changed.max_ack_pending = 4;
  changed.backoff = {1s, 4s};
  auto c = js_->AddOrUpdateConsumer("JOBS", changed);
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto info = js_->GetConsumer("JOBS", "workers");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->config.max_deliver, 5);
  EXPECT_EQ(info->config.max_ack_pending, 4);
  EXPECT_EQ(info->config.backoff, (std::vector<std::chrono::milliseconds>{1s, 4s}));
  EXPECT_EQ(info->num_pending, 1u);  // the queued job is still there

  ConsumerConfig other = changed;
  other.filter_subject = "altscribe.jobs.m2";
  auto d = js_->AddOrUpdateConsumer("JOBS", other);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.status().message(),
            "jetstream: consumer 'workers' on 'JOBS' exists but its filter_subject is "
            "'altscribe.jobs.m1', wanted 'altscribe.jobs.m2' (delete it first)");
  EXPECT_EQ(js_->AddOrUpdateConsumer("NOPE", Workers()).status().code(), Code::kNotFound);

  ASSERT_TRUE(js_->DeleteConsumer("JOBS", "workers").ok());
  EXPECT_EQ(js_->GetConsumer("JOBS", "workers").status().code(), Code::kNotFound);
  EXPECT_EQ(js_->DeleteConsumer("JOBS", "workers").code(), Code::kNotFound);
}

TEST_F(JetStreamAdminTest, EphemeralConsumerGoesAwayWhenIdle) {
  StreamConfig events;
  events.name = "EVENTS";
  events.subjects = {"altscribe.events.>"};
  events.retention = StreamConfig::Retention::kLimits;
  ASSERT_TRUE(js_->AddOrUpdateStream(events).ok());
  ASSERT_TRUE(js_->Publish("altscribe.events.m1", "old").ok());
  ConsumerConfig c;
  c.filter_subject = "altscribe.events.m1";
  c.deliver_policy = ConsumerConfig::DeliverPolicy::kNew;
  c.inactive_threshold = 1s;
  // A work queue only takes "deliver all" consumers: the server's rule, as one line.
  ASSERT_TRUE(js_->AddOrUpdateStream(Jobs()).ok());
  ConsumerConfig on_jobs = c;
  on_jobs.filter_subject = "altscribe.jobs.m1";
  auto refused = js_->CreateConsumer("JOBS", on_jobs);
  EXPECT_EQ(refused.status().message(),
            "jetstream: create ephemeral consumer on 'JOBS': consumer must be deliver all on "
            "workqueue stream (err_code 10101)");
  auto e = js_->CreateConsumer("EVENTS", c);
  ASSERT_TRUE(e.ok()) << e.status().message();
  ASSERT_FALSE(e->name.empty());
  EXPECT_EQ(e->config.inactive_threshold, 1s);
  ASSERT_TRUE(js_->Publish("altscribe.events.m1", "new").ok());
  auto got = js_->Fetch("EVENTS", e->name, 5, 1s);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 1u);  // deliver policy "new": not the older message
  EXPECT_EQ((*got)[0].msg.data, "new");
  ASSERT_TRUE(js_->AckSync((*got)[0], AckKind::kAck).ok());
  auto deadline = Clock::now() + 15s;
  while (js_->GetConsumer("EVENTS", e->name).ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(js_->GetConsumer("EVENTS", e->name).status().code(), Code::kNotFound);
}

TEST_F(JetStreamAdminTest, NakWithDelayAndMetadata) {
  ASSERT_TRUE(js_->AddOrUpdateStream(Jobs()).ok());
  ConsumerConfig c = Workers();
  c.ack_wait = 30s;  // only the NAK can bring it back
  ASSERT_TRUE(js_->AddOrUpdateConsumer("JOBS", c).ok());
  auto before = std::chrono::system_clock::now();
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "a", "a").ok());
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "b", "b").ok());
  auto after = std::chrono::system_clock::now();
  auto first = js_->Fetch("JOBS", "workers", 1, 2s);
  ASSERT_TRUE(first.ok() && first->size() == 1u);
  const JsMessage& m = (*first)[0];
  EXPECT_EQ(m.stream, "JOBS");
  EXPECT_EQ(m.consumer, "workers");
  EXPECT_EQ(m.delivered, 1u);
  EXPECT_EQ(m.stream_seq, 1u);
  EXPECT_EQ(m.pending, 1u);  // "b" waits behind it
  EXPECT_GE(m.timestamp(), before - 1s);
  EXPECT_LE(m.timestamp(), after + 1s);

  ASSERT_TRUE(js_->NakWithDelay(m, 2s, /*sync=*/true).ok());
  auto next = js_->Fetch("JOBS", "workers", 1, 2s);
  ASSERT_TRUE(next.ok() && next->size() == 1u);
  EXPECT_EQ((*next)[0].msg.data, "b");  // "a" is held back by its delay
  ASSERT_TRUE(js_->AckSync((*next)[0], AckKind::kAck).ok());
  auto again = js_->Fetch("JOBS", "workers", 1, 10s);
  ASSERT_TRUE(again.ok() && again->size() == 1u);
  EXPECT_EQ((*again)[0].msg.data, "a");
  EXPECT_EQ((*again)[0].delivered, 2u);
  ASSERT_TRUE(js_->AckSync((*again)[0], AckKind::kAck).ok());
}

TEST_F(JetStreamAdminTest, PublishRetryingGivesUpClearly) {
  PublishRetry r;
  r.total = 600ms;
  r.attempt_timeout = 200ms;
  auto p = js_->PublishRetrying("no.stream.here", "x", "id-1", {}, r);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  const std::string& msg = p.status().message();
  EXPECT_EQ(msg.rfind("jetstream: publish to 'no.stream.here': no responders (no stream stores "
                      "'no.stream.here', or its leader is being elected) (gave up after ",
                      0),
            0u)
      << msg;
  // Not retryable: bad input returns at once.
  auto bad = js_->PublishRetrying("bad subject", "x");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace altscribe::nats
