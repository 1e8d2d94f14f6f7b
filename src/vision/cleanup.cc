#include "vision/cleanup.h"

#include <cctype>
#include <utility>
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

constexpr std::string_view kZwsp = "\xE2\x80\x8B";           // U+200B ZERO WIDTH SPACE
constexpr std::string_view kFullwidthAt = "\xEF\xBC\xA0";    // U+FF20 ＠
constexpr std::string_view kFullwidthHash = "\xEF\xBC\x83";  // U+FF03 ＃

// The code point at byte `i` of valid UTF-8 and its length in `*len` (at least 1).
char32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = 1;
  char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  *len = n;
  return cp;
}

// A character that can be part of a host label or a hashtag: ASCII letters, digits, '-' and '_',
// and the letters of other scripts (everything non-ASCII but spaces, punctuation, symbols,
// format characters such as U+200B, variation selectors and emoji).
bool IsLabelChar(char32_t cp) {
  if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) || cp == '-' || cp == '_';
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;  // C1, Latin-1 punctuation, × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, format, arrows, math, shapes
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation and the ideographic space
  if (cp >= 0xFE00 && cp <= 0xFE0F) return false;  // variation selectors
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;  // CJK compatibility forms
  if (cp == 0xFEFF) return false;
  if ((cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
      (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65)) {
    return false;  // fullwidth punctuation
  }
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji and pictographs
  return true;
}

bool IsTagChar(char32_t cp) { return cp != '-' && IsLabelChar(cp); }

// A top-level domain as clients recognise one: 2+ letters (of any script), or punycode "xn--…".
bool LooksLikeTld(std::string_view label) {
  if (StartsWithIgnoreCase(label, "xn--")) return label.size() > 4;
  size_t chars = 0;
  for (size_t i = 0; i < label.size();) {
    size_t len = 0;
    char32_t cp = DecodeAt(label, i, &len);
    if (cp < 0x80 && !std::isalpha(static_cast<int>(cp))) return false;
    ++chars;
    i += len;
  }
  return chars >= 2;
}

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
  // "@name" -> "@<ZWSP>name": reads the same, but no client turns it into a mention facet.
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    size_t at = text.substr(i, 3) == kFullwidthAt ? 3 : text[i] == '@' ? 1 : 0;
    if (at == 0) {
      out.push_back(text[i++]);
      continue;
    }
    out.append(text.substr(i, at));
    i += at;
    if (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
      out.append(kZwsp);
    }
  }
  return out;
}

std::string DefuseLinks(std::string_view text) {
  // Pass 1: "scheme://" -> "scheme:<ZWSP>//".
  std::string schemes;
  schemes.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    schemes.push_back(text[i]);
    if (text[i] == ':' && i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])) &&
        text.substr(i + 1, 2) == "//") {
      schemes.append(kZwsp);
    }
  }
  // Pass 2: dotted names. A run of label characters and dots splits at the dots into labels;
  // consecutive non-empty labels form a name, and a name of 2+ labels whose last one looks like a
  // top-level domain gets <ZWSP> before each of its dots.
  std::string_view s = schemes;
  std::vector<size_t> zwsp_before;  // byte offsets of the dots to defuse
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    char32_t cp = DecodeAt(s, i, &len);
    if (!IsLabelChar(cp) && cp != '.') {
      i += len;
      continue;
    }
    // The run [i, end).
    size_t end = i;
    while (end < s.size()) {
      size_t l = 0;
      char32_t c = DecodeAt(s, end, &l);
      if (!IsLabelChar(c) && c != '.') break;
      end += l;
    }
    // Labels of the run, empty ones included; the dot after label k is at labels[k].second.
    std::vector<std::pair<size_t, size_t>> labels;
    for (size_t j = i, b = i; j <= end; ++j) {
      if (j == end || s[j] == '.') {
        labels.emplace_back(b, j);
        b = j + 1;
      }
    }
    auto empty = [&](size_t k) { return labels[k].first == labels[k].second; };
    for (size_t k = 0; k < labels.size(); ++k) {
      if (empty(k)) continue;
      size_t first = k;
      while (k + 1 < labels.size() && !empty(k + 1)) ++k;
      std::string_view last = s.substr(labels[k].first, labels[k].second - labels[k].first);
      if (k > first && LooksLikeTld(last)) {
        for (size_t m = first; m < k; ++m) zwsp_before.push_back(labels[m].second);
      }
    }
    i = end;
  }
  std::string out;
  out.reserve(s.size() + zwsp_before.size() * 3);
  size_t next = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    if (next < zwsp_before.size() && zwsp_before[next] == k) {
      out.append(kZwsp);
      ++next;
    }
    out.push_back(s[k]);
  }
  return out;
}

std::string DefuseHashtags(std::string_view text) {
  // "#tag" -> "#<ZWSP>tag" (and the fullwidth sign the same way).
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    size_t sign = text.substr(i, 3) == kFullwidthHash ? 3 : text[i] == '#' ? 1 : 0;
    if (sign == 0) {
      out.push_back(text[i++]);
      continue;
    }
    out.append(text.substr(i, sign));
    i += sign;
    size_t len = 0;
    if (i < text.size() && IsTagChar(DecodeAt(text, i, &len))) out.append(kZwsp);
  }
  return out;
}

std::string Defuse(std::string_view text) {
  return DefuseHashtags(DefuseLinks(DefuseMentions(text)));
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
  if (mode == Mode::kClassify) return Defuse(CleanLabels(StripMarkdown(s)));
  s = CollapseWhitespace(StripMarkdown(s));
  s = StripPreamble(s);
  // Surrounding quotes around the whole answer.
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"' && s.find('"', 1) == s.size() - 1) {
    s = std::string(Trim(std::string_view(s).substr(1, s.size() - 2)));
  }
  s = Defuse(s);
  return CutAtSentence(s, max_chars);
}

}  // namespace altscribe::vision
