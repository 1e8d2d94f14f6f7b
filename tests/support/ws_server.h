// tests/support/ws_server.h — a real WebSocket server on 127.0.0.1 for tests (Boost.Beast),
// plain or TLS, whose test scripts what each connection gets.
//
// Every accepted connection is upgraded (its request target recorded) and handed to the script
// on a thread of its own; the script sends binary or text messages, pings, stalls, freezes (no
// reads, hence no pongs) or closes cleanly or abruptly. While the script runs, the connection
// keeps reading in the background: client pings are answered and pongs counted. When the script
// returns without closing, the server sends a normal close.
//
//   WsServer server([](WsConnection& c) {
//     int64_t from = c.Query("cursor") ? std::stoll(*c.Query("cursor")) : 0;
//     for (int64_t seq = from + 1; seq <= 10; ++seq) c.SendBinary(FrameFor(seq));
//     c.Stall();
//   });
//   ASSERT_TRUE(server.Start().ok());
//   ... client connects to server.Url("/xrpc/com.atproto.sync.subscribeRepos") ...
//
// TLS uses a certificate made in the test (MakeSelfSignedCert). Thread-safe. Stop() (also run by
// the destructor) wakes stalled and frozen scripts, closes every connection and joins the threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace altscribe::testing {

// A self-signed P-256 certificate (also usable as its own CA) for the given DNS names and IP
// addresses (subjectAltName), valid from an hour ago for a day. PEM strings.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};
TestCert MakeSelfSignedCert(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses);

// One connection, as its script sees it. Sends return false once the connection is gone.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual int index() const = 0;                  // 0 for the first connection, 1, ...
  virtual const std::string& target() const = 0;  // "/path?query"
  std::optional<std::string> Query(std::string_view name) const;  // no %-decoding

  virtual bool SendBinary(std::string_view bytes) = 0;
  bool SendBinary(const std::vector<uint8_t>& bytes) {
    return SendBinary(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  virtual bool SendText(std::string_view text) = 0;
  // Sends a ping and waits for the pong; false when none came within `timeout`.
  virtual bool PingAndWaitPong(std::chrono::milliseconds timeout) = 0;
  // Pings the client has sent so far (answered automatically unless frozen).
  virtual int pings_received() const = 0;
  // Waits until the client has sent `n` pings in all; false on timeout.
  virtual bool WaitPings(int n, std::chrono::milliseconds timeout) = 0;
  // Silent, but reading (answers pings) until the client leaves or the server stops.
  virtual void Stall() = 0;
  // Reads nothing and sends nothing (so no pongs) until the server stops.
  virtual void Freeze() = 0;
  // Waits until the client closes the connection; false on timeout.
  virtual bool WaitClientGone(std::chrono::milliseconds timeout) = 0;
  // A close frame with this code, then waits briefly for the client's.
  virtual void Close(uint16_t code = 1000, std::string_view reason = "") = 0;
  // Resets the TCP connection: no close frame.
  virtual void CloseAbruptly() = 0;
};

struct WsServerOptions {
  bool tls = false;
  TestCert cert;  // REQUIRED when tls
};

class WsServer {
 public:
  using Script = std::function<void(WsConnection&)>;

  explicit WsServer(Script script, WsServerOptions options = {});
  ~WsServer();
  WsServer(const WsServer&) = delete;
  WsServer& operator=(const WsServer&) = delete;

  // Listens on an ephemeral port of 127.0.0.1.
  Status Start();
  void Stop();

  int port() const;
  // "ws://127.0.0.1:PORT" + target (wss:// with TLS).
  std::string Url(std::string_view target = "/") const;
  // The request target of every upgraded connection, in order of arrival.
  std::vector<std::string> targets() const;
  // Connections whose TLS handshake or upgrade failed.
  int failed_handshakes() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace altscribe::testing
