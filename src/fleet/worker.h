// fleet/worker.h — `altscribe worker --nats`: takes jobs for one model from the fleet's durable
// consumer and runs them on a loaded model (through a jobs::Executor, normally a LocalExecutor
// holding the model, which stays loaded between jobs).
//
// Per job (fleet/wire.h for the subjects): fetch one message when a slot is free; decode it (an
// undecodable job is terminated, with a failure result when its reply subject is known); if a
// result is already stored for it (a worker stored it and died before acking), just ack; else run
// it while sending +WPI every ack_wait/3, store the result (retrying through NATS outages), and
// ack only then. If the job cannot be run (the model failed as a whole), -NAK it with a delay; on
// its last allowed delivery store a failure result and +TERM it instead. A worker that dies
// mid-job leaves it unacked: JetStream redelivers it to another worker after ack_wait.
//
// Heartbeats (fleet::Heartbeat) go to altscribe.workers.<worker id> every heartbeat_interval.
// The worker also handles max-deliveries advisories (fleet/poison.h).
//
// Fault injection for tests: ALTSCRIBE_FAULT_POISON=<text> makes the process abort() (SIGABRT, as
// a decoder crash would) when an image's bytes contain <text>; ALTSCRIBE_FAULT_JOB_DELAY_MS=N
// makes every job take N ms longer (still sending +WPI), so a test can kill a worker mid-job.
//
// Threading: Run() on one thread, `capacity` fetch loops inside it; RequestStop() from any
// thread (a signal watcher): Run() stops taking jobs, lets the jobs in hand finish, and returns.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "fleet/connect.h"
#include "fleet/wire.h"
#include "jobs/executor.h"

namespace altscribe::fleet {

struct WorkerOptions {
  NatsServer server;
  std::string model_id;    // ModelId(): the jobs this worker takes
  std::string model_name;  // VisionModel::Name(), for heartbeats
  std::string worker_id;   // unique; "" = "<host>-<pid>"
  int capacity = 1;        // jobs in hand at once
  TopologyOptions topology;
  std::chrono::milliseconds heartbeat_interval{2000};
};

class Worker {
 public:
  // REQUIRES: `executor` outlives the worker and runs the model named in options.
  Worker(WorkerOptions options, jobs::Executor& executor);
  ~Worker();

  // Connects, ensures the streams and the model's consumer, and works until RequestStop().
  // Returns an error when NATS cannot be reached at start; later outages are waited out.
  Status Run();
  void RequestStop();

  const std::string& id() const { return options_.worker_id; }
  uint64_t done() const { return done_.load(); }

 private:
  struct Shared;
  void SlotLoop(Shared& shared);
  void HeartbeatLoop(Shared& shared);

  WorkerOptions options_;
  jobs::Executor& executor_;
  std::atomic<bool> stop_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> done_{0}, failed_{0};
  int64_t started_ms_ = 0;
};

}  // namespace altscribe::fleet
