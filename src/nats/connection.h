// nats/connection.h — one NATS client connection over plain TCP (no TLS yet).
//
// Connect() opens the socket, reads INFO, sends CONNECT (verbose=false, pedantic=false,
// headers=true, no_responders=true) and a PING, and returns only after the server's PONG — so a
// refused connection, a wrong password ('Authorization Violation') or a server without header
// support fails there with one line naming host:port. A reader thread then parses MSG/HMSG,
// answers PING, and hands each message to its subscription's callback.
//
// Not handled yet: reconnect (a dropped connection stays closed: every later call fails with
// "connection closed"), TLS, NKEY/JWT auth, server clusters (one host:port).
//
// Thread-safety: every public method may be called from any thread, including from inside a
// subscription callback (callbacks run on the reader thread: keep them short, and don't call
// Request()/Flush() from one — they would wait for the thread that is running the callback).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/status.h"
#include "nats/message.h"
#include "nats/protocol.h"

namespace altscribe::nats {

struct ConnectOptions {
  std::string host = "127.0.0.1";
  int port = 4222;
  std::string name;  // shown by the server's monitoring
  std::string user, password, token;
  std::chrono::milliseconds connect_timeout{3000};  // TCP connect + INFO + PONG
  size_t max_control_line = 4096;                   // longer control lines are a protocol error
};

// Parses "nats://host:port", "host:port" or "host" (port 4222) into options.host/port.
Status ParseUrl(const std::string& url, ConnectOptions* options);

using MessageCallback = std::function<void(Message)>;

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  // Closes the socket and joins the reader thread.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // PUB, or HPUB when `headers` is non-empty. Fails on an invalid subject, a payload over the
  // server's max_payload, or a closed connection. Fire-and-forget: use Flush() to know the
  // server has read it.
  Status Publish(const std::string& subject, std::string_view data, const Headers& headers = {},
                 const std::string& reply = "");

  // SUB: `callback` gets every message on `subject` (wildcards allowed), on the reader thread.
  // Returns the subscription id for Unsubscribe().
  Result<uint64_t> Subscribe(const std::string& subject, MessageCallback callback,
                             const std::string& queue_group = "");
  // UNSUB: no callback runs for `sid` after this returns (one already running may finish).
  Status Unsubscribe(uint64_t sid);

  // Publishes with a reply subject on this connection's inbox and waits for the first reply.
  // Errors: kNotFound "no responders for '<subject>'" (status 503), kTimeout, kNetwork.
  Result<Message> Request(const std::string& subject, std::string_view data,
                          std::chrono::milliseconds timeout, const Headers& headers = {});

  // PING and wait for its PONG: every earlier Publish/Subscribe has reached the server.
  Status Flush(std::chrono::milliseconds timeout);

  // A fresh unique subject under this connection's inbox prefix ("_INBOX.<random>.<n>").
  std::string NewInbox();

  const ServerInfo& server_info() const { return info_; }
  // OK while the connection is open; otherwise why it closed (one line).
  Status status() const;
  // The last -ERR the server sent that did not close the connection ("" if none).
  std::string last_server_error() const;

 private:
  Connection(ConnectOptions options, int fd);
  Status Handshake();
  Status Write(std::string_view bytes);
  Status WriteLocked(std::string_view bytes);  // REQUIRES: write_mu_ held
  void ReaderLoop();
  Status ReadMore();
  Status ReadControlLine(std::string* line);
  Status ReadExact(size_t n, std::string* out);
  Status ReadMessage(std::string_view args, bool has_headers);
  void Dispatch(Message m, uint64_t sid);
  void CloseWith(Status why);
  Status EnsureInbox();

  const ConnectOptions options_;
  const int fd_;
  const std::string where_;   // "nats host:port"
  ServerInfo info_;           // written by Handshake() only, before the reader thread starts
  std::string inbox_prefix_;  // "_INBOX.<random>"; fixed at construction

  std::mutex write_mu_;     // serialises writes to fd_
  std::mutex dispatch_mu_;  // held by the reader thread while a callback runs
  std::mutex inbox_mu_;     // serialises making the inbox subscription

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::map<uint64_t, std::shared_ptr<MessageCallback>> subs_;
  uint64_t next_sid_ = 1;
  uint64_t pings_sent_ = 0, pongs_received_ = 0;
  Status closed_;  // OK while open
  std::string last_error_;
  bool inbox_subscribed_ = false;
  uint64_t next_inbox_ = 1;
  std::map<std::string, std::shared_ptr<MessageQueue>> pending_;  // request token -> reply

  std::optional<std::chrono::steady_clock::time_point> read_deadline_;  // handshake only
  std::string buf_;  // reader thread only: bytes read but not consumed
  size_t buf_pos_ = 0;
  std::thread reader_;
};

}  // namespace altscribe::nats
