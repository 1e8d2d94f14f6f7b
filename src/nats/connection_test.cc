// nats/connection_test.cc — Connection against a real nats-server on a loopback port.
#include "nats/connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "nats/test_server.h"
#include "subprocess.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;

class NatsConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    auto c = Connection::Connect(server_.options());
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
  }
  testing::NatsServer server_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(NatsConnectionTest, PubSubRoundTripWithHeaders) {
  EXPECT_TRUE(conn_->server_info().headers);
  EXPECT_TRUE(conn_->server_info().jetstream);
  MessageQueue got;
  auto sid = conn_->Subscribe("demo.*", [&](Message m) { got.Push(std::move(m)); });
  ASSERT_TRUE(sid.ok()) << sid.status().message();
  ASSERT_TRUE(conn_->Publish("demo.plain", "hello").ok());
  ASSERT_TRUE(
      conn_->Publish("demo.hdr", std::string("bin\0ary\r\n", 9), {{"Job-Id", "j1"}, {"K", "v w"}})
          .ok());
  ASSERT_TRUE(conn_->Flush(5s).ok());

  auto m1 = got.Pop(std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->subject, "demo.plain");
  EXPECT_EQ(m1->data, "hello");
  EXPECT_TRUE(m1->headers.empty());
  auto m2 = got.Pop(std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->subject, "demo.hdr");
  EXPECT_EQ(m2->data, std::string("bin\0ary\r\n", 9));
  EXPECT_EQ(m2->Header("Job-Id"), "j1");
  EXPECT_EQ(m2->Header("K"), "v w");
  EXPECT_EQ(m2->status, 0);

  // After UNSUB nothing more arrives.
  ASSERT_TRUE(conn_->Unsubscribe(*sid).ok());
  ASSERT_TRUE(conn_->Publish("demo.plain", "late").ok());
  ASSERT_TRUE(conn_->Flush(5s).ok());
  EXPECT_FALSE(got.Pop(std::chrono::steady_clock::now() + 200ms));
}

TEST_F(NatsConnectionTest, RequestReply) {
  // A responder on a second connection, as a worker would be.
  auto responder = Connection::Connect(server_.options());
  ASSERT_TRUE(responder.ok());
  Connection* r = responder->get();
  ASSERT_TRUE(r->Subscribe("svc.echo", [r](Message m) {
                 r->Publish(m.reply, "echo:" + m.data, {{"Seen", m.Header("Req")}});
               }).ok());
  ASSERT_TRUE(r->Flush(5s).ok());
  for (int i = 0; i < 3; ++i) {
    auto reply = conn_->Request("svc.echo", "ping" + std::to_string(i), 5s, {{"Req", "r"}});
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    EXPECT_EQ(reply->data, "echo:ping" + std::to_string(i));
    EXPECT_EQ(reply->Header("Seen"), "r");
  }
}

TEST_F(NatsConnectionTest, ConcurrentRequestsEachGetTheirOwnReply) {
  auto responder = Connection::Connect(server_.options());
  ASSERT_TRUE(responder.ok());
  Connection* r = responder->get();
  ASSERT_TRUE(
      r->Subscribe("svc.double", [r](Message m) { r->Publish(m.reply, m.data + m.data); }).ok());
  ASSERT_TRUE(r->Flush(5s).ok());
  // Fresh connection: the first requests race to make the inbox subscription.
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string body = std::to_string(t) + "-" + std::to_string(i);
        auto reply = conn_->Request("svc.double", body, 5s);
        if (reply.ok() && reply->data == body + body) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 100);
}

TEST_F(NatsConnectionTest, NoRespondersIsAClearError) {
  auto start = std::chrono::steady_clock::now();
  auto reply = conn_->Request("nobody.listens", "x", 10s);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), Code::kNotFound);
  EXPECT_EQ(reply.status().message(), "nats: no responders for 'nobody.listens'");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // answered, not timed out
}

TEST_F(NatsConnectionTest, RequestTimesOut) {
  ASSERT_TRUE(conn_->Subscribe("svc.silent", [](Message) {}).ok());
  auto reply = conn_->Request("svc.silent", "x", 300ms);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), Code::kTimeout);
  EXPECT_EQ(reply.status().message(), "nats: request to 'svc.silent' timed out after 300 ms");
}

TEST_F(NatsConnectionTest, RejectsBadInputAndOversizedPayloads) {
  EXPECT_EQ(conn_->Publish("bad subject", "x").code(), Code::kInvalidArgument);
  EXPECT_EQ(conn_->Publish("a.*", "x").code(), Code::kInvalidArgument);
  EXPECT_EQ(conn_->Publish("a", "x", {{"Bad\r\nKey", "v"}}).code(), Code::kInvalidArgument);
  std::string big(static_cast<size_t>(conn_->server_info().max_payload) + 1, 'x');
  Status s = conn_->Publish("a", big);
  EXPECT_EQ(s.code(), Code::kTooLarge);
  EXPECT_NE(s.message().find("max_payload"), std::string::npos) << s.message();
  EXPECT_TRUE(conn_->status().ok());  // nothing was sent: the connection is fine
  EXPECT_TRUE(conn_->Flush(5s).ok());
}

TEST(NatsConnect, RefusedIsOneLineNamingHostAndPort) {
  int port = altscribe::testing::FreeLoopbackPort();  // nothing listens there
  ConnectOptions o;
  o.port = port;
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNetwork);
  EXPECT_EQ(c.status().message(),
            "nats: cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(NatsConnect, AuthorizationViolationIsClear) {
  testing::NatsServer server({"--user", "alice", "--pass", "s3cret"});
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  ConnectOptions o = server.options();
  o.user = "alice";
  o.password = "wrong";
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "nats 127.0.0.1:" + std::to_string(server.port()) +
                                      ": server refused the connection: 'Authorization Violation'");
  o.password = "s3cret";
  auto ok = Connection::Connect(o);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

TEST(NatsConnect, ServerGoneClosesTheConnection) {
  auto server = std::make_unique<testing::NatsServer>();
  ASSERT_TRUE(server->status().ok()) << server->status().message();
  const int port = server->port();
  ConnectOptions o = server->options();
  o.reconnect = false;
  auto c = Connection::Connect(o);
  ASSERT_TRUE(c.ok());
  server.reset();  // stops nats-server
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((*c)->status().ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  Status s = (*c)->status();
  ASSERT_FALSE(s.ok());
  // "closed by the server" or "read failed: Connection reset by peer", depending on timing.
  EXPECT_EQ(s.message().rfind("nats 127.0.0.1:" + std::to_string(port) + ": ", 0), 0u)
      << s.message();
  EXPECT_EQ((*c)->state(), Connection::State::kClosed);
  EXPECT_EQ((*c)->Publish("a", "b").message(), s.message());
  EXPECT_EQ((*c)->Request("a", "b", 1s).status().message(), s.message());
}

}  // namespace
}  // namespace altscribe::nats
