// bot/bot.h — one bot account's loop: intake → planner → executor → composer → poster.
//
// Intake (BotOptions::intake) polls listNotifications, or reads the firehose or Jetstream
// (bot_stream_intake.cc: mentions stored with the stream cursor in one transaction; deleted
// mentions and targets cancel unfinished mentions and retract the bot's replies; each time the
// stream connects, one notifications poll catches what came before it, e.g. on the first start
// when there is no stream cursor yet). Polling reads
// (mention, reply, quote) and stores new mentions together with
// the watermark that follows them, in one transaction, then marks them seen (updateSeen). The
// AppView stamps notifications with min(createdAt, indexedAt), so a post indexed late can sort
// below the watermark: every poll reads 10 minutes below it again and the store keeps each
// mention once (no mention is lost to indexing lag or clock skew within that margin). On the
// first start (no watermark) mentions from the last 24 hours are taken, so mentions made while
// the bot was down are answered. Every mention then moves through the state store
// (received → planned → described → posting → done | failed); a restart resumes each from the
// last state it reached, and the poster makes posting exactly-once. A failed step is retried
// with back-off; a mention whose own steps keep failing is given up after `max_attempts` with the
// reason kept in the store, but network and PDS outages never count towards that.
//
// At debug level each attempt logs "stage <begin|planned|fetched|described> <mention uri> <unix
// ms>" (bench/mention_latency reads them; the store keeps received and posted times).
//
// Courtesy (courtesy.h) is applied after planning: "@bot stop"/"start", per-requester limits
// (one notice, then silence), authors who opted out, one answer per target post per window,
// content-warning labels copied onto the reply, and a PDS write budget. Unfinished mentions are
// handed to workers in an order that alternates between requesters, so one busy requester
// never starves the others. At start the bot's profile gets the `bot` self-label if missing.
//
// Fault injection for crash tests: ALTSCRIBE_FAULT_CRASH_AT=planned | described | created:K |
// posted:K makes
// the process kill itself (SIGKILL, no cleanup) right after that step is stored.
//
// Threading: Run() on one thread; RequestStop() from any thread (e.g. a signal handler's
// watcher) makes Run() return after the step in progress.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>

#include "atproto/identity/resolver.h"
#include "atproto/xrpc/agent.h"
#include "bot/composer.h"
#include "bot/courtesy.h"
#include "bot/planner.h"
#include "bot/poster.h"
#include "bot/store.h"
#include "jobs/executor.h"

namespace altscribe::bot {

// Where mentions come from (bot_stream_intake.cc for the streams).
enum class Intake {
  kNotifications,  // poll app.bsky.notification.listNotifications
  kFirehose,       // com.atproto.sync.subscribeRepos of a relay or a PDS
  kJetstream,      // a Jetstream instance
};
// "notifications", "firehose", "jetstream"; InvalidArgument naming the choices otherwise.
Result<Intake> ParseIntake(std::string_view name);
const char* IntakeName(Intake intake);

struct BotOptions {
  std::string pds_url;  // the bot account's PDS (http://127.0.0.1:2583, https://bsky.social)
  std::string handle;
  std::string password;  // app password; from env or a file, never a flag
  std::string plc_url = "https://plc.directory";
  std::chrono::milliseconds poll_interval{1000};
  int max_attempts = 5;
  // Image bytes may be fetched from loopback/private addresses (local test networks only).
  bool allow_private_fetch = false;
  uint64_t max_image_bytes = 20'000'000;
  std::string model_name;  // for the disclosure line
  // Mentions worked on at once by Run() (planning and posting overlap; the model itself is
  // shared through the executor).
  int concurrency = 4;
  CourtesyOptions courtesy;   // limits, opt-outs, repeat window, write budget (courtesy.h)
  int max_thread_depth = 30;  // mentions deeper in their thread are ignored (0 = no limit)
  // Image bytes come from the author's PDS (resolved from the DID document); the AppView's URL
  // is a fallback only on these hosts (jobs::HostAllowed patterns, "*.example" allowed).
  std::vector<std::string> cdn_hosts = {"cdn.bsky.app"};
  // The base URL where `altscribe serve --state` serves /d/<id> (https://alt.example), or "".
  // When set, a reply split into several posts, or about an image with long OCR text
  // (bot/full_link.h), stores the full description and its last post links it.
  std::string public_url;
  // The intake. Streams: a relay or PDS (firehose; default pds_url) or a Jetstream instance
  // (required for jetstream), and Jetstream's zstd dictionary file ("" = uncompressed events).
  Intake intake = Intake::kNotifications;
  std::string intake_url;
  std::string jetstream_zstd_dict;
};

class Bot {
 public:
  // REQUIRES: store and executor outlive the bot.
  Bot(BotOptions options, Store& store, jobs::Executor& executor);

  // Logs in (only if the store has no session for the handle) and learns the bot's DID.
  Status Start();
  // One intake round; returns how many new mentions were stored.
  Result<int> PollOnce();
  // Advances every unfinished mention as far as it goes; returns how many finished.
  Result<int> ProcessPending();
  // Start(), then poll every poll_interval and hand unfinished mentions to `concurrency`
  // worker threads (each mention to one worker at a time) until RequestStop(); workers finish
  // the step in progress. Returns the first fatal error, or OK.
  Status Run();
  void RequestStop();

  const std::string& did() const { return did_; }
  // True from a successful Start() inside Run() until Run() returns (for /healthz).
  bool ready() const { return ready_.load(); }
  // Mentions queued for the workers or being worked on (for the queue-depth metric).
  size_t MentionsInFlight();

 private:
  Status ProcessMention(const Mention& mention);
  Status Describe(const Mention& mention, const Plan& plan);
  // bot_courtesy.cc: the courtesy checks between planning and describing (courtesy.h), the
  // bot's own `bot` self-label, and account ages for the limits.
  Status ApplyCourtesy(const Mention& mention, Plan* plan);
  Status EnsureBotSelfLabel();
  Result<nlohmann::json> Profile(const std::string& did);
  Result<int64_t> AccountCreatedMs(const std::string& did);
  Result<std::vector<uint8_t>> FetchImage(const PlannedImage& image);
  // bot_full_link.cc: with a public URL, stores the full description of a reply that needs one
  // (bot/full_link.h) and appends the link to `posts`.
  Status LinkFullDescription(const Mention& mention, const Plan& plan,
                             const std::vector<ImageOutcome>& outcomes,
                             const std::map<int, std::string>& ocr, std::string_view model,
                             std::vector<std::string>* posts);

  BotOptions options_;
  Store& store_;
  jobs::Executor& executor_;
  std::unique_ptr<atproto::Agent> agent_;
  std::unique_ptr<Planner> planner_;
  std::unique_ptr<Poster> poster_;
  atproto::DidResolver resolver_;
  std::string did_;

  void WorkerLoop();

  // bot_stream_intake.cc: the firehose/Jetstream intake on its own thread until stop (see the
  // file comment there), retractions of replies to deleted posts, and whether a post exists on
  // its author's PDS (a mention the AppView has not indexed yet).
  Status RunStreamIntake();
  Status StoreStreamEvents(std::span<const NewMention> mentions,
                           std::span<const std::string> deleted, const char* source,
                           int64_t cursor);
  void ProcessRetractions();
  Result<bool> RecordExists(const std::string& uri);
  void Kick();         // wakes the Run() loop: new mentions were stored
  void CatchUpSoon();  // the stream (re)connected: one notifications poll, then Kick()

  std::mutex mu_;
  std::condition_variable wake_;     // the poll loop: stop requested
  std::condition_variable work_;     // workers: a mention was queued, or stop requested
  std::deque<Mention> queue_;        // GUARDED_BY(mu_)
  std::set<std::string> in_flight_;  // GUARDED_BY(mu_): queued or being processed
  struct RetryState {
    int transient = 0;  // failures caused by the network or the PDS (never counted as giving up)
    int failures = 0;   // all failures since the last success
    std::chrono::steady_clock::time_point next;  // not before this
  };
  std::map<std::string, RetryState> retry_;            // GUARDED_BY(mu_)
  std::map<std::string, int64_t> account_created_ms_;  // GUARDED_BY(mu_): requester → createdAt
  bool kicked_ = false;                                // GUARDED_BY(mu_)
  // Stream intake: set when the stream (re)connects; the Run() loop then polls notifications
  // once, so mentions posted before the first connection or during a gap are not lost.
  bool catch_up_ = false;              // GUARDED_BY(mu_)
  std::function<void()> stop_intake_;  // GUARDED_BY(mu_): stops the stream, when one runs
  std::chrono::steady_clock::time_point cursor_saved_;  // intake thread only
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
};

}  // namespace altscribe::bot
