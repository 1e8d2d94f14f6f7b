// ocr/transcript.h — from Tesseract's words to the text we are willing to put in alt text.
//
// Pure functions. What OCR returns for a photo without text is noise ("| ~ —", "ee Ss"), and
// putting noise in alt text is worse than nothing: a screen-reader user cannot tell it from real
// text. So a line is kept only when its words are confident on average and it is mostly letters
// and digits; the transcript is empty unless something real is left. Kept lines keep Tesseract's
// order (reading order of its layout analysis) and their words, verbatim, except unsure marks
// of one to three characters at a line's ends: unsure ones, and ones much taller than the
// line's text (avatars and icons read as "@" or "Oo").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace altscribe::ocr {

struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels, x1/y1 exclusive
  int64_t area() const { return int64_t{x1 - x0} * (y1 - y0); }
  int height() const { return y1 - y0; }
};

struct OcrWord {
  std::string text;      // UTF-8
  float confidence = 0;  // 0–100
  Box box;
};

struct OcrLine {
  std::vector<OcrWord> words;
  Box box;
  bool new_paragraph = false;  // first line of a paragraph (or block)
};

struct TranscriptOptions {
  // A line is kept when the mean confidence of its words reaches min_line_confidence, or when
  // at least half of its characters are in words of strong_word_confidence (a confident handle
  // next to a bold name the model is unsure of).
  float min_line_confidence = 65;
  float strong_word_confidence = 85;
  double min_alnum_share = 0.6;  // letters+digits among a kept line's non-space characters
  // Words of 1–3 characters below this confidence at either end of a line are dropped.
  float min_edge_word_confidence = 50;
  int min_chars = 3;  // letters+digits in the whole transcript, or nothing is kept
};

struct Transcript {
  std::string text;      // lines joined by '\n'; paragraphs separated by a blank line; "" for none
  float confidence = 0;  // mean confidence of the kept words, weighted by length
  int words = 0;
  int lines = 0;
  double coverage = 0;  // share of the image area inside kept lines' boxes (0–1)
};

Transcript BuildTranscript(const std::vector<OcrLine>& lines, uint32_t width, uint32_t height,
                           const TranscriptOptions& options = {});

// The median height of the words with two or more characters (0 when there are none): how big
// the text is, for deciding whether to read the image again enlarged.
int MedianWordHeight(const std::vector<OcrLine>& lines);

}  // namespace altscribe::ocr
