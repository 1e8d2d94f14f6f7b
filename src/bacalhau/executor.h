// bacalhau/executor.h — jobs::Executor over a Bacalhau network: one batch job per Job.
//
// Per accepted Job: record it in the SubmissionStore, PUT the job spec (job_spec.h), then follow
// Job.State.StateType with exponential backoff (poll_initial doubling to poll_max) until it is
// Completed, Failed or Stopped, or the job's deadline passes. Outcomes (see jobs/executor.h):
//   * Completed → the worker's JobResult, read from the published result (GET …/results: an
//     s3PreSigned URL is fetched without our key; the tar.gz holds outputs/result.json). Only when
//     no published result is readable, RunOutput.Stdout is used — and only when StdoutTruncated
//     is false and it parses as the JobResult of this Job. Otherwise every image gets the error
//     "the worker's result could not be read: …" (a final answer, never an empty caption).
//   * Failed → a final answer: every image gets "the worker failed: <message>" (the container
//     ran and exited non-zero: the job cannot run as it is) or "the Bacalhau network could not
//     run the job: <message>" (nothing ran: no node matched, queue or execution timeout).
//   * deadline passed while Pending/Queued/Running → DELETE ?reason=… (the job is stopped on
//     the network), then a final answer: every image gets Timeout "the Bacalhau network did not
//     finish the job within N s".
//   * non-OK ("retry later") when the answer is about our link to the network, not the job: a
//     PUT refused with 4xx (bad key, bad configuration; logged), the orchestrator unreachable or
//     answering 5xx past the deadline, the job unknown to the orchestrator (404), the job Stopped
//     by someone else, and Shutdown(). The record is removed unless the Bacalhau job may still
//     be running (unreachable, shutdown): then a later Submit()/Reconcile() resumes it.
// A PUT that fails with 5xx or a transport error may still have created the job (Bacalhau
// ignores idempotency tokens): before trying again the executor looks the job up by its label
// and Meta, and follows it when found.
//
// Jobs travel as URLs (images' in-memory bytes are not sent); no secret ever enters a spec.
//
// Threading: `threads` workers take due steps from one timed queue; one step is one or a few
// HTTP calls, so many jobs are followed by a few threads and no thread sleeps a fixed time.
// Thread-safe. Destruction runs Shutdown(0ms).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bacalhau/client.h"
#include "bacalhau/job_spec.h"
#include "bacalhau/submission_store.h"
#include "jobs/executor.h"

namespace altscribe::bacalhau {

struct BacalhauExecutorOptions {
  ClientOptions client;  // endpoint, API key (LoadApiKey()), HTTP limits
  JobSpecOptions spec;   // image, resources, constraints, timeouts, publisher, domains
  std::chrono::milliseconds poll_initial{250};
  std::chrono::milliseconds poll_max{5000};
  // How long a job may take from acceptance before it is stopped; 0 = the spec's TotalTimeout
  // plus 60 s (Bacalhau fails it itself first, normally).
  std::chrono::milliseconds deadline{0};
  int submit_attempts = 4;  // PUTs tried (after 5xx / transport errors) before giving up
  int threads = 4;
  // The job id ↔ Bacalhau id mapping; nullptr = an in-memory one owned by the executor.
  // Must outlive the executor.
  SubmissionStore* store = nullptr;
  std::string worker_name;  // JobResult::worker when the worker left it empty; "" = "bacalhau"
};

class BacalhauExecutor final : public jobs::Executor {
 public:
  // Starts the threads. InvalidArgument for bad options (see ValidateOptions).
  static Result<std::unique_ptr<BacalhauExecutor>> Create(BacalhauExecutorOptions options);
  ~BacalhauExecutor() override;
  BacalhauExecutor(const BacalhauExecutor&) = delete;
  BacalhauExecutor& operator=(const BacalhauExecutor&) = delete;

  // Refuses invalid jobs, jobs with an image that has no http(s) URL, a job id already in
  // flight, and anything after Shutdown(). A job the store still maps to a Bacalhau job is
  // resumed (no second PUT).
  Status Submit(jobs::Job job, Done done) override;
  void Shutdown(std::chrono::milliseconds grace) override;

  // After a restart: resumes following every job in the store (records without a Bacalhau ID
  // are looked up by label and Meta; when none is found they are submitted). `done_for` gives
  // the callback for each resumed Job. Returns how many jobs are now followed. Jobs already in
  // flight are left alone.
  using DoneFor = std::function<Done(const jobs::Job&)>;
  Result<size_t> Reconcile(const DoneFor& done_for);

  size_t InFlight() const;

 private:
  struct Track;
  using Clock = std::chrono::steady_clock;

  explicit BacalhauExecutor(BacalhauExecutorOptions options);
  // `record`: the store's record of this job, when there is one (then no new record is made).
  Status Accept(jobs::Job job, Done done, const std::optional<Submission>& record);
  void WorkerLoop();
  // One step of a job; returns true when the job is finished (its outcome set).
  bool Step(Track& t);
  bool StepSubmit(Track& t);
  bool StepFollow(Track& t);
  void FinishCompleted(Track& t, const JobInfo& info);
  void Finish(Track& t, Result<jobs::JobResult> outcome, bool forget);
  void Deliver(const std::shared_ptr<Track>& t);
  jobs::JobResult FailAll(const Track& t, Code code, const std::string& error) const;
  Clock::duration NextBackoff(Track& t) const;
  std::string FindByMeta(const std::string& job_id, Status* error) const;

  BacalhauExecutorOptions options_;
  Client client_;
  std::unique_ptr<SubmissionStore> owned_store_;
  SubmissionStore* store_;
  std::chrono::milliseconds deadline_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a step was scheduled, or stopping_
  std::condition_variable idle_cv_;  // a job finished
  std::multimap<Clock::time_point, std::shared_ptr<Track>> due_;  // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Track>> tracks_;          // GUARDED_BY(mu_), by job id
  size_t in_flight_ = 0;                                          // GUARDED_BY(mu_)
  bool accepting_ = true;                                         // GUARDED_BY(mu_)
  bool stopping_ = false;                                         // GUARDED_BY(mu_)

  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // GUARDED_BY(shutdown_mu_)
  std::vector<std::thread> threads_;
};

}  // namespace altscribe::bacalhau
