// bench/mention_latency — how long a person waits for the bot: mention posted → reply visible,
// on the local Bluesky network (tests/e2e/devnet) with the tiny model.
//
// Creates a bot account and two users, starts `altscribe bot` (--poll-ms, default 200), and has
// one user post --mentions mentions, one every --interval-ms, each a reply mentioning the bot
// under the other user's post of one image. For each it measures createRecord returned → the
// bot's first reply part in its repository (com.atproto.repo.listRecords on the PDS, polled every
// 20 ms) and prints p50/p90/p99/max, then where the time went, per stage, from the bot's state
// store (received and part-posted times) and its debug log ("stage <step> <uri> <unix ms>"):
//   intake    posted → stored by the bot (the AppView indexing the notification, then the next
//             poll, which comes only after the bot's loop has finished the work in hand)
//   queue     stored → the bot starts on it (mentions ahead of it)
//   planning  reading the thread, choosing the images
//   fetch     the image bytes (getBlob)
//   model     describing + composing + storing the reply
//   posting   createRecord of part 0
//   visible   part 0 stored as posted → seen by this program's listRecords polling
//   work      picked up → part 0 posted: when mentions come faster than this, they queue
// Stage times mix this program's clock and the bot's: both are this machine's system clock.
//
// The anchor, measured in the same run: the original system polled notifications every 10 s, so
// a mention waited 5 s on average just to be seen. The same bot runs with --anchor-poll-ms
// (default 10000) for --anchor-mentions mentions (default 6), posted one every anchor-poll / N
// so that they land at every phase of the polling cycle; the table gives its latency and the
// ratio ours/anchor. Each run starts with one warm-up mention that is not counted.
//
// A program, not a test: it asserts nothing about the times. Exit 0 after printing the table;
// 1 with one line on stderr on any failure (the bot's log is kept then). Options:
//   --network FILE (default build/devnet/network.json)  --altscribe BIN (default ../altscribe
//   beside this binary)  --mentions N  --interval-ms N  --poll-ms N  --anchor-mentions N
//   --anchor-poll-ms N  --threads N (the bot's model threads, default 2)
//   --intake firehose: also runs the bot with `--intake firehose` from the network's PDS (its
//   subscribeRepos) on the same mentions pattern, in the same run, and adds its row (the intake
//   stage is then the stream, not indexing + polling).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bot/store.h"
#include "devnet_client.h"
#include "image_fixtures.h"
#include "models/test_model.h"
#include "subprocess.h"

namespace {

using namespace altscribe;
using devnet::Ref;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kUpHint = "start one with: bash tests/e2e/devnet/up.sh build";

// Wall-clock milliseconds (the bot's store and log use the same clock).
double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Nearest-rank percentile; NAN for no samples.
double Pct(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// Everything that ends the program early: one line.
struct Failure {
  std::string message;
};
template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) throw Failure{what + ": " + r.status().message()};
  return std::move(r).value();
}

struct Options {
  std::string network, altscribe;
  int mentions = 50, interval_ms = 300, poll_ms = 200;
  int anchor_mentions = 6, anchor_poll_ms = 10'000, threads = 2;
  std::string intake;  // "" or "firehose": an extra run with --intake firehose
};

// Watches the bot's repository from a thread: when a post replying to each parent URI was first
// seen (listRecords, newest first, every 20 ms). The bot's record keys follow the mentions' own,
// so a new reply is always on the first page.
class ReplyWatcher {
 public:
  ReplyWatcher(const devnet::Network& net, std::string bot_did)
      : net_(net), did_(std::move(bot_did)), thread_([this] { Loop(); }) {}
  ~ReplyWatcher() {
    stop_ = true;
    thread_.join();
  }
  std::optional<double> SeenMs(const std::string& parent_uri) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = seen_.find(parent_uri);
    return it == seen_.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::string last_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  void Loop() {
    while (!stop_) {
      auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      auto posts = devnet::ListPosts(net_, did_, 1, 100);
      double now = NowMs();
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!posts.ok()) error_ = posts.status().message();
        for (const json& rec : posts.ok() ? *posts : std::vector<json>{}) {
          const json* parent = &rec["value"];
          for (const char* key : {"reply", "parent", "uri"}) {
            parent = parent->is_object() && parent->contains(key) ? &(*parent)[key] : nullptr;
            if (!parent) break;
          }
          if (parent && parent->is_string()) seen_.emplace(parent->get<std::string>(), now);
        }
      }
      std::this_thread::sleep_until(next);
    }
  }

  const devnet::Network net_;
  const std::string did_;
  std::mutex mu_;
  std::map<std::string, double> seen_;  // GUARDED_BY(mu_)
  std::string error_;                   // GUARDED_BY(mu_)
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts after the rest is built
};

// `altscribe bot` in the background; SIGKILLed by the destructor unless Stop() was called.
class BotChild {
 public:
  BotChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           std::string log)
      : log_(std::move(log)), pid_(testing::SpawnProcess(argv, env, log_)) {}
  ~BotChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Throws when the bot has exited on its own.
  void CheckAlive() {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw Failure{"altscribe bot exited early (status " + std::to_string(status) +
                    "); its log: " + log_};
    }
  }
  // SIGTERM; throws unless it exits with status 0 within 30 s.
  void Stop() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 600; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
        throw Failure{"altscribe bot did not stop cleanly on SIGTERM (status " +
                      std::to_string(status) + "); its log: " + log_};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw Failure{"altscribe bot did not stop within 30 s of SIGTERM; its log: " + log_};
  }

 private:
  std::string log_;
  pid_t pid_;
};

// One mention: when it was posted and when its first reply part was seen (wall-clock ms).
struct Sample {
  std::string uri;
  double posted_ms = 0, visible_ms = 0;
};

class Bench {
 public:
  Bench(Options o, devnet::Network net, std::string dir)
      : o_(std::move(o)), net_(std::move(net)), dir_(std::move(dir)) {}

  void Setup() {
    Status s = models::WriteTestModel(dir_, models::TestModelPreset::kTiny);
    if (!s.ok()) throw Failure{"writing the tiny model: " + s.message()};
    bot_ = Must(devnet::CreateAccount(net_, "lat"), "creating the bot account");
    alice_ = Must(devnet::CreateAccount(net_, "latalice"), "creating a user");
    bob_ = Must(devnet::CreateAccount(net_, "latbob"), "creating a user");
    watcher_ = std::make_unique<ReplyWatcher>(net_, bot_.did);
  }

  // Runs the bot with `poll_ms` on 1 warm-up + `n` mentions posted every `interval_ms`.
  std::vector<Sample> Run(const std::string& name, int poll_ms, int n, int interval_ms,
                          std::vector<std::string> extra_args = {}) {
    std::vector<Ref> targets;  // made first, so that the pace of the mentions is steady
    for (int i = 0; i <= n; ++i) {
      devnet::PostSpec post;
      post.text = "photo " + std::to_string(i);
      post.images = {testing::MakeJpeg(320 + 8 * (i % 8), 240)};
      targets.push_back(Must(devnet::CreatePost(alice_, post), "posting an image"));
    }
    std::string log = dir_ + "/bot-" + name + ".log";
    logs_.push_back(log);
    std::vector<std::string> args = {o_.altscribe,
                                     "bot",
                                     "--pds",
                                     net_.pds,
                                     "--handle",
                                     bot_.handle,
                                     "--state",
                                     dir_ + "/bot.db",
                                     "--plc",
                                     net_.plc,
                                     "--allow-private-fetch",
                                     "--poll-ms",
                                     std::to_string(poll_ms),
                                     "--model",
                                     dir_ + "/model.gguf",
                                     "--mmproj",
                                     dir_ + "/mmproj.gguf",
                                     "--threads",
                                     std::to_string(o_.threads)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    BotChild bot(args,
                 // One requester posts every mention: the courtesy limits would (rightly) stop
                 // them, so they are lifted for the measurement.
                 {"ALTSCRIBE_APP_PASSWORD=" + bot_.password, "ALTSCRIBE_LOG=debug",
                  "ALTSCRIBE_LIMIT_PER_MINUTE=100000", "ALTSCRIBE_LIMIT_PER_HOUR=100000",
                  "ALTSCRIBE_NEW_ACCOUNT_DAYS=0", "ALTSCRIBE_REPEAT_WINDOW_S=0"},
                 log);
    double wait_ms = 60'000 + 2.0 * poll_ms;
    Sample warmup = Mention(targets[0], "warm-up");
    WaitSeen({&warmup, 1}, bot, wait_ms);
    std::vector<Sample> samples;
    // Half an interval after the warm-up's reply, then steadily: for the anchor the mentions'
    // phases in the polling cycle are then spread evenly, their mean wait half a cycle.
    auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms) / 2;
    for (int i = 1; i <= n; ++i) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(interval_ms) * (i - 1));
      samples.push_back(Mention(targets[i], "#" + std::to_string(i)));
    }
    WaitSeen(samples, bot, wait_ms);
    bot.Stop();
    return samples;
  }

  // Per-stage milliseconds of `samples` (label, one value per mention that has it), in the
  // order of the file comment, from the state store and the bots' logs.
  std::vector<std::pair<std::string, std::vector<double>>> Stages(
      const std::vector<Sample>& samples) {
    auto store = Must(bot::Store::Open(dir_ + "/bot.db"), "opening the bot's state store");
    std::map<std::string, std::map<std::string, double>> logged = StageLines();
    std::vector<std::pair<std::string, std::vector<double>>> rows = {
        {"intake: indexing + waiting for a poll", {}},
        {"queue: stored -> picked up", {}},
        {"planning", {}},
        {"describing: fetch the image", {}},
        {"describing: model + compose + store", {}},
        {"  of which inference (executor total_ms)", {}},
        {"posting: createRecord, part 0", {}},
        {"visible: posted -> seen by listRecords", {}},
        {"bot's work per mention: picked up -> posted", {}}};
    for (const Sample& s : samples) {
      bot::Mention m = Must(store->GetMention(s.uri), "reading the state store");
      if (m.parts.empty() || m.parts[0].state != bot::PartState::kPosted) {
        throw Failure{s.uri + " is " + bot::MentionStateName(m.state) + " in the store, " +
                      "but its reply was seen"};
      }
      const auto& at = logged[s.uri];
      auto get = [&](const char* step) { return at.count(step) ? at.at(step) : NAN; };
      double received = static_cast<double>(m.received_ms);
      double posted = static_cast<double>(m.parts[0].updated_ms);
      double inference = NAN;
      if (json r = json::parse(m.results, nullptr, false); r.is_object() && r.contains("timings"))
        inference = r["timings"].value("total_ms", NAN);
      double values[] = {received - s.posted_ms,
                         get("begin") - received,
                         get("planned") - get("begin"),
                         get("fetched") - get("planned"),
                         get("described") - get("fetched"),
                         inference,
                         posted - get("described"),
                         s.visible_ms - posted,
                         posted - get("begin")};
      for (size_t i = 0; i < rows.size(); ++i) {
        if (!std::isnan(values[i])) rows[i].second.push_back(values[i]);
      }
    }
    return rows;
  }

 private:
  // Bob replies to `target`, mentioning the bot.
  Sample Mention(const Ref& target, const std::string& words) {
    devnet::PostSpec s;
    s.text = "@" + bot_.handle + " " + words;
    s.mention_handle = bot_.handle;
    s.mention_did = bot_.did;
    s.reply_to = &target;
    Ref mention = Must(devnet::CreatePost(bob_, s), "posting a mention");
    return {mention.uri, NowMs(), 0};
  }

  // Waits until each sample's reply has been seen, filling in visible_ms; throws after
  // `limit_ms` past the last mention, or when the bot exits.
  void WaitSeen(std::span<Sample> samples, BotChild& bot, double limit_ms) {
    double deadline = NowMs() + limit_ms;
    for (Sample& s : samples) {
      while (true) {
        if (auto seen = watcher_->SeenMs(s.uri)) {
          s.visible_ms = *seen;
          break;
        }
        bot.CheckAlive();
        if (NowMs() > deadline) {
          std::string err = watcher_->last_error();
          throw Failure{"no reply to " + s.uri + " within " + std::to_string(int(limit_ms)) +
                        " ms" + (err.empty() ? "" : " (listRecords: " + err + ")") +
                        "; the bot's log: " + logs_.back()};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  // "altscribe: debug: stage <step> <uri> <unix ms>" lines of every run: uri → step → the first
  // time logged.
  std::map<std::string, std::map<std::string, double>> StageLines() {
    std::map<std::string, std::map<std::string, double>> out;
    for (const std::string& log : logs_) {
      std::ifstream in(log);
      for (std::string line; std::getline(in, line);) {
        const std::string tag = "altscribe: debug: stage ";
        if (line.rfind(tag, 0) != 0) continue;
        std::istringstream words(line.substr(tag.size()));
        std::string step, uri;
        double ms = 0;
        if (words >> step >> uri >> ms) out[uri].emplace(step, ms);
      }
    }
    return out;
  }

  const Options o_;
  const devnet::Network net_;
  const std::string dir_;
  devnet::Account bot_, alice_, bob_;
  std::unique_ptr<ReplyWatcher> watcher_;
  std::vector<std::string> logs_;
};

std::vector<double> Latencies(const std::vector<Sample>& samples) {
  std::vector<double> v;
  for (const Sample& s : samples) v.push_back(s.visible_ms - s.posted_ms);
  return v;
}

void PrintTable(const Options& o, const std::vector<Sample>& ours,
                const std::vector<Sample>& anchor, const std::vector<Sample>& firehose,
                Bench& bench) {
  std::vector<double> a = Latencies(ours), b = Latencies(anchor), f = Latencies(firehose);
  auto ours_rows = bench.Stages(ours), anchor_rows = bench.Stages(anchor);  // may throw: first
  auto firehose_rows = firehose.empty() ? ours_rows : bench.Stages(firehose);
  std::printf("mention posted -> first reply part visible, local Bluesky network, tiny model\n");
  std::printf(
      "(each run: altscribe bot, 1 warm-up mention not counted, then the mentions below)\n\n");
  std::printf("%-46s %8s %8s %8s %8s\n", "latency, ms", "p50", "p90", "p99", "max");
  char label[96];
  std::snprintf(label, sizeof label, "altscribe --poll-ms %d: %d, one every %d ms", o.poll_ms,
                o.mentions, o.interval_ms);
  std::printf("%-46s %8.0f %8.0f %8.0f %8.0f\n", label, Pct(a, .5), Pct(a, .9), Pct(a, .99),
              Pct(a, 1));
  if (!firehose.empty()) {
    std::snprintf(label, sizeof label, "altscribe --intake firehose: %d, one every %d ms",
                  o.mentions, o.interval_ms);
    std::printf("%-46s %8.0f %8.0f %8.0f %8.0f\n", label, Pct(f, .5), Pct(f, .9), Pct(f, .99),
                Pct(f, 1));
  }
  std::snprintf(label, sizeof label, "anchor --poll-ms %d: %d, one every %d ms", o.anchor_poll_ms,
                o.anchor_mentions, o.anchor_poll_ms / o.anchor_mentions);
  std::printf("%-46s %8.0f %8.0f %8.0f %8.0f\n", label, Pct(b, .5), Pct(b, .9), Pct(b, .99),
              Pct(b, 1));
  double ratio = Pct(a, .5) / Pct(b, .5);
  std::printf("%-46s %8.3f  (%.1fx %s)\n", "ratio p50 ours/anchor", ratio,
              ratio < 1 ? 1 / ratio : ratio, ratio < 1 ? "faster" : "SLOWER");
  double pace = ours.size() < 2 ? 0
                                : (ours.back().posted_ms - ours.front().posted_ms) /
                                      static_cast<double>(ours.size() - 1);
  std::printf("%-46s %8.0f  (asked: %d)\n", "mentions posted every, ms (mean)", pace,
              o.interval_ms);
  std::printf("%-46s p50 <= 1000 ms, p99 <= 3000 ms (DESIGN.md)\n\n", "target");

  std::printf("%-46s %8s %8s %8s %10s %10s\n", "where the time goes, ms", "p50", "p90", "max",
              "anchor p50", "fh p50");
  for (size_t i = 0; i < ours_rows.size(); ++i) {
    const auto& v = ours_rows[i].second;
    std::printf("%-46s %8.1f %8.1f %8.1f %10.1f %10.1f\n", ours_rows[i].first.c_str(), Pct(v, .5),
                Pct(v, .9), Pct(v, 1), Pct(anchor_rows[i].second, .5),
                firehose.empty() ? NAN : Pct(firehose_rows[i].second, .5));
  }
}

std::string Next(int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw Failure{std::string(argv[i]) + " needs a value"};
  return argv[++i];
}

int Positive(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end || v < 1 || v > 1'000'000) {
    throw Failure{flag + " wants a positive whole number, not '" + value + "'"};
  }
  return static_cast<int>(v);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  o.network = ALTSCRIBE_DEVNET_JSON_DEFAULT;
  std::error_code ec;
  fs::path beside =
      fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "altscribe";
  o.altscribe = !ec && fs::exists(beside) ? beside.string() : ALTSCRIBE_BIN_DEFAULT;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--network") {
      o.network = Next(argc, argv, i);
    } else if (a == "--altscribe") {
      o.altscribe = Next(argc, argv, i);
    } else if (a == "--mentions") {
      o.mentions = Positive(a, Next(argc, argv, i));
    } else if (a == "--interval-ms") {
      o.interval_ms = Positive(a, Next(argc, argv, i));
    } else if (a == "--poll-ms") {
      o.poll_ms = Positive(a, Next(argc, argv, i));
    } else if (a == "--anchor-mentions") {
      o.anchor_mentions = Positive(a, Next(argc, argv, i));
    } else if (a == "--anchor-poll-ms") {
      o.anchor_poll_ms = Positive(a, Next(argc, argv, i));
    } else if (a == "--intake") {
      o.intake = Next(argc, argv, i);
      if (o.intake != "firehose" && o.intake != "notifications") {
        throw Failure{"--intake wants firehose or notifications, not '" + o.intake + "'"};
      }
      if (o.intake == "notifications") o.intake.clear();
    } else if (a == "--threads") {
      o.threads = Positive(a, Next(argc, argv, i));
    } else {
      throw Failure{"unknown argument " + a + " (see bench/mention_latency.cc for options)"};
    }
  }
  return o;
}

// One line on stderr. Keeps `dir` with the bots' logs and state (a message names the log) but
// removes the model.
int Fail(const std::string& dir, const std::string& message) {
  std::fprintf(stderr, "bench/mention_latency: error: %s\n", message.c_str());
  if (!dir.empty()) {
    std::error_code ec;
    for (const char* f : {"/model.gguf", "/mmproj.gguf"}) fs::remove(dir + f, ec);
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  try {
    Options o = ParseArgs(argc, argv);
    auto net = devnet::ReadNetwork(o.network);
    if (!net.ok()) throw Failure{net.status().message() + "; " + kUpHint};
    if (::access(o.altscribe.c_str(), X_OK) != 0) {
      throw Failure{"no altscribe binary at " + o.altscribe + " (build it, or --altscribe BIN)"};
    }
    dir = (fs::temp_directory_path() / ("altscribe-latency-" + std::to_string(getpid()))).string();
    fs::create_directories(dir);
    Bench bench(o, *net, dir);
    bench.Setup();
    std::vector<Sample> ours = bench.Run("ours", o.poll_ms, o.mentions, o.interval_ms);
    std::vector<Sample> firehose;
    if (o.intake == "firehose") {
      firehose = bench.Run("firehose", o.poll_ms, o.mentions, o.interval_ms,
                           {"--intake", "firehose", "--intake-url", net->pds});
    }
    std::vector<Sample> anchor = bench.Run("anchor", o.anchor_poll_ms, o.anchor_mentions,
                                           o.anchor_poll_ms / o.anchor_mentions);
    PrintTable(o, ours, anchor, firehose, bench);
  } catch (const Failure& f) {
    return Fail(dir, f.message);
  } catch (const std::exception& e) {
    return Fail(dir, e.what());
  }
  fs::remove_all(dir);
  return 0;
}
