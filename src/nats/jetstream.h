// nats/jetstream.h — the JetStream pieces altscribe's job queue needs, over Connection's
// request/reply with JSON (the $JS.API.* subjects; docs.nats.io "JetStream wire API").
//
// Covers: creating, updating (AddOrUpdate*: idempotent), reading and deleting streams and
// consumers (durable or ephemeral pull consumers with explicit acks); publishing with a
// Nats-Msg-Id for de-duplication and reading the PubAck, once or retrying through leader
// elections and reconnects (PublishRetrying); fetching a batch with MSG.NEXT; and acknowledging
// a message (+ACK, -NAK [with delay], +WPI, +TERM) on its reply subject. Not yet: key-value
// buckets, ordered/push consumers, domains.
//
// Errors: an API error is one line with the server's description and err_code
// ("jetstream: create stream 'jobs': stream name already in use (err_code 10058)"), coded by the
// API's HTTP-like code: 400 kInvalidArgument, 404 kNotFound, 503 kNetwork (retryable), others
// kInternal. A publish to a subject no stream listens on — or whose stream is electing a leader
// — is kNotFound "no responders", which IsRetryable() accepts. Units: durations are
// std::chrono; the wire uses nanoseconds.
//
// Thread-safety: as Connection (any thread; not from a subscription callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "nats/connection.h"
#include "nats/jetstream_config.h"

namespace altscribe::nats {

struct StreamState {
  std::string name;
  uint64_t messages = 0;
  uint64_t first_seq = 0, last_seq = 0;
  int consumers = 0;
  StreamConfig config;  // as the server holds it
  std::string leader;   // the cluster leader's server name; "" when not clustered
};

struct PubAck {
  std::string stream;
  uint64_t seq = 0;
  bool duplicate = false;  // the server had already stored this Nats-Msg-Id
};

struct ConsumerState {
  std::string name;
  uint64_t delivered_consumer_seq = 0;
  uint64_t num_ack_pending = 0;
  uint64_t num_redelivered = 0;
  uint64_t num_pending = 0;
  ConsumerConfig config;  // as the server holds it
};

// A message from a pull consumer, with the metadata its $JS.ACK reply subject carries.
struct JsMessage {
  Message msg;
  std::string stream, consumer;
  uint64_t delivered = 0;  // 1 on first delivery
  uint64_t stream_seq = 0, consumer_seq = 0;
  int64_t timestamp_ns = 0;  // when the stream stored it (Unix epoch, nanoseconds)
  uint64_t pending = 0;      // messages left for this consumer after this one
  std::string domain;        // "" unless the 12-token form names one ("_" means none)

  std::chrono::system_clock::time_point timestamp() const {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(timestamp_ns)));
  }
};
// Parses "$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>" (and the
// 12-token form "$JS.ACK.<domain>.<account hash>.<stream>...<pending>[.<token>]") into `m`.
// False when it is not an ack subject or a number does not parse.
bool ParseAckSubject(const std::string& reply, JsMessage* m);

enum class AckKind {
  kAck,         // +ACK: done; a WorkQueue stream deletes the message
  kNak,         // -NAK: redeliver now
  kInProgress,  // +WPI: still working; restarts the ack_wait timer
  kTerm,        // +TERM: never redeliver
};

// How PublishRetrying retries.
struct PublishRetry {
  std::chrono::milliseconds total{15000};           // give up after this long, all tries together
  std::chrono::milliseconds attempt_timeout{2000};  // each wait for a PubAck
  std::chrono::milliseconds backoff_min{100}, backoff_max{1000};  // between tries, with jitter
};

class JetStream {
 public:
  // `conn` must outlive this object. `timeout` bounds each API request.
  explicit JetStream(Connection& conn,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
      : conn_(conn), timeout_(timeout) {}

  Result<StreamState> CreateStream(const StreamConfig& config);
  Result<StreamState> GetStream(const std::string& name);
  // Creates the stream if missing. If it exists with the same retention and storage, accepts it,
  // and updates it in place when another field differs (subjects, limits, replicas...). Exists
  // with another retention or storage: kInvalidArgument naming the difference. Safe to call from
  // many processes at once.
  Result<StreamState> AddOrUpdateStream(const StreamConfig& config);
  Status DeleteStream(const std::string& name);

  // Publishes `data` to `subject` and waits for the stream's PubAck. A non-empty `msg_id` goes
  // in the Nats-Msg-Id header: a second publish with it inside the duplicate window is not
  // stored again and returns duplicate=true.
  Result<PubAck> Publish(const std::string& subject, std::string_view data,
                         const std::string& msg_id = "", Headers headers = {});
  // Publish, retried on no responders (503: a stream leader being elected), timeouts and
  // disconnects until `retry.total` has passed — always with the same Nats-Msg-Id (`msg_id`, or
  // a random one when empty), so a retry of a publish that was stored after all comes back
  // duplicate=true instead of storing it twice. Other errors return at once. The last error,
  // prefixed "after N tries in M ms", when it gives up.
  Result<PubAck> PublishRetrying(const std::string& subject, std::string_view data,
                                 const std::string& msg_id = "", Headers headers = {},
                                 const PublishRetry& retry = {});

  // Creates (or returns unchanged) a durable pull consumer with explicit acks.
  Result<ConsumerState> CreateDurable(const std::string& stream, const ConsumerConfig& config);
  // CreateDurable, or an ephemeral pull consumer when config.durable is "" (its server-given name
  // is in the result).
  Result<ConsumerState> CreateConsumer(const std::string& stream, const ConsumerConfig& config);
  // Creates the durable consumer if missing; if it exists with the same deliver policy and
  // filter subject, accepts it and updates ack_wait, max_deliver, max_ack_pending, backoff in
  // place when they differ. Otherwise kInvalidArgument naming the difference. Ephemeral
  // (durable ""): CreateConsumer.
  Result<ConsumerState> AddOrUpdateConsumer(const std::string& stream,
                                            const ConsumerConfig& config);
  Result<ConsumerState> GetConsumer(const std::string& stream, const std::string& consumer);
  Status DeleteConsumer(const std::string& stream, const std::string& consumer);

  // Asks for up to `batch` messages, waiting at most `expires` for them (plus up to 1 s for a
  // server that never ends the pull). Returns what arrived (possibly none) once the batch is full
  // or the server ends the request (408/404; 409 "Leadership Change" too). Survives reconnects:
  // waits for one within `expires`; if the connection drops meanwhile, returns what it has (maybe
  // nothing) at once. While the consumer has no leader (no responders) it asks again until
  // `expires`, then fails with kNotFound "no responders" (retryable).
  Result<std::vector<JsMessage>> Fetch(const std::string& stream, const std::string& consumer,
                                       int batch, std::chrono::milliseconds expires);

  // Publishes the acknowledgement to the message's reply subject (fire-and-forget).
  Status Ack(const JsMessage& m, AckKind kind);
  // The same, and waits until the server confirms it processed it.
  Status AckSync(const JsMessage& m, AckKind kind);
  // -NAK {"delay": ns}: redeliver after `delay` rather than at once; `sync` as AckSync.
  Status NakWithDelay(const JsMessage& m, std::chrono::milliseconds delay, bool sync = false);

 private:
  // Sends `body` to `subject` and returns the JSON reply, or the API error as a Status.
  Result<std::string> Api(const std::string& what, const std::string& subject,
                          const std::string& body, const Headers& headers = {});
  Result<PubAck> PublishOnce(const std::string& subject, std::string_view data,
                             const Headers& headers, std::chrono::milliseconds timeout);
  Status SendAck(const JsMessage& m, const std::string& body, const std::string& what, bool sync);

  Connection& conn_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace altscribe::nats
