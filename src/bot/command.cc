#include "bot/command.h"

#include <cctype>
#include <vector>

#include "core/text.h"

namespace altscribe::bot {
namespace {

struct Name {
  const char* word;
  const char* tag;
};
// Language names in their own language; English names come from vision::Language.
constexpr Name kLanguageNames[] = {
    {"deutsch", "de"},   {"español", "es"}, {"français", "fr"},
    {"português", "pt"}, {"日本語", "ja"},  {"日本語で", "ja"},
};

// Punctuation outside ASCII that separates words: ¡ ¿ « » ‘ ’ “ ” … 、 。 ！ ？ ， ： and the
// ideographic space.
constexpr std::string_view kSeparators[] = {"¡", "¿",  "«",  "»",  "‘",  "’",  "“",  "”",
                                            "…", "、", "。", "！", "？", "，", "：", "　"};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    // "again:" and "detail-" are the words; ':' only joins inside "lang:es".
    while (!cur.empty() && (cur.back() == ':' || cur.back() == '-' || cur.back() == '_')) {
      cur.pop_back();
    }
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < text.size();) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    if (u >= 0x80) {
      bool separator = false;
      for (std::string_view sep : kSeparators) {
        if (text.substr(i, sep.size()) == sep) {
          flush();
          i += sep.size();
          separator = true;
          break;
        }
      }
      if (!separator) cur.push_back(text[i++]);
      continue;
    }
    if (std::isalnum(u) || u == ':' || u == '-' || u == '_') {
      cur.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
    ++i;
  }
  flush();
  return words;
}

}  // namespace

Command ParseCommand(std::string_view text) {
  Command cmd;
  std::vector<std::string> words = Words(text);
  size_t plain = 0;  // words other than @handles
  for (const std::string& w : words) plain += !w.empty() && w[0] != '@';
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.empty() || w[0] == '@') continue;
    if (w == "detail" || w == "detailed") {
      cmd.mode = vision::Mode::kDetail;
    } else if (w == "classify" || w == "labels" || w == "tags") {
      cmd.mode = vision::Mode::kClassify;
    } else if (w == "hotdog") {
      cmd.mode = vision::Mode::kHotdog;
    } else if (w == "help" || w == "ayuda" || w == "ajuda" || w == "hilfe" || w == "aide" ||
               w == "ヘルプ") {
      cmd.help = true;
    } else if ((w == "stop" || w == "start") && plain <= 4) {
      (w == "stop" ? cmd.stop : cmd.start) = true;
    } else if (w == "again" || w == "redo") {
      cmd.again = true;
    } else if (w.rfind("lang:", 0) == 0 || w.rfind("in:", 0) == 0) {
      auto lang = vision::Language::Parse(w.substr(w.find(':') + 1));
      if (lang.ok()) cmd.lang = lang->tag;
    } else {
      if (std::string tag = vision::Language::TagForEnglishName(w); !tag.empty()) {
        cmd.lang = tag;
      }
      for (const auto& n : kLanguageNames) {
        if (w == n.word) cmd.lang = n.tag;
      }
    }
  }
  return cmd;
}

}  // namespace altscribe::bot
