// nats/reconnect_test.cc — Connection through a nats-server that stops and starts again on the
// same port: subscriptions resume, calls made meanwhile wait, pending requests fail fast.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "nats/connection.h"
#include "nats/test_server.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Records on_event calls.
struct EventLog {
  std::mutex mu;
  std::vector<ConnectionEvent> events;
  Clock::time_point last_reconnect;
  void Add(const ConnectionEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
    if (e.kind == ConnectionEvent::Kind::kReconnected) last_reconnect = Clock::now();
  }
  std::vector<ConnectionEvent::Kind> Kinds() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<ConnectionEvent::Kind> out;
    for (const auto& e : events) out.push_back(e.kind);
    return out;
  }
};

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class ReconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    ConnectOptions o = server_.options();
    o.on_event = [this](const ConnectionEvent& e) { log_.Add(e); };
    auto c = Connection::Connect(o);
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
  }
  std::string Where() const { return "127.0.0.1:" + std::to_string(server_.port()); }

  testing::NatsServer server_;
  EventLog log_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(ReconnectTest, RestartOnTheSamePortResumesSubscriptionsAndWaitingPublishes) {
  MessageQueue got;
  ASSERT_TRUE(conn_->Subscribe("demo.>", [&](Message m) { got.Push(std::move(m)); }).ok());
  ASSERT_TRUE(conn_->Flush(5s).ok());
  ASSERT_EQ(conn_->generation(), 1u);

  server_.Stop();
  ASSERT_TRUE(WaitFor([&] { return !conn_->connected(); }, 10s));
  EXPECT_TRUE(conn_->status().ok());  // reconnecting, not closed
  // Published during the outage: waits for the reconnect instead of failing.
  auto during = std::async(std::launch::async, [&] {
    return conn_->PublishWait("demo.during", "sent while down", 20s, {{"K", "v"}});
  });
  std::this_thread::sleep_for(2s);  // NATS is down for 2 s
  auto restart = Clock::now();
  ASSERT_TRUE(server_.Start().ok()) << server_.status().message();
  Status published = during.get();
  ASSERT_TRUE(published.ok()) << published.message();
  ASSERT_TRUE(conn_->Flush(10s).ok());
  std::printf("reconnect after restart: %lld ms from the server accepting again\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         log_.last_reconnect - restart)
                                         .count()));

  // A message from another client after the restart reaches the re-sent subscription.
  auto other = Connection::Connect(server_.options());
  ASSERT_TRUE(other.ok()) << other.status().message();
  ASSERT_TRUE((*other)->Publish("demo.after", "after restart").ok());
  ASSERT_TRUE((*other)->Flush(5s).ok());

  auto m1 = got.Pop(Clock::now() + 5s);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->subject, "demo.during");
  EXPECT_EQ(m1->data, "sent while down");
  EXPECT_EQ(m1->Header("K"), "v");
  auto m2 = got.Pop(Clock::now() + 5s);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->subject, "demo.after");
  EXPECT_FALSE(got.Pop(Clock::now() + 100ms));  // nothing twice

  EXPECT_EQ(conn_->generation(), 2u);
  EXPECT_EQ(conn_->reconnects(), 1u);
  EXPECT_EQ(log_.Kinds(),
            (std::vector<ConnectionEvent::Kind>{ConnectionEvent::Kind::kDisconnected,
                                                ConnectionEvent::Kind::kReconnected}));
  std::lock_guard<std::mutex> lock(log_.mu);
  EXPECT_EQ(log_.events[0].server, Where());
  EXPECT_FALSE(log_.events[0].why.ok());
  EXPECT_EQ(log_.events[1].server, Where());
}

TEST_F(ReconnectTest, RequestAndFlushWaitForTheServerToComeBack) {
  auto responder = Connection::Connect(server_.options());
  ASSERT_TRUE(responder.ok());
  Connection* r = responder->get();
  ASSERT_TRUE(
      r->Subscribe("svc.echo", [r](Message m) { r->Publish(m.reply, "echo:" + m.data); }).ok());
  ASSERT_TRUE(r->Flush(5s).ok());
  server_.Kill();
  ASSERT_TRUE(WaitFor([&] { return !conn_->connected() && !r->connected(); }, 10s));
  auto reply = std::async(std::launch::async, [&] { return conn_->Request("svc.echo", "x", 20s); });
  auto flushed = std::async(std::launch::async, [&] { return conn_->Flush(20s); });
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(server_.Start().ok());
  // The responder reconnects too (its SUB is re-sent), but maybe after the request went out:
  // a "no responders" answer is then the right one, and a retry gets the echo.
  auto got = reply.get();
  for (int i = 0; i < 50 && !got.ok() && IsRetryable(got.status()); ++i) {
    std::this_thread::sleep_for(100ms);
    got = conn_->Request("svc.echo", "x", 5s);
  }
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->data, "echo:x");
  Status f = flushed.get();
  EXPECT_TRUE(f.ok()) << f.message();
}

TEST_F(ReconnectTest, PendingRequestFailsFastWithARetryableError) {
  auto responder = Connection::Connect(server_.options());
  ASSERT_TRUE(responder.ok());
  MessageQueue asked;  // the silent responder got the request: it is in flight
  ASSERT_TRUE(
      (*responder)->Subscribe("svc.silent", [&](Message m) { asked.Push(std::move(m)); }).ok());
  ASSERT_TRUE((*responder)->Flush(5s).ok());
  auto reply =
      std::async(std::launch::async, [&] { return conn_->Request("svc.silent", "x", 60s); });
  ASSERT_TRUE(asked.Pop(Clock::now() + 5s));
  server_.Kill();
  auto got = reply.get();  // long before the 60 s timeout (the test would hang otherwise)
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kNetwork);
  EXPECT_EQ(got.status().message(),
            "nats: connection to " + Where() + " lost before 'svc.silent' was answered; retry");
  EXPECT_TRUE(IsRetryable(got.status()));
}

TEST_F(ReconnectTest, CallsPastTheirWaitFailWithNotConnected) {
  server_.Stop();
  ASSERT_TRUE(WaitFor([&] { return !conn_->connected(); }, 10s));
  const std::string not_connected = "nats: not connected (reconnecting to " + Where() + ")";
  Status p = conn_->PublishWait("a.b", "x", 300ms);
  EXPECT_EQ(p.code(), Code::kNetwork);
  EXPECT_EQ(p.message(), not_connected);
  EXPECT_EQ(conn_->Request("a.b", "x", 300ms).status().message(), not_connected);
  EXPECT_EQ(conn_->Flush(300ms).message(), not_connected);
  EXPECT_EQ(conn_->WaitConnected(100ms).status().message(), not_connected);
  // Bad input is still refused at once, whatever the connection does.
  EXPECT_EQ(conn_->PublishWait("bad subject", "x", 5s).code(), Code::kInvalidArgument);
  // A subscription made while down is sent on reconnect.
  MessageQueue got;
  ASSERT_TRUE(conn_->Subscribe("late.sub", [&](Message m) { got.Push(std::move(m)); }).ok());
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(conn_->WaitConnected(10s).ok());
  ASSERT_TRUE(conn_->Publish("late.sub", "hi").ok());
  auto m = got.Pop(Clock::now() + 5s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "hi");
}

TEST(NatsReconnect, GivesUpAfterTheConfiguredTime) {
  testing::NatsServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  EventLog log;
  ConnectOptions o = server.options();
  o.reconnect_give_up = 500ms;
  o.on_event = [&](const ConnectionEvent& e) { log.Add(e); };
  auto c = Connection::Connect(o);
  ASSERT_TRUE(c.ok());
  server.Stop();
  ASSERT_TRUE(WaitFor([&] { return (*c)->state() == Connection::State::kClosed; }, 20s));
  const std::string prefix =
      "nats: gave up reconnecting to 127.0.0.1:" + std::to_string(server.port()) + " after ";
  EXPECT_EQ((*c)->status().message().rfind(prefix, 0), 0u) << (*c)->status().message();
  EXPECT_NE((*c)->status().message().find("Connection refused"), std::string::npos);
  EXPECT_EQ((*c)->Publish("a", "b").message(), (*c)->status().message());
  EXPECT_EQ(log.Kinds(), (std::vector<ConnectionEvent::Kind>{ConnectionEvent::Kind::kDisconnected,
                                                             ConnectionEvent::Kind::kClosed}));
}

TEST(NatsReconnect, AHungServerIsFoundByKeepAlivePings) {
  testing::NatsServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  EventLog log;
  ConnectOptions o = server.options();
  o.ping_interval = 200ms;
  o.max_pings_out = 2;
  o.connect_timeout = 500ms;
  o.on_event = [&](const ConnectionEvent& e) { log.Add(e); };
  auto c = Connection::Connect(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  MessageQueue got;
  ASSERT_TRUE((*c)->Subscribe("k.>", [&](Message m) { got.Push(std::move(m)); }).ok());
  ASSERT_TRUE((*c)->Flush(5s).ok());
  server.Pause();  // the socket stays open, nothing answers
  ASSERT_TRUE(WaitFor([&] { return !(*c)->connected(); }, 10s));
  {
    std::lock_guard<std::mutex> lock(log.mu);
    ASSERT_FALSE(log.events.empty());
    EXPECT_EQ(log.events[0].kind, ConnectionEvent::Kind::kDisconnected);
    EXPECT_EQ(log.events[0].why.message(), "nats 127.0.0.1:" + std::to_string(server.port()) +
                                               ": connection is stale (2 PINGs unanswered)");
  }
  server.Resume();
  ASSERT_TRUE((*c)->WaitConnected(20s).ok());
  ASSERT_TRUE((*c)->Publish("k.x", "back").ok());
  auto m = got.Pop(Clock::now() + 5s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "back");
}

TEST(NatsReconnect, ConnectTriesEachServerOfTheList) {
  testing::NatsServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  int dead = altscribe::testing::FreeLoopbackPort();
  ConnectOptions o;
  ASSERT_TRUE(ParseUrl("nats://127.0.0.1:" + std::to_string(dead) + "," + server.url(), &o).ok());
  auto c = Connection::Connect(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->connected_server(), "127.0.0.1:" + std::to_string(server.port()));

  int dead2 = altscribe::testing::FreeLoopbackPort();
  ASSERT_TRUE(
      ParseUrl("127.0.0.1:" + std::to_string(dead) + ",127.0.0.1:" + std::to_string(dead2), &o)
          .ok());
  auto none = Connection::Connect(o);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "nats: no server of 127.0.0.1:" + std::to_string(dead) +
                ", 127.0.0.1:" + std::to_string(dead2) +
                " answered: nats: cannot connect to 127.0.0.1:" + std::to_string(dead) +
                ": Connection refused; nats: cannot connect to 127.0.0.1:" + std::to_string(dead2) +
                ": Connection refused");
}

}  // namespace
}  // namespace altscribe::nats
