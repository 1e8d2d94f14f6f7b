// net/subscription.h — a WebSocket subscription that survives disconnects: connect, hand every
// message to the consumer, and on any failure log one line, wait (net/backoff.h) and connect
// again, until Stop(). The consumer decides what a message means and where to resume: the URL is
// asked for before each connection (so it carries the current cursor).
//
// A message callback returning non-OK drops the connection the same way as a network error (the
// Status is the log line). Every drop is also reported to the disconnect callback, for metrics
// and tests.
//
// Thread-safety: Run() on one thread; Stop() and counters() from any thread. Stop() interrupts
// a blocked connect, read or backoff wait promptly (it closes the socket).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "core/status.h"
#include "net/backoff.h"
#include "net/websocket.h"

namespace altscribe::net {

struct SubscriptionOptions {
  std::string name = "websocket";  // log prefix: "firehose", "jetstream"
  WebSocketOptions ws;
  BackoffPolicy backoff;
};

struct SubscriptionCounters {
  uint64_t messages = 0;    // received
  uint64_t bytes = 0;       // payload bytes received
  uint64_t reconnects = 0;  // connections dropped and retried (failed connects included)
};

class Subscription {
 public:
  using UrlFn = std::function<std::string()>;
  using MessageFn = std::function<Status(const WsMessage&)>;
  using DisconnectFn = std::function<void(const Status&)>;

  Subscription(SubscriptionOptions options, UrlFn url, MessageFn on_message);
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Called (on the Run thread) with the reason whenever a connection ends or fails to open.
  void OnDisconnect(DisconnectFn fn) { on_disconnect_ = std::move(fn); }
  // Called (on the Run thread) each time a connection opens, before its first message.
  void OnConnect(std::function<void()> fn) { on_connect_ = std::move(fn); }

  // Runs until Stop(). REQUIRES: not running already.
  void Run();
  // Thread-safe; idempotent. Run() returns soon after.
  void Stop();
  bool stopping() const { return stopping_; }

  SubscriptionCounters counters() const;

 private:
  SubscriptionOptions options_;
  UrlFn url_;
  MessageFn on_message_;
  DisconnectFn on_disconnect_;
  std::function<void()> on_connect_;
  Backoff backoff_;
  std::mt19937_64 rng_{std::random_device{}()};

  std::atomic<bool> stopping_{false};
  std::mutex mu_;                 // guards socket_ (Stop reaches it from other threads)
  std::condition_variable wake_;  // Stop() ends a backoff wait
  WebSocket* socket_ = nullptr;   // the live connection, owned by Run()

  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> reconnects_{0};
};

}  // namespace altscribe::net
