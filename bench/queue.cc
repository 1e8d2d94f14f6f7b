// bench/queue — what the NATS fleet adds to a job, against the in-process executor (the anchor)
// measured in the same run with the same model.
//
// Per job, one image, the tiny model (or --model/--mmproj), OCR off, jobs one at a time:
//   local: jobs::LocalExecutor in this process;
//   nats:  NatsExecutor → nats-server (started here, loopback, file storage) → one
//          `altscribe worker` process → result stream → back.
// The added overhead of a job is its latency minus the time the executor that ran it spent on
// it (JobResult::timings.total_ms, measured inside the worker's LocalExecutor): queueing,
// message encoding, the JetStream round trips and the result's way back. Printed as p50/p99 for
// both paths, and their difference. Then throughput: all jobs submitted at once, jobs/s with 1
// and 2 workers (capacity 1, --threads each) beside a LocalExecutor with 1 and 2 threads.
//
// Usage: bench/queue [--jobs 200] [--threads 1] [--model M --mmproj P] [--altscribe BIN]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "fleet/nats_executor.h"
#include "image_fixtures.h"
#include "jobs/local_executor.h"
#include "models/test_model.h"
#include "nats/test_server.h"
#include "subprocess.h"
#include "vision/llama_model.h"

namespace {

using namespace altscribe;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5));
  return v[i];
}

int Fail(const std::string& why) {
  std::fprintf(stderr, "bench/queue: error: %s\n", why.c_str());
  return 1;
}

struct Samples {
  std::vector<double> latency_ms, added_ms;
};

jobs::Job MakeJob(const std::string& id, const std::shared_ptr<const std::vector<uint8_t>>& img) {
  jobs::Job job;
  job.id = id;
  jobs::JobImage image;
  image.url = "https://bench.example/" + id.substr(id.rfind('/') + 1);
  image.bytes = img;
  job.images.push_back(image);
  job.max_chars = 200;
  return job;
}

// Jobs one at a time: latency and added overhead of each.
Result<Samples> Sequential(jobs::Executor& ex, const std::string& prefix, int n,
                           const std::shared_ptr<const std::vector<uint8_t>>& img) {
  Samples s;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto r = jobs::SubmitAndWait(ex, MakeJob(prefix + std::to_string(i), img));
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r.ok()) return r.status();
    s.latency_ms.push_back(ms);
    s.added_ms.push_back(ms - r->timings.total_ms);
  }
  return s;
}

// All jobs at once: jobs per second.
Result<double> Burst(jobs::Executor& ex, const std::string& prefix, int n,
                     const std::shared_ptr<const std::vector<uint8_t>>& img) {
  std::vector<std::future<Result<jobs::JobResult>>> fs;
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i)
    fs.push_back(jobs::SubmitFuture(ex, MakeJob(prefix + std::to_string(i), img)));
  for (auto& f : fs) {
    auto r = f.get();
    if (!r.ok()) return r.status();
  }
  return n / std::chrono::duration<double>(Clock::now() - t0).count();
}

void Row(const char* name, const Samples& s) {
  std::printf("%-34s %9.2f %9.2f %11.3f %11.3f\n", name, Percentile(s.latency_ms, 50),
              Percentile(s.latency_ms, 99), Percentile(s.added_ms, 50), Percentile(s.added_ms, 99));
}

}  // namespace

int main(int argc, char** argv) {
  int jobs_n = 200, threads = 1;
  std::string model, mmproj, bin = ALTSCRIBE_BIN_DEFAULT;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--jobs")
      jobs_n = std::atoi(next().c_str());
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--model")
      model = next();
    else if (a == "--mmproj")
      mmproj = next();
    else if (a == "--altscribe")
      bin = next();
    else
      return Fail("unknown argument " + a + " (see the comment at the top of bench/queue.cc)");
  }
  if (jobs_n < 10 || threads < 1) return Fail("--jobs must be at least 10, --threads at least 1");
  std::string tmp =
      (std::filesystem::temp_directory_path() / ("altscribe-queue-" + std::to_string(getpid())))
          .string();
  std::filesystem::create_directories(tmp);
  if (model.empty()) {
    if (Status s = models::WriteTestModel(tmp, models::TestModelPreset::kTiny); !s.ok())
      return Fail(s.message());
    model = tmp + "/model.gguf";
    mmproj = tmp + "/mmproj.gguf";
  }
  nats::testing::NatsServer server;
  if (!server.status().ok()) return Fail("nats-server: " + server.status().message());

  auto img = std::make_shared<const std::vector<uint8_t>>(testing::MakeJpeg(320, 240));
  vision::LlamaModelOptions lo{.model_path = model, .mmproj_path = mmproj, .n_threads = threads};
  auto loaded = vision::LlamaVisionModel::Load(lo);
  if (!loaded.ok()) return Fail(loaded.status().message());
  std::printf(
      "model: %s, %d thread(s) per executor; %d jobs of one %zu-byte JPEG; "
      "nats-server %s\n\n",
      (*loaded)->Name().c_str(), threads, jobs_n, img->size(), server.url().c_str());

  // Anchor: in-process.
  Samples local;
  double local_1 = 0, local_2 = 0;
  {
    jobs::LocalExecutor ex(**loaded, {.threads = 1});
    (void)Sequential(ex, "at://bench/local-warm/", 5, img);
    auto s = Sequential(ex, "at://bench/local/", jobs_n, img);
    if (!s.ok()) return Fail(s.status().message());
    local = *s;
    auto b = Burst(ex, "at://bench/local-burst1/", jobs_n, img);
    if (!b.ok()) return Fail(b.status().message());
    local_1 = *b;
  }
  {
    jobs::LocalExecutor ex(**loaded, {.threads = 2});
    auto b = Burst(ex, "at://bench/local-burst2/", jobs_n, img);
    if (!b.ok()) return Fail(b.status().message());
    local_2 = *b;
  }
  loaded->reset();

  // The fleet: real worker processes.
  auto start_worker = [&](const std::string& id) {
    std::vector<std::string> argv = {bin,
                                     "worker",
                                     "--nats",
                                     server.url(),
                                     "--model",
                                     model,
                                     "--mmproj",
                                     mmproj,
                                     "--model-id",
                                     "bench",
                                     "--worker-id",
                                     id,
                                     "--ocr=false",
                                     "--threads",
                                     std::to_string(threads),
                                     "--supervise=false"};
    return std::make_unique<testing::BackgroundProcess>(argv, std::vector<std::string>{},
                                                        tmp + "/" + id + ".log");
  };
  fleet::NatsExecutorOptions no;
  no.server.urls = server.url();
  no.model_id = "bench";
  no.client = "bench";
  no.job_deadline = std::chrono::seconds(120);
  auto ex = fleet::NatsExecutor::Start(no);
  if (!ex.ok()) return Fail(ex.status().message());
  Samples fleet_seq;
  double fleet_1 = 0, fleet_2 = 0;
  {
    auto w1 = start_worker("w1");
    auto warm = Sequential(**ex, "at://bench/nats-warm/", 5, img);  // waits for the model load
    if (!warm.ok()) return Fail("warm-up: " + warm.status().message());
    auto s = Sequential(**ex, "at://bench/nats/", jobs_n, img);
    if (!s.ok()) return Fail(s.status().message());
    fleet_seq = *s;
    auto b = Burst(**ex, "at://bench/nats-burst1/", jobs_n, img);
    if (!b.ok()) return Fail(b.status().message());
    fleet_1 = *b;
    auto w2 = start_worker("w2");
    auto warm2 = Burst(**ex, "at://bench/nats-warm2/", 20, img);
    if (!warm2.ok()) return Fail(warm2.status().message());
    auto b2 = Burst(**ex, "at://bench/nats-burst2/", jobs_n, img);
    if (!b2.ok()) return Fail(b2.status().message());
    fleet_2 = *b2;
  }
  (*ex)->Shutdown(std::chrono::milliseconds(0));

  std::printf("%-34s %9s %9s %11s %11s\n", "one job at a time", "p50 ms", "p99 ms", "added p50",
              "added p99");
  Row("local (in-process, anchor)", local);
  Row("nats (1 worker process)", fleet_seq);
  double added50 = Percentile(fleet_seq.added_ms, 50) - Percentile(local.added_ms, 50);
  double added99 = Percentile(fleet_seq.added_ms, 99) - Percentile(local.added_ms, 99);
  std::printf("\nadded by the fleet per job: p50 %.3f ms, p99 %.3f ms (target: p50 <= 5 ms)\n\n",
              added50, added99);
  std::printf("%-34s %9s %12s\n", "all jobs at once", "jobs/s", "vs local");
  std::printf("%-34s %9.1f %12s\n", "local, 1 thread (anchor)", local_1, "1.00x");
  std::printf("%-34s %9.1f %11.2fx\n", "nats, 1 worker", fleet_1, fleet_1 / local_1);
  std::printf("%-34s %9.1f %12s\n", "local, 2 threads (anchor)", local_2, "1.00x");
  std::printf("%-34s %9.1f %11.2fx\n", "nats, 2 workers", fleet_2, fleet_2 / local_2);
  std::filesystem::remove_all(tmp);
  return 0;
}
