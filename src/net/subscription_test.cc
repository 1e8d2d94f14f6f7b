// net/subscription_test.cc — the reconnecting read loop against a real server on loopback: it
// reconnects after a drop (asking for the URL again), reports why, and Stop() ends it from
// another thread or from inside a callback.
#include "net/subscription.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "ws_server.h"

namespace altscribe::net {
namespace {

using altscribe::testing::WsConnection;
using altscribe::testing::WsServer;
using std::chrono::milliseconds;

SubscriptionOptions FastOptions() {
  SubscriptionOptions o;
  o.name = "test";
  o.backoff.base = milliseconds(1);
  return o;
}

TEST(SubscriptionTest, ReconnectsAfterADropAndAsksForTheUrlEachTime) {
  WsServer server([](WsConnection& c) {
    if (c.index() == 0) {
      c.SendText("a");
      c.SendText("b");
      c.CloseAbruptly();
    } else {
      c.SendText("c");
      c.Stall();
    }
  });
  ASSERT_TRUE(server.Start().ok());
  std::vector<std::string> got;
  std::vector<Status> drops;
  int urls = 0;
  Subscription* self = nullptr;
  Subscription sub(
      FastOptions(), [&] { return server.Url("/s?n=" + std::to_string(urls++)); },
      [&](const WsMessage& m) {
        got.push_back(m.data);
        if (m.data == "c") self->Stop();
        return Status::Ok();
      });
  self = &sub;
  sub.OnDisconnect([&](const Status& s) { drops.push_back(s); });
  sub.Run();
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(server.targets(), (std::vector<std::string>{"/s?n=0", "/s?n=1"}));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].code(), Code::kNetwork);
  SubscriptionCounters c = sub.counters();
  EXPECT_EQ(c.messages, 3u);
  EXPECT_EQ(c.bytes, 3u);
  EXPECT_EQ(c.reconnects, 1u);
}

TEST(SubscriptionTest, ACallbackErrorDropsTheConnection) {
  WsServer server([](WsConnection& c) {
    c.SendText(c.index() == 0 ? "bad" : "good");
    c.Stall();
  });
  ASSERT_TRUE(server.Start().ok());
  std::vector<Status> drops;
  Subscription* self = nullptr;
  Subscription sub(
      FastOptions(), [&] { return server.Url("/"); },
      [&](const WsMessage& m) {
        if (m.data == "bad") return Status::InvalidArgument("frame: bad");
        self->Stop();
        return Status::Ok();
      });
  self = &sub;
  sub.OnDisconnect([&](const Status& s) { drops.push_back(s); });
  sub.Run();
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].message(), "frame: bad");
  EXPECT_EQ(server.targets().size(), 2u);
}

TEST(SubscriptionTest, StopFromAnotherThreadEndsABlockedRead) {
  WsServer server([](WsConnection& c) {
    c.SendText("hello");
    c.Stall();
  });
  ASSERT_TRUE(server.Start().ok());
  std::mutex mu;
  std::condition_variable cv;
  bool got = false;
  Subscription sub(
      FastOptions(), [&] { return server.Url("/"); },
      [&](const WsMessage&) {
        std::lock_guard<std::mutex> lock(mu);
        got = true;
        cv.notify_all();
        return Status::Ok();
      });
  std::thread runner([&] { sub.Run(); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return got; });
  }
  sub.Stop();  // Run() is blocked in a read of a silent server
  runner.join();
  EXPECT_EQ(sub.counters().reconnects, 0u);
}

TEST(SubscriptionTest, StopEndsTheBackoffWait) {
  SubscriptionOptions o = FastOptions();
  o.backoff.base = milliseconds(3'600'000);  // an hour
  o.backoff.cap = milliseconds(3'600'000);
  int tries = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> drops;
  Subscription sub(
      o, [&] { return std::string("ws://127.0.0.1:1/"); },
      [&](const WsMessage&) { return Status::Ok(); });
  sub.OnDisconnect([&](const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    drops.push_back(s);
    ++tries;
    cv.notify_all();
  });
  std::thread runner([&] { sub.Run(); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return tries > 0; });
  }
  sub.Stop();
  runner.join();
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_NE(drops[0].message().find("cannot connect"), std::string::npos) << drops[0].message();
}

}  // namespace
}  // namespace altscribe::net
