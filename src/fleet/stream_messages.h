// fleet/stream_messages.h — reading and deleting single stream messages through the JetStream
// API ($JS.API.STREAM.MSG.GET / .DELETE): how the bot finds a result that arrived while it was
// down (the last message on a subject) and how a job that exhausted its deliveries is read back
// and removed. Thread-safety: as nats::Connection (not from a subscription callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "nats/connection.h"
#include "nats/message.h"

namespace altscribe::fleet {

struct StoredMessage {
  uint64_t seq = 0;
  nats::Message msg;  // subject, headers and data as stored
};

// The last message stored on `subject` in `stream`, or nullopt when there is none.
Result<std::optional<StoredMessage>> GetLastForSubject(nats::Connection& conn,
                                                       const std::string& stream,
                                                       const std::string& subject,
                                                       std::chrono::milliseconds timeout);
// The message with sequence `seq`, or nullopt when it is gone.
Result<std::optional<StoredMessage>> GetBySeq(nats::Connection& conn, const std::string& stream,
                                              uint64_t seq, std::chrono::milliseconds timeout);
// Deletes message `seq`; OK when it was already gone.
Status DeleteMessage(nats::Connection& conn, const std::string& stream, uint64_t seq,
                     std::chrono::milliseconds timeout);

}  // namespace altscribe::fleet
