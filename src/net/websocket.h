// net/websocket.h — a blocking WebSocket client (RFC 6455) for long-lived subscriptions:
// com.atproto.sync.subscribeRepos and Jetstream. Built on Boost.Beast/Asio; Beast stays out of
// this header.
//
// URLs: ws://host[:port]/path?query and wss://… (TLS through OpenSSL: the system CA store plus
// an optional extra CA file, SNI for host names, host name or IP verification of the
// certificate). No proxies, no permessage-deflate, no redirects.
//
// Limits and liveness: a message over `max_message_bytes` is an error (TooLarge) and the
// connection is dropped. Pings from the server are answered while reading. When nothing has
// arrived for `idle_ping`, Read() sends a ping; when `pong_timeout` passes after it with nothing
// received, the connection counts as dead (Timeout). Connect (resolve, TCP, TLS, upgrade) is
// bounded by `connect_timeout` in all.
//
// Errors are one line: "websocket: wss://host/path: TLS handshake failed: certificate verify
// failed". Codes: Network (DNS, TCP, TLS, upgrade, closed by the server), Timeout, TooLarge,
// InvalidArgument (a bad URL).
//
// Thread-safety: one thread uses a WebSocket (Connect, Read, Close); Interrupt() may be called
// from any other thread at any time and makes a blocked Connect or Read return promptly (Network
// "interrupted"); every later call fails the same way.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::net {

struct WebSocketOptions {
  size_t max_message_bytes = (5 << 20) + (64 << 10);  // a 5 MB frame plus slack
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_ping{20'000};
  std::chrono::milliseconds pong_timeout{10'000};
  std::string extra_ca_file;  // PEM; trusted in addition to the system store (tests)
  std::string user_agent = "altscribe";
};

// A parsed ws:// or wss:// URL. http:// and https:// are refused here (callers map them).
struct WsUrl {
  bool tls = false;
  std::string host;    // without brackets for IPv6
  std::string port;    // "80"/"443" when absent
  std::string target;  // "/path?query", at least "/"
  static Result<WsUrl> Parse(std::string_view url);
};

struct WsMessage {
  bool binary = false;
  std::string data;
};

class WebSocket {
 public:
  explicit WebSocket(WebSocketOptions options = {});
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  // Connects and upgrades. REQUIRES: called once.
  Status Connect(std::string_view url);
  // Blocks until the next whole message (text or binary) arrives, or an error. `out->data` is
  // reused between calls. REQUIRES: Connect succeeded.
  Status Read(WsMessage* out);
  // Sends a close frame and waits (bounded by connect_timeout) for the server's; then closes
  // the socket. Safe to call after errors and more than once.
  void Close();
  // Thread-safe; see the file comment.
  void Interrupt();

  const std::string& url() const { return url_; }

 private:
  class Impl;
  std::string url_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace altscribe::net
