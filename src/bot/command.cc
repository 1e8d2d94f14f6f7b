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
constexpr Name kLanguageNames[] = {
    {"english", "en"},   {"german", "de"},  {"deutsch", "de"},  {"spanish", "es"},
    {"español", "es"},   {"french", "fr"},  {"français", "fr"}, {"portuguese", "pt"},
    {"português", "pt"}, {"italian", "it"}, {"dutch", "nl"},    {"japanese", "ja"},
    {"日本語", "ja"},    {"korean", "ko"},  {"chinese", "zh"},  {"polish", "pl"},
    {"ukrainian", "uk"}, {"russian", "ru"}, {"swedish", "sv"},  {"finnish", "fi"},
    {"turkish", "tr"},   {"catalan", "ca"}, {"arabic", "ar"},   {"hebrew", "he"},
};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool part = u >= 0x80 || std::isalnum(u) || c == ':' || c == '-' || c == '_';
    if (part) {
      cur.push_back(static_cast<char>(u < 0x80 ? std::tolower(u) : u));
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

}  // namespace

Command ParseCommand(std::string_view text) {
  Command cmd;
  std::vector<std::string> words = Words(text);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.empty() || w[0] == '@') continue;
    if (w == "detail" || w == "detailed") {
      cmd.mode = vision::Mode::kDetail;
    } else if (w == "classify" || w == "labels" || w == "tags") {
      cmd.mode = vision::Mode::kClassify;
    } else if (w == "hotdog") {
      cmd.mode = vision::Mode::kHotdog;
    } else if (w == "again" || w == "redo") {
      cmd.again = true;
    } else if (w.rfind("lang:", 0) == 0 || w.rfind("in:", 0) == 0) {
      auto lang = vision::Language::Parse(w.substr(w.find(':') + 1));
      if (lang.ok()) cmd.lang = lang->tag;
    } else {
      for (const auto& n : kLanguageNames) {
        if (w == n.word) cmd.lang = n.tag;
      }
    }
  }
  return cmd;
}

}  // namespace altscribe::bot
