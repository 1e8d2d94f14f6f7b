// The bot's link to a full description (bot.h, LinkFullDescription; bot/full_link.h).
#include "bot/bot.h"
#include "bot/full_link.h"
#include "core/log.h"

namespace altscribe::bot {

Status Bot::LinkFullDescription(const Mention& m, const Plan& plan,
                                const std::vector<ImageOutcome>& outcomes,
                                const std::map<int, std::string>& ocr, std::string_view model,
                                std::vector<std::string>* posts) {
  if (options_.public_url.empty()) return Status::Ok();
  FullDescription doc = FullDescriptionFor(outcomes, ocr, model, plan.lang, plan.target_uri);
  if (!NeedsFullDescription(posts->size(), doc)) return Status::Ok();
  // Keyed by the mention: a retry after a crash gets the same id back.
  ASSIGN_OR_RETURN(std::string id, store_.SaveFullDescription(m.info.uri, doc.ToJsonText()));
  AppendFullDescriptionLink(posts, FullDescriptionUrl(options_.public_url, id), plan.lang);
  LogDebug(m.info.uri + ": full description " + id);
  return Status::Ok();
}

}  // namespace altscribe::bot
