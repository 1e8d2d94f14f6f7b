// nats/jetstream.h — the JetStream pieces altscribe's job queue needs, over Connection's
// request/reply with JSON (the $JS.API.* subjects; docs.nats.io "JetStream wire API").
//
// Covers: creating a stream (WorkQueue retention by default) and reading its state; publishing
// with a Nats-Msg-Id for de-duplication and reading the PubAck; creating a durable pull consumer
// with explicit acks; fetching a batch with MSG.NEXT; and acknowledging a message (+ACK, -NAK,
// +WPI, +TERM) on its reply subject. Not yet: key-value buckets, consumer/stream deletion or
// update, ordered/push consumers, domains.
//
// Errors: an API error is one line with the server's description and err_code
// ("jetstream: create stream 'jobs': stream name already in use (err_code 10058)"); a publish
// to a subject no stream listens on is kNotFound ("no responders"), which a caller retries while
// a cluster elects a new leader. Units: durations are std::chrono; the wire uses nanoseconds.
//
// Thread-safety: as Connection (any thread; not from a subscription callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "nats/connection.h"

namespace altscribe::nats {

struct StreamConfig {
  std::string name;
  std::vector<std::string> subjects;
  enum class Retention { kLimits, kInterest, kWorkQueue } retention = Retention::kWorkQueue;
  bool memory_storage = false;                    // file storage otherwise
  std::chrono::milliseconds duplicate_window{0};  // 0: the server's default (2 min)
};

struct StreamState {
  std::string name;
  uint64_t messages = 0;
  uint64_t first_seq = 0, last_seq = 0;
  int consumers = 0;
};

struct PubAck {
  std::string stream;
  uint64_t seq = 0;
  bool duplicate = false;  // the server had already stored this Nats-Msg-Id
};

struct ConsumerConfig {
  std::string durable;         // REQUIRES: non-empty, no '.', '*', '>' or whitespace
  std::string filter_subject;  // "" for the whole stream
  std::chrono::milliseconds ack_wait{30000};
  int max_deliver = -1;  // -1: unlimited
  int max_ack_pending = 1000;
};

struct ConsumerState {
  std::string name;
  uint64_t delivered_consumer_seq = 0;
  uint64_t num_ack_pending = 0;
  uint64_t num_redelivered = 0;
  uint64_t num_pending = 0;
};

// A message from a pull consumer, with the metadata its $JS.ACK reply subject carries.
struct JsMessage {
  Message msg;
  std::string stream, consumer;
  uint64_t delivered = 0;  // 1 on first delivery
  uint64_t stream_seq = 0, consumer_seq = 0;
};
// Parses "$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>" (and the
// 12-token form with domain and account hash) into `m`. False when it is not an ack subject.
bool ParseAckSubject(const std::string& reply, JsMessage* m);

enum class AckKind {
  kAck,         // +ACK: done; a WorkQueue stream deletes the message
  kNak,         // -NAK: redeliver now
  kInProgress,  // +WPI: still working; restarts the ack_wait timer
  kTerm,        // +TERM: never redeliver
};

class JetStream {
 public:
  // `conn` must outlive this object. `timeout` bounds each API request.
  explicit JetStream(Connection& conn,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
      : conn_(conn), timeout_(timeout) {}

  Result<StreamState> CreateStream(const StreamConfig& config);
  Result<StreamState> GetStream(const std::string& name);

  // Publishes `data` to `subject` and waits for the stream's PubAck. A non-empty `msg_id` goes
  // in the Nats-Msg-Id header: a second publish with it inside the duplicate window is not
  // stored again and returns duplicate=true.
  Result<PubAck> Publish(const std::string& subject, std::string_view data,
                         const std::string& msg_id = "", Headers headers = {});

  // Creates (or returns unchanged) a durable pull consumer with explicit acks.
  Result<ConsumerState> CreateDurable(const std::string& stream, const ConsumerConfig& config);
  Result<ConsumerState> GetConsumer(const std::string& stream, const std::string& consumer);

  // Asks for up to `batch` messages, waiting at most `expires` for them. Returns what arrived
  // (possibly none) once the batch is full or the server ends the request (408/404).
  Result<std::vector<JsMessage>> Fetch(const std::string& stream, const std::string& consumer,
                                       int batch, std::chrono::milliseconds expires);

  // Publishes the acknowledgement to the message's reply subject (fire-and-forget).
  Status Ack(const JsMessage& m, AckKind kind);
  // The same, and waits until the server confirms it processed it.
  Status AckSync(const JsMessage& m, AckKind kind);

 private:
  // Sends `body` to `subject` and returns the JSON reply, or the API error as a Status.
  Result<std::string> Api(const std::string& what, const std::string& subject,
                          const std::string& body, const Headers& headers = {});

  Connection& conn_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace altscribe::nats
