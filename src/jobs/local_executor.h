// jobs/local_executor.h — the embedded executor: a pool of worker threads in this process.
//
// Every image of every job is one task on a FIFO queue; `threads` workers take tasks in order,
// fetch (jobs/fetch.h), decode and describe them through one shared vision::VisionModel. A
// LlamaVisionModel runs one generation at a time (it serialises internally), so with two or more
// workers the fetching and decoding of the next images overlap with the model's work on the
// current one; an endpoint model runs requests truly in parallel. A batching model
// (vision::BatchEngine, --batch K) gets at least model.Concurrency() workers, so K images
// generate together. A job's items always come back
// in image order, whichever image finished first.
//
// A failure of one image (a 404, bytes that are not an image, a sha256 mismatch, a model error)
// becomes that image's item error; the job's other images are still described. Jobs that name a
// model other than model.Name() are refused at Submit().
//
// Thread-safe (see Executor for the callback contract). Destruction runs Shutdown(0ms): queued
// work is cancelled, work inside the model finishes, then the threads are joined.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/executor.h"
#include "jobs/fetch.h"
#include "vision/describe.h"
#include "vision/image/image.h"
#include "vision/model.h"

namespace altscribe::jobs {

struct LocalExecutorOptions {
  int threads = 2;     // worker threads (at least 1, and at least model.Concurrency())
  int max_tokens = 0;  // per image; 0 = the mode's default
  FetchPolicy fetch;   // allow-list, private-address blocking, size and time limits
  vision::DecodeLimits decode;
  std::string worker_name;  // JobResult::worker; "" = "local@<hostname>"
  // OCR grounding for alt and detail jobs (JobItem::ocr gets the transcription); nullptr = off.
  // Must outlive the executor.
  ocr::OcrEngine* ocr = nullptr;
};

class LocalExecutor final : public Executor {
 public:
  // Starts the worker threads. REQUIRES: `model` outlives the executor.
  explicit LocalExecutor(vision::VisionModel& model, LocalExecutorOptions options = {});
  ~LocalExecutor() override;
  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  Status Submit(Job job, Done done) override;
  void Shutdown(std::chrono::milliseconds grace) override;

  // Jobs accepted whose `done` has not returned yet (for back-pressure and status pages).
  size_t InFlight() const;
  const std::string& worker_name() const { return worker_; }

 private:
  struct JobState;
  struct Task {
    std::shared_ptr<JobState> job;
    size_t index = 0;
  };

  void WorkerLoop();
  JobItem DescribeImage(const JobState& job, size_t index, vision::DescribeTimings* t) const;
  // Records a finished task; returns the job when it was the job's last task.
  std::shared_ptr<JobState> CompleteTask(const Task& task, JobItem item,
                                         const vision::DescribeTimings& t);
  void Deliver(const std::shared_ptr<JobState>& job);

  vision::VisionModel& model_;
  const LocalExecutorOptions options_;
  const std::string model_name_;
  const std::string worker_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a task was queued, or stopping_ was set
  std::condition_variable idle_cv_;  // in_flight_ went down
  std::deque<Task> queue_;           // GUARDED_BY(mu_)
  size_t in_flight_ = 0;             // GUARDED_BY(mu_)
  bool accepting_ = true;            // GUARDED_BY(mu_)
  bool stopping_ = false;            // GUARDED_BY(mu_): workers exit once the queue is empty

  std::mutex shutdown_mu_;  // serialises Shutdown() calls
  bool shut_down_ = false;  // GUARDED_BY(shutdown_mu_)
  std::vector<std::thread> threads_;
};

}  // namespace altscribe::jobs
