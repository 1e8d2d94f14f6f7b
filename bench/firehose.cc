// bench/firehose — frames per second on one core for the firehose intake's CPU work, beside the
// atproto team's own Node libraries doing the same work on the same frames.
//
// Per frame (a com.atproto.sync.subscribeRepos WebSocket message): FrameParser (header and body,
// strict DAG-CBOR), then for #commit the mention filter (firehose/mentions.h): CAR v1 read with
// every block's sha-256 checked against its CID, post records holding a bot DID's bytes decoded,
// mention facets and post deletions collected. Two C++ modes:
//   strict  every commit's CAR is read and every block hashed (MentionFilter verify_every_commit):
//           the "decode + CAR + block hash check + mention filter", the headline number
//   fast    the filter as the bot runs it: CARs read only for commits that create posts
// The anchor, in the same run on the same corpus file: bench/firehose_node/reference.mjs
// (@atproto/xrpc-server's Frame.fromBytes, the subscribeRepos lexicon validation the Firehose
// does, @atproto/sync's parseCommitUnauthenticated → @atproto/repo's readCar with CID checks and
// cborToLexRecord, the same mention filter in JS), with and without the lexicon validation; the
// ratio is taken against the faster of the two.
//
// Corpora (4-byte little-endian length, frame — see bench/firehose_node/record.mjs):
//   recorded   --corpus FILE (repeatable): real frames recorded from the local network (FILE.json
//              names the bot DID and the mentions planted; any corpus with such a file will do)
//   synthetic  --synthetic N frames made by firehose/test_commits.h NetworkLikeCommit (~10 blocks,
//              ~5 KB, the live network's mix of ops; one post in 10 mentions the bot), written
//              to --synthetic-out FILE (+ FILE.json) for the Node side
// Each corpus is held in memory; one warm-up pass, then whole passes until --seconds (default 3)
// are spent, on this one thread. frames/cpu-s divides by the process's CPU time (the per-core
// rate, fair on a shared machine; Node's includes its GC threads), frames/s by wall time. Peak RSS
// (VmHWM) is printed after the warm-up and at the end: streaming allocates nothing per frame once
// the buffers have grown, so it stays flat.
//
// A program, not a test: it asserts nothing about the speed. Exit 0 after the table; 1 with one
// line on stderr on failure (a frame the C++ side refuses, or C++ and Node disagreeing on the
// mentions found, is a failure). Options: --corpus FILE  --synthetic N (default 20000; 0: none)
// --synthetic-out FILE  --node DIR (the install.sh directory; without it the Node side is skipped)
// --seconds S
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "firehose/car.h"
#include "firehose/frame.h"
#include "firehose/mentions.h"
#include "firehose/test_commits.h"

namespace {

using namespace altscribe;
using namespace altscribe::firehose;
using Clock = std::chrono::steady_clock;

const std::string kSyntheticBot = "did:plc:synthbot22222222222222222";

[[noreturn]] void Die(const std::string& msg) {
  fprintf(stderr, "bench/firehose: %s\n", msg.c_str());
  exit(1);
}

struct Corpus {
  std::string name, path, bot_did;
  std::vector<uint8_t> data;
  std::vector<std::span<const uint8_t>> frames;
  int planted = -1;  // mentions the recorder planted (recorded corpus)
  size_t bytes() const { return data.size() - 4 * frames.size(); }
};

void Index(Corpus* c) {
  for (size_t off = 0; off + 4 <= c->data.size();) {
    uint32_t len;
    memcpy(&len, &c->data[off], 4);  // little-endian hosts only, like the corpus files
    if (off + 4 + len > c->data.size()) Die(c->path + ": truncated at byte " + std::to_string(off));
    c->frames.emplace_back(&c->data[off + 4], len);
    off += 4 + len;
  }
  if (c->frames.empty()) Die(c->path + ": no frames");
}

Corpus LoadCorpus(const std::string& path) {
  Corpus c;
  c.path = path;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) Die(path + ": cannot open");
  c.data.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(c.data.data()), static_cast<std::streamsize>(c.data.size()));
  if (!in) Die(path + ": cannot read");
  std::ifstream meta_in(path + ".json");
  auto meta = nlohmann::json::parse(meta_in, nullptr, false);
  if (!meta.is_object() || !meta["botDid"].is_string()) Die(path + ".json: no botDid");
  c.bot_did = meta["botDid"];
  c.name = meta.value("name", "recorded");
  c.planted = meta.value("mentions", -1);
  Index(&c);
  return c;
}

Corpus MakeSynthetic(size_t n, const std::string& out) {
  Corpus c;
  c.name = "synthetic";
  c.path = out;
  c.bot_did = kSyntheticBot;
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> f = testing::NetworkLikeCommit(i, kSyntheticBot);
    uint32_t len = static_cast<uint32_t>(f.size());
    const auto* p = reinterpret_cast<const uint8_t*>(&len);
    c.data.insert(c.data.end(), p, p + 4);
    c.data.insert(c.data.end(), f.begin(), f.end());
  }
  std::ofstream(out, std::ios::binary)
      .write(reinterpret_cast<const char*>(c.data.data()),
             static_cast<std::streamsize>(c.data.size()));
  std::ofstream(out + ".json") << nlohmann::json{{"botDid", c.bot_did}, {"name", c.name}} << "\n";
  Index(&c);
  return c;
}

double PeakRssMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct PassCounts {
  uint64_t mentions = 0, deletions = 0, commits = 0, blocks = 0;
};

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Run {
  double frames_per_s = 0, frames_per_cpu_s = 0, mb_per_s = 0, rss_warm_mb = 0, rss_end_mb = 0;
  PassCounts per_pass;
  MentionFilter::Counters counters;
  int passes = 0;
};

Run RunCpp(const Corpus& c, bool strict, double seconds) {
  FrameParser parser;
  MentionFilter filter({c.bot_did}, {.verify_every_commit = strict});
  CommitEvents events;
  auto pass = [&]() {
    PassCounts n;
    for (const auto& bytes : c.frames) {
      auto frame = parser.Parse(bytes);
      if (!frame.ok()) Die(c.name + ": " + frame.status().message());
      const auto* commit = std::get_if<CommitMessage>(&*frame);
      if (commit == nullptr) continue;
      ++n.commits;
      Status st = filter.Scan(*commit, &events);
      if (!st.ok()) Die(c.name + ": " + st.message());
      n.mentions += events.mentions.size();
      n.deletions += events.deletions.size();
      events.clear();
    }
    return n;
  };
  Run r;
  r.per_pass = pass();  // warm-up
  r.rss_warm_mb = PeakRssMb();
  auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  double elapsed = 0;
  do {
    pass();
    ++r.passes;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  r.frames_per_s = static_cast<double>(c.frames.size()) * r.passes / elapsed;
  r.frames_per_cpu_s = static_cast<double>(c.frames.size()) * r.passes / (CpuSeconds() - cpu_start);
  r.mb_per_s = static_cast<double>(c.bytes()) * r.passes / elapsed / (1 << 20);
  r.rss_end_mb = PeakRssMb();
  r.counters = filter.counters();
  return r;
}

std::optional<nlohmann::json> RunNode(const std::string& dir, const Corpus& c, double seconds,
                                      bool validate) {
  std::string cmd = "'" + dir + "/node' '" + dir + "/reference.mjs' --corpus '" + c.path +
                    "' --bot-did '" + c.bot_did + "' --seconds " + std::to_string(seconds) +
                    (validate ? "" : " --no-validate");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) Die("cannot run " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) Die("the Node reference failed: " + cmd);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (!j.is_object()) Die("the Node reference printed no JSON: " + out);
  return j;
}

// Blocks per commit and bytes per frame, for the corpus line.
void Describe(const Corpus& c) {
  FrameParser parser;
  size_t commits = 0, blocks = 0;
  for (const auto& bytes : c.frames) {
    auto frame = parser.Parse(bytes);
    const auto* commit = frame.ok() ? std::get_if<CommitMessage>(&*frame) : nullptr;
    if (commit == nullptr) continue;
    ++commits;
    auto car = CarReader::Open(commit->blocks);
    if (car.ok()) (void)car->ForEach([&](const CarBlock&) { ++blocks; });
  }
  printf("\n== %s corpus: %zu frames (%zu commits), %.0f bytes/frame, %.1f blocks/commit, bot %s\n",
         c.name.c_str(), c.frames.size(), commits, static_cast<double>(c.bytes()) / c.frames.size(),
         commits ? static_cast<double>(blocks) / commits : 0.0, c.bot_did.c_str());
  printf("   %s\n", c.path.c_str());
}

void Bench(const Corpus& c, const std::string& node_dir, double seconds) {
  Describe(c);
  Run strict = RunCpp(c, true, seconds);
  Run fast = RunCpp(c, false, seconds);
  printf("%-34s %12s %12s %9s %9s %10s %20s\n", "", "frames/cpu-s", "frames/s", "MB/s", "mentions",
         "deletions", "peak RSS warm→end");
  auto row = [](const char* name, double fpcs, double fps, double mbs, uint64_t m, uint64_t d,
                double r0, double r1) {
    printf("%-34s %12.0f %12.0f %9.1f %9llu %10llu %10.1f → %5.1f MB\n", name, fpcs, fps, mbs,
           static_cast<unsigned long long>(m), static_cast<unsigned long long>(d), r0, r1);
  };
  row("C++ strict (every CAR hashed)", strict.frames_per_cpu_s, strict.frames_per_s,
      strict.mb_per_s, strict.per_pass.mentions, strict.per_pass.deletions, strict.rss_warm_mb,
      strict.rss_end_mb);
  row("C++ fast (post CARs only)", fast.frames_per_cpu_s, fast.frames_per_s, fast.mb_per_s,
      fast.per_pass.mentions, fast.per_pass.deletions, fast.rss_warm_mb, fast.rss_end_mb);
  uint64_t passes = static_cast<uint64_t>(fast.passes) + 1;
  printf("%-34s records decoded %llu of %llu commits per pass, CARs read %llu\n",
         "  fast path:", static_cast<unsigned long long>(fast.counters.records_decoded / passes),
         static_cast<unsigned long long>(fast.counters.commits / passes),
         static_cast<unsigned long long>(fast.counters.cars_read / passes));
  if (c.planted >= 0 && static_cast<uint64_t>(c.planted) != strict.per_pass.mentions) {
    Die(c.name + ": the recorder planted " + std::to_string(c.planted) + " mentions, C++ found " +
        std::to_string(strict.per_pass.mentions));
  }
  if (node_dir.empty()) return;
  double best = 0, best_cpu = 0;
  for (bool validate : {true, false}) {
    auto j = RunNode(node_dir, c, seconds, validate);
    double fps = (*j)["framesPerSec"], fpcs = (*j)["framesPerCpuSec"];
    best = std::max(best, fps);
    best_cpu = std::max(best_cpu, fpcs);
    uint64_t m = (*j)["perPass"]["mentions"], d = (*j)["perPass"]["deletions"];
    row(validate ? "Node @atproto/sync (validating)" : "Node @atproto/sync (no lexicon)", fpcs, fps,
        (*j)["mbPerSec"].get<double>(), m, d, (*j)["rssBeforeMb"].get<double>(),
        (*j)["maxRssMb"].get<double>());
    if (m != strict.per_pass.mentions || d != strict.per_pass.deletions) {
      Die(c.name + ": Node found " + std::to_string(m) + " mentions and " + std::to_string(d) +
          " deletions, C++ " + std::to_string(strict.per_pass.mentions) + " and " +
          std::to_string(strict.per_pass.deletions));
    }
  }
  printf(
      "ratio to the faster Node, per cpu-second: strict %.1f×, fast %.1f×; per wall second: "
      "strict %.1f×, fast %.1f×\n",
      strict.frames_per_cpu_s / best_cpu, fast.frames_per_cpu_s / best_cpu,
      strict.frames_per_s / best, fast.frames_per_s / best);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> corpora;
  std::string synthetic_out = "/tmp/altscribe-firehose-synthetic.frames", node_dir;
  size_t synthetic = 20000;
  double seconds = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--corpus") {
      corpora.push_back(value());
    } else if (a == "--synthetic") {
      synthetic = std::stoul(value());
    } else if (a == "--synthetic-out") {
      synthetic_out = value();
    } else if (a == "--node") {
      node_dir = value();
    } else if (a == "--seconds") {
      seconds = std::stod(value());
    } else {
      Die("unknown option " + a);
    }
  }
  printf("bench/firehose: one thread; %.0f s per measurement after a warm-up pass\n", seconds);
  for (const auto& path : corpora) Bench(LoadCorpus(path), node_dir, seconds);
  if (synthetic > 0) Bench(MakeSynthetic(synthetic, synthetic_out), node_dir, seconds);
  return 0;
}
