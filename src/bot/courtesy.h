// bot/courtesy.h — the policies that keep the bot welcome: how often one person may call it,
// who has opted out, which content warnings a reply inherits, and the PDS write budget.
//
// Pure functions and plain options; the state behind them (requests, opt-outs, answered targets,
// writes) is in the state store (Store::AdmitRequest and friends), and bot.cc applies them
// between planning and describing:
//   1. "@bot stop" / "@bot start" from anyone records or removes their opt-out (acknowledged);
//   2. per-requester limits: answers while under the limits, then one short notice, then silence
//      until the window passes (accounts younger than new_account_days get stricter limits);
//   3. the target's author opted out (stored stop, #nobot/#noai/#noalt in their profile, or they
//      block the bot): a polite notice to the requester, no description;
//   4. one answer per target post per repeat window: later requests get a link to that answer;
//   5. the reply carries the target's content-warning labels as self-labels;
//   6. posting waits while the write budget (headroom under 5,000 points/hour and 35,000/day)
//      is spent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/store.h"

namespace altscribe::bot {

struct CourtesyOptions {
  Store::RateLimits limits{4, 20};
  Store::RateLimits new_account_limits{2, 6};
  int new_account_days = 7;              // accounts younger than this get new_account_limits
  int64_t repeat_window_ms = 3'600'000;  // one answer per target post per window (0 = off)
  int write_points_per_hour = 4'000;     // the PDS allows 5,000
  int write_points_per_day = 28'000;     // the PDS allows 35,000
};

// The limits for a requester whose account was created at `created_unix_ms` (0 = unknown: the
// normal limits).
Store::RateLimits LimitsFor(const CourtesyOptions& options, int64_t created_unix_ms,
                            int64_t now_unix_ms);

// True when a profile description asks bots to stay away: the hashtags #nobot, #noai or #noalt
// (any case, ASCII or fullwidth '＃', as a whole tag: "#noaiart" does not count).
bool ProfileOptsOut(std::string_view description);

// The content-warning labels a reply must carry: of the target's self-labels and the labels the
// AppView shows on it, those among porn, sexual, nudity, graphic-media ("gore" counts as
// graphic-media), each once, in that order.
std::vector<std::string> WarningLabels(const std::vector<std::string>& labels);

// The link to part 0 of the bot's reply to `mention_uri` (its record key is fixed in advance).
std::string ReplyLink(std::string_view bot_did, std::string_view mention_uri);

// Fair order for unfinished mentions: the oldest of each requester first, then each one's
// second, and so on, keeping the given (oldest-first) order within a round. Stable and pure.
std::vector<Mention> FairOrder(std::vector<Mention> pending);

// Points one createRecord costs on a PDS.
inline constexpr int kCreatePoints = 3;

}  // namespace altscribe::bot
