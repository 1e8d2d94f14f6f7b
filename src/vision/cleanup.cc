#include "vision/cleanup.h"

#include <cctype>
#include <vector>

#include "core/text.h"

namespace altscribe::vision {
namespace {

// Lead-ins models put before the actual description, longest first where they share a start.
// Matching is case-insensitive; the rest of the sentence is kept and capitalised.
const char* const kPreambles[] = {
    "here is the alt text for this image:",
    "here is the alt text for the image:",
    "here is the alt text:",
    "here's the alt text:",
    "here is an alt text:",
    "alt text:",
    "here is a description of the image:",
    "here's a description of the image:",
    "here is a detailed description:",
    "description:",
    "sure!",
    "sure,",
    "sure.",
    "certainly!",
    "certainly,",
    "of course!",
    "okay,",
    "ok,",
    "the image shows",
    "the image depicts",
    "the image features",
    "the image contains",
    "the image is",
    "this image shows",
    "this image depicts",
    "this image features",
    "this is an image of",
    "this is a picture of",
    "the picture shows",
    "this picture shows",
    "an image of",
    "a picture of",
    "image of",
    "picture of",
    "in this image,",
    "in the image,",
};

bool IsSentenceEnd(std::string_view s, size_t i) {
  char c = s[i];
  if (c != '.' && c != '!' && c != '?') {
    // CJK full stops: 。！？ (3 bytes each)
    if (i + 3 <= s.size()) {
      std::string_view t = s.substr(i, 3);
      return t == "\xE3\x80\x82" || t == "\xEF\xBC\x81" || t == "\xEF\xBC\x9F";
    }
    return false;
  }
  // "e.g." / "3.5" are not sentence ends: require end of text, a space or a closing quote next.
  if (i + 1 == s.size()) return true;
  char n = s[i + 1];
  return n == ' ' || n == '"' || n == '\'' || n == ')';
}

std::string CapitaliseFirst(std::string s) {
  if (!s.empty() && std::islower(static_cast<unsigned char>(s[0]))) {
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  }
  return s;
}

std::string CleanLabels(std::string_view text) {
  std::string lower = AsciiLower(text);
  std::vector<std::string> labels;
  std::string cur;
  auto flush = [&] {
    std::string l = CollapseWhitespace(cur);
    while (!l.empty() && (l.back() == '.' || l.back() == '-')) l.pop_back();
    while (!l.empty() && (l.front() == '-' || l.front() == '*')) l.erase(0, 1);
    l = std::string(Trim(l));
    // A label is a few words: a rambling one keeps its first words.
    if (Utf8Length(l) > 40) {
      std::string cut = CutAtSentence(l, 40);
      l = std::string(Trim(cut.substr(0, cut.rfind("\xE2\x80\xA6"))));
    }
    if (!l.empty() && labels.size() < 5) labels.push_back(l);
    cur.clear();
  };
  for (char c : lower) {
    if (c == ',' || c == '\n' || c == ';') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  std::string out;
  for (const auto& l : labels) out += (out.empty() ? "" : ", ") + l;
  return out;
}

}  // namespace

std::string StripPreamble(std::string_view text) {
  std::string s(Trim(text));
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    for (const char* p : kPreambles) {
      std::string_view pre(p);
      if (!StartsWithIgnoreCase(s, pre)) continue;
      // Word preambles must end at a word boundary ("the image is" but not "the images").
      if (std::isalpha(static_cast<unsigned char>(pre.back())) && s.size() > pre.size() &&
          std::isalpha(static_cast<unsigned char>(s[pre.size()]))) {
        continue;
      }
      std::string rest(Trim(std::string_view(s).substr(pre.size())));
      if (!rest.empty() && (rest[0] == ':' || rest[0] == ','))
        rest = std::string(Trim(rest.substr(1)));
      if (rest.empty()) continue;  // never strip everything
      s = CapitaliseFirst(rest);
      changed = true;
      break;
    }
  }
  return s;
}

std::string StripControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') {
      out.push_back(c == '\t' ? ' ' : '\n');
      continue;
    }
    if (c < 0x20 || c == 0x7F) continue;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      ++i;  // C1 control U+0080..U+009F
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[i + 1]);
      unsigned char d = static_cast<unsigned char>(text[i + 2]);
      if ((b == 0x80 && d >= 0xAA && d <= 0xAE) || (b == 0x81 && d >= 0xA6 && d <= 0xA9)) {
        i += 2;  // bidi embedding/override/isolate
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string StripMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool line_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (line_start) {
      // Headings and bullets at the start of a line.
      size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && text[j] == '#') {
        while (j < text.size() && text[j] == '#') ++j;
        i = j;
        while (i < text.size() && text[i] == ' ') ++i;
        if (i >= text.size()) break;
        c = text[i];
      } else if (j + 1 < text.size() && (text[j] == '-' || text[j] == '*') && text[j + 1] == ' ') {
        i = j + 2;
        if (i >= text.size()) break;
        c = text[i];
      }
    }
    line_start = c == '\n';
    if (c == '*' || c == '`' || (c == '_' && i + 1 < text.size() && text[i + 1] == '_')) {
      if (c == '_') ++i;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string DefuseMentions(std::string_view text) {
  // "@name" -> "@\u200Bname": reads the same, but no client turns it into a mention facet.
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] == '@' && i + 1 < text.size() &&
        (std::isalnum(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '_')) {
      out.append("\xE2\x80\x8B");
    }
  }
  return out;
}

std::string CutAtSentence(std::string_view text, size_t max_chars) {
  if (Utf8Length(text) <= max_chars) return std::string(text);
  // Byte offset of the max_chars-th character.
  size_t limit = 0, chars = 0;
  while (limit < text.size() && chars < max_chars) {
    ++limit;
    while (limit < text.size() && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) ++limit;
    ++chars;
  }
  size_t best = 0;
  for (size_t i = 0; i < limit; ++i) {
    if (IsSentenceEnd(text, i)) best = i + ((static_cast<unsigned char>(text[i]) & 0x80) ? 3 : 1);
  }
  if (best > 0 && best <= limit) return std::string(Trim(text.substr(0, best)));
  // No sentence ends in range: cut at the last space that leaves room for "…".
  size_t room = 0;
  for (size_t c = 0; room < text.size() && c + 1 < max_chars; ++c) {
    ++room;
    while (room < text.size() && (static_cast<unsigned char>(text[room]) & 0xC0) == 0x80) ++room;
  }
  std::string_view head = text.substr(0, room);
  if (room < text.size() && text[room] != ' ') {
    size_t sp = head.rfind(' ');
    if (sp != std::string_view::npos && sp > 0) head = head.substr(0, sp);
  }
  return std::string(Trim(head)) + "\xE2\x80\xA6";
}

std::string CleanOutput(std::string_view raw, Mode mode, size_t max_chars) {
  std::string s = SanitizeUtf8(raw);
  // Bytes that never formed a character are noise to a listener: drop them, don't show U+FFFD.
  for (size_t p; (p = s.find("\xEF\xBF\xBD")) != std::string::npos;) s.erase(p, 3);
  s = StripControls(s);
  // Template leftovers some models print.
  for (const char* tok :
       {"</s>", "<|im_end|>", "<end_of_turn>", "<|endoftext|>", "<end_of_utterance>"}) {
    for (size_t p; (p = s.find(tok)) != std::string::npos;)
      s.erase(p, std::string_view(tok).size());
  }
  if (mode == Mode::kHotdog) {
    std::string l = AsciiLower(s);
    bool hot = l.find("hotdog") != std::string::npos || l.find("hot dog") != std::string::npos;
    bool negated = l.find("not") != std::string::npos || l.find("no ") == 0 || l == "no";
    return hot && !negated ? "hotdog" : "not hotdog";
  }
  if (mode == Mode::kClassify) return DefuseMentions(CleanLabels(StripMarkdown(s)));
  s = CollapseWhitespace(StripMarkdown(s));
  s = StripPreamble(s);
  // Surrounding quotes around the whole answer.
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"' && s.find('"', 1) == s.size() - 1) {
    s = std::string(Trim(std::string_view(s).substr(1, s.size() - 2)));
  }
  s = DefuseMentions(s);
  return CutAtSentence(s, max_chars);
}

}  // namespace altscribe::vision
