#include "bacalhau/executor.h"

#include <algorithm>
#include <optional>

#include "bacalhau/result_archive.h"
#include "core/log.h"
#include "core/text.h"

namespace altscribe::bacalhau {

using Clock = std::chrono::steady_clock;

struct BacalhauExecutor::Track {
  jobs::Job job;
  Done done;
  nlohmann::json spec;           // the PutJobRequest body
  std::string bacalhau_id;       // "" until the PUT answered (or the lookup found it)
  bool maybe_submitted = false;  // a PUT may have created the job: look it up before a PUT
  int submit_tries = 0;
  Clock::time_point accepted;
  Clock::time_point deadline;
  Clock::duration backoff{0};
  Status last_error;
  std::string last_state;
  std::optional<Result<jobs::JobResult>> outcome;
};

namespace {

std::string Seconds(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

// The last non-empty line of a text (stderr), for a one-line failure message.
std::string LastLine(std::string_view text) {
  std::string_view t = Trim(text);
  size_t nl = t.rfind('\n');
  std::string line =
      CollapseWhitespace(SanitizeUtf8(nl == std::string_view::npos ? t : t.substr(nl + 1)));
  if (line.size() > 200) line = std::string(Utf8Prefix(line, 200)) + "…";
  return line;
}

}  // namespace

Result<std::unique_ptr<BacalhauExecutor>> BacalhauExecutor::Create(
    BacalhauExecutorOptions options) {
  RETURN_IF_ERROR(ValidateOptions(options.spec));
  if (options.client.endpoint.empty()) return Status::InvalidArgument("bacalhau: no endpoint");
  if (options.threads < 1) return Status::InvalidArgument("bacalhau: threads must be at least 1");
  if (options.poll_initial.count() <= 0 || options.poll_max < options.poll_initial) {
    return Status::InvalidArgument("bacalhau: poll intervals must be positive, initial <= max");
  }
  if (options.submit_attempts < 1) options.submit_attempts = 1;
  return std::unique_ptr<BacalhauExecutor>(new BacalhauExecutor(std::move(options)));
}

BacalhauExecutor::BacalhauExecutor(BacalhauExecutorOptions options)
    : options_(std::move(options)), client_(options_.client) {
  if (options_.store) {
    store_ = options_.store;
  } else {
    owned_store_ = std::make_unique<MemorySubmissionStore>();
    store_ = owned_store_.get();
  }
  deadline_ = options_.deadline.count() > 0
                  ? options_.deadline
                  : std::chrono::milliseconds((options_.spec.total_timeout_s + 60) * 1000LL);
  if (options_.worker_name.empty()) options_.worker_name = "bacalhau";
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

BacalhauExecutor::~BacalhauExecutor() { Shutdown(std::chrono::milliseconds(0)); }

size_t BacalhauExecutor::InFlight() const {
  std::lock_guard<std::mutex> l(mu_);
  return in_flight_;
}

Status BacalhauExecutor::Submit(jobs::Job job, Done done) {
  if (!done) return Status::InvalidArgument("bacalhau: Submit needs a done callback");
  RETURN_IF_ERROR(job.Validate());
  std::optional<Submission> record;
  {
    auto found = store_->Find(job.id);
    if (!found.ok()) return found.status().WithPrefix("bacalhau: job " + job.id);
    record = std::move(found).value();
  }
  return Accept(std::move(job), std::move(done), record);
}

Status BacalhauExecutor::Accept(jobs::Job job, Done done, const std::optional<Submission>& record) {
  auto spec = BuildPutJobRequest(job, options_.spec);
  if (!spec.ok()) return spec.status();
  auto t = std::make_shared<Track>();
  t->spec = std::move(spec).value();
  t->done = std::move(done);
  t->accepted = Clock::now();
  t->deadline = t->accepted + deadline_;
  if (record) {
    t->bacalhau_id = record->bacalhau_id;
    t->maybe_submitted = record->bacalhau_id.empty();
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!accepting_) return Status::Unsupported("bacalhau: the executor is shut down");
    if (tracks_.count(job.id)) {
      return Status::InvalidArgument("bacalhau: job " + job.id + " is already in flight");
    }
    if (!record) {
      RETURN_IF_ERROR(store_->Put({job.id, job.ToJsonText(), ""})
                          .WithPrefix("bacalhau: job " + job.id + ": cannot record it"));
    }
    t->job = std::move(job);
    tracks_[t->job.id] = t;
    ++in_flight_;
    if (!t->bacalhau_id.empty()) {
      LogInfo("bacalhau: job " + t->job.id + ": resuming Bacalhau job " + t->bacalhau_id);
    }
    due_.emplace(Clock::now(), t);
  }
  work_cv_.notify_one();
  return Status::Ok();
}

Result<size_t> BacalhauExecutor::Reconcile(const DoneFor& done_for) {
  ASSIGN_OR_RETURN(std::vector<Submission> records, store_->List());
  // One listing fills in the IDs of jobs whose PUT never answered.
  std::vector<JobInfo> ours;
  bool listed = false;
  size_t resumed = 0;
  for (Submission& s : records) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (tracks_.count(s.job_id)) continue;
    }
    auto job = jobs::Job::FromJson(s.job_json);
    if (!job.ok()) {
      LogWarn("bacalhau: dropping the record of job " + s.job_id + ": " + job.status().message());
      (void)store_->Remove(s.job_id);
      continue;
    }
    std::optional<Submission> record = s;
    if (s.bacalhau_id.empty()) {
      if (!listed) {
        auto list = client_.ListByLabel(kLabelKey, kLabelValue);
        if (list.ok()) {
          ours = std::move(list).value();
          listed = true;
        }
      }
      if (listed) {  // else the job's first step looks it up
        for (const JobInfo& info : ours) {
          if (info.our_job_id == s.job_id && info.state != "Stopped") {
            record->bacalhau_id = info.id;
            (void)store_->Put(*record);
            break;
          }
        }
        if (record->bacalhau_id.empty()) record.reset();  // never created: submit afresh
      }
    }
    Done done = done_for(*job);
    Status st = Accept(std::move(job).value(), std::move(done), record);
    if (!st.ok()) {
      LogWarn("bacalhau: cannot resume job " + s.job_id + ": " + st.message());
      continue;
    }
    ++resumed;
  }
  return resumed;
}

void BacalhauExecutor::WorkerLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    if (stopping_) return;
    if (due_.empty()) {
      work_cv_.wait(l);
      continue;
    }
    auto when = due_.begin()->first;
    if (when > Clock::now()) {
      work_cv_.wait_until(l, when);
      continue;
    }
    std::shared_ptr<Track> t = due_.begin()->second;
    due_.erase(due_.begin());
    l.unlock();
    bool finished = Step(*t);
    l.lock();
    if (!finished && stopping_) {
      t->outcome = Status::Network(
          "bacalhau: shut down before job " + t->job.id + " finished" +
          (t->bacalhau_id.empty() ? std::string()
                                  : " (Bacalhau job " + t->bacalhau_id +
                                        " keeps running; submitting the job again resumes it)"));
      finished = true;
    }
    if (finished) {
      tracks_.erase(t->job.id);
      l.unlock();
      Deliver(t);
      l.lock();
    } else {
      due_.emplace(Clock::now() + NextBackoff(*t), t);
    }
  }
}

Clock::duration BacalhauExecutor::NextBackoff(Track& t) const {
  if (t.backoff.count() == 0) {
    t.backoff = options_.poll_initial;
  } else {
    t.backoff = std::min<Clock::duration>(t.backoff * 2, options_.poll_max);
  }
  // Never sleep past the deadline by more than one poll: it is checked on the next step.
  return t.backoff;
}

void BacalhauExecutor::Deliver(const std::shared_ptr<Track>& t) {
  t->done(std::move(*t->outcome));
  t->done = nullptr;
  {
    std::lock_guard<std::mutex> l(mu_);
    --in_flight_;
  }
  idle_cv_.notify_all();
}

void BacalhauExecutor::Finish(Track& t, Result<jobs::JobResult> outcome, bool forget) {
  if (forget) {
    Status st = store_->Remove(t.job.id);
    if (!st.ok()) LogWarn("bacalhau: job " + t.job.id + ": " + st.message());
  }
  if (!outcome.ok()) {
    LogWarn(outcome.status().message() + " [job " + t.job.id + "]");
  } else if (outcome->worker.empty()) {
    outcome->worker = options_.worker_name + "/" + t.bacalhau_id;
  }
  if (outcome.ok()) {
    outcome->timings.total_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t.accepted).count();
  }
  t.outcome = std::move(outcome);
}

jobs::JobResult BacalhauExecutor::FailAll(const Track& t, Code code,
                                          const std::string& error) const {
  jobs::JobResult r;
  r.id = t.job.id;
  r.model = t.job.model;
  for (size_t i = 0; i < t.job.images.size(); ++i) {
    jobs::JobItem item;
    item.index = static_cast<int>(i);
    item.error = error;
    item.error_code = code;
    r.items.push_back(std::move(item));
  }
  return r;
}

bool BacalhauExecutor::Step(Track& t) {
  return t.bacalhau_id.empty() ? StepSubmit(t) : StepFollow(t);
}

std::string BacalhauExecutor::FindByMeta(const std::string& job_id, Status* error) const {
  auto list = client_.ListByLabel(kLabelKey, kLabelValue);
  if (!list.ok()) {
    *error = list.status();
    return "";
  }
  for (const JobInfo& info : *list) {
    if (info.our_job_id == job_id && info.state != "Stopped") return info.id;
  }
  return "";
}

bool BacalhauExecutor::StepSubmit(Track& t) {
  const std::string what = "bacalhau: job " + t.job.id;
  if (t.maybe_submitted) {
    Status err;
    std::string id = FindByMeta(t.job.id, &err);
    if (!err.ok()) {
      t.last_error = err;
      if (Clock::now() >= t.deadline) {
        Finish(t, err.WithPrefix(what + ": cannot tell whether it was submitted"), false);
        return true;
      }
      return false;
    }
    if (!id.empty()) {
      t.bacalhau_id = id;
      t.backoff = {};
      Status st = store_->Put({t.job.id, t.job.ToJsonText(), id});
      if (!st.ok()) LogWarn(what + ": " + st.message());
      LogInfo(what + ": found Bacalhau job " + id + " by its Meta");
      return false;
    }
    t.maybe_submitted = false;
  }
  if (t.submit_tries >= options_.submit_attempts || Clock::now() >= t.deadline) {
    Status why = t.last_error.ok() ? Status::Timeout("the deadline passed") : t.last_error;
    Finish(
        t,
        why.WithPrefix(what + ": not submitted after " + std::to_string(t.submit_tries) + " tries"),
        true);
    return true;
  }
  ++t.submit_tries;
  auto id = client_.Submit(t.spec);
  if (id.ok()) {
    t.bacalhau_id = *id;
    t.backoff = {};
    Status st = store_->Put({t.job.id, t.job.ToJsonText(), t.bacalhau_id});
    if (!st.ok()) LogWarn(what + ": " + st.message());
    LogInfo(what + ": submitted as Bacalhau job " + t.bacalhau_id);
    return false;
  }
  Code c = id.status().code();
  if (c == Code::kInvalidArgument || c == Code::kNotFound) {  // 4xx: retrying will not help
    Finish(t, id.status(), true);
    return true;
  }
  t.last_error = id.status();
  t.maybe_submitted = true;  // a 5xx or a lost answer may still have created it
  LogWarn(id.status().message() + " (will look it up, then retry)");
  return false;
}

bool BacalhauExecutor::StepFollow(Track& t) {
  const std::string what = "bacalhau: job " + t.job.id + " (Bacalhau job " + t.bacalhau_id + ")";
  auto info = client_.Get(t.bacalhau_id, false);
  if (!info.ok()) {
    if (info.status().code() == Code::kNotFound) {
      Finish(t, Status::NotFound(what + ": unknown to the orchestrator"), true);
      return true;
    }
    t.last_error = info.status();
    if (Clock::now() >= t.deadline) {
      (void)client_.Stop(t.bacalhau_id, "altscribe: deadline passed");
      Finish(t, info.status().WithPrefix(what + ": past the deadline without an answer"), false);
      return true;
    }
    return false;
  }
  t.last_state = info->state;
  if (info->state == "Completed" || info->state == "Failed") {
    auto full = client_.Get(t.bacalhau_id, true);
    if (!full.ok()) {
      t.last_error = full.status();
      if (Clock::now() < t.deadline) return false;
      full = *info;  // decide without executions
    }
    if (info->state == "Completed") {
      FinishCompleted(t, *full);
      return t.outcome.has_value();
    }
    bool ran = std::any_of(full->executions.begin(), full->executions.end(),
                           [](const Execution& e) { return e.has_run_output; });
    std::string message = full->message;
    for (const Execution& e : full->executions) {
      if (!e.has_run_output) continue;
      std::string detail = LastLine(e.stderr_text);  // the worker's own one-line error
      if (detail.empty()) detail = e.error_msg;
      if (!detail.empty()) message = detail;
      if (e.exit_code != 0) message += " (exit code " + std::to_string(e.exit_code) + ")";
    }
    if (message.empty()) message = "no reason given";
    Finish(
        t,
        ran ? FailAll(t, Code::kInternal, "the worker failed: " + message)
            : FailAll(t, Code::kUnsupported,
                      "the Bacalhau network could not run the job: " + CollapseWhitespace(message)),
        true);
    return true;
  }
  if (info->state == "Stopped") {
    Finish(t,
           Status::Network(what + ": stopped on the network" +
                           (info->message.empty() ? "" : ": " + info->message)),
           true);
    return true;
  }
  if (Clock::now() >= t.deadline) {
    Status st = client_.Stop(t.bacalhau_id, "altscribe: deadline of " + Seconds(deadline_) +
                                                " passed while " + info->state);
    if (!st.ok()) LogWarn(what + ": cannot stop it: " + st.message());
    Finish(t,
           FailAll(t, Code::kTimeout,
                   "the Bacalhau network did not finish the job within " + Seconds(deadline_) +
                       " (still " + info->state + ")"),
           true);
    return true;
  }
  return false;
}

void BacalhauExecutor::FinishCompleted(Track& t, const JobInfo& info) {
  auto accept = [&](std::string_view text, std::string* why) -> bool {
    auto result = jobs::JobResult::FromJson(text);
    if (!result.ok()) {
      *why = result.status().message();
      return false;
    }
    if (Status st = jobs::CheckResultMatches(t.job, *result); !st.ok()) {
      *why = st.message();
      return false;
    }
    Finish(t, std::move(result).value(), true);
    return true;
  };
  std::string why;
  auto published = client_.Results(t.bacalhau_id);
  if (!published.ok()) {
    Code c = published.status().code();
    if ((c == Code::kNetwork || c == Code::kTimeout) && Clock::now() < t.deadline) {
      t.last_error = published.status();
      return;  // try again on the next step
    }
    why = published.status().message();
  } else if (published->empty()) {
    why = "no published result";
  }
  for (const PublishedResult& p : published.ok() ? *published : std::vector<PublishedResult>{}) {
    if (p.presigned_url.empty()) {
      why = p.type == "s3" ? "the result is an s3 object this build cannot read unsigned (use "
                             "the s3managed publisher, or an orchestrator that pre-signs)"
                           : "unsupported result type '" + p.type + "'";
      continue;
    }
    auto archive = client_.FetchPresigned(p.presigned_url);
    if (!archive.ok()) {
      if (archive.status().code() == Code::kNetwork && Clock::now() < t.deadline) return;
      why = archive.status().message();
      continue;
    }
    auto text = ReadFileFromTarGz(*archive, std::string("outputs/") + kResultFile,
                                  options_.client.max_result_bytes);
    if (!text.ok()) {
      why = text.status().message();
      continue;
    }
    if (accept(*text, &why)) return;
    why = "outputs/" + std::string(kResultFile) + ": " + why;
  }
  // No usable published result: stdout, only when whole.
  for (auto it = info.executions.rbegin(); it != info.executions.rend(); ++it) {
    if (!it->has_run_output) continue;
    if (it->stdout_truncated) {
      why += "; stdout was truncated (Bacalhau keeps 2 KB)";
      break;
    }
    std::string stdout_why;
    if (accept(Trim(it->stdout_text), &stdout_why)) return;
    why += "; stdout: " + stdout_why;
    break;
  }
  Finish(t, FailAll(t, Code::kInternal, "the worker's result could not be read: " + why), true);
}

void BacalhauExecutor::Shutdown(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  std::vector<std::shared_ptr<Track>> cancelled;
  {
    std::unique_lock<std::mutex> l(mu_);
    accepting_ = false;
    auto idle = [this] { return in_flight_ == 0; };
    if (grace == kDrainAll) {
      idle_cv_.wait(l, idle);
    } else {
      idle_cv_.wait_for(l, grace, idle);
    }
    stopping_ = true;
    for (auto& [when, t] : due_) {
      tracks_.erase(t->job.id);
      cancelled.push_back(t);
    }
    due_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : cancelled) {
    t->outcome = Status::Network(
        "bacalhau: shut down before job " + t->job.id + " finished" +
        (t->bacalhau_id.empty() ? std::string()
                                : " (Bacalhau job " + t->bacalhau_id +
                                      " keeps running; submitting the job again resumes it)"));
    Deliver(t);
  }
  for (auto& th : threads_) th.join();
  threads_.clear();
}

}  // namespace altscribe::bacalhau
