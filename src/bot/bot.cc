#include "bot/bot.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "atproto/records/post.h"
#include "atproto/syntax/datetime.h"
#include "bot/bot_metrics.h"
#include "bot/composer.h"
#include "core/log.h"
#include "core/pipeline_metrics.h"
#include "http/client.h"
#include "http/url.h"
#include "jobs/fetch.h"
#include "vision/source.h"

namespace altscribe::bot {
namespace {

using json = nlohmann::json;
namespace ap = altscribe::atproto;

constexpr const char* kNotificationsCursor = "notifications.seen_at";
// How far below the watermark each poll reads again (see PollOnce).
constexpr int64_t kIntakeOverlapMicros = int64_t{10} * 60 * 1'000'000;

}  // namespace

// See bot.h: ALTSCRIBE_FAULT_CRASH_AT, for crash tests.
void CrashPoint(std::string_view point) {
  static const std::string target = [] {
    const char* v = std::getenv("ALTSCRIBE_FAULT_CRASH_AT");
    return std::string(v ? v : "");
  }();
  if (!target.empty() && target == point) {
    LogWarn("fault injection: crashing at " + std::string(point));
    std::raise(SIGKILL);
  }
}

namespace {

std::optional<StrongRef> Ref(const ap::StrongRef& r) {
  return StrongRef{r.uri.ToString(), r.cid.str()};
}

// A debug line with the wall-clock time a mention reached a step, for bench/mention_latency:
// "stage <step> <mention uri> <unix ms>".
void LogStage(std::string_view step, const std::string& uri) {
  if (GetLogLevel() < LogLevel::kDebug) return;
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  LogDebug("stage " + std::string(step) + " " + uri + " " + std::to_string(ms));
}

}  // namespace

Bot::Bot(BotOptions options, Store& store, jobs::Executor& executor)
    : options_(std::move(options)),
      store_(store),
      executor_(executor),
      resolver_(ap::ResolverOptions{.plc_url = options_.plc_url,
                                    .allow_http_did_web = options_.allow_private_fetch}) {}

Status Bot::Start() {
  ASSIGN_OR_RETURN(std::optional<Session> stored, store_.LoadSession(options_.handle));
  std::optional<ap::Session> session;
  if (stored) {
    session = ap::Session{stored->did, stored->handle, stored->access_jwt, stored->refresh_jwt};
  }
  ap::AgentOptions ao;
  ao.identifier = options_.handle;
  ao.password = options_.password;
  ao.on_session = [this](const ap::Session& s) {
    return store_.SaveSession(
        Session{s.did, s.handle, options_.pds_url, s.access_jwt, s.refresh_jwt});
  };
  agent_ = std::make_unique<ap::Agent>(
      ap::XrpcClient(options_.pds_url,
                     http::Limits{.max_bytes = 10'000'000, .timeout = std::chrono::seconds(30)}),
      std::move(ao), session);
  RETURN_IF_ERROR(agent_->EnsureSession());
  did_ = agent_->session().did;
  if (Status s = EnsureBotSelfLabel(); !s.ok()) {
    LogWarn("could not set the bot self-label on the profile: " + s.message());
  }
  planner_ = std::make_unique<Planner>(*agent_, did_, options_.max_thread_depth);
  if (options_.intake != Intake::kNotifications) {
    // A stream can deliver a mention before the AppView has indexed it.
    planner_->SetRecordCheck([this](const std::string& uri) { return RecordExists(uri); });
  }
  poster_ = std::make_unique<Poster>(*agent_, store_, did_);
  LogInfo("bot " + options_.handle + " (" + did_ + ") ready" +
          (stored ? ", using the stored session" : ""));
  return Status::Ok();
}

Result<int> Bot::PollOnce() {
  ASSIGN_OR_RETURN(std::optional<std::string> seen, store_.LoadCursor(did_, kNotificationsCursor));
  int64_t watermark = 0;
  if (seen) {
    if (auto d = ap::Datetime::ParseLenient(*seen); d.ok()) watermark = d->unix_micros();
  } else {
    watermark = ap::Datetime::Now().unix_micros() - int64_t{24} * 3600 * 1'000'000;
  }
  std::vector<NewMention> batch;
  std::string newest = seen.value_or("");
  int64_t newest_micros = watermark;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    ap::Params params = {{"limit", "50"}};
    if (!cursor.empty()) params.push_back({"cursor", cursor});
    ASSIGN_OR_RETURN(json out, agent_->Query("app.bsky.notification.listNotifications", params));
    bool older_seen = false;
    const json& items = out.contains("notifications") ? out["notifications"] : json::array();
    for (const auto& n : items) {
      std::string indexed = n.value("indexedAt", "");
      auto t = ap::Datetime::ParseLenient(indexed);
      // The AppView sorts and stamps notifications by min(createdAt, indexedAt): a post indexed
      // late carries its earlier creation time and lands below the watermark. So the bot reads
      // back kIntakeOverlap below it every time; the store drops mentions it already has.
      if (!t.ok() || t->unix_micros() <= watermark - kIntakeOverlapMicros) {
        older_seen = true;
        continue;
      }
      if (t->unix_micros() > newest_micros) {
        newest_micros = t->unix_micros();
        newest = indexed;
      }
      std::string reason = n.value("reason", "");
      if (reason != "mention" && reason != "reply" && reason != "quote") continue;
      NewMention m;
      m.uri = n.value("uri", "");
      m.cid = n.value("cid", "");
      m.account_did = did_;
      if (n.contains("author") && n["author"].is_object())
        m.author_did = n["author"].value("did", "");
      if (n.contains("record")) {
        if (auto post = ap::Post::Parse(n["record"]); post.ok() && post->reply) {
          m.root = Ref(post->reply->root);
          m.parent = Ref(post->reply->parent);
        }
      }
      if (!m.uri.empty() && !m.cid.empty()) batch.push_back(std::move(m));
    }
    cursor = out.value("cursor", "");
    if (older_seen || cursor.empty() || items.empty()) break;
  }
  CursorUpdate cu{did_, kNotificationsCursor, newest};
  ASSIGN_OR_RETURN(int added, store_.AddMentions(batch, newest.empty() ? nullptr : &cu));
  if (!newest.empty() && newest != seen.value_or("")) {
    auto r = agent_->Procedure("app.bsky.notification.updateSeen", {{"seenAt", newest}});
    if (!r.ok()) LogWarn("updateSeen: " + r.status().message());
  }
  if (added > 0) LogInfo(std::to_string(added) + " new mention(s)");
  return added;
}

Result<std::vector<uint8_t>> Bot::FetchImage(const PlannedImage& img) {
  vision::SourceLimits limits;
  limits.http = {.max_bytes = options_.max_image_bytes,
                 .timeout = std::chrono::seconds(20),
                 .block_private_addresses = true,
                 // Local test networks run on loopback; every other private range stays refused.
                 .allow_loopback = options_.allow_private_fetch};
  Status first = Status::NotFound("the image has neither a blob nor a URL");
  if (!img.cid.empty() && !img.author_did.empty()) {
    // The original bytes from the author's PDS.
    auto pds = resolver_.ResolvePds(img.author_did);
    if (pds.ok()) {
      auto blob = vision::LoadSource(
          *pds + "/xrpc/com.atproto.sync.getBlob?did=" + ap::UrlEncode(img.author_did) +
              "&cid=" + ap::UrlEncode(img.cid),
          limits);
      if (blob.ok()) return blob;
      first = blob.status().WithPrefix("getBlob");
    } else {
      first = pds.status();
    }
  }
  if (img.url.empty()) return first;
  // The AppView's copy, only from the configured CDN hosts.
  auto url = http::ParseHttpUrl(img.url);
  if (!url.ok() || !jobs::HostAllowed(url->host, options_.cdn_hosts)) {
    return first.WithPrefix("not fetching the fallback " + http::UrlForDisplay(img.url) +
                            " (not a configured CDN host; --cdn-hosts)");
  }
  return vision::LoadSource(img.url, limits);
}

Status Bot::Describe(const Mention& m, const Plan& plan) {
  std::vector<ImageOutcome> outcomes(plan.images.size());
  jobs::Job job;
  job.id = m.info.uri;
  job.mode = plan.command.mode;
  if (auto lang = vision::Language::Parse(plan.lang); lang.ok()) job.lang = *lang;
  for (const std::string& tag : plan.text_langs) {
    auto l = vision::Language::Parse(tag);
    if (l.ok() && job.text_langs.size() < jobs::kMaxTextLangs) job.text_langs.push_back(*l);
  }
  std::vector<size_t> job_index;  // job image i -> plan image
  for (size_t i = 0; i < plan.images.size(); ++i) {
    const PlannedImage& img = plan.images[i];
    outcomes[i].index = static_cast<int>(i) + 1;
    if (!img.existing_alt.empty() && !plan.command.again) {
      outcomes[i].kind = ImageOutcome::Kind::kAlreadyHasAlt;
      continue;
    }
    auto bytes = FetchImage(img);
    if (!bytes.ok()) {
      LogWarn(m.info.uri + ": image " + std::to_string(i + 1) + ": " + bytes.status().message());
      metrics::RecordError("image fetch");
      outcomes[i].kind = ImageOutcome::Kind::kFailed;
      continue;
    }
    jobs::JobImage ji;
    ji.url = img.url.empty() ? "blob:" + img.cid : img.url;
    if (!img.existing_alt.empty()) ji.existing_alt = img.existing_alt;
    ji.bytes = std::make_shared<const std::vector<uint8_t>>(std::move(bytes).value());
    job.images.push_back(std::move(ji));
    job_index.push_back(i);
  }
  LogStage("fetched", m.info.uri);
  std::string results_json;
  std::string model = options_.model_name;
  std::map<int, std::string> ocr;  // by 1-based image index, for the full description
  if (!job.images.empty()) {
    ASSIGN_OR_RETURN(jobs::JobResult result, jobs::SubmitAndWait(executor_, job));
    results_json = result.ToJsonText();
    if (!result.model.empty()) model = result.model;
    for (const auto& item : result.items) {
      if (item.index < 0 || static_cast<size_t>(item.index) >= job_index.size()) continue;
      ImageOutcome& o = outcomes[job_index[item.index]];
      if (item.ok()) {
        o.kind = plan.images[job_index[item.index]].video_thumbnail
                     ? ImageOutcome::Kind::kVideoThumbnail
                     : ImageOutcome::Kind::kDescribed;
        o.text = item.text;
        if (item.ocr && !item.ocr->empty()) ocr[o.index] = *item.ocr;
      } else {
        LogWarn(m.info.uri + ": image " + std::to_string(o.index) + ": " + *item.error);
        o.kind = ImageOutcome::Kind::kFailed;
      }
    }
  }
  std::vector<std::string> texts =
      ComposeReplies(outcomes, static_cast<int>(plan.images.size()), model, plan.lang);
  RETURN_IF_ERROR(LinkFullDescription(m, plan, outcomes, ocr, model, &texts));
  std::vector<PartDraft> parts;
  for (size_t k = 0; k < texts.size(); ++k) {
    parts.push_back({PartRkey(m.info.uri, static_cast<int>(k)), texts[k]});
  }
  return store_.SaveResults(m.info.uri, results_json, parts);
}

Status Bot::ProcessMention(const Mention& start) {
  ASSIGN_OR_RETURN(int attempts, store_.BeginAttempt(start.info.uri));
  int transient = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = retry_.find(start.info.uri); it != retry_.end()) transient = it->second.transient;
  }
  // Only failures that are about this mention count: a PDS or network outage never makes the
  // bot give a mention up.
  if (attempts - transient > options_.max_attempts) {
    return store_.MarkFailed(
        start.info.uri,
        "gave up after " + std::to_string(attempts - 1 - transient) + " failed attempts");
  }
  LogStage("begin", start.info.uri);
  Mention m = start;
  if (m.state == MentionState::kReceived) {
    StageTimer timer("plan");
    ASSIGN_OR_RETURN(Plan plan, planner_->PlanMention(m.info.uri));
    if (plan.kind == Plan::Kind::kIgnore) {
      LogInfo("ignoring " + m.info.uri + ": " + plan.reason);
      return store_.MarkFailed(m.info.uri, "ignored: " + plan.reason);
    }
    RETURN_IF_ERROR(ApplyCourtesy(m, &plan));
    if (plan.kind == Plan::Kind::kIgnore) {
      LogInfo("not answering " + m.info.uri + ": " + plan.reason);
      return store_.MarkFailed(m.info.uri, "ignored: " + plan.reason);
    }
    RETURN_IF_ERROR(store_.SavePlan(m.info.uri, plan.ToJsonText()));
    timer.Done();
    LogStage("planned", m.info.uri);
    CrashPoint("planned");
    ASSIGN_OR_RETURN(m, store_.GetMention(m.info.uri));
  }
  ASSIGN_OR_RETURN(Plan plan, Plan::FromJsonText(m.plan));
  if (m.state == MentionState::kPlanned) {
    StageTimer timer("describe");
    if (plan.kind == Plan::Kind::kDescribe) {
      RETURN_IF_ERROR(Describe(m, plan));
    } else {
      Notice notice = Notice::kNoImages;
      switch (plan.kind) {
        case Plan::Kind::kBlocked:
          notice = Notice::kTargetBlocked;
          break;
        case Plan::Kind::kNotFound:
          notice = Notice::kTargetNotFound;
          break;
        case Plan::Kind::kHelp:
          notice = Notice::kHelp;
          break;
        case Plan::Kind::kRateLimited:
          notice = Notice::kRateLimited;
          break;
        case Plan::Kind::kOptedOut:
          notice = Notice::kOptedOut;
          break;
        case Plan::Kind::kStopped:
          notice = Notice::kStopped;
          break;
        case Plan::Kind::kStarted:
          notice = Notice::kStarted;
          break;
        case Plan::Kind::kAlreadyAnswered:
          notice = Notice::kAlreadyAnswered;
          break;
        default:
          break;
      }
      const std::string link =
          plan.earlier_mention.empty() ? "" : ReplyLink(did_, plan.earlier_mention);
      RETURN_IF_ERROR(store_.SaveResults(
          m.info.uri, "", {{PartRkey(m.info.uri, 0), ComposeNotice(notice, plan.lang, link)}}));
    }
    timer.Done();
    LogStage("described", m.info.uri);
    CrashPoint("described");
    ASSIGN_OR_RETURN(m, store_.GetMention(m.info.uri));
  }
  if (m.state == MentionState::kDescribed || m.state == MentionState::kPosting) {
    StageTimer timer("post");
    const bool describes = plan.kind == Plan::Kind::kDescribe;
    RETURN_IF_ERROR(poster_->PostParts(
        m, {plan.lang}, describes ? WarningLabels(plan.labels) : std::vector<std::string>{},
        {options_.courtesy.write_points_per_hour, options_.courtesy.write_points_per_day}));
    timer.Done();
  }
  return Status::Ok();
}

Result<int> Bot::ProcessPending() {
  ASSIGN_OR_RETURN(std::vector<Mention> pending, store_.Pending(did_));
  int finished = 0;
  for (const Mention& m : pending) {
    if (stop_) break;
    Status s = ProcessMention(m);
    if (!s.ok()) {
      LogWarn(m.info.uri + ": " + s.message() + " (will retry)");
      continue;
    }
    auto after = store_.GetMention(m.info.uri);
    if (after.ok() && after->finished()) ++finished;
  }
  return finished;
}

void Bot::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (stop_intake_) stop_intake_();
  }
  wake_.notify_all();
  work_.notify_all();
}

void Bot::WorkerLoop() {
  for (;;) {
    Mention m;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [this] { return stop_.load() || !queue_.empty(); });
      if (stop_) return;
      m = std::move(queue_.front());
      queue_.pop_front();
    }
    Status s = ProcessMention(m);
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(m.info.uri);
    if (s.ok()) {
      retry_.erase(m.info.uri);
      continue;
    }
    metrics::RecordError(std::string("mention: ") + Status::CodeName(s.code()));
    // Back off before the next try: exponentially for outages, linearly for other failures.
    RetryState& r = retry_[m.info.uri];
    const bool outage = s.code() == Code::kNetwork || s.code() == Code::kTimeout;
    r.transient += outage ? 1 : 0;
    ++r.failures;
    std::chrono::milliseconds delay =
        outage ? std::min<std::chrono::milliseconds>(
                     std::chrono::milliseconds(250 << std::min(r.transient, 8)),
                     std::chrono::minutes(1))
               : std::chrono::milliseconds(1000) * r.failures;
    r.next = std::chrono::steady_clock::now() + delay;
    LogWarn(m.info.uri + ": " + s.message() + " (will retry in " + std::to_string(delay.count()) +
            " ms)");
  }
}

size_t Bot::MentionsInFlight() {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_.size();
}

Status Bot::Run() {
  RETURN_IF_ERROR(Start());
  ready_ = true;
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, options_.concurrency); ++i) {
    workers.emplace_back([this] { WorkerLoop(); });
  }
  // A stream intake runs on its own thread (bot_stream_intake.cc); it wakes this loop when it
  // stored mentions. A stream that cannot start (a bad URL) stops the bot with its error.
  Status intake_error;
  std::thread intake;
  if (options_.intake != Intake::kNotifications) {
    intake = std::thread([this, &intake_error] {
      Status s = RunStreamIntake();
      if (!s.ok()) {
        LogError(std::string(IntakeName(options_.intake)) + " intake: " + s.message());
        {
          std::lock_guard<std::mutex> lock(mu_);
          intake_error = s;
        }
        RequestStop();
      }
    });
  }
  while (!stop_) {
    bool poll = options_.intake == Intake::kNotifications;
    if (!poll) {
      std::lock_guard<std::mutex> lock(mu_);
      poll = catch_up_;
      catch_up_ = false;
    }
    if (poll) {
      auto polled = PollOnce();
      if (!polled.ok()) {
        LogWarn("polling notifications: " + polled.status().message());
        metrics::RecordError("notifications poll");
      }
    }
    ProcessRetractions();
    auto pending = store_.Pending(did_);
    if (!pending.ok()) {
      LogWarn("reading the state store: " + pending.status().message());
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      const auto now = std::chrono::steady_clock::now();
      for (Mention& m : FairOrder(std::move(*pending))) {
        if (auto it = retry_.find(m.info.uri); it != retry_.end() && it->second.next > now) {
          continue;  // backing off
        }
        if (in_flight_.insert(m.info.uri).second) queue_.push_back(std::move(m));
      }
    }
    work_.notify_all();
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, options_.poll_interval, [this] { return stop_.load() || kicked_; });
    kicked_ = false;
  }
  work_.notify_all();
  for (auto& w : workers) w.join();
  if (intake.joinable()) intake.join();
  ready_ = false;
  LogInfo("bot " + options_.handle + " stopped");
  std::lock_guard<std::mutex> lock(mu_);
  return intake_error;
}

}  // namespace altscribe::bot
