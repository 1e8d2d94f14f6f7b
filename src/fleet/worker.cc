#include "fleet/worker.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "fleet/poison.h"
#include "fleet/stream_messages.h"

namespace altscribe::fleet {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kApiTimeout{5000};
constexpr milliseconds kFetchWait{1000};

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "host";
  return host;
}

// ALTSCRIBE_FAULT_POISON (see worker.h): crash like a decoder would on a marked image.
void MaybeCrashOnPoison(const jobs::Job& job) {
  const char* marker = std::getenv("ALTSCRIBE_FAULT_POISON");
  if (!marker || !*marker) return;
  std::string_view m(marker);
  for (const jobs::JobImage& image : job.images) {
    if (!image.bytes) continue;
    std::string_view bytes(reinterpret_cast<const char*>(image.bytes->data()), image.bytes->size());
    if (bytes.find(m) != std::string_view::npos) {
      LogError("fault injection: crashing on a poison image of job " + job.id);
      std::abort();
    }
  }
}

}  // namespace

struct Worker::Shared {
  std::unique_ptr<nats::Connection> conn;
  std::unique_ptr<nats::JetStream> js;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<uint64_t> advisories;  // GUARDED_BY(mu)
};

Worker::Worker(WorkerOptions options, jobs::Executor& executor)
    : options_(std::move(options)), executor_(executor) {
  if (options_.worker_id.empty())
    options_.worker_id = ClientId(HostName() + "-" + std::to_string(getpid()));
  if (options_.capacity < 1) options_.capacity = 1;
}

Worker::~Worker() { RequestStop(); }

void Worker::RequestStop() { stop_ = true; }

Status Worker::Run() {
  started_ms_ = NowMs();
  Shared shared;
  if (options_.server.name.empty()) options_.server.name = "altscribe-worker " + options_.worker_id;
  ASSIGN_OR_RETURN(shared.conn, Connect(options_.server));
  shared.js = std::make_unique<nats::JetStream>(*shared.conn, kApiTimeout);
  RETURN_IF_ERROR(EnsureTopology(*shared.js, options_.topology, options_.model_id, ""));
  Shared* sp = &shared;
  ASSIGN_OR_RETURN(uint64_t sid,
                   shared.conn->Subscribe(kMaxDeliveriesAdvisory, [sp](nats::Message m) {
                     uint64_t seq = ExhaustedJobSeq(m.data);
                     if (seq == 0) return;
                     std::lock_guard<std::mutex> lock(sp->mu);
                     sp->advisories.push_back(seq);
                     sp->cv.notify_all();
                   }));
  LogInfo("worker " + options_.worker_id + " taking jobs for model '" + options_.model_id + "' (" +
          std::to_string(options_.capacity) + " at a time)");
  std::vector<std::thread> slots;
  for (int i = 0; i < options_.capacity; ++i)
    slots.emplace_back([this, &shared] { SlotLoop(shared); });
  HeartbeatLoop(shared);  // returns on stop
  for (std::thread& t : slots) t.join();
  (void)shared.conn->Unsubscribe(sid);
  LogInfo("worker " + options_.worker_id + " stopped after " + std::to_string(done_.load()) +
          " job(s)");
  return Status::Ok();
}

void Worker::HeartbeatLoop(Shared& shared) {
  Heartbeat hb;
  hb.worker = options_.worker_id;
  hb.host = HostName();
  hb.model_id = options_.model_id;
  hb.model = options_.model_name;
  hb.capacity = options_.capacity;
  hb.started_ms = started_ms_;
  const std::string subject = HeartbeatSubject(options_.worker_id);
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    if (std::chrono::steady_clock::now() >= next) {
      hb.in_flight = in_flight_.load();
      hb.done = done_.load();
      hb.failed = failed_.load();
      hb.sent_ms = NowMs();
      (void)shared.conn->Publish(subject, hb.ToJson());
      next += options_.heartbeat_interval;
    }
    uint64_t seq = 0;
    {
      std::unique_lock<std::mutex> lock(shared.mu);
      shared.cv.wait_for(lock, milliseconds(100), [&] { return !shared.advisories.empty(); });
      if (!shared.advisories.empty()) {
        seq = shared.advisories.front();
        shared.advisories.pop_front();
      }
    }
    if (seq != 0) {
      Status s = FailExhaustedJob(*shared.conn, *shared.js, seq, options_.topology.max_deliver,
                                  options_.worker_id);
      if (!s.ok()) LogWarn("handling an exhausted job: " + s.message());
    }
  }
}

void Worker::SlotLoop(Shared& shared) {
  const std::string consumer = JobsConsumer(options_.model_id);
  const milliseconds wip_every = std::max(milliseconds(100), options_.topology.ack_wait / 3);
  while (!stop_) {
    auto batch = shared.js->Fetch(kJobsStream, consumer, 1, kFetchWait);
    if (!batch.ok()) {
      LogDebug("fetching a job: " + batch.status().message());
      std::this_thread::sleep_for(milliseconds(250));
      continue;
    }
    for (const nats::JsMessage& m : *batch) {
      auto env = DecodeJob(m.msg);
      if (!env.ok()) {
        LogWarn("dropping an unreadable job message: " + env.status().message());
        (void)shared.js->Ack(m, nats::AckKind::kTerm);
        continue;
      }
      const jobs::Job& job = env->job;
      // A worker that stored the result and died before acking: the job is done.
      auto stored = GetLastForSubject(*shared.conn, kResultsStream, env->reply, kApiTimeout);
      if (stored.ok() && stored->has_value()) {
        (void)shared.js->AckSync(m, nats::AckKind::kAck);
        continue;
      }
      MaybeCrashOnPoison(job);
      ++in_flight_;
      LogDebug("job " + job.id + " (delivery " + std::to_string(m.delivered) + ")");
      if (const char* ms = std::getenv("ALTSCRIBE_FAULT_JOB_DELAY_MS"); ms && *ms) {
        // Fault injection (see worker.h): a slow job, still reporting progress.
        auto until = std::chrono::steady_clock::now() + milliseconds(std::atoi(ms));
        while (std::chrono::steady_clock::now() < until) {
          (void)shared.js->Ack(m, nats::AckKind::kInProgress);
          std::this_thread::sleep_for(std::min(wip_every, milliseconds(200)));
        }
      }
      std::future<Result<jobs::JobResult>> future = jobs::SubmitFuture(executor_, job);
      while (future.wait_for(wip_every) != std::future_status::ready)
        (void)shared.js->Ack(m, nats::AckKind::kInProgress);
      Result<jobs::JobResult> result = future.get();
      --in_flight_;
      const bool last_try = options_.topology.max_deliver > 0 &&
                            m.delivered >= uint64_t(options_.topology.max_deliver);
      if (!result.ok() && !last_try) {
        LogWarn("job " + job.id + ": " + result.status().message() + " (handing it back)");
        (void)shared.js->NakWithDelay(m, std::chrono::seconds(1) * m.delivered);
        continue;
      }
      jobs::JobResult answer =
          result.ok()
              ? std::move(result).value()
              : FailureResult(job,
                              "the worker could not run this image: " + result.status().message(),
                              options_.worker_id);
      answer.worker = options_.worker_id;
      // Store first, ack after: a crash in between leaves a stored result and a redelivery
      // that only acks (above).
      Status stored_ok;
      for (int attempt = 0; attempt < 120; ++attempt) {
        stored_ok = StoreResult(*shared.js, env->reply, answer);
        if (stored_ok.ok()) break;
        (void)shared.js->Ack(m, nats::AckKind::kInProgress);
        std::this_thread::sleep_for(milliseconds(500));
      }
      if (!stored_ok.ok()) {
        LogWarn("job " + job.id + ": could not store its result: " + stored_ok.message());
        continue;  // unacked: redelivered later
      }
      (void)shared.js->AckSync(m, result.ok() ? nats::AckKind::kAck : nats::AckKind::kTerm);
      if (result.ok())
        ++done_;
      else
        ++failed_;
    }
  }
}

}  // namespace altscribe::fleet
