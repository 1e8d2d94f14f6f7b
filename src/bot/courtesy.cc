#include "bot/courtesy.h"

#include <algorithm>
#include <map>

#include "bot/poster.h"
#include "core/text.h"

namespace altscribe::bot {

Store::RateLimits LimitsFor(const CourtesyOptions& o, int64_t created_unix_ms,
                            int64_t now_unix_ms) {
  if (created_unix_ms <= 0) return o.limits;
  const int64_t age_ms = now_unix_ms - created_unix_ms;
  return age_ms < int64_t{o.new_account_days} * 86'400'000 ? o.new_account_limits : o.limits;
}

bool ProfileOptsOut(std::string_view description) {
  static constexpr std::string_view kTags[] = {"nobot", "noai", "noalt"};
  static constexpr std::string_view kHashes[] = {"#", "＃"};
  const std::string lower = AsciiLower(description);
  for (std::string_view hash : kHashes) {
    for (size_t pos = lower.find(hash); pos != std::string::npos; pos = lower.find(hash, pos + 1)) {
      const size_t start = pos + hash.size();
      for (std::string_view tag : kTags) {
        if (lower.compare(start, tag.size(), tag) != 0) continue;
        const size_t end = start + tag.size();
        const unsigned char next = end < lower.size() ? lower[end] : ' ';
        if (!(std::isalnum(next) || next == '_' || next >= 0x80)) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> WarningLabels(const std::vector<std::string>& labels) {
  static constexpr std::string_view kOrder[] = {"porn", "sexual", "nudity", "graphic-media"};
  std::vector<std::string> out;
  for (std::string_view want : kOrder) {
    for (const std::string& l : labels) {
      std::string v = l == "gore" ? "graphic-media" : l;
      if (v == want) {
        out.emplace_back(want);
        break;
      }
    }
  }
  return out;
}

std::vector<Mention> FairOrder(std::vector<Mention> pending) {
  std::map<std::string, int> seen;
  std::vector<std::pair<int, size_t>> order;
  for (size_t i = 0; i < pending.size(); ++i) {
    order.push_back({seen[pending[i].info.author_did]++, i});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Mention> fair;
  fair.reserve(pending.size());
  for (const auto& [round, i] : order) fair.push_back(std::move(pending[i]));
  return fair;
}

std::string ReplyLink(std::string_view bot_did, std::string_view mention_uri) {
  return "https://bsky.app/profile/" + std::string(bot_did) + "/post/" + PartRkey(mention_uri, 0);
}

}  // namespace altscribe::bot
