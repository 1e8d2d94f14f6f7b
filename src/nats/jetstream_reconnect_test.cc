// nats/jetstream_reconnect_test.cc — JetStream calls through a nats-server restart on the same
// port (its file store keeps the stream): PublishRetrying waits it out, Fetch never hangs.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "nats/jetstream.h"
#include "nats/test_server.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class JetStreamReconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    auto c = Connection::Connect(server_.options());
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
    js_ = std::make_unique<JetStream>(*conn_);
    StreamConfig s;
    s.name = "JOBS";
    s.subjects = {"altscribe.jobs.>"};
    ASSERT_TRUE(js_->AddOrUpdateStream(s).ok());
    ConsumerConfig w;
    w.durable = "workers";
    w.ack_wait = 5s;
    ASSERT_TRUE(js_->AddOrUpdateConsumer("JOBS", w).ok());
  }
  bool WaitDisconnected() {
    auto deadline = Clock::now() + 10s;
    while (conn_->connected() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    return !conn_->connected();
  }
  testing::NatsServer server_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(JetStreamReconnectTest, PublishesDuringAnOutageSucceedOnceItIsBack) {
  ASSERT_TRUE(js_->PublishRetrying("altscribe.jobs.m1", "before", "job-0").ok());
  server_.Stop();
  ASSERT_TRUE(WaitDisconnected());
  auto during = std::async(std::launch::async, [&] {
    std::vector<Result<PubAck>> acks;
    for (int i = 1; i <= 3; ++i) {
      acks.push_back(js_->PublishRetrying("altscribe.jobs.m1", "during " + std::to_string(i),
                                          "job-" + std::to_string(i)));
    }
    return acks;
  });
  std::this_thread::sleep_for(2s);  // NATS down for 2 s
  ASSERT_TRUE(server_.Start().ok()) << server_.status().message();
  auto acks = during.get();
  for (auto& a : acks) {
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_FALSE(a->duplicate);
  }
  EXPECT_EQ(acks.back()->seq, 4u);
  // A repeat of an id that made it is de-duplicated, never stored twice.
  auto again = js_->PublishRetrying("altscribe.jobs.m1", "during 3", "job-3");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->duplicate);

  auto got = js_->Fetch("JOBS", "workers", 10, 2s);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ((*got)[0].msg.data, "before");
  EXPECT_EQ((*got)[3].msg.data, "during 3");
  for (auto& m : *got) ASSERT_TRUE(js_->AckSync(m, AckKind::kAck).ok());
}

TEST_F(JetStreamReconnectTest, FetchReturnsWhenTheConnectionDropsAndWorksAfter) {
  ASSERT_TRUE(js_->Publish("altscribe.jobs.m1", "queued", "q1").ok());
  auto got = js_->Fetch("JOBS", "workers", 1, 2s);
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  ASSERT_TRUE(js_->AckSync((*got)[0], AckKind::kAck).ok());

  // A long pull waiting on an empty queue when the server goes: it returns (empty) rather than
  // waiting out its 60 s.
  auto pulling =
      std::async(std::launch::async, [&] { return js_->Fetch("JOBS", "workers", 5, 60s); });
  std::this_thread::sleep_for(300ms);
  server_.Kill();
  auto cut = pulling.get();
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_TRUE(cut->empty());
  // While the server is down a fetch returns an empty batch at its expiry.
  ASSERT_TRUE(WaitDisconnected());
  auto down = js_->Fetch("JOBS", "workers", 5, 300ms);
  ASSERT_TRUE(down.ok()) << down.status().message();
  EXPECT_TRUE(down->empty());

  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(js_->PublishRetrying("altscribe.jobs.m1", "after", "q2").ok());
  auto after = js_->Fetch("JOBS", "workers", 5, 2s);
  ASSERT_TRUE(after.ok()) << after.status().message();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].msg.data, "after");
  ASSERT_TRUE(js_->AckSync((*after)[0], AckKind::kAck).ok());
}

}  // namespace
}  // namespace altscribe::nats
