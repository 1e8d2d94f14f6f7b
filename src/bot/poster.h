// bot/poster.h — writes a mention's reply parts to the bot's repository, exactly once.
//
// Each part has a record key fixed before anything is posted (PartRkey: a TID derived from the
// mention URI and the part number). Before createRecord the intent is recorded in the store;
// when a part's intent was recorded before (a crash, a timeout, a 5xx), getRecord on that key
// decides whether the earlier try wrote it. So a restart at any point never posts twice, and
// createRecord with an existing key is never needed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atproto/xrpc/agent.h"
#include "bot/store.h"

namespace altscribe::bot {

// The record key of part k of the reply to `mention_uri`: a TID whose time is one second after
// the mention's own TID record key (or a time derived from the URI's hash when the key is not a
// TID) plus k microseconds, and whose clock id comes from the URI's hash. Same inputs, same key.
std::string PartRkey(std::string_view mention_uri, int k);

// Fault injection for crash tests (bot.h): kills the process when `point` is the one named by
// ALTSCRIBE_FAULT_CRASH_AT.
void CrashPoint(std::string_view point);

// The PDS write budget a poster keeps to (points; 0 = none).
struct WriteBudget {
  int per_hour = 0;
  int per_day = 0;
};

class Poster {
 public:
  // REQUIRES: agent and store outlive the poster.
  Poster(atproto::Agent& agent, Store& store, std::string bot_did);

  // Posts every part of `mention` not yet posted, in order, each replying to the previous one
  // (the first to the mention; root = the mention's root, or the mention itself). OK when all
  // are posted; an error leaves the rest for the next try. Every part carries `self_labels`
  // (content warnings inherited from the target). Each createRecord is counted in the store's
  // write budget; when `budget` is set and a part would exceed it, nothing more is posted and
  // the error is a Timeout ("write budget spent"), which the bot retries later as an outage.
  Status PostParts(const Mention& mention, const std::vector<std::string>& langs,
                   const std::vector<std::string>& self_labels = {}, WriteBudget budget = {});

 private:
  Result<StrongRef> Existing(const std::string& rkey);  // getRecord; NotFound when absent
  atproto::Agent& agent_;
  Store& store_;
  std::string bot_did_;
};

}  // namespace altscribe::bot
