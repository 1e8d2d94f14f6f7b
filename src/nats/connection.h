// nats/connection.h — one NATS client connection over plain TCP (no TLS yet) that survives
// server restarts and cluster node failures.
//
// Connect() tries each configured server in order: it opens the socket, reads INFO, sends
// CONNECT (verbose=false, pedantic=false, headers=true, no_responders=true) and a PING, and
// returns only after the server's PONG — so a refused connection, a wrong password
// ('Authorization Violation') or a server without header support fails there with one line
// naming host:port (with several servers: every server's line, joined). Connect() itself does
// not retry. A reader thread then parses MSG/HMSG, answers PING, and hands each message to its
// subscription's callback.
//
// Reconnect (options.reconnect, on by default): when the socket drops (server restart, killed
// cluster node, -ERR, a write error, or `max_pings_out` keep-alive PINGs left unanswered) the
// reader thread
//   1. fails every pending Request() at once with a retryable kNetwork error ("nats: connection
//      to H:P lost before '<subject>' was answered; retry"), reports kDisconnected to on_event;
//   2. tries the servers of the pool — the configured ones plus the cluster peers learnt from
//      INFO connect_urls — starting after the one it lost; after each failed pass it waits
//      ReconnectDelay(pass) (exponential, 50 ms to 1 s by default, ±20 % jitter), forever or until
//      `reconnect_give_up` has passed (then the connection is closed for good: kClosed);
//   3. on the new socket: INFO, CONNECT, PING/PONG, then SUB again for every live subscription
//      with the same sid (the request inbox included), and reports kReconnected.
// While it reconnects, calls wait for it instead of failing: Publish up to options.publish_wait
// (PublishWait: its own wait), Request and Flush up to their timeout. Past the wait they fail with
// kNetwork "nats: not connected (reconnecting to h1:p1, h2:p2)". Subscribe and Unsubscribe never
// wait: a subscription made while disconnected is sent on reconnect. Messages published by others
// while this client was away are not replayed (core NATS is at-most-once; JetStream keeps them).
//
// Thread-safety: every public method may be called from any thread, including from inside a
// subscription callback (callbacks and on_event run on the reader thread: keep them short, and
// don't call Request()/Flush()/WaitConnected() from one — they would wait for the thread that is
// running the callback). Publish from the reader thread never waits for a reconnect: it fails at
// once with "not connected".
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
#include <vector>

#include "core/status.h"
#include "nats/message.h"
#include "nats/protocol.h"
#include "nats/server_pool.h"

namespace altscribe::nats {

// What on_event hears about (on the reader thread, no lock held).
struct ConnectionEvent {
  enum class Kind {
    kDisconnected,  // the socket to `server` dropped; reconnecting (`why` says why it dropped)
    kReconnected,   // connected again, to `server`; subscriptions are re-sent
    kClosed,        // closed for good: reconnect off or given up (`why`), never after ~Connection
  } kind;
  std::string server;  // "host:port"
  Status why;          // OK for kReconnected
};

struct ConnectOptions {
  std::string host = "127.0.0.1";
  int port = 4222;
  // When non-empty, these servers instead of host/port (ParseUrl fills both from a URL list).
  std::vector<ServerAddress> servers;
  std::string name;  // shown by the server's monitoring
  std::string user, password, token;
  std::chrono::milliseconds connect_timeout{3000};  // per server: TCP connect + INFO + PONG
  size_t max_control_line = 4096;                   // longer control lines are a protocol error

  bool reconnect = true;         // false: a dropped connection stays closed
  bool discover_servers = true;  // add INFO connect_urls (cluster peers) to the pool
  std::chrono::milliseconds reconnect_wait_min{50}, reconnect_wait_max{1000};
  double reconnect_jitter = 0.2;
  std::chrono::milliseconds reconnect_give_up{0};  // 0: keep trying forever
  // How long Publish() waits for a reconnect before failing with "not connected".
  std::chrono::milliseconds publish_wait{5000};
  // Keep-alive: a PING after this long without bytes from the server; the connection counts as
  // dead when `max_pings_out` PINGs in a row got nothing back.
  std::chrono::milliseconds ping_interval{30000};
  int max_pings_out = 2;
  std::function<void(const ConnectionEvent&)> on_event;  // optional; for logs and metrics
};

// Parses "nats://host:port", "host:port" or "host" (port 4222) — or a comma-separated list of
// them — into options.servers, and the first one into options.host/port.
Status ParseUrl(const std::string& url, ConnectOptions* options);

// True for errors worth retrying after a moment: kNetwork (dropped or not yet reconnected
// connection), kTimeout, and kNotFound "no responders" (a JetStream leader being elected).
bool IsRetryable(const Status& s);

using MessageCallback = std::function<void(Message)>;

class Connection {
 public:
  enum class State { kConnected, kReconnecting, kClosed };

  static Result<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  // Closes the socket and joins the reader thread (also while it is reconnecting).
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // PUB, or HPUB when `headers` is non-empty. Fails on an invalid subject, a payload over the
  // server's max_payload, or a closed connection; while reconnecting it waits up to
  // options.publish_wait. Fire-and-forget: use Flush() to know the server has read it.
  Status Publish(const std::string& subject, std::string_view data, const Headers& headers = {},
                 const std::string& reply = "");
  // The same with its own wait for a reconnect (0: fail at once when not connected).
  Status PublishWait(const std::string& subject, std::string_view data,
                     std::chrono::milliseconds wait, const Headers& headers = {},
                     const std::string& reply = "");

  // SUB: `callback` gets every message on `subject` (wildcards allowed), on the reader thread.
  // Returns the subscription id for Unsubscribe(). The subscription lives until Unsubscribe():
  // it is sent again (same sid) after every reconnect.
  Result<uint64_t> Subscribe(const std::string& subject, MessageCallback callback,
                             const std::string& queue_group = "");
  // UNSUB: no callback runs for `sid` after this returns (one already running may finish).
  Status Unsubscribe(uint64_t sid);

  // Publishes with a reply subject on this connection's inbox and waits for the first reply.
  // Waits for a reconnect within `timeout` first. Errors: kNotFound "no responders for
  // '<subject>'" (status 503), kTimeout, kNetwork (connection lost while waiting: retryable).
  Result<Message> Request(const std::string& subject, std::string_view data,
                          std::chrono::milliseconds timeout, const Headers& headers = {});

  // PING and wait for its PONG: every earlier Publish/Subscribe has reached the server. If the
  // connection drops meanwhile, PINGs the next one (within `timeout`).
  Status Flush(std::chrono::milliseconds timeout);

  // Waits up to `wait` for a live connection; returns its generation (1 for the first
  // connection, +1 per reconnect). Fails with "not connected (reconnecting to …)" or the close
  // reason.
  Result<uint64_t> WaitConnected(std::chrono::milliseconds wait);
  // The generation of the current connection (counts reconnects; unchanged while reconnecting).
  uint64_t generation() const;
  // Closes `queue` (its Pop returns nullopt) when connection generation `gen` drops, or at once
  // when it already has. For callers waiting on messages a dropped connection can't bring.
  void CloseOnDisconnect(uint64_t gen, const std::shared_ptr<MessageQueue>& queue);

  // A fresh unique subject under this connection's inbox prefix ("_INBOX.<random>.<n>").
  std::string NewInbox();

  // The INFO of the server currently (or last) connected to.
  ServerInfo server_info() const;
  // OK while the connection is usable (connected, or reconnecting on its own); otherwise why it
  // closed for good (one line).
  Status status() const;
  State state() const;
  bool connected() const { return state() == State::kConnected; }
  // "host:port" of the server currently (or last) connected to.
  std::string connected_server() const;
  // The pool: configured servers first, then discovered ones.
  std::vector<ServerAddress> servers() const;
  uint64_t reconnects() const { return generation() - 1; }
  // The last -ERR the server sent that did not close the connection ("" if none).
  std::string last_server_error() const;

 private:
  struct Sub {
    std::string subject, queue;
    std::shared_ptr<MessageCallback> callback;
  };

  Connection(ConnectOptions options, std::vector<ServerAddress> pool);
  // Reader-thread side (also the caller of Connect() before the thread starts).
  // socket + INFO + CONNECT + PING/PONG into rfd_
  Status Dial(const ServerAddress& server, ServerInfo* info);
  Status Handshake(ServerInfo* info);
  Status Install(size_t server_index, const ServerInfo& info);  // SUBs again, then live
  void Run();
  Status ReadLoop();
  bool Reconnect();
  void Disconnected(const Status& why);
  Status ReadMore();
  Status ReadControlLine(std::string* line);
  Status ReadExact(size_t n, std::string* out);
  Status ReadMessage(std::string_view args, bool has_headers);
  void OnInfo(std::string_view json);
  void Dispatch(Message m, uint64_t sid);
  void Emit(ConnectionEvent::Kind kind, const std::string& server, const Status& why);

  // Writes `bytes` on a live connection, waiting until `deadline` for one. `only_gen` != 0:
  // only on that generation. `ping` != nullptr: counts a PING and stores its number.
  Status Send(std::string_view bytes, std::chrono::steady_clock::time_point deadline,
              uint64_t only_gen = 0, uint64_t* ping = nullptr);
  Status NotConnectedLocked() const;  // REQUIRES: mu_ held
  std::string WhereLocked() const;    // "nats host:port"; REQUIRES: mu_ held
  Result<uint64_t> WaitConnectedUntil(std::chrono::steady_clock::time_point deadline);
  // The PUB/HPUB bytes, after checking subjects, headers and max_payload.
  Result<std::string> EncodePub(const std::string& subject, std::string_view data,
                                const Headers& headers, const std::string& reply) const;
  void DropSocket();  // closes rfd_ after a failed handshake
  Status EnsureInbox();

  const ConnectOptions options_;
  std::string inbox_prefix_;  // "_INBOX.<random>"; fixed at construction

  // Reader thread only (the Connect() caller before it starts).
  int rfd_ = -1;
  std::string rwhere_;                                                  // "nats host:port" of rfd_
  std::optional<std::chrono::steady_clock::time_point> read_deadline_;  // handshakes only
  std::string buf_;  // bytes read but not consumed
  size_t buf_pos_ = 0;
  int pings_out_ = 0;  // keep-alive PINGs sent since the server last sent anything

  std::mutex write_mu_;     // serialises writes to fd_; held to swap or close it
  std::mutex dispatch_mu_;  // held by the reader thread while a callback runs
  std::mutex inbox_mu_;     // serialises making the inbox subscription

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  State state_ = State::kConnected;
  bool closing_ = false;  // the destructor runs
  int fd_ = -1;           // the connected socket, -1 while reconnecting
  int active_fd_ = -1;    // the socket the reader thread uses (handshakes too): for shutdown
  uint64_t gen_ = 0;
  std::vector<ServerAddress> pool_;
  size_t current_ = 0;  // index in pool_ of the server connected (or last connected) to
  ServerInfo info_;
  std::map<uint64_t, Sub> subs_;
  uint64_t next_sid_ = 1;
  uint64_t pings_sent_ = 0, pongs_received_ = 0;  // on the current generation
  Status closed_;                                 // OK until closed for good
  Status last_drop_;                              // why the last connection dropped
  std::string last_error_;
  bool inbox_subscribed_ = false;
  uint64_t next_inbox_ = 1;
  std::map<std::string, std::shared_ptr<MessageQueue>> pending_;  // request token -> reply
  std::vector<std::weak_ptr<MessageQueue>> watchers_;             // closed when gen_ drops

  std::thread reader_;
};

}  // namespace altscribe::nats
