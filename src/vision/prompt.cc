#include "vision/prompt.h"

#include <cctype>

#include "core/text.h"

namespace altscribe::vision {
namespace {

struct LangName {
  const char* tag;
  const char* name;
};
constexpr LangName kLanguages[] = {
    {"ar", "Arabic"},     {"ca", "Catalan"},    {"cs", "Czech"},     {"da", "Danish"},
    {"de", "German"},     {"el", "Greek"},      {"en", "English"},   {"es", "Spanish"},
    {"eu", "Basque"},     {"fa", "Persian"},    {"fi", "Finnish"},   {"fr", "French"},
    {"ga", "Irish"},      {"gl", "Galician"},   {"he", "Hebrew"},    {"hi", "Hindi"},
    {"hu", "Hungarian"},  {"id", "Indonesian"}, {"it", "Italian"},   {"ja", "Japanese"},
    {"ko", "Korean"},     {"nl", "Dutch"},      {"no", "Norwegian"}, {"nb", "Norwegian Bokmål"},
    {"pl", "Polish"},     {"pt", "Portuguese"}, {"ro", "Romanian"},  {"ru", "Russian"},
    {"sv", "Swedish"},    {"th", "Thai"},       {"tr", "Turkish"},   {"uk", "Ukrainian"},
    {"vi", "Vietnamese"}, {"zh", "Chinese"},    {"cy", "Welsh"},     {"eo", "Esperanto"},
};

}  // namespace

Result<Mode> ParseMode(std::string_view name) {
  if (name == "alt") return Mode::kAlt;
  if (name == "detail") return Mode::kDetail;
  if (name == "classify") return Mode::kClassify;
  if (name == "hotdog") return Mode::kHotdog;
  return Status::InvalidArgument("unknown mode '" + std::string(name) +
                                 "' (use alt, detail, classify or hotdog)");
}

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kAlt:
      return "alt";
    case Mode::kDetail:
      return "detail";
    case Mode::kClassify:
      return "classify";
    case Mode::kHotdog:
      return "hotdog";
  }
  return "alt";
}

Result<Language> Language::Parse(std::string_view tag) {
  // primary subtag: 2-3 letters; further subtags: 2-8 alphanumerics, separated by '-' or '_'.
  std::string t(tag);
  size_t i = 0, part = 0, len = 0;
  bool ok = !t.empty();
  for (; ok && i <= t.size(); ++i) {
    if (i == t.size() || t[i] == '-' || t[i] == '_') {
      ok = part == 0 ? (len >= 2 && len <= 3) : (len >= 2 && len <= 8);
      if (i < t.size()) t[i] = '-';
      ++part;
      len = 0;
    } else if (std::isalpha(static_cast<unsigned char>(t[i])) ||
               (part > 0 && std::isdigit(static_cast<unsigned char>(t[i])))) {
      ++len;
    } else {
      ok = false;
    }
  }
  if (!ok) {
    return Status::InvalidArgument("invalid language '" + std::string(tag) +
                                   "' (use a code such as en, de, pt-BR)");
  }
  // Canonical case (BCP 47 is case-insensitive): "pt-br" -> "pt-BR", "zh-hant" -> "zh-Hant".
  size_t start = 0;
  for (size_t idx = 0; start <= t.size(); ++idx) {
    size_t end = t.find('-', start);
    if (end == std::string::npos) end = t.size();
    for (size_t k = start; k < end; ++k) {
      bool upper = (idx > 0 && end - start == 2) || (idx > 0 && end - start == 4 && k == start);
      t[k] = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(t[k]))
                                     : std::tolower(static_cast<unsigned char>(t[k])));
    }
    start = end + 1;
  }
  Language l;
  l.tag = t;
  return l;
}

std::string Language::Name() const {
  std::string primary = AsciiLower(tag.substr(0, tag.find('-')));
  for (const auto& l : kLanguages) {
    if (primary == l.tag) return l.name;
  }
  return "the language with code " + tag;
}

Prompt BuildPrompt(Mode mode, const Language& lang) {
  const std::string in_lang = "Write in " + lang.Name() + ".";
  Prompt p;
  switch (mode) {
    case Mode::kAlt:
      p.system =
          "You write alt text for images on a social network, for people who use screen "
          "readers. Describe what matters in the image in 1 to 3 plain sentences. If the image "
          "contains text, transcribe it exactly, in quotes. Do not start with \"Image of\" or "
          "\"Picture of\"; name the medium (photo, screenshot, chart, meme) only when it "
          "matters. Do not guess names of people, do not add opinions, do not invent details, "
          "do not write in the first person. " +
          in_lang;
      p.user = "Write the alt text for this image.";
      break;
    case Mode::kDetail:
      p.system =
          "You describe images in detail for people who cannot see them. Start with one "
          "sentence that summarises the image, then describe the layout, people, objects, "
          "colours and setting. Transcribe all visible text exactly, in quotes. For charts "
          "and diagrams give the type, axes, and the values or trend shown. Do not invent "
          "details. " +
          in_lang;
      p.user = "Describe this image in detail.";
      break;
    case Mode::kClassify:
      p.system =
          "You label images. Answer with 3 to 5 short lowercase labels separated by commas, "
          "most important first, and nothing else. " +
          in_lang;
      p.user = "Give the labels for this image.";
      break;
    case Mode::kHotdog:
      p.system = "Answer with exactly one of two answers: \"hotdog\" or \"not hotdog\".";
      p.user = "Is this a hotdog?";
      break;
  }
  return p;
}

int DefaultMaxTokens(Mode mode) {
  switch (mode) {
    case Mode::kAlt:
      return 160;
    case Mode::kDetail:
      return 512;
    case Mode::kClassify:
      return 32;
    case Mode::kHotdog:
      return 6;
  }
  return 160;
}

size_t DefaultMaxChars(Mode mode) {
  switch (mode) {
    case Mode::kAlt:
      return 600;
    case Mode::kDetail:
      return 2000;
    case Mode::kClassify:
      return 120;
    case Mode::kHotdog:
      return 10;
  }
  return 600;
}

}  // namespace altscribe::vision
