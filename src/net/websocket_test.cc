// net/websocket_test.cc — the WebSocket client against a real Beast server on loopback
// (tests/support/ws_server.h), plain and TLS: order, limits, pings both ways, dead peers,
// abrupt closes, Interrupt(), and the one-line errors.
#include "net/websocket.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "http_server.h"
#include "ws_server.h"

namespace altscribe::net {
namespace {

using altscribe::testing::MakeSelfSignedCert;
using altscribe::testing::TestCert;
using altscribe::testing::WsConnection;
using altscribe::testing::WsServer;
using altscribe::testing::WsServerOptions;
using std::chrono::milliseconds;

std::string WriteTemp(const std::string& name, const std::string& data) {
  std::string path = ::testing::TempDir() + "/" + name + "." + std::to_string(::getpid());
  std::ofstream(path) << data;
  return path;
}

void ReadsInOrder(bool tls) {
  TestCert cert = MakeSelfSignedCert({"localhost"}, {"127.0.0.1"});
  WsServer server(
      [](WsConnection& c) {
        c.SendBinary(std::string_view("\x00\x01\x02", 3));
        c.SendText("two");
        c.SendBinary(std::string(100'000, 'x'));
        c.Close(1000, "bye");
      },
      WsServerOptions{.tls = tls, .cert = cert});
  ASSERT_TRUE(server.Start().ok());
  WebSocketOptions options;
  if (tls) options.extra_ca_file = WriteTemp("ca.pem", cert.cert_pem);
  WebSocket ws(options);
  const std::string url = server.Url("/xrpc/x?cursor=5");
  Status st = ws.Connect(url);
  ASSERT_TRUE(st.ok()) << st.message();
  WsMessage m;
  ASSERT_TRUE(ws.Read(&m).ok());
  EXPECT_TRUE(m.binary);
  EXPECT_EQ(m.data, std::string("\x00\x01\x02", 3));
  ASSERT_TRUE(ws.Read(&m).ok());
  EXPECT_FALSE(m.binary);
  EXPECT_EQ(m.data, "two");
  ASSERT_TRUE(ws.Read(&m).ok());
  EXPECT_EQ(m.data.size(), 100'000u);
  st = ws.Read(&m);
  EXPECT_EQ(st.code(), Code::kNetwork);
  EXPECT_EQ(st.message(), "websocket: " + url + ": closed by the server (code 1000: bye)");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/xrpc/x?cursor=5"});
}

TEST(WebSocketTest, ReadsMessagesInOrderOverWs) { ReadsInOrder(false); }
TEST(WebSocketTest, ReadsMessagesInOrderOverWss) { ReadsInOrder(true); }

TEST(WebSocketTest, UntrustedCertificateFailsWithAClearError) {
  WsServer server([](WsConnection& c) { c.Stall(); },
                  WsServerOptions{.tls = true, .cert = MakeSelfSignedCert({}, {"127.0.0.1"})});
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws;  // the system store only
  const std::string url = server.Url("/sub");
  Status st = ws.Connect(url);
  EXPECT_EQ(st.code(), Code::kNetwork);
  EXPECT_EQ(st.message().rfind("websocket: " + url + ": TLS handshake failed: ", 0), 0u)
      << st.message();
  EXPECT_NE(st.message().find("self-signed certificate"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
  EXPECT_TRUE(server.targets().empty());
}

TEST(WebSocketTest, CertificateForAnotherHostFails) {
  TestCert cert = MakeSelfSignedCert({"other.example"}, {"10.9.9.9"});
  WsServer server([](WsConnection& c) { c.Stall(); }, WsServerOptions{.tls = true, .cert = cert});
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws(WebSocketOptions{.extra_ca_file = WriteTemp("other.pem", cert.cert_pem)});
  Status st = ws.Connect(server.Url("/"));
  EXPECT_EQ(st.code(), Code::kNetwork);
  EXPECT_NE(st.message().find("TLS handshake failed"), std::string::npos) << st.message();
  EXPECT_EQ(st.message(), "websocket: " + server.Url("/") +
                              ": TLS handshake failed: the certificate is not for 127.0.0.1");
}

TEST(WebSocketTest, MissingCaFileIsNamed) {
  WebSocket ws(WebSocketOptions{.extra_ca_file = "/nonexistent/ca.pem"});
  Status st = ws.Connect("wss://127.0.0.1:1/");
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_NE(st.message().find("CA file /nonexistent/ca.pem"), std::string::npos) << st.message();
}

TEST(WebSocketTest, MessageOverTheLimitDropsTheConnection) {
  WsServer server([](WsConnection& c) {
    c.SendBinary(std::string(1000, 'a'));
    c.SendBinary(std::string(1001, 'b'));
    c.Stall();
  });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws(WebSocketOptions{.max_message_bytes = 1000});
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  WsMessage m;
  ASSERT_TRUE(ws.Read(&m).ok());
  EXPECT_EQ(m.data.size(), 1000u);
  Status st = ws.Read(&m);
  EXPECT_EQ(st.code(), Code::kTooLarge);
  EXPECT_EQ(st.message(), "websocket: " + server.Url("/") + ": message over the 1000-byte limit");
  EXPECT_FALSE(ws.Read(&m).ok());  // dropped
}

TEST(WebSocketTest, AnswersTheServersPing) {
  WsServer server([](WsConnection& c) {
    bool pong = c.PingAndWaitPong(milliseconds(10'000));
    c.SendText(pong ? "got pong" : "no pong");
  });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws;
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  WsMessage m;
  ASSERT_TRUE(ws.Read(&m).ok());  // the pong is sent while this read waits
  EXPECT_EQ(m.data, "got pong");
}

TEST(WebSocketTest, PingsAnIdleServerAndCarriesOnWhenItAnswers) {
  WsServer server([](WsConnection& c) {
    bool pinged = c.WaitPings(2, milliseconds(10'000));  // answered by the server's reader
    c.SendText(pinged ? "pinged twice" : "not pinged");
  });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws(WebSocketOptions{.idle_ping = milliseconds(20), .pong_timeout = milliseconds(5000)});
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  WsMessage m;
  Status st = ws.Read(&m);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(m.data, "pinged twice");
}

TEST(WebSocketTest, ServerThatStopsAnsweringIsDead) {
  WsServer server([](WsConnection& c) { c.Freeze(); });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws(WebSocketOptions{.idle_ping = milliseconds(20), .pong_timeout = milliseconds(100)});
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  WsMessage m;
  Status st = ws.Read(&m);
  EXPECT_EQ(st.code(), Code::kTimeout);
  EXPECT_EQ(st.message(),
            "websocket: " + server.Url("/") + ": connection dead: no pong within 100 ms of a ping");
}

TEST(WebSocketTest, AbruptCloseIsANetworkError) {
  WsServer server([](WsConnection& c) {
    c.SendText("one");
    c.CloseAbruptly();
  });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws;
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  WsMessage m;
  ASSERT_TRUE(ws.Read(&m).ok());
  EXPECT_EQ(m.data, "one");
  Status st = ws.Read(&m);
  EXPECT_EQ(st.code(), Code::kNetwork);
  EXPECT_EQ(st.message().rfind("websocket: " + server.Url("/") + ": ", 0), 0u) << st.message();
}

TEST(WebSocketTest, InterruptEndsABlockedRead) {
  WsServer server([](WsConnection& c) { c.Stall(); });
  ASSERT_TRUE(server.Start().ok());
  WebSocket ws;
  ASSERT_TRUE(ws.Connect(server.Url("/")).ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(
        milliseconds(50));  // most likely while Read blocks; either way works
    ws.Interrupt();
  });
  WsMessage m;
  Status st = ws.Read(&m);
  stopper.join();
  EXPECT_EQ(st.message(), "websocket: " + server.Url("/") + ": interrupted");
  EXPECT_EQ(ws.Read(&m).message(), st.message());
}

TEST(WebSocketTest, RefusedConnectionAndRefusedUpgradeAreNamed) {
  int closed_port;
  {
    WsServer gone([](WsConnection&) {});
    ASSERT_TRUE(gone.Start().ok());
    closed_port = gone.port();
  }
  WebSocket a;
  Status st = a.Connect("ws://127.0.0.1:" + std::to_string(closed_port) + "/");
  EXPECT_EQ(st.code(), Code::kNetwork);
  EXPECT_NE(st.message().find(": cannot connect: "), std::string::npos) << st.message();

  altscribe::testing::HttpServer http;
  ASSERT_TRUE(http.Start().ok());
  std::string url = http.Url("/nothing");
  url.replace(0, 4, "ws");  // http:// → ws://
  WebSocket b;
  st = b.Connect(url);
  EXPECT_EQ(st.message(), "websocket: " + url + ": upgrade refused: HTTP 404");
}

TEST(WsUrlTest, ParsesAndRefuses) {
  auto u = WsUrl::Parse("wss://relay.example:8443/xrpc/a?cursor=1");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "relay.example");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->target, "/xrpc/a?cursor=1");
  u = WsUrl::Parse("WS://[::1]?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(WsUrl::Parse("https://x/").status().message(),
            "unsupported scheme 'https' (want ws or wss)");
  EXPECT_FALSE(WsUrl::Parse("ws://:80/").ok());
  EXPECT_FALSE(WsUrl::Parse("ws://h:99999/").ok());
  EXPECT_FALSE(WsUrl::Parse("ws://u@h/").ok());
}

}  // namespace
}  // namespace altscribe::net
