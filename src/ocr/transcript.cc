#include "ocr/transcript.h"

#include <algorithm>

namespace altscribe::ocr {
namespace {

// Counts code points: letters/digits (ASCII alnum or any non-ASCII letter-ish code point) and
// all non-space ones. Non-ASCII is counted as a letter: accented Latin, CJK, Cyrillic…
void CountChars(const std::string& s, int* alnum, int* visible) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    if (c == ' ' || c == '\t' || c == '\n') continue;
    ++*visible;
    if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      ++*alnum;
    }
  }
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Transcript BuildTranscript(const std::vector<OcrLine>& lines, uint32_t width, uint32_t height,
                           const TranscriptOptions& options) {
  Transcript t;
  double conf_sum = 0, conf_weight = 0;
  int64_t area = 0;
  int total_alnum = 0;
  bool pending_paragraph = false;
  for (const OcrLine& line : lines) {
    if (line.new_paragraph) pending_paragraph = true;
    // Unsure marks at the ends of a line (an avatar read as "@", an icon read as "Oo").
    size_t first = 0, last = line.words.size();
    // ... and short "words" much taller than the line's text (an avatar or an icon beside it).
    std::vector<int> heights;
    for (const OcrWord& w : line.words) heights.push_back(w.box.height());
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    const int typical = heights.empty() ? 0 : heights[heights.size() / 2];
    auto stray = [&](const OcrWord& w) {
      if (CodePoints(w.text) > 3) return false;
      return w.confidence < options.min_edge_word_confidence ||
             (line.words.size() > 1 && typical > 0 && w.box.height() * 5 > typical * 8);
    };
    while (first < last && stray(line.words[first])) ++first;
    while (last > first && stray(line.words[last - 1])) --last;
    std::string text;
    double sum = 0, weight = 0, strong = 0;
    int alnum = 0, visible = 0;
    for (size_t i = first; i < last; ++i) {
      const OcrWord& w = line.words[i];
      if (w.confidence >= options.strong_word_confidence) strong += w.text.size();
      if (w.text.empty()) continue;
      if (!text.empty()) text += ' ';
      text += w.text;
      double len = static_cast<double>(w.text.size());
      sum += w.confidence * len;
      weight += len;
      CountChars(w.text, &alnum, &visible);
    }
    if (text.empty() || weight == 0) continue;
    if (sum / weight < options.min_line_confidence && strong < weight / 2) continue;
    if (visible == 0 || static_cast<double>(alnum) / visible < options.min_alnum_share) continue;
    if (!t.text.empty()) t.text += pending_paragraph ? "\n\n" : "\n";
    pending_paragraph = false;
    t.text += text;
    conf_sum += sum;
    conf_weight += weight;
    t.words += static_cast<int>(last - first);
    ++t.lines;
    area += line.box.area();
    total_alnum += alnum;
  }
  if (total_alnum < options.min_chars) return Transcript{};
  t.confidence = static_cast<float>(conf_sum / conf_weight);
  double image_area = static_cast<double>(width) * height;
  t.coverage = image_area > 0 ? std::min(1.0, static_cast<double>(area) / image_area) : 0;
  return t;
}

int MedianWordHeight(const std::vector<OcrLine>& lines) {
  std::vector<int> heights;
  for (const OcrLine& line : lines) {
    for (const OcrWord& w : line.words) {
      if (w.text.size() >= 2 && w.box.height() > 0) heights.push_back(w.box.height());
    }
  }
  if (heights.empty()) return 0;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  return heights[heights.size() / 2];
}

}  // namespace altscribe::ocr
