// firehose/repo_stream.h — a com.atproto.sync.subscribeRepos consumer: connects to a relay or a
// PDS, parses every frame (firehose/frame.h) and hands it to the caller, resuming after any
// failure from the last frame handled, until Stop().
//
// URL: the service base (http://, https://, ws:// or wss://; http maps to ws, https to wss) +
// /xrpc/com.atproto.sync.subscribeRepos, + ?cursor=N once a cursor is known.
//
// Delivery: #commit, #sync, #identity and #account go to the handler with their seq, in order,
// each at most once per RepoStream: a seq at or below the last handled one (a replay after
// reconnecting) is dropped and counted. #info goes to the handler with seq 0 (an OutdatedCursor
// info is logged too). Unknown frame types are ignored. The stream writes no storage: the caller
// passes the starting cursor in and reads cursor() (the last handled seq) to persist it.
//
// Failures, each one log line ("firehose: <why>; reconnecting in N ms") and a reconnect from the
// last handled seq after backoff (net/subscription.h), so nothing is lost:
//   - a frame that does not parse (garbage, truncated, non-canonical CBOR, > 5 MB, a body
//     without its fields) or, with verify_blocks, whose CAR blocks do not match their CIDs;
//   - a text message; a message over the WebSocket limit; the network;
//   - the handler returning non-OK (the frame is not counted as handled);
//   - an error frame other than OutdatedCursor (ConsumerTooSlow, ...).
// Error frame FutureCursor: the cursor is dropped, OnCursorReset's callback runs (so the caller
// resets what it stored) and the stream reconnects without a cursor. OutdatedCursor (error
// frame or #info): logged, and the stream carries on.
//
// Thread-safety: Run() on one thread, which also runs every callback; Stop(), cursor() and
// counters() from any thread. Stop() interrupts a blocked read promptly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "firehose/frame.h"
#include "net/subscription.h"

namespace altscribe::firehose {

struct RepoStreamOptions {
  std::string service;            // "https://bsky.network", "http://localhost:2583"
  std::optional<int64_t> cursor;  // the last seq handled before (persisted by the caller)
  bool verify_blocks = true;      // hash-check the CAR blocks of #commit and #sync frames
  net::SubscriptionOptions subscription = DefaultSubscription();

  static net::SubscriptionOptions DefaultSubscription() {
    net::SubscriptionOptions o;
    o.name = "firehose";
    return o;
  }
};

struct RepoStreamCounters {
  uint64_t frames = 0;      // messages received
  uint64_t bytes = 0;       // their bytes
  uint64_t handled = 0;     // frames the handler accepted
  uint64_t duplicates = 0;  // dropped: seq at or below the cursor
  uint64_t bad_frames = 0;  // refused by the parser or the block check
  uint64_t ignored = 0;     // unknown frame types
  uint64_t reconnects = 0;
};

// The handler: the parsed frame (views into the message: copy what you keep) and its seq (0 for
// #info). A non-OK Status reconnects from the last handled seq; the frame is delivered again.
using RepoHandler = std::function<Status(const Frame& frame, int64_t seq)>;

class RepoStream {
 public:
  RepoStream(RepoStreamOptions options, RepoHandler handler);
  RepoStream(const RepoStream&) = delete;
  RepoStream& operator=(const RepoStream&) = delete;

  // Runs on the Run() thread when a FutureCursor error frame made the stream drop its cursor.
  void OnCursorReset(std::function<void()> fn) { on_cursor_reset_ = std::move(fn); }
  // Runs on the Run() thread with the reason each time a connection ends or fails to open.
  void OnDisconnect(std::function<void(const Status&)> fn);
  // Runs on the Run() thread each time a connection opens.
  void OnConnect(std::function<void()> fn);

  // Runs until Stop(): OK then; InvalidArgument at once for a bad service URL.
  Status Run();
  void Stop() { subscription_.Stop(); }

  // The last handled seq (or the starting cursor), nullopt when there is none.
  std::optional<int64_t> cursor() const;
  RepoStreamCounters counters() const;

  // The subscribeRepos URL for a service base and a cursor.
  static Result<std::string> SubscribeUrl(std::string_view service, std::optional<int64_t> cursor);

 private:
  Status HandleMessage(const net::WsMessage& message);
  Status HandleFrame(const Frame& frame);
  std::string After() const;  // "after seq N" / "with no cursor", for messages

  static constexpr int64_t kNoCursor = INT64_MIN;

  RepoStreamOptions options_;
  RepoHandler handler_;
  std::function<void()> on_cursor_reset_;
  net::Subscription subscription_;
  FrameParser parser_;

  std::atomic<int64_t> cursor_{kNoCursor};
  std::atomic<uint64_t> handled_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> bad_frames_{0};
  std::atomic<uint64_t> ignored_{0};
};

}  // namespace altscribe::firehose
