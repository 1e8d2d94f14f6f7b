// fleet/nats_executor.h — jobs::Executor that sends jobs to a fleet of `altscribe worker`s over
// NATS JetStream (fleet/wire.h has the subjects and the message format).
//
// Submit() queues the job in memory and returns at once; a sender thread first looks for a
// result already stored for the job (one that came while this process was down, or a job
// submitted twice), and otherwise publishes the job with Nats-Msg-Id = its key, retrying while
// NATS is unreachable or a cluster elects a leader (a duplicate publish stores nothing). A
// receiver thread reads this client's results from its durable consumer (a blocking fetch: no
// polling interval), checks each against its job, hands it to `done` and acks it.
//
// Outcomes (see jobs/executor.h): done(JobResult) when a worker finished, including the final
// failure result of a job that used up its deliveries (every worker that took it died, e.g. a
// poison image): its images carry the error "the workers failed on this image N times". done()
// with Code::kTimeout when no result came within `job_deadline` (no worker for the model, or NATS
// down all that time) and Code::kNetwork for jobs cancelled by Shutdown(): both mean "retry
// later", and a retry finds the result if it lands meanwhile.
//
// Poison jobs: JetStream announces a job that used up max_deliver on
// $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ALTSCRIBE_JOBS.*; the executor (and every worker)
// then stores the failure result and deletes the job (FailExhaustedJob, fleet/poison.h).
//
// Thread-safe. Destruction calls Shutdown(0).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fleet/connect.h"
#include "fleet/wire.h"
#include "jobs/executor.h"
#include "nats/connection.h"
#include "nats/jetstream.h"

namespace altscribe::fleet {

struct NatsExecutorOptions {
  NatsServer server;     // URLs and credentials (fleet/connect.h)
  std::string model_id;  // the fleet model for jobs whose Job::model is "" (ModelId())
  std::string client;    // this bot's results token (ClientId()); one per state store
  TopologyOptions topology;
  std::chrono::milliseconds job_deadline{std::chrono::minutes(5)};
};

class NatsExecutor final : public jobs::Executor {
 public:
  // Connects, creates the streams and this client's results consumer, starts the threads.
  // Fails with one line when NATS cannot be reached or JetStream is off.
  static Result<std::unique_ptr<NatsExecutor>> Start(NatsExecutorOptions options);
  ~NatsExecutor() override;

  Status Submit(jobs::Job job, Done done) override;
  void Shutdown(std::chrono::milliseconds grace) override;

  // Jobs submitted and not yet answered.
  size_t InFlight() const;

 private:
  struct Waiter {
    jobs::Job job;
    Done done;
    std::chrono::steady_clock::time_point deadline;
    bool published = false;
  };

  explicit NatsExecutor(NatsExecutorOptions options);
  void SenderLoop();
  void ReceiverLoop();
  Status PublishJob(const std::string& key);
  bool RecoverStored(const std::string& key);
  void HandleResult(const nats::Message& msg);
  void Deliver(const std::string& key, Result<jobs::JobResult> outcome);
  void ExpireOverdue();

  const NatsExecutorOptions options_;
  std::unique_ptr<nats::Connection> conn_;
  std::unique_ptr<nats::JetStream> js_;
  uint64_t advisory_sid_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;             // outbox_, advisories_ or stop_ changed
  std::condition_variable idle_cv_;        // waiting_ shrank
  std::map<std::string, Waiter> waiting_;  // GUARDED_BY(mu_): by job key
  std::deque<std::string> outbox_;         // GUARDED_BY(mu_): keys to publish
  std::deque<uint64_t> advisories_;        // GUARDED_BY(mu_): exhausted job seqs
  bool accepting_ = true;                  // GUARDED_BY(mu_)
  bool stop_ = false;                      // GUARDED_BY(mu_)
  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // GUARDED_BY(shutdown_mu_)
  std::thread sender_, receiver_;
};

}  // namespace altscribe::fleet
