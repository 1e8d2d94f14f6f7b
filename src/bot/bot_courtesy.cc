// Bot: the courtesy checks between planning and describing (bot/courtesy.h), and the bot's own
// `bot` self-label.
#include <nlohmann/json.hpp>

#include "atproto/syntax/datetime.h"
#include "bot/bot.h"
#include "bot/courtesy.h"
#include "core/log.h"
#include "http/client.h"

namespace altscribe::bot {
namespace {

using json = nlohmann::json;
namespace ap = altscribe::atproto;

}  // namespace

Result<json> Bot::Profile(const std::string& did) {
  return agent_->Query("app.bsky.actor.getProfile", {{"actor", did}});
}

// When the account was created: the profile's createdAt when the AppView has one, else the
// first operation in the PLC directory's audit log (the DID's creation); an age that cannot be
// told counts as new (now), so an account without a history gets the stricter limits.
Result<int64_t> Bot::AccountCreatedMs(const std::string& did) {
  auto profile = Profile(did);
  if (!profile.ok() && profile.status().code() != Code::kNotFound &&
      profile.status().code() != Code::kInvalidArgument) {
    return profile.status().WithPrefix("getProfile " + did);
  }
  if (profile.ok()) {
    if (auto t = ap::Datetime::ParseLenient(profile->value("createdAt", "")); t.ok()) {
      return t->unix_micros() / 1000;
    }
  }
  if (did.rfind("did:plc:", 0) == 0) {
    auto log = http::Get(options_.plc_url + "/" + did + "/log/audit",
                         http::Limits{.max_bytes = 1'000'000, .timeout = std::chrono::seconds(10)});
    if (!log.ok()) return log.status().WithPrefix("PLC audit log of " + did);
    if (log->status == 200) {
      json ops = json::parse(log->body, nullptr, /*allow_exceptions=*/false);
      if (ops.is_array() && !ops.empty() && ops[0].is_object()) {
        if (auto t = ap::Datetime::ParseLenient(ops[0].value("createdAt", "")); t.ok()) {
          return t->unix_micros() / 1000;
        }
      }
    }
  }
  return store_.NowMs();
}

Status Bot::ApplyCourtesy(const Mention& m, Plan* plan) {
  const CourtesyOptions& c = options_.courtesy;
  const std::string requester =
      plan->requester_did.empty() ? m.info.author_did : plan->requester_did;
  // 1. "@bot stop" / "@bot start" are always honoured (they only ever reduce what the bot does).
  if (plan->kind == Plan::Kind::kHelp && (plan->command.stop || plan->command.start)) {
    RETURN_IF_ERROR(store_.SetOptOut(requester, plan->command.stop, "stop"));
    LogInfo(requester + (plan->command.stop ? " opted out" : " opted back in"));
    plan->kind = plan->command.stop ? Plan::Kind::kStopped : Plan::Kind::kStarted;
    return Status::Ok();
  }
  // 2. Per-requester limits.
  int64_t created = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = account_created_ms_.find(requester); it != account_created_ms_.end()) {
      created = it->second;
    }
  }
  if (created == 0 && c.new_account_days > 0) {
    ASSIGN_OR_RETURN(created, AccountCreatedMs(requester));
    std::lock_guard<std::mutex> lock(mu_);
    account_created_ms_[requester] = created;
  }
  ASSIGN_OR_RETURN(
      Store::Admission admission,
      store_.AdmitRequest(requester, m.info.uri, LimitsFor(c, created, store_.NowMs())));
  if (admission == Store::Admission::kSilent) {
    plan->kind = Plan::Kind::kIgnore;
    plan->reason = "the requester is over the limits and has been told";
    return Status::Ok();
  }
  if (admission == Store::Admission::kNotice) {
    plan->kind = Plan::Kind::kRateLimited;
    return Status::Ok();
  }
  if (plan->kind != Plan::Kind::kDescribe || plan->target_author_did.empty()) return Status::Ok();

  // 3. The author of the images opted out: stored "stop", a tag in the profile, or a block.
  const std::string& author = plan->target_author_did;
  ASSIGN_OR_RETURN(bool stopped, store_.IsOptedOut(author));
  bool opted_out = stopped;
  if (!opted_out && author != did_) {
    auto profile = Profile(author);
    if (!profile.ok() && profile.status().code() != Code::kNotFound) {
      return profile.status().WithPrefix("getProfile " + author);
    }
    if (profile.ok()) {
      const json& viewer = profile->contains("viewer") ? (*profile)["viewer"] : json::object();
      opted_out = ProfileOptsOut(profile->value("description", "")) ||
                  (viewer.is_object() && viewer.value("blockedBy", false));
    }
  }
  if (opted_out) {
    LogInfo(m.info.uri + ": the author " + author + " opted out; telling the requester");
    plan->kind = Plan::Kind::kOptedOut;
    plan->images.clear();
    return Status::Ok();
  }
  // 4. One answer per target post per window.
  if (c.repeat_window_ms > 0) {
    ASSIGN_OR_RETURN(std::optional<std::string> earlier,
                     store_.ClaimTarget(plan->target_uri, did_, m.info.uri, c.repeat_window_ms));
    if (earlier) {
      plan->kind = Plan::Kind::kAlreadyAnswered;
      plan->earlier_mention = *earlier;
      plan->images.clear();
    }
  }
  return Status::Ok();
}

Status Bot::EnsureBotSelfLabel() {
  json record = json::object();
  auto got =
      agent_->Query("com.atproto.repo.getRecord",
                    {{"repo", did_}, {"collection", "app.bsky.actor.profile"}, {"rkey", "self"}});
  if (got.ok() && got->contains("value") && (*got)["value"].is_object()) {
    record = (*got)["value"];
  } else if (!got.ok() && got.status().code() != Code::kNotFound) {
    return got.status();
  }
  json values = json::array();
  if (record.contains("labels") && record["labels"].is_object() &&
      record["labels"].contains("values") && record["labels"]["values"].is_array()) {
    values = record["labels"]["values"];
  }
  for (const auto& v : values) {
    if (v.is_object() && v.value("val", "") == "bot") return Status::Ok();
  }
  values.push_back({{"val", "bot"}});
  record["$type"] = "app.bsky.actor.profile";
  record["labels"] = {{"$type", "com.atproto.label.defs#selfLabels"}, {"values", values}};
  json body = {{"repo", did_},
               {"collection", "app.bsky.actor.profile"},
               {"rkey", "self"},
               {"record", record}};
  auto put = agent_->Procedure("com.atproto.repo.putRecord", body);
  if (!put.ok()) return put.status();
  LogInfo("set the bot self-label on the profile of " + options_.handle);
  return Status::Ok();
}

}  // namespace altscribe::bot
