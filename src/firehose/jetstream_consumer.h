// firehose/jetstream_consumer.h — a Jetstream (github.com/bluesky-social/jetstream) consumer:
// the firehose re-encoded as JSON by a Go server, one event per WebSocket message
// (firehose/jetstream_event.h), optionally zstd-compressed with Jetstream's dictionary
// (firehose/jetstream_zstd.h). Jetstream cannot be installed here, so its wire behaviour is
// tested against a loopback server written for the tests (jetstream_consumer_test.cc), built
// from Jetstream's documented protocol.
//
// URL: service base (http/https/ws/wss) + /subscribe?wantedCollections=C (repeated for each)
// [&cursor=T][&compress=true]. Cursor: microseconds (the events' time_us). Each connection asks
// for the last handled time_us minus `rewind` (or the caller's starting cursor minus `rewind`),
// so nothing slips through at the seam; the events seen again are dropped by (time_us, did, rkey)
// (did + kind for identity and account events), and events at or before the starting cursor are
// dropped too. compress=true is asked for exactly when a dictionary file is given; binary
// messages are then decompressed, text messages are read as they are.
//
// Failures — a message that is not JSON or not an event, a corrupt or oversized zstd frame, a
// binary message without a dictionary, a handler error, the network — are one log line
// ("jetstream: <why>; reconnecting in N ms") and a reconnect from the cursor after backoff.
// Unknown event kinds are ignored.
//
// Thread-safety: Run() on one thread, which runs the handler; Stop(), cursor(), counters() from
// any thread. Stop() interrupts a blocked read promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/status.h"
#include "firehose/jetstream_event.h"
#include "firehose/jetstream_zstd.h"
#include "net/subscription.h"

namespace altscribe::firehose {

struct JetstreamOptions {
  std::string service;  // "wss://jetstream2.us-east.bsky.network"
  std::vector<std::string> wanted_collections = {"app.bsky.feed.post"};
  std::optional<int64_t> cursor_us;  // the last time_us handled before (persisted by the caller)
  std::string zstd_dictionary;       // a file; empty: ask for uncompressed events
  size_t max_event_bytes = 4 << 20;  // decompressed
  std::chrono::microseconds rewind{std::chrono::seconds(3)};
  net::SubscriptionOptions subscription = DefaultSubscription();

  static net::SubscriptionOptions DefaultSubscription() {
    net::SubscriptionOptions o;
    o.name = "jetstream";
    return o;
  }
};

struct JetstreamCounters {
  uint64_t messages = 0;
  uint64_t bytes = 0;  // as received (compressed when compressed)
  uint64_t handled = 0;
  uint64_t duplicates = 0;
  uint64_t bad_messages = 0;
  uint64_t ignored = 0;  // unknown kinds
  uint64_t reconnects = 0;
};

// A non-OK Status reconnects from the cursor; the event is delivered again.
using JetstreamHandler = std::function<Status(const JetstreamEvent& event)>;

class JetstreamConsumer {
 public:
  JetstreamConsumer(JetstreamOptions options, JetstreamHandler handler);
  JetstreamConsumer(const JetstreamConsumer&) = delete;
  JetstreamConsumer& operator=(const JetstreamConsumer&) = delete;

  void OnDisconnect(std::function<void(const Status&)> fn);
  // Runs on the Run() thread each time a connection opens.
  void OnConnect(std::function<void()> fn);

  // Runs until Stop(): OK then; at once InvalidArgument for a bad service URL, or the error of
  // loading the dictionary.
  Status Run();
  void Stop() { subscription_.Stop(); }

  // time_us of the last handled event (or the starting cursor); nullopt when there is none.
  std::optional<int64_t> cursor() const;
  JetstreamCounters counters() const;

  static Result<std::string> SubscribeUrl(std::string_view service,
                                          const std::vector<std::string>& collections,
                                          std::optional<int64_t> cursor_us, bool compress);

 private:
  Status HandleMessage(const net::WsMessage& message);
  std::string NextUrl() const;

  static constexpr int64_t kNone = INT64_MIN;
  using Key = std::tuple<int64_t, std::string, std::string>;  // time_us, did, rkey or kind

  JetstreamOptions options_;
  JetstreamHandler handler_;
  net::Subscription subscription_;
  std::unique_ptr<ZstdDictDecoder> zstd_;
  std::string scratch_;

  const int64_t floor_;  // the starting cursor: events at or before it are done
  std::atomic<int64_t> last_{kNone};
  std::set<Key> seen_;  // handled events within `rewind` of last_ (Run thread only)

  std::atomic<uint64_t> handled_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> bad_messages_{0};
  std::atomic<uint64_t> ignored_{0};
};

}  // namespace altscribe::firehose
