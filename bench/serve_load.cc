// bench/serve_load — `altscribe serve` under 200 concurrent requests, with the tiny model.
//
// Starts the altscribe binary (beside this one's build tree) on a free loopback port, then:
//   1. anchor: the same image described 200 times in this process through vision::Describer
//      with the same model and token limit — the work the server cannot avoid;
//   2. anchor: 200 concurrent GET /healthz — the HTTP round trip alone;
//   3. three rounds of 200 concurrent POST /v1/describe (multipart upload of one 640x480 JPEG),
//      each on its own connection; every answer must be 200 with alt text.
// Prints p50/p90/p99/max latency, wall time, images/s, the ratio to the in-process anchor, and
// the server's RSS (VmRSS from /proc) before and after each round: memory must stay flat.
// Exit status 1 when any request failed.
//
//   build/bench/serve_load [--requests 200] [--rounds 3] [--http-threads 8] [--max-tokens 16]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "image_fixtures.h"
#include "models/test_model.h"
#include "subprocess.h"
#include "vision/describe.h"
#include "vision/llama_model.h"

namespace {

using namespace altscribe;
namespace t = altscribe::testing;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Round {
  std::vector<double> ms;
  int failed = 0;
  double wall_ms = 0;
  std::string first_failure;
};

// `n` requests at once, one thread and one connection each, released together.
Round Concurrent(int n, const http::Request& request) {
  Round r;
  r.ms.resize(n);
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  std::atomic<bool> go{false};
  std::mutex mu;
  http::Limits limits;
  limits.timeout = std::chrono::seconds(300);
  limits.connect_timeout = std::chrono::seconds(30);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto start = Clock::now();
      auto resp = http::Send(request, limits);
      r.ms[i] = Ms(Clock::now() - start);
      bool ok = resp.ok() && resp->status == 200;
      if (ok && request.method == "POST") {
        auto j = nlohmann::json::parse(resp->body, nullptr, false);
        ok = j.is_object() && j["images"][0]["alt"].is_string();
      }
      if (!ok) {
        ++failed;
        std::lock_guard<std::mutex> l(mu);
        if (r.first_failure.empty()) {
          r.first_failure =
              resp.ok() ? std::to_string(resp->status) + " " + resp->body : resp.status().message();
        }
      }
    });
  }
  auto start = Clock::now();
  go = true;
  for (auto& th : threads) th.join();
  r.wall_ms = Ms(Clock::now() - start);
  r.failed = failed;
  return r;
}

void PrintRow(const char* what, const Round& r, int n) {
  std::printf("%-44s %7.1f %7.1f %7.1f %7.1f %8.0f %7.1f %6d\n", what, Percentile(r.ms, 0.5),
              Percentile(r.ms, 0.9), Percentile(r.ms, 0.99), Percentile(r.ms, 1.0), r.wall_ms,
              n * 1000.0 / r.wall_ms, r.failed);
}

int Fail(const std::string& m) {
  std::fprintf(stderr, "serve_load: %s\n", m.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 200, rounds = 3, threads = 8, max_tokens = 16;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() { return i + 1 < argc ? std::stoi(argv[++i]) : 0; };
    if (a == "--requests")
      requests = next();
    else if (a == "--rounds")
      rounds = next();
    else if (a == "--http-threads")
      threads = next();
    else if (a == "--max-tokens")
      max_tokens = next();
    else
      return Fail("unknown argument " + a);
  }
  namespace fs = std::filesystem;
  std::string tmp =
      (fs::temp_directory_path() / ("altscribe-serve-load-" + std::to_string(getpid()))).string();
  if (Status s = models::WriteTestModel(tmp, models::TestModelPreset::kTiny); !s.ok()) {
    return Fail(s.message());
  }
  const std::string model = tmp + "/model.gguf", mmproj = tmp + "/mmproj.gguf";
  const std::vector<uint8_t> jpeg = t::MakeJpeg(640, 480);

  // 1. Anchor: the same describes in this process, one after another (run again after the
  // rounds; the better of the two is used, as other work on the machine slows either).
  auto anchor = [&]() -> Result<double> {
    auto m = vision::LlamaVisionModel::Load(
        {.model_path = model, .mmproj_path = mmproj, .n_threads = 2, .n_ctx = 2048});
    if (!m.ok()) return m.status();
    // The same work as the server: it reads the text in every image too (--ocr, the default).
    auto ocr = ocr::OcrEngine::Create();
    if (!ocr.ok()) return ocr.status();
    vision::DescribeOptions o;
    o.max_tokens = max_tokens;
    o.ocr = ocr->get();
    vision::Describer d(**m, o);
    d.DescribeBytes("warm", jpeg);
    auto start = Clock::now();
    for (int i = 0; i < requests; ++i) {
      auto r = d.DescribeBytes("anchor", jpeg);
      if (!r.error.ok()) return Status::Model("anchor describe failed: " + r.error.message());
    }
    return Ms(Clock::now() - start);
  };
  auto anchor_before = anchor();
  if (!anchor_before.ok()) return Fail(anchor_before.status().message());

  // 2. The server.
  fs::path self = fs::canonical("/proc/self/exe");
  std::string bin = (self.parent_path().parent_path() / "altscribe").string();
  int port = t::FreeLoopbackPort();
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  t::BackgroundProcess server(
      {bin, "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--model", model, "--mmproj",
       mmproj, "--threads", "2", "--http-threads", std::to_string(threads), "--max-tokens",
       std::to_string(max_tokens), "--ctx", "2048", "--ip-rate", "0"},
      {}, tmp + "/serve.log");
  bool ready = false;
  for (int i = 0; i < 600 && !ready && server.running(); ++i) {
    auto r = http::Get(base + "/healthz", {});
    ready = r.ok() && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!ready) return Fail("the server did not become ready; see " + tmp + "/serve.log");

  http::Request health;
  health.url = base + "/healthz";
  http::Request describe;
  describe.method = "POST";
  describe.url = base + "/v1/describe";
  const std::string boundary = "serve-load-boundary";
  describe.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
  describe.body = "--" + boundary +
                  "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.jpg\"\r\n"
                  "Content-Type: image/jpeg\r\n\r\n" +
                  std::string(jpeg.begin(), jpeg.end()) + "\r\n--" + boundary + "--\r\n";
  Concurrent(8, describe);  // warm up
  std::printf("altscribe serve, tiny model, %d tokens, %d HTTP threads, 640x480 JPEG uploads\n",
              max_tokens, threads);
  std::printf("%-44s %7s %7s %7s %7s %8s %7s %6s\n", "latency ms", "p50", "p90", "p99", "max",
              "wall", "req/s", "failed");
  Round h = Concurrent(requests, health);
  PrintRow(("GET /healthz, " + std::to_string(requests) + " at once (anchor)").c_str(), h,
           requests);
  int failed = h.failed;
  std::vector<long> rss = {RssKb(server.pid())};
  std::vector<Round> results;
  for (int k = 0; k < rounds; ++k) {
    Round r = Concurrent(requests, describe);
    rss.push_back(RssKb(server.pid()));
    failed += r.failed;
    if (r.failed) std::fprintf(stderr, "first failure: %s\n", r.first_failure.c_str());
    PrintRow(("POST /v1/describe, " + std::to_string(requests) + " at once, round " +
              std::to_string(k + 1))
                 .c_str(),
             r, requests);
    results.push_back(std::move(r));
  }
  auto anchor_after = anchor();
  if (!anchor_after.ok()) return Fail(anchor_after.status().message());
  const double anchor_ms = std::min(*anchor_before, *anchor_after);
  std::printf(
      "in-process Describer, %d in a row (anchor): wall %.0f ms before, %.0f ms after "
      "the rounds; best %.1f images/s\n",
      requests, *anchor_before, *anchor_after, requests * 1000.0 / anchor_ms);
  double best_wall = results[0].wall_ms;
  for (const auto& r : results) best_wall = std::min(best_wall, r.wall_ms);
  std::printf("ratio server wall (best round) / in-process wall (best): %.2f\n",
              best_wall / anchor_ms);
  std::printf("server RSS, MB: before %.1f", rss[0] / 1024.0);
  for (size_t i = 1; i < rss.size(); ++i) std::printf(", after round %zu %.1f", i, rss[i] / 1024.0);
  std::printf("  (growth rounds 1->%d: %+.1f MB)\n", rounds, (rss.back() - rss[1]) / 1024.0);
  std::printf("failed requests: %d\n", failed);
  fs::remove_all(tmp);
  return failed ? 1 : 0;
}
