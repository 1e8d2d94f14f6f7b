#include "bot/poster.h"

#include "bot/courtesy.h"

#include <nlohmann/json.hpp>

#include "atproto/records/post.h"
#include "atproto/syntax/at_uri.h"
#include "atproto/syntax/tid.h"
#include "core/log.h"
#include "core/sha256.h"

namespace altscribe::bot {
namespace {

using json = nlohmann::json;
namespace ap = altscribe::atproto;

uint64_t HashPrefix(std::string_view s) {
  std::string h = Sha256Hex(s);
  return std::stoull(h.substr(0, 15), nullptr, 16);
}

Result<ap::StrongRef> ToRef(const StrongRef& r) {
  auto uri = ap::AtUri::Parse(r.uri);
  if (!uri.ok()) return uri.status();
  auto cid = ap::Cid::Parse(r.cid);
  if (!cid.ok()) return cid.status();
  return ap::StrongRef{*uri, *cid};
}

}  // namespace

std::string PartRkey(std::string_view mention_uri, int k) {
  const uint64_t h = HashPrefix(mention_uri);
  uint64_t base = 0;
  auto uri = ap::AtUri::Parse(mention_uri);
  if (uri.ok() && uri->rkey()) {
    if (auto tid = ap::Tid::Parse(uri->rkey()->str()); tid.ok()) base = tid->micros() + 1'000'000;
  }
  if (base == 0) {
    // 2023-01-01 plus up to ~4 years, from the hash: plausible, deterministic, non-colliding.
    base = 1'672'531'200'000'000ull + (h >> 20) % 126'000'000'000'000ull;
  }
  return ap::Tid::FromParts(base + static_cast<uint64_t>(k), static_cast<uint32_t>(h % 1024)).str();
}

Poster::Poster(atproto::Agent& agent, Store& store, std::string bot_did)
    : agent_(agent), store_(store), bot_did_(std::move(bot_did)) {}

Result<StrongRef> Poster::Existing(const std::string& rkey) {
  ASSIGN_OR_RETURN(json rec, agent_.Query("com.atproto.repo.getRecord",
                                          {{"repo", bot_did_},
                                           {"collection", std::string(ap::kPostCollection)},
                                           {"rkey", rkey}}));
  if (!rec.is_object() || !rec.contains("uri") || !rec.contains("cid")) {
    return Status::Network("getRecord answered without uri/cid");
  }
  return StrongRef{rec["uri"], rec["cid"]};
}

Status Poster::PostParts(const Mention& m, const std::vector<std::string>& langs,
                         const std::vector<std::string>& self_labels, WriteBudget budget) {
  StrongRef mention_ref{m.info.uri, m.info.cid};
  StrongRef root = m.info.root.value_or(mention_ref);
  StrongRef parent = mention_ref;
  for (const Part& stored : m.parts) {
    if (stored.state == PartState::kPosted) {
      parent = {stored.uri, stored.cid};
      continue;
    }
    ASSIGN_OR_RETURN(Part part, store_.RecordIntent(m.info.uri, stored.k));
    if (part.state == PartState::kPosted) {
      parent = {part.uri, part.cid};
      continue;
    }
    if (part.attempts > 1) {
      // An earlier try may have written it: ask before writing again.
      auto existing = Existing(part.rkey);
      if (existing.ok()) {
        LogInfo("part " + std::to_string(part.k) + " of the reply to " + m.info.uri +
                " was already written; not posting it again");
        RETURN_IF_ERROR(store_.MarkPosted(m.info.uri, part.k, existing->uri, existing->cid));
        parent = *existing;
        continue;
      }
      if (existing.status().code() != Code::kNotFound) return existing.status();
    }
    if (budget.per_hour > 0) {
      const int64_t now = store_.NowMs();
      ASSIGN_OR_RETURN(int64_t hour, store_.WritePointsSince(bot_did_, now - 3'600'000));
      ASSIGN_OR_RETURN(int64_t day, store_.WritePointsSince(bot_did_, now - 86'400'000));
      if (hour + kCreatePoints > budget.per_hour || day + kCreatePoints > budget.per_day) {
        return Status::Timeout("write budget spent (" + std::to_string(hour) +
                               " points this hour, " + std::to_string(day) +
                               " today); posting later");
      }
    }
    ap::NewPost post;
    post.text = part.text;
    post.self_labels = self_labels;
    post.created_at = ap::Datetime::Now();
    post.langs = langs;
    ASSIGN_OR_RETURN(ap::StrongRef root_ref, ToRef(root));
    ASSIGN_OR_RETURN(ap::StrongRef parent_ref, ToRef(parent));
    post.reply = ap::ReplyRef{root_ref, parent_ref};
    json body = {{"repo", bot_did_},
                 {"collection", std::string(ap::kPostCollection)},
                 {"rkey", part.rkey},
                 {"record", ap::ToJson(post)}};
    RETURN_IF_ERROR(store_.RecordWrite(bot_did_, kCreatePoints));
    auto written = agent_.Procedure("com.atproto.repo.createRecord", body);
    if (!written.ok()) {
      return written.status().WithPrefix("posting part " + std::to_string(part.k) +
                                         " of the reply to " + m.info.uri);
    }
    if (!written->contains("uri") || !written->contains("cid")) {
      return Status::Network("createRecord answered without uri/cid");
    }
    StrongRef ref{(*written)["uri"], (*written)["cid"]};
    CrashPoint("created:" + std::to_string(part.k));  // written, but not yet marked posted
    RETURN_IF_ERROR(store_.MarkPosted(m.info.uri, part.k, ref.uri, ref.cid));
    CrashPoint("posted:" + std::to_string(part.k));
    parent = ref;
  }
  return Status::Ok();
}

}  // namespace altscribe::bot
