// bot/command.h — what the person asked for, read from the words of the mention.
//
// The mention's text, with the bot's own @-mention removed, is read word by word
// (case-insensitive): "detail"/"detailed" → detail mode, "classify"/"labels"/"tags" → classify,
// "hotdog" → hotdog, "again"/"redo" → describe images that already have alt text too,
// "lang:xx" / "in:xx" or a language name in English ("german", "in japanese") → reply language,
// "help" (or "ayuda", "ajuda", "hilfe", "aide", "ヘルプ") → the usage in one post.
// Anything else is ignored, so ordinary sentences around the mention do no harm. Pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vision/prompt.h"

namespace altscribe::bot {

struct Command {
  vision::Mode mode = vision::Mode::kAlt;
  bool again = false;  // describe images that already have alt text
  bool help = false;   // answer with the usage instead of descriptions
  // "@bot stop" / "@bot start": the person opts out of (or back into) descriptions of their
  // images. Only read when the mention says little else (at most 3 other words).
  bool stop = false, start = false;
  std::optional<std::string> lang;  // explicit language tag, if the person named one
};

Command ParseCommand(std::string_view text);

}  // namespace altscribe::bot
