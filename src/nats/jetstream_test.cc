// nats/jetstream_test.cc — the JetStream layer against a real nats-server -js.
#include "nats/jetstream.h"

#include <gtest/gtest.h>

#include <chrono>

#include "nats/test_server.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;

class JetStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    auto c = Connection::Connect(server_.options());
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
    js_ = std::make_unique<JetStream>(*conn_);
    StreamConfig cfg;
    cfg.name = "JOBS";
    cfg.subjects = {"altscribe.jobs.>"};
    auto s = js_->CreateStream(cfg);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(s->name, "JOBS");
    EXPECT_EQ(s->messages, 0u);
  }

  // A durable pull consumer on the test model's subject.
  void MakeConsumer(std::chrono::milliseconds ack_wait, int max_deliver) {
    ConsumerConfig c;
    c.durable = "workers";
    c.filter_subject = "altscribe.jobs.m1";
    c.ack_wait = ack_wait;
    c.max_deliver = max_deliver;
    auto r = js_->CreateDurable("JOBS", c);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->name, "workers");
  }

  std::vector<JsMessage> Fetch(int batch, std::chrono::milliseconds expires) {
    auto r = js_->Fetch("JOBS", "workers", batch, expires);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : std::vector<JsMessage>{};
  }

  testing::NatsServer server_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(JetStreamTest, DuplicateMsgIdIsStoredOnce) {
  auto a = js_->Publish("altscribe.jobs.m1", "job 1", "job-1");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->stream, "JOBS");
  EXPECT_EQ(a->seq, 1u);
  EXPECT_FALSE(a->duplicate);
  auto b = js_->Publish("altscribe.jobs.m1", "job 1 again", "job-1");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(b->seq, 1u);
  auto info = js_->GetStream("JOBS");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->messages, 1u);
}

TEST_F(JetStreamTest, ApiErrorsAreOneClearLine) {
  StreamConfig cfg;
  cfg.name = "OTHER";
  cfg.subjects = {"altscribe.jobs.>"};  // overlaps JOBS
  auto s = js_->CreateStream(cfg);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("jetstream: create stream 'OTHER': "), std::string::npos);
  EXPECT_NE(s.status().message().find("(err_code "), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find('\n'), std::string::npos);

  auto p = js_->Publish("no.stream.here", "x", "id");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound) << p.status().message();
}

TEST_F(JetStreamTest, FetchAckNothingRedelivered) {
  MakeConsumer(1000ms, -1);
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "job A", "a").ok());
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "job B", "b").ok());
  auto got = Fetch(2, 2000ms);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].msg.data, "job A");
  EXPECT_EQ(got[0].delivered, 1u);
  EXPECT_EQ(got[0].stream_seq, 1u);
  EXPECT_EQ(got[1].msg.data, "job B");
  EXPECT_EQ(got[0].msg.Header("Nats-Msg-Id"), "a");
  for (auto& m : got) ASSERT_TRUE(js_->AckSync(m, AckKind::kAck).ok());
  // Well past ack_wait: nothing comes back, and the work queue is empty.
  EXPECT_TRUE(Fetch(1, 2000ms).empty());
  auto info = js_->GetStream("JOBS");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, 0u);
}

TEST_F(JetStreamTest, FetchWithNothingQueuedReturnsEmptyAtExpiry) {
  MakeConsumer(1000ms, -1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Fetch(5, 500ms).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2400ms);
}

TEST_F(JetStreamTest, NakRedelivers) {
  MakeConsumer(30000ms, -1);  // a long ack_wait: only the NAK can bring it back
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "job", "n1").ok());
  auto first = Fetch(1, 2000ms);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(js_->AckSync(first[0], AckKind::kNak).ok());
  auto again = Fetch(1, 5000ms);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].msg.data, "job");
  EXPECT_EQ(again[0].stream_seq, first[0].stream_seq);
  EXPECT_EQ(again[0].delivered, 2u);
  ASSERT_TRUE(js_->AckSync(again[0], AckKind::kAck).ok());
}

TEST_F(JetStreamTest, InProgressExtendsTheDeadline) {
  MakeConsumer(1000ms, -1);
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "slow job", "s1").ok());
  auto got = Fetch(1, 2000ms);
  ASSERT_EQ(got.size(), 1u);
  // 1.5 s of work in three 0.5 s slices, +WPI after the first two: without them the message
  // would come back (ack_wait 1 s) inside one of these waiting fetches.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Fetch(1, 500ms).empty()) << "redelivered during slice " << i;
    if (i < 2) {
      ASSERT_TRUE(js_->AckSync(got[0], AckKind::kInProgress).ok());
    }
  }
  ASSERT_TRUE(js_->AckSync(got[0], AckKind::kAck).ok());
  EXPECT_TRUE(Fetch(1, 2000ms).empty());
  auto c = js_->GetConsumer("JOBS", "workers");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->num_redelivered, 0u);
  EXPECT_EQ(c->num_ack_pending, 0u);
}

TEST_F(JetStreamTest, MaxDeliverStopsRedelivery) {
  MakeConsumer(1000ms, 2);
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "poison", "p1").ok());
  auto one = Fetch(1, 2000ms);
  ASSERT_EQ(one.size(), 1u);
  ASSERT_TRUE(js_->AckSync(one[0], AckKind::kNak).ok());
  auto two = Fetch(1, 5000ms);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].delivered, 2u);
  ASSERT_TRUE(js_->AckSync(two[0], AckKind::kNak).ok());
  // max_deliver reached: neither the NAK nor ack_wait brings it back.
  EXPECT_TRUE(Fetch(1, 2500ms).empty());
  // It stays in the stream (reference/nats-s3.md): the caller terminates poison jobs.
  auto info = js_->GetStream("JOBS");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, 1u);
}

TEST_F(JetStreamTest, TermStopsRedelivery) {
  MakeConsumer(1000ms, -1);
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "bad", "t1").ok());
  auto got = Fetch(1, 2000ms);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(js_->AckSync(got[0], AckKind::kTerm).ok());
  EXPECT_TRUE(Fetch(1, 2000ms).empty());
}

}  // namespace
}  // namespace altscribe::nats
