#include "jobs/local_executor.h"

#include <unistd.h>

#include <algorithm>

#include "core/log.h"
#include "core/pipeline_metrics.h"
#include "http/url.h"
#include "vision/describe.h"

namespace altscribe::jobs {
namespace {

using Clock = std::chrono::steady_clock;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string DefaultWorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') return "local";
  return std::string("local@") + host;
}

}  // namespace

struct LocalExecutor::JobState {
  JobState(Job j, Done d, vision::VisionModel& model, vision::DescribeOptions o)
      : job(std::move(j)), done(std::move(d)), describer(model, std::move(o)) {
    items.resize(job.images.size());
    remaining = job.images.size();
  }

  const Job job;
  const Done done;
  const vision::Describer describer;
  const Clock::time_point accepted = Clock::now();
  // Everything below is GUARDED_BY(LocalExecutor::mu_).
  Clock::time_point started{};
  bool has_started = false;
  bool cancelled = false;
  size_t remaining = 0;
  std::vector<JobItem> items;
  JobTimings timings;
};

LocalExecutor::LocalExecutor(vision::VisionModel& model, LocalExecutorOptions options)
    : model_(model),
      options_(std::move(options)),
      model_name_(model.Name()),
      worker_(options_.worker_name.empty() ? DefaultWorkerName() : options_.worker_name) {
  // A batching model generates Concurrency() images together only when that many are in it.
  int n = std::max({1, options_.threads, model.Concurrency()});
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

LocalExecutor::~LocalExecutor() { Shutdown(std::chrono::milliseconds(0)); }

Status LocalExecutor::Submit(Job job, Done done) {
  RETURN_IF_ERROR(job.Validate());
  if (!job.model.empty() && job.model != model_name_) {
    return Status::InvalidArgument("job '" + job.id + "' asks for model '" + job.model +
                                   "', but this executor runs '" + model_name_ + "'");
  }
  if (!done) return Status::InvalidArgument("Submit() needs a completion callback");
  vision::DescribeOptions o;
  o.mode = job.mode;
  o.lang = job.lang;
  o.max_chars = job.max_chars;
  o.max_tokens = options_.max_tokens;
  o.source = options_.fetch.limits;
  o.decode = options_.decode;
  o.ocr = options_.ocr;
  for (const auto& l : job.text_langs) o.ocr_langs.push_back(l.tag);
  auto state = std::make_shared<JobState>(std::move(job), std::move(done), model_, std::move(o));
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!accepting_) return Status::Internal("the local executor is shut down");
    ++in_flight_;
    for (size_t i = 0; i < state->job.images.size(); ++i) queue_.push_back({state, i});
  }
  work_cv_.notify_all();
  return Status::Ok();
}

size_t LocalExecutor::InFlight() const {
  std::lock_guard<std::mutex> l(mu_);
  return in_flight_;
}

void LocalExecutor::WorkerLoop() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      task = std::move(queue_.front());
      queue_.pop_front();
      if (!task.job->has_started) {
        task.job->has_started = true;
        task.job->started = Clock::now();
      }
    }
    vision::DescribeTimings t;
    JobItem item = DescribeImage(*task.job, task.index, &t);
    if (auto finished = CompleteTask(task, std::move(item), t)) Deliver(finished);
  }
}

JobItem LocalExecutor::DescribeImage(const JobState& job, size_t index,
                                     vision::DescribeTimings* t) const {
  const JobImage& image = job.job.images[index];
  JobItem item;
  item.index = static_cast<int>(index);
  auto start = Clock::now();
  auto bytes = FetchImage(image, options_.fetch);
  double load_ms = MsBetween(start, Clock::now());
  Status error;
  if (!bytes.ok()) {
    error = bytes.status();
    t->load_ms = load_ms;
  } else {
    vision::DescribeResult r = job.describer.DescribeBytes(http::UrlForDisplay(image.url), **bytes);
    *t = r.timings;
    t->load_ms = load_ms;
    error = r.error;
    item.text = std::move(r.text);
    if (!r.ocr.empty()) item.ocr = std::move(r.ocr);
  }
  if (!error.ok()) {
    item.text.clear();
    item.error = error.message();
    item.error_code = error.code();
    LogInfo("job " + job.job.id + ": image " + std::to_string(index + 1) + " (" +
            http::UrlForDisplay(image.url) + "): " + error.message());
  }
  metrics::RecordDescribe({.fetch_ms = t->load_ms,
                           .decode_ms = t->decode_ms,
                           .encode_ms = t->encode_ms,
                           .generate_ms = t->generate_ms,
                           .total_ms = MsBetween(start, Clock::now()),
                           .generated_tokens = t->generated_tokens},
                          error.code());
  return item;
}

std::shared_ptr<LocalExecutor::JobState> LocalExecutor::CompleteTask(
    const Task& task, JobItem item, const vision::DescribeTimings& t) {
  std::lock_guard<std::mutex> l(mu_);
  JobState& job = *task.job;
  job.items[task.index] = std::move(item);
  job.timings.load_ms += t.load_ms;
  job.timings.decode_ms += t.decode_ms;
  job.timings.encode_ms += t.encode_ms;
  job.timings.generate_ms += t.generate_ms;
  job.timings.generated_tokens += t.generated_tokens;
  return --job.remaining == 0 ? task.job : nullptr;
}

void LocalExecutor::Deliver(const std::shared_ptr<JobState>& job) {
  Result<JobResult> outcome = Status::Internal("cancelled: the executor shut down");
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!job->cancelled) {
      JobResult r;
      r.id = job->job.id;
      r.items = std::move(job->items);
      r.model = model_name_;
      r.worker = worker_;
      r.timings = job->timings;
      auto now = Clock::now();
      r.timings.queue_ms = MsBetween(job->accepted, job->has_started ? job->started : now);
      r.timings.total_ms = MsBetween(job->accepted, now);
      outcome = std::move(r);
    }
  }
  job->done(std::move(outcome));
  {
    std::lock_guard<std::mutex> l(mu_);
    --in_flight_;
  }
  idle_cv_.notify_all();
}

void LocalExecutor::Shutdown(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (shut_down_) return;
  std::vector<std::shared_ptr<JobState>> cancelled;
  {
    std::unique_lock<std::mutex> l(mu_);
    accepting_ = false;
    auto idle = [this] { return in_flight_ == 0; };
    if (grace == kDrainAll) {
      idle_cv_.wait(l, idle);
    } else if (grace.count() > 0) {
      idle_cv_.wait_for(l, std::min(grace, std::chrono::milliseconds(std::chrono::hours(24 * 365))),
                        idle);
    }
    // Whatever has not started is dropped; a job that loses a task is cancelled as a whole.
    // Tasks already running finish, and their jobs complete (or are delivered as cancelled).
    for (Task& task : queue_) {
      task.job->cancelled = true;
      if (--task.job->remaining == 0) cancelled.push_back(task.job);
    }
    queue_.clear();
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (const auto& job : cancelled) Deliver(job);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  shut_down_ = true;
}

}  // namespace altscribe::jobs
