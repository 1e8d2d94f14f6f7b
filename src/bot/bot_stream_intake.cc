// Bot: mentions from the repository event stream instead of notifications (BotOptions::intake).
//
// RunStreamIntake() runs on its own thread inside Run(): a firehose::RepoStream (subscribeRepos
// of a relay or of the account's PDS; firehose::MentionFilter finds the posts whose mention
// facets name this bot and the deleted posts) or a firehose::JetstreamConsumer (the same from
// Jetstream's JSON, the record's facets read with atproto::MentionsDid).
//   * Mentions of one commit/event are stored together with the stream cursor ("firehose.seq":
//     the seq; "jetstream.time_us": the time_us) in ONE transaction, then the Run() loop is
//     woken. When no mention came, the cursor alone is saved at most once a second, so a restart
//     replays little; at start the stored cursor is passed to the stream, and the replayed
//     mentions the store already has are dropped (nothing is answered twice).
//   * A deleted post is handed to Store::RecordDeletion before the cursor moves past it: an
//     unfinished mention it concerns is cancelled (never answered), and the bot's posted replies
//     to a deleted mention or target get a retraction, which ProcessRetractions() (on the Run()
//     thread) carries out: deleteRecord on each part, newest first, then MarkRetracted, and one
//     log line. A record already gone counts as deleted.
//   * FutureCursor (the relay lost its history): the stored cursor is cleared ("").
// A failure to store makes the handler fail, so the stream reconnects from the last cursor it
// handled and delivers the event again.
#include <chrono>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "atproto/records/post.h"
#include "atproto/syntax/did.h"
#include "atproto/xrpc/client.h"
#include "bot/bot.h"
#include "core/log.h"
#include "firehose/jetstream_consumer.h"
#include "firehose/mentions.h"
#include "firehose/repo_stream.h"

namespace altscribe::bot {
namespace {

namespace ap = altscribe::atproto;
namespace fh = altscribe::firehose;

constexpr const char* kFirehoseCursor = "firehose.seq";
constexpr const char* kJetstreamCursor = "jetstream.time_us";
constexpr auto kCursorEvery = std::chrono::seconds(1);

std::optional<StrongRef> Ref(const std::optional<fh::PostRef>& r) {
  if (!r) return std::nullopt;
  return StrongRef{r->uri, r->cid};
}

NewMention FromEvent(const fh::MentionEvent& e) {
  return NewMention{e.uri, e.cid, e.account_did, e.author_did, Ref(e.root), Ref(e.parent)};
}

// "at://did/collection/rkey" → its three parts; false for anything else.
bool SplitRecordUri(const std::string& uri, std::string* did, std::string* collection,
                    std::string* rkey) {
  if (uri.rfind("at://", 0) != 0) return false;
  std::string rest = uri.substr(5);
  size_t a = rest.find('/');
  size_t b = a == std::string::npos ? a : rest.find('/', a + 1);
  if (b == std::string::npos || rest.find('/', b + 1) != std::string::npos) return false;
  *did = rest.substr(0, a);
  *collection = rest.substr(a + 1, b - a - 1);
  *rkey = rest.substr(b + 1);
  return !did->empty() && !collection->empty() && !rkey->empty();
}

}  // namespace

Result<Intake> ParseIntake(std::string_view name) {
  if (name == "notifications") return Intake::kNotifications;
  if (name == "firehose") return Intake::kFirehose;
  if (name == "jetstream") return Intake::kJetstream;
  return Status::InvalidArgument("unknown intake '" + std::string(name) +
                                 "' (notifications, firehose, jetstream)");
}

const char* IntakeName(Intake intake) {
  switch (intake) {
    case Intake::kFirehose:
      return "firehose";
    case Intake::kJetstream:
      return "jetstream";
    default:
      return "notifications";
  }
}

void Bot::CatchUpSoon() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    catch_up_ = true;
  }
  Kick();
}

void Bot::Kick() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    kicked_ = true;
  }
  wake_.notify_all();
}

Status Bot::StoreStreamEvents(std::span<const NewMention> mentions,
                              std::span<const std::string> deleted, const char* source,
                              int64_t cursor) {
  bool concerned = false;  // a deletion changed the store: save the cursor past it now
  for (const std::string& uri : deleted) {
    ASSIGN_OR_RETURN(int n, store_.RecordDeletion(did_, uri));
    if (n > 0) {
      LogInfo(uri + " was deleted: " + std::to_string(n) + " mention(s) concerned");
      concerned = true;
      Kick();
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (mentions.empty() && !concerned && now - cursor_saved_ < kCursorEvery) {
    return Status::Ok();
  }
  CursorUpdate cu{did_, source, std::to_string(cursor)};
  ASSIGN_OR_RETURN(int added, store_.AddMentions(mentions, &cu));
  cursor_saved_ = now;
  if (added > 0) {
    LogInfo(std::to_string(added) + " new mention(s) from the " + IntakeName(options_.intake));
    Kick();
  }
  return Status::Ok();
}

Status Bot::RunStreamIntake() {
  const bool jet = options_.intake == Intake::kJetstream;
  const char* source = jet ? kJetstreamCursor : kFirehoseCursor;
  std::string url = options_.intake_url.empty() && !jet ? options_.pds_url : options_.intake_url;
  if (url.empty()) {
    return Status::InvalidArgument("--intake jetstream needs --intake-url (a Jetstream instance)");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.LoadCursor(did_, source));
  std::optional<int64_t> cursor;
  if (stored && !stored->empty()) {
    try {
      cursor = std::stoll(*stored);
    } catch (const std::exception&) {
      LogWarn("ignoring the stored " + std::string(source) + " cursor '" + *stored +
              "' (not a number)");
    }
  }
  cursor_saved_ = std::chrono::steady_clock::now();
  LogInfo(std::string(IntakeName(options_.intake)) + " intake from " + url +
          (cursor ? " after cursor " + std::to_string(*cursor) : " from now"));
  std::vector<NewMention> batch;
  std::vector<std::string> deleted;
  if (!jet) {
    fh::MentionFilter filter({did_});
    fh::CommitEvents events;
    fh::RepoStreamOptions o;
    o.service = url;
    o.cursor = cursor;
    fh::RepoStream stream(o, [&](const fh::Frame& frame, int64_t seq) -> Status {
      if (seq <= 0) return Status::Ok();  // #info
      batch.clear();
      deleted.clear();
      if (const auto* commit = std::get_if<fh::CommitMessage>(&frame)) {
        events.clear();
        RETURN_IF_ERROR(filter.Scan(*commit, &events));
        for (const auto& m : events.mentions) {
          if (m.account_did == did_) batch.push_back(FromEvent(m));
        }
        for (const auto& d : events.deletions) deleted.push_back(d.uri);
      }
      return StoreStreamEvents(batch, deleted, source, seq);
    });
    stream.OnConnect([this] { CatchUpSoon(); });
    stream.OnCursorReset([&] {
      LogWarn("firehose: the relay does not know our cursor (FutureCursor); starting from now");
      if (Status s = store_.SaveCursor(did_, source, ""); !s.ok()) LogWarn(s.message());
    });
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return Status::Ok();
      stop_intake_ = [&stream] { stream.Stop(); };
    }
    Status s = stream.Run();
    std::lock_guard<std::mutex> lock(mu_);
    stop_intake_ = nullptr;
    return s;
  }
  auto bot = ap::Did::Parse(did_);
  if (!bot.ok()) return bot.status();
  fh::JetstreamOptions o;
  o.service = url;
  o.cursor_us = cursor;
  o.zstd_dictionary = options_.jetstream_zstd_dict;
  fh::JetstreamConsumer consumer(o, [&](const fh::JetstreamEvent& e) -> Status {
    batch.clear();
    deleted.clear();
    if (e.kind == fh::JetstreamEvent::Kind::kCommit && e.commit &&
        e.commit->collection == fh::kPostCollection) {
      const fh::JetstreamCommit& c = *e.commit;
      const std::string uri = "at://" + e.did + "/" + c.collection + "/" + c.rkey;
      if (c.operation == "delete") {
        deleted.push_back(uri);
      } else if (c.operation == "create" && c.record && !c.cid.empty()) {
        auto post = ap::Post::Parse(*c.record);
        if (post.ok() && ap::MentionsDid(*post, *bot)) {
          NewMention m{uri, c.cid, did_, e.did, std::nullopt, std::nullopt};
          if (post->reply) {
            m.root = StrongRef{post->reply->root.uri.ToString(), post->reply->root.cid.str()};
            m.parent = StrongRef{post->reply->parent.uri.ToString(), post->reply->parent.cid.str()};
          }
          batch.push_back(std::move(m));
        }
      }
    }
    return StoreStreamEvents(batch, deleted, source, e.time_us);
  });
  consumer.OnConnect([this] { CatchUpSoon(); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status::Ok();
    stop_intake_ = [&consumer] { consumer.Stop(); };
  }
  Status s = consumer.Run();
  std::lock_guard<std::mutex> lock(mu_);
  stop_intake_ = nullptr;
  return s;
}

Result<bool> Bot::RecordExists(const std::string& uri) {
  std::string did, collection, rkey;
  if (!SplitRecordUri(uri, &did, &collection, &rkey)) {
    return Status::InvalidArgument("not a record AT-URI: " + uri);
  }
  ASSIGN_OR_RETURN(std::string pds, resolver_.ResolvePds(did));
  ap::XrpcClient client(pds,
                        http::Limits{.max_bytes = 1'000'000, .timeout = std::chrono::seconds(10)});
  ASSIGN_OR_RETURN(ap::XrpcResponse r,
                   client.Query("com.atproto.repo.getRecord",
                                {{"repo", did}, {"collection", collection}, {"rkey", rkey}}));
  if (r.ok()) return true;
  Status s = ap::ResponseStatus(r, "getRecord " + uri);
  if (s.code() == Code::kNotFound) return false;
  return s;
}

void Bot::ProcessRetractions() {
  auto pending = store_.PendingRetractions(did_);
  if (!pending.ok()) {
    LogWarn("reading retractions: " + pending.status().message());
    return;
  }
  for (const Store::Retraction& r : *pending) {
    if (stop_) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (in_flight_.count(r.mention_uri)) continue;  // a worker is on it; next round
    }
    Status failed;
    for (const Part& part : r.parts) {  // newest first
      auto out = agent_->Procedure(
          "com.atproto.repo.deleteRecord",
          {{"repo", did_}, {"collection", std::string(fh::kPostCollection)}, {"rkey", part.rkey}});
      if (!out.ok() && out.status().code() != Code::kNotFound) {
        failed = out.status();
        break;
      }
    }
    if (!failed.ok()) {
      LogWarn("retracting the reply to " + r.mention_uri + ": " + failed.message() +
              " (will retry)");
      continue;
    }
    if (Status s = store_.MarkRetracted(r.mention_uri); !s.ok()) {
      LogWarn("retracting the reply to " + r.mention_uri + ": " + s.message());
      continue;
    }
    LogInfo("deleted the reply to " + r.mention_uri + " (" + std::to_string(r.parts.size()) +
            " post(s)): " + r.deleted_uri + " was deleted");
  }
}

}  // namespace altscribe::bot
