// fleet/wire.h — what the bot and `altscribe worker` exchange over NATS JetStream.
//
// Topology (EnsureTopology() creates it; every bot and worker calls it at start, idempotently):
//   * Stream ALTSCRIBE_JOBS, subjects altscribe.jobs.<model-id>, WorkQueue retention, file
//     storage, a 10-minute duplicate window. One job = one message, Nats-Msg-Id = the job's key,
//     so a bot that restarts and submits the same job again inside the window stores nothing new.
//   * One durable pull consumer per model, "jobs-<model-id>", filtered on that model's subject:
//     only workers holding the model take its jobs. Explicit acks, ack_wait (workers send +WPI
//     while they work), max_deliver tries.
//   * Stream ALTSCRIBE_RESULTS, subjects altscribe.results.<client>.<job-key>, limits retention,
//     24 hours, file storage: a worker stores the JobResult there (Nats-Msg-Id "r-<job-key>")
//     and only then acks the job. Each bot process ("client") reads its results with its own
//     durable consumer "results-<client>", and after a restart finds a result that came while it
//     was down by subject (the last message of altscribe.results.<client>.<job-key>).
//   * Heartbeats: core NATS on altscribe.workers.<worker-id>, every few seconds (not stored).
//
// Job message: header "Altscribe-Images" lists, per image, the byte size of the image carried
// in the payload or "-" for an image the worker fetches itself by URL; header "Altscribe-Reply"
// is the result subject. Payload = the Job JSON (jobs::Job::ToJsonText(), one line), "\n", then
// the carried images' bytes back to back. Images travel in the message when they fit the
// server's max_payload, so workers need no network access to the bot's image sources.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "jobs/job.h"
#include "nats/jetstream.h"
#include "nats/message.h"

namespace altscribe::fleet {

inline constexpr const char* kJobsStream = "ALTSCRIBE_JOBS";
inline constexpr const char* kResultsStream = "ALTSCRIBE_RESULTS";
inline constexpr const char* kImagesHeader = "Altscribe-Images";
inline constexpr const char* kReplyHeader = "Altscribe-Reply";

// A subject token for a model name or a path: lowercase ASCII letters, digits, '-' and '_'
// only (others become '-'), at most 64 characters; "" becomes "default".
std::string ModelId(std::string_view name);
// A subject token for a client (bot process) name, the same way.
std::string ClientId(std::string_view name);
// A short, subject-safe, stable key for a job id (hex of its SHA-256, 32 characters).
std::string JobKey(std::string_view job_id);

std::string JobSubject(std::string_view model_id);                         // altscribe.jobs.<m>
std::string ResultSubject(std::string_view client, std::string_view key);  // altscribe.results..
std::string JobsConsumer(std::string_view model_id);                       // jobs-<m>
std::string ResultsConsumer(std::string_view client);                      // results-<c>
std::string HeartbeatSubject(std::string_view worker_id);                  // altscribe.workers.<w>

struct TopologyOptions {
  std::chrono::milliseconds ack_wait{30000};  // a worker silent this long loses its job
  int max_deliver = 3;                        // tries before a job is given up
  bool memory_storage = false;                // file storage otherwise (survives restarts)
  int replicas = 1;                           // 3 on a cluster
};

// Creates (or accepts as they are) both streams; with a non-empty model id also that model's
// jobs consumer, and with a non-empty client that client's results consumer. Retries for up to
// 30 s while JetStream times out or has no leader (a cluster electing, or busy replicating).
Status EnsureTopology(nats::JetStream& js, const TopologyOptions& options,
                      std::string_view model_id, std::string_view client);

// A job as it travels: the Job plus the reply subject. EncodeJob() carries the bytes of images
// that have them while the payload stays under `max_payload`; the rest travel as URLs.
struct JobEnvelope {
  jobs::Job job;
  std::string reply;  // the result subject
};
struct EncodedJob {
  nats::Headers headers;
  std::string payload;
};
Result<EncodedJob> EncodeJob(const JobEnvelope& envelope, size_t max_payload);
// Strict: sizes must add up exactly; the JSON must be a valid Job. Never throws.
Result<JobEnvelope> DecodeJob(const nats::Message& message);

// A worker's heartbeat.
struct Heartbeat {
  std::string worker;  // worker id (unique per process)
  std::string host;
  std::string model_id;
  std::string model;  // VisionModel::Name()
  int capacity = 0;   // jobs it works on at once
  int in_flight = 0;
  uint64_t done = 0;    // jobs finished since start
  uint64_t failed = 0;  // jobs given up
  int64_t started_ms = 0;
  int64_t sent_ms = 0;
  std::string ToJson() const;
  static Result<Heartbeat> FromJson(std::string_view text);
};

}  // namespace altscribe::fleet
