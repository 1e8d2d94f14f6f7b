#include "fleet/nats_executor.h"

#include <algorithm>

#include "core/log.h"
#include "fleet/poison.h"
#include "fleet/stream_messages.h"

namespace altscribe::fleet {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kApiTimeout{5000};
constexpr milliseconds kFetchWait{1000};  // one blocking fetch; also the deadline sweep period

}  // namespace

Result<std::unique_ptr<NatsExecutor>> NatsExecutor::Start(NatsExecutorOptions options) {
  if (options.model_id.empty()) return Status::InvalidArgument("nats executor: no model id");
  if (options.client.empty()) return Status::InvalidArgument("nats executor: no client id");
  if (options.server.name.empty()) options.server.name = "altscribe-bot";
  std::unique_ptr<NatsExecutor> e(new NatsExecutor(std::move(options)));
  ASSIGN_OR_RETURN(e->conn_, Connect(e->options_.server));
  e->js_ = std::make_unique<nats::JetStream>(*e->conn_, kApiTimeout);
  RETURN_IF_ERROR(EnsureTopology(*e->js_, e->options_.topology, "", e->options_.client));
  NatsExecutor* self = e.get();
  ASSIGN_OR_RETURN(e->advisory_sid_,
                   e->conn_->Subscribe(kMaxDeliveriesAdvisory, [self](nats::Message m) {
                     uint64_t seq = ExhaustedJobSeq(m.data);
                     if (seq == 0) return;
                     std::lock_guard<std::mutex> lock(self->mu_);
                     self->advisories_.push_back(seq);
                     self->cv_.notify_all();
                   }));
  e->sender_ = std::thread([self] { self->SenderLoop(); });
  e->receiver_ = std::thread([self] { self->ReceiverLoop(); });
  return e;
}

NatsExecutor::NatsExecutor(NatsExecutorOptions options) : options_(std::move(options)) {}

NatsExecutor::~NatsExecutor() { Shutdown(milliseconds(0)); }

size_t NatsExecutor::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

Status NatsExecutor::Submit(jobs::Job job, Done done) {
  RETURN_IF_ERROR(job.Validate());
  if (!job.model.empty() && ModelId(job.model) != options_.model_id)
    return Status::InvalidArgument("nats executor: job " + job.id + " asks for model '" +
                                   job.model + "'; this bot sends jobs to '" + options_.model_id +
                                   "'");
  std::string key = JobKey(job.id);
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) return Status(Code::kNetwork, "nats executor: shut down");
  if (waiting_.count(key))
    return Status::InvalidArgument("nats executor: job " + job.id + " is already in flight");
  Waiter w;
  w.job = std::move(job);
  w.done = std::move(done);
  w.deadline = Clock::now() + options_.job_deadline;
  waiting_.emplace(key, std::move(w));
  outbox_.push_back(key);
  cv_.notify_all();
  return Status::Ok();
}

bool NatsExecutor::RecoverStored(const std::string& key) {
  auto stored =
      GetLastForSubject(*conn_, kResultsStream, ResultSubject(options_.client, key), kApiTimeout);
  if (!stored.ok() || !stored->has_value()) return false;
  HandleResult((*stored)->msg);
  return true;
}

Status NatsExecutor::PublishJob(const std::string& key) {
  JobEnvelope env;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return Status::Ok();  // answered meanwhile
    env.job = it->second.job;                       // shares the image bytes
  }
  env.reply = ResultSubject(options_.client, key);
  size_t max_payload = static_cast<size_t>(conn_->server_info().max_payload);
  ASSIGN_OR_RETURN(EncodedJob enc, EncodeJob(env, max_payload));
  ASSIGN_OR_RETURN(nats::PubAck ack, js_->PublishRetrying(JobSubject(options_.model_id),
                                                          enc.payload, key, enc.headers));
  if (ack.duplicate) LogDebug("job " + env.job.id + " was already queued");
  return Status::Ok();
}

void NatsExecutor::SenderLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !outbox_.empty() || !advisories_.empty(); });
    if (stop_) return;
    if (!advisories_.empty()) {
      uint64_t seq = advisories_.front();
      advisories_.pop_front();
      lock.unlock();
      Status s =
          FailExhaustedJob(*conn_, *js_, seq, options_.topology.max_deliver, "nats-executor");
      if (!s.ok()) LogWarn("handling an exhausted job: " + s.message());
      lock.lock();
      continue;
    }
    std::string key = outbox_.front();
    outbox_.pop_front();
    lock.unlock();
    Status s;
    if (!RecoverStored(key)) s = PublishJob(key);
    lock.lock();
    if (s.ok()) {
      if (auto it = waiting_.find(key); it != waiting_.end()) it->second.published = true;
      continue;
    }
    auto it = waiting_.find(key);
    if (it == waiting_.end()) continue;
    if (s.code() == Code::kInvalidArgument || s.code() == Code::kTooLarge) {
      // The job itself cannot travel: a final answer, not a retry.
      Done done = std::move(it->second.done);
      waiting_.erase(it);
      idle_cv_.notify_all();
      lock.unlock();
      done(s);
      lock.lock();
      continue;
    }
    // NATS unreachable or no JetStream leader: try again shortly (the job keeps its deadline).
    LogWarn("queueing job " + it->second.job.id + ": " + s.message() + " (retrying)");
    outbox_.push_back(key);
    cv_.wait_for(lock, milliseconds(500), [&] { return stop_; });
  }
}

void NatsExecutor::HandleResult(const nats::Message& msg) {
  std::string_view subject = msg.subject;
  std::string key(subject.substr(subject.rfind('.') + 1));
  auto result = jobs::JobResult::FromJson(msg.data);
  if (!result.ok()) {
    LogWarn("result on " + msg.subject + " is unreadable: " + result.status().message());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;  // not ours any more (or from before a restart)
    if (Status s = jobs::CheckResultMatches(it->second.job, *result); !s.ok()) {
      LogWarn("result on " + msg.subject + " does not answer its job: " + s.message());
      return;
    }
  }
  Deliver(key, std::move(result).value());
}

void NatsExecutor::Deliver(const std::string& key, Result<jobs::JobResult> outcome) {
  Done done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;
    done = std::move(it->second.done);
    waiting_.erase(it);
    idle_cv_.notify_all();
  }
  done(std::move(outcome));
}

void NatsExecutor::ExpireOverdue() {
  std::vector<std::pair<std::string, std::string>> overdue;  // key, job id
  {
    std::lock_guard<std::mutex> lock(mu_);
    Clock::time_point now = Clock::now();
    for (const auto& [key, w] : waiting_)
      if (w.deadline <= now) overdue.emplace_back(key, w.job.id);
  }
  for (const auto& [key, id] : overdue)
    Deliver(key, Status(Code::kTimeout, "no worker for model '" + options_.model_id +
                                            "' answered job " + id + " within " +
                                            std::to_string(options_.job_deadline.count() / 1000) +
                                            " s (see `altscribe fleet`)"));
}

void NatsExecutor::ReceiverLoop() {
  const std::string consumer = ResultsConsumer(options_.client);
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    ExpireOverdue();
    auto batch = js_->Fetch(kResultsStream, consumer, 1, kFetchWait);
    if (!batch.ok()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, milliseconds(250), [&] { return stop_; });
      continue;
    }
    for (const nats::JsMessage& m : *batch) {
      HandleResult(m.msg);
      if (Status s = js_->Ack(m, nats::AckKind::kAck); !s.ok())
        LogDebug("acking result: " + s.message());
    }
  }
}

void NatsExecutor::Shutdown(milliseconds grace) {
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  std::map<std::string, Waiter> cancelled;
  {
    std::unique_lock<std::mutex> lock(mu_);
    accepting_ = false;
    if (grace == kDrainAll)
      idle_cv_.wait(lock, [&] { return waiting_.empty(); });
    else if (grace.count() > 0)
      idle_cv_.wait_for(lock, grace, [&] { return waiting_.empty(); });
    stop_ = true;
    cv_.notify_all();
  }
  if (sender_.joinable()) sender_.join();
  if (receiver_.joinable()) receiver_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled.swap(waiting_);
  }
  for (auto& [key, w] : cancelled)
    w.done(Status(Code::kNetwork, "nats executor: shut down before job " + w.job.id + " finished"));
  if (conn_ && advisory_sid_) (void)conn_->Unsubscribe(advisory_sid_);
  conn_.reset();
}

}  // namespace altscribe::fleet
