// altscribe worker — a fleet worker (NATS JetStream) or one batch job (Bacalhau); and
// altscribe fleet — the workers that are alive and the jobs waiting for each model.
#include <signal.h>
#include <algorithm>

#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/executor_flags.h"
#include "cli/flags.h"
#include "cli/model_flags.h"
#include "core/files.h"
#include "core/log.h"
#include "fleet/supervisor.h"
#include "fleet/worker.h"
#include "jobs/local_executor.h"
#include "nats/jetstream.h"

namespace altscribe::cli {
namespace {

constexpr const char* kWorkerHelp =
    R"(Usage: altscribe worker --nats URL[,URL...] --model M.gguf --mmproj P.gguf [options]
       altscribe worker --job JOB.json --out RESULT.json --model M.gguf --mmproj P.gguf

With --nats, joins a fleet: loads the model once, then takes jobs for it from NATS JetStream
(the stream ALTSCRIBE_JOBS, consumer jobs-<model id>) and stores each result before
acknowledging the job, so a worker that dies mid-job only delays it: another worker takes it.
Run any number of workers on any number of machines; bots send jobs with --executor nats
--fleet-model <model id>. The worker process restarts itself after a crash (SIGSEGV, SIGABRT,
SIGKILL) and stops cleanly on SIGTERM or Ctrl-C after finishing the jobs in hand. Heartbeats
(altscribe fleet lists them) go out every 2 seconds.

With --job, runs one job (the JSON of a Job, as a Bacalhau batch job carries it) and writes the
JobResult JSON to --out and to stdout: exit 0 when a result was written (even if some images
failed), 1 when the job could not run.

Options:
)";

constexpr const char* kFleetHelp =
    R"(Usage: altscribe fleet --nats URL[,URL...] [--wait-ms 2500] [--json]

Lists the workers whose heartbeats arrive within --wait-ms (worker, host, model id, capacity,
jobs in hand, done, failed) and, per model, the jobs waiting and being worked on.

Options:
)";

struct WorkerArgs {
  ModelFlags model;
  NatsFlags nats;
  std::string model_id, worker_id, job, out;
  int64_t capacity = 1;
  bool allow_private_fetch = false;
  bool supervise = true;
};

// The model, the OCR engine and the executor holding them, as --model/--ocr/--capacity say.
struct Engine {
  std::unique_ptr<vision::VisionModel> model;
  std::unique_ptr<ocr::OcrEngine> ocr;
  std::unique_ptr<jobs::LocalExecutor> executor;
  ~Engine() {
    if (executor) executor->Shutdown(std::chrono::seconds(30));
  }
};

Result<std::unique_ptr<Engine>> LoadEngine(const WorkerArgs& a) {
  auto e = std::make_unique<Engine>();
  ASSIGN_OR_RETURN(e->model, LoadModel(a.model, nullptr));
  ASSIGN_OR_RETURN(e->ocr, LoadOcr(a.model));
  jobs::LocalExecutorOptions eo;
  eo.threads = static_cast<int>(a.capacity);
  eo.ocr = e->ocr.get();
  eo.fetch.limits.http.block_private_addresses = !a.allow_private_fetch;
  eo.fetch.limits.http.allow_loopback = a.allow_private_fetch;
  e->executor = std::make_unique<jobs::LocalExecutor>(*e->model, eo);
  return e;
}

int RunOneJob(const WorkerArgs& a) {
  auto text = ReadFileBytes(a.job, jobs::kMaxJobJsonBytes);
  if (!text.ok()) {
    PrintError("worker", "--job: " + text.status().message());
    return 1;
  }
  auto job = jobs::Job::FromJson(
      std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
  if (!job.ok()) {
    PrintError("worker", a.job + ": " + job.status().message());
    return 1;
  }
  auto engine = LoadEngine(a);
  if (!engine.ok()) {
    PrintError("worker", engine.status().message());
    return 1;
  }
  jobs::LocalExecutor& executor = *(*engine)->executor;
  auto result = jobs::SubmitAndWait(executor, *job);
  if (!result.ok()) {
    PrintError("worker", "job " + job->id + ": " + result.status().message());
    return 1;
  }
  std::string json = result->ToJsonText() + "\n";
  if (Status s = WriteFileAtomic(a.out, json.data(), json.size()); !s.ok()) {
    PrintError("worker", "--out: " + s.message());
    return 1;
  }
  std::fputs(json.c_str(), stdout);
  return 0;
}

// The child process of the supervisor: load the model and work until SIGTERM.
int RunFleetWorker(const WorkerArgs& a, const fleet::NatsServer& server) {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  auto engine = LoadEngine(a);
  if (!engine.ok()) {
    PrintError("worker", engine.status().message());
    return 1;
  }
  jobs::LocalExecutor& executor = *(*engine)->executor;
  const vision::VisionModel& model = *(*engine)->model;
  fleet::WorkerOptions wo;
  wo.server = server;
  wo.model_id = a.model_id.empty() ? fleet::ModelId(model.Name()) : fleet::ModelId(a.model_id);
  wo.model_name = model.Name();
  wo.worker_id = a.worker_id;
  wo.capacity = static_cast<int>(a.capacity);
  wo.topology = TopologyFrom(a.nats);
  fleet::Worker worker(wo, executor);
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    LogInfo(std::string("got ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ", finishing the jobs in hand");
    worker.RequestStop();
  });
  Status s = worker.Run();
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  if (!s.ok()) {
    PrintError("worker", s.message());
    return 1;
  }
  return 0;
}

}  // namespace

int RunWorker(const std::vector<std::string>& argv) {
  WorkerArgs a;
  FlagSet flags("worker");
  AddNatsFlags(flags, &a.nats);
  flags.String("model-id", &a.model_id,
               "the model id this worker announces and takes jobs for (default: from the "
               "model's name; bots use it as --fleet-model)",
               "ID");
  flags.String("worker-id", &a.worker_id, "this worker's name (default <host>-<pid>)", "NAME");
  flags.Int("capacity", &a.capacity, "jobs worked on at once (1; at least K with --batch K)");
  flags.String("job", &a.job, "run this one Job JSON file and exit (batch mode)", "FILE");
  flags.String("out", &a.out, "batch mode: where the JobResult JSON goes", "FILE");
  flags.Bool("allow-private-fetch", &a.allow_private_fetch,
             "fetch image URLs from loopback addresses (local test networks only)");
  flags.Bool("supervise", &a.supervise,
             "restart the worker process after a crash (default true; --supervise=false to "
             "run it directly)");
  AddModelFlags(flags, &a.model);
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("worker", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s%s", kWorkerHelp, flags.Usage().c_str());
    return 0;
  }
  if (!rest.empty()) {
    PrintError("worker", "unexpected argument '" + rest[0] + "' (see altscribe worker --help)");
    return 2;
  }
  if (Status s = CheckModelFlags(a.model); !s.ok()) {
    PrintError("worker", s.message());
    return 2;
  }
  if (a.capacity < 1 || a.capacity > 256) {
    PrintError("worker", "--capacity must be between 1 and 256");
    return 2;
  }
  // A batch engine of K sequences is only fed when K jobs are in hand at once.
  a.capacity = std::max(a.capacity, a.model.batch);
  if (!a.job.empty() || !a.out.empty()) {
    if (a.job.empty() || a.out.empty() || !a.nats.urls.empty()) {
      PrintError("worker", "batch mode needs both --job FILE and --out FILE, and no --nats");
      return 2;
    }
    return RunOneJob(a);
  }
  if (a.nats.urls.empty()) {
    PrintError("worker",
               "--nats URL (fleet mode) or --job FILE --out FILE (batch mode) is "
               "required (see altscribe worker --help)");
    return 2;
  }
  if (a.nats.ack_wait_ms < 300 || a.nats.max_deliver < 1) {
    PrintError("worker", "--ack-wait-ms must be at least 300 and --max-deliver at least 1");
    return 2;
  }
  auto server = NatsServerFrom(a.nats, "altscribe-worker");
  if (!server.ok()) {
    PrintError("worker", server.status().message());
    return 1;
  }
  if (!a.supervise) return RunFleetWorker(a, *server);
  return fleet::Supervise([&] { return RunFleetWorker(a, *server); });
}

int RunFleet(const std::vector<std::string>& argv) {
  NatsFlags nats;
  int64_t wait_ms = 2500;
  bool json = false;
  FlagSet flags("fleet");
  AddNatsFlags(flags, &nats);
  flags.Int("wait-ms", &wait_ms, "how long to listen for heartbeats (2500)");
  flags.Bool("json", &json, "one JSON object per worker, then one per model queue");
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("fleet", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s%s", kFleetHelp, flags.Usage().c_str());
    return 0;
  }
  if (nats.urls.empty()) {
    PrintError("fleet", "--nats URL is required (see altscribe fleet --help)");
    return 2;
  }
  auto server = NatsServerFrom(nats, "altscribe-fleet");
  if (!server.ok()) {
    PrintError("fleet", server.status().message());
    return 1;
  }
  auto conn = fleet::Connect(*server);
  if (!conn.ok()) {
    PrintError("fleet", conn.status().message());
    return 1;
  }
  std::mutex mu;
  std::map<std::string, fleet::Heartbeat> seen;
  auto sid = (*conn)->Subscribe("altscribe.workers.>", [&](nats::Message m) {
    auto hb = fleet::Heartbeat::FromJson(m.data);
    if (!hb.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    seen[hb->worker] = *hb;
  });
  if (!sid.ok()) {
    PrintError("fleet", sid.status().message());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  (void)(*conn)->Unsubscribe(*sid);
  std::map<std::string, fleet::Heartbeat> workers;
  {
    std::lock_guard<std::mutex> lock(mu);
    workers = seen;
  }
  nats::JetStream js(**conn);
  std::map<std::string, nats::ConsumerState> queues;
  for (const auto& [id, hb] : workers) {
    if (queues.count(hb.model_id)) continue;
    auto c = js.GetConsumer(fleet::kJobsStream, fleet::JobsConsumer(hb.model_id));
    if (c.ok()) queues[hb.model_id] = *c;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (json) {
    for (const auto& [id, hb] : workers) std::printf("%s\n", hb.ToJson().c_str());
    for (const auto& [model, c] : queues)
      std::printf("{\"model_id\":\"%s\",\"waiting\":%llu,\"working\":%llu}\n", model.c_str(),
                  static_cast<unsigned long long>(c.num_pending),
                  static_cast<unsigned long long>(c.num_ack_pending));
    return 0;
  }
  if (workers.empty()) {
    std::printf("no worker heartbeats in %lld ms on %s\n", static_cast<long long>(wait_ms),
                nats.urls.c_str());
    return 0;
  }
  std::printf("%-24s %-16s %-20s %8s %9s %8s %7s %10s\n", "WORKER", "HOST", "MODEL", "CAPACITY",
              "IN-FLIGHT", "DONE", "FAILED", "LAST SEEN");
  for (const auto& [id, hb] : workers)
    std::printf("%-24s %-16s %-20s %8d %9d %8llu %7llu %8.1f s\n", id.c_str(), hb.host.c_str(),
                hb.model_id.c_str(), hb.capacity, hb.in_flight,
                static_cast<unsigned long long>(hb.done),
                static_cast<unsigned long long>(hb.failed), (now - hb.sent_ms) / 1000.0);
  for (const auto& [model, c] : queues)
    std::printf("queue %s: %llu waiting, %llu being worked on\n", model.c_str(),
                static_cast<unsigned long long>(c.num_pending),
                static_cast<unsigned long long>(c.num_ack_pending));
  return 0;
}

}  // namespace altscribe::cli
