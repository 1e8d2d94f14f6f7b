// bot/planner.h — from a mention to what the reply should be about.
//
// The target is the mention's own images if it has any; else the post it quotes
// (embed.record / recordWithMedia); else its parent. Images come from app.bsky.embed.images,
// recordWithMedia media, app.bsky.embed.gallery (up to 20) and external-card thumbnails; a
// video contributes its thumbnail. Each image is identified by (author DID, blob CID) so the
// original bytes can be fetched from the author's PDS, with the AppView's fullsize URL as the
// fallback. Mentions that must get no answer are planned as kIgnore with the reason: the bot's
// own posts, posts by accounts labelled "bot" (no loops), and posts that only reply to the bot
// without mentioning it in a facet (a typed handle is not a mention), and mentions deeper in
// their thread than the configured depth.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "atproto/xrpc/agent.h"
#include "bot/command.h"
#include "core/status.h"

namespace altscribe::bot {

struct PlannedImage {
  std::string author_did;
  std::string cid;  // blob CID ("" when only a URL is known)
  std::string mime;
  std::string url;  // the AppView's fullsize (or thumbnail) URL
  std::string existing_alt;
  bool video_thumbnail = false;
};

struct Plan {
  enum class Kind {
    kDescribe,
    kNoImages,
    kNotFound,
    kBlocked,
    kIgnore,
    kHelp,
    // Decided by the courtesy checks (courtesy.h) after planning:
    kRateLimited,      // the requester's one notice
    kOptedOut,         // the target's author opted out
    kStopped,          // "@bot stop" acknowledged
    kStarted,          // "@bot start" acknowledged
    kAlreadyAnswered,  // a link to the earlier answer (`earlier_mention`)
  };
  Kind kind = Kind::kDescribe;
  std::string reason;      // for kIgnore (operator's log) and kNotFound/kBlocked
  std::string target_uri;  // the post whose images are described
  Command command;
  std::string lang = "en";              // reply language
  std::vector<std::string> text_langs;  // the target post's `langs`: what OCR reads
  std::string requester_did;            // who mentioned the bot
  std::string target_author_did;        // whose images they are ("" when there is no target)
  std::vector<std::string> labels;      // the target's self-labels and AppView labels
  std::string earlier_mention;          // kAlreadyAnswered: the mention answered before
  std::vector<PlannedImage> images;

  std::string ToJsonText() const;
  static Result<Plan> FromJsonText(std::string_view text);
};

const char* PlanKindName(Plan::Kind kind);

class Planner {
 public:
  // REQUIRES: `agent` (the bot account's) outlives the planner.
  // A mention more than `max_thread_depth` replies below its thread's root is ignored (pile-ons
  // deep in long threads); 0 = no limit.
  Planner(atproto::Agent& agent, std::string bot_did, int max_thread_depth = 0);

  // Looks the mention up through the AppView and decides. Network errors are returned (retry
  // later); everything about the content is an answer in the Plan.
  Result<Plan> PlanMention(const std::string& mention_uri);

  // With a stream intake the bot can see a mention before the AppView has indexed it. With this
  // set, a mention getPosts does not know is looked up with `exists` (its author's PDS): while
  // the record exists the planner asks the AppView again for up to ~2 s, then returns a Network
  // error (retried as an outage, never given up); only a record that is gone is "deleted".
  void SetRecordCheck(std::function<Result<bool>(const std::string& uri)> exists) {
    exists_ = std::move(exists);
  }

 private:
  std::function<Result<bool>(const std::string& uri)> exists_;
  atproto::Agent& agent_;
  std::string bot_did_;
  int max_thread_depth_ = 0;
};

}  // namespace altscribe::bot
