// fleet/poison.h — the end of a job no worker could finish.
//
// A job is redelivered when its worker dies or gives up; after max_deliver tries JetStream stops
// delivering it (it stays in the stream) and publishes an advisory on
// kMaxDeliveriesAdvisory. Whoever sees the advisory first (every bot's NatsExecutor and every
// worker listen) calls FailExhaustedJob(): it reads the job back, stores a failure result for
// it — every image: "the workers failed on this image N times" — with the same Nats-Msg-Id a
// worker's result would have (so two handlers, or a late worker, store one result), and deletes
// the job from the stream. The requester then gets a "couldn't read this image" reply.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "jobs/job.h"
#include "nats/connection.h"
#include "nats/jetstream.h"

namespace altscribe::fleet {

inline constexpr const char* kMaxDeliveriesAdvisory =
    "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ALTSCRIBE_JOBS.*";

// The stream sequence the advisory names (its "stream_seq"), or 0 when the text is not one.
uint64_t ExhaustedJobSeq(std::string_view advisory_json);

// A result for `job` whose every image carries `message` as its error.
jobs::JobResult FailureResult(const jobs::Job& job, const std::string& message,
                              const std::string& worker);

// Stores the final failure result of the job at stream sequence `seq` and deletes the job (see
// the file comment). OK when the job is already gone. `tries` goes into the message.
Status FailExhaustedJob(nats::Connection& conn, nats::JetStream& js, uint64_t seq, int tries,
                        const std::string& who);

// Publishes `result` as the answer to a job whose reply subject is `reply`, de-duplicated by the
// job's key; waits for the PubAck.
Status StoreResult(nats::JetStream& js, const std::string& reply, const jobs::JobResult& result);

}  // namespace altscribe::fleet
