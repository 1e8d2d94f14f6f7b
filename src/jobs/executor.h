// jobs/executor.h — where jobs run: the one interface the bot and the server submit to.
//
// Implementations: LocalExecutor (an in-process worker pool, local_executor.h); the distribution
// issue adds a NATS JetStream fleet and Bacalhau batch jobs behind the same interface.
//
// Shape: Submit() hands over a job and a completion callback and returns at once. The callback
// suits a bot loop that checkpoints: it stores the result in its state store from the callback
// (the store is thread-safe) and wakes its poster, without a thread parked on a future per job.
// SubmitAndWait()/SubmitFuture() below wrap it for callers that want to block.
//
// Outcomes, and what the caller should do with each:
//   * Submit() returns an error: the job was refused (invalid, the executor is shut down, the job
//     asks for a model this executor does not run). `done` is never called.
//   * done(JobResult): the job is finished. Per-image failures are items with an error; they are
//     final answers ("couldn't read this image"), not reasons to retry.
//   * done(non-OK Status): the job was NOT finished — cancelled by Shutdown(), or lost by a remote
//     fleet. Nothing about the images is known; keep the job's inputs and submit it again later
//     (after a restart). Every non-OK status means "retry later".
// For every accepted job, `done` is called exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <future>

#include "core/status.h"
#include "jobs/job.h"

namespace altscribe::jobs {

class Executor {
 public:
  using Done = std::function<void(Result<JobResult>)>;
  // Shutdown(kDrainAll) waits for every accepted job to finish.
  static constexpr std::chrono::milliseconds kDrainAll = std::chrono::milliseconds::max();

  virtual ~Executor() = default;

  // Accepts `job` for asynchronous execution (see the file comment for outcomes). `done` runs on
  // an executor thread (or on the thread calling Shutdown(), for cancelled jobs); it must not
  // throw, should return quickly, and must not call Shutdown(). It may call Submit().
  // Thread-safe.
  virtual Status Submit(Job job, Done done) = 0;

  // Stops accepting jobs; lets accepted jobs finish for up to `grace`; then cancels the rest
  // (their `done` gets a non-OK status; work already inside the model finishes first, as it
  // cannot be interrupted). Returns when every `done` has returned and the executor's threads
  // have stopped. Idempotent; thread-safe; REQUIRES: not called from a `done` callback.
  virtual void Shutdown(std::chrono::milliseconds grace) = 0;
};

// Submit() as a future: ready with the refusal when Submit() fails, else with what `done` got.
std::future<Result<JobResult>> SubmitFuture(Executor& executor, Job job);
// Submits and blocks until the outcome is known.
Result<JobResult> SubmitAndWait(Executor& executor, Job job);

}  // namespace altscribe::jobs
