// nats/handshake_test.cc — Connect() against loopback servers that do not behave like NATS:
// each failure must be one clear line, never a hang.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "nats/connection.h"

namespace altscribe::nats {
namespace {

using namespace std::chrono_literals;

// Accepts one connection on a loopback port, writes `greeting`, then holds it open until
// destroyed.
class FakeServer {
 public:
  explicit FakeServer(std::string greeting) : greeting_(std::move(greeting)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 1);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      client_ = ::accept(fd_, nullptr, nullptr);
      if (client_ >= 0 && !greeting_.empty()) {
        (void)!::write(client_, greeting_.data(), greeting_.size());
      }
    });
  }
  ~FakeServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    if (client_ >= 0) ::close(client_);
    ::close(fd_);
  }
  ConnectOptions options() const {
    ConnectOptions o;
    o.port = port_;
    o.connect_timeout = 1000ms;
    return o;
  }
  std::string where() const { return "nats 127.0.0.1:" + std::to_string(port_); }

 private:
  std::string greeting_;
  int fd_ = -1, client_ = -1, port_ = 0;
  std::thread thread_;
};

TEST(NatsHandshake, NotNatsIsAClearError) {
  FakeServer s("HTTP/1.1 400 Bad Request\r\n\r\n");
  auto c = Connection::Connect(s.options());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), s.where() + ": expected INFO, got 'HTTP/1.1 400 Bad Request'");
}

TEST(NatsHandshake, OverlongControlLineIsAProtocolError) {
  FakeServer s("INFO {\"x\":\"" + std::string(10000, 'a'));
  auto c = Connection::Connect(s.options());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            s.where() + ": protocol error: control line longer than 4096 bytes");
}

TEST(NatsHandshake, SilentServerTimesOut) {
  FakeServer s("");
  auto start = std::chrono::steady_clock::now();
  auto c = Connection::Connect(s.options());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kTimeout);
  EXPECT_EQ(c.status().message(), s.where() + ": no answer from the server within the timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(NatsHandshake, ServerWithoutHeadersIsRefused) {
  FakeServer s("INFO {\"server_id\":\"old\",\"version\":\"2.1.0\",\"max_payload\":1024}\r\n");
  auto c = Connection::Connect(s.options());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kUnsupported);
  EXPECT_EQ(
      c.status().message(),
      s.where() + ": server 2.1.0 does not support headers (nats-server 2.2 or newer needed)");
}

}  // namespace
}  // namespace altscribe::nats
