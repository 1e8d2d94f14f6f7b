// ocr/engine.h — reads the text in an image with Tesseract (LSTM models, Debian's tessdata).
//
// Contract: Read() never throws and never prints; an image without text gives an empty
// transcript, not an error. Errors are only for a missing installation (no tessdata, no English
// model). Thread-safe: each call borrows a Tesseract instance for its language set from a pool
// (creating one when none is free), so concurrent reads run in parallel.
//
// How an image is read: grey conversion and deskew; a layout analysis (cheap, no recognition)
// measures the text lines, and small text (lines under ~19 px, e.g. 12–14 px UI text) is
// enlarged up to 4× (within a pixel budget) before recognition, because the LSTM models are
// trained on text about 30 px high. Recognition has a time budget (OcrOptions::max_ms). When
// little confident text comes out, a second pass reads only the near-white pixels (meme
// captions: white letters outlined in black over a photo) and the better pass is kept. See
// transcript.h for which lines are kept.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "ocr/transcript.h"
#include "vision/image/image.h"

namespace altscribe::ocr {

struct OcrOptions {
  std::vector<std::string> langs;  // BCP-47 tags of the post; English is always added
  TranscriptOptions transcript;
  bool enlarge = true;               // read small text enlarged
  int target_line_height = 28;       // enlarge to about this when text lines are under 2/3 of it
  uint64_t max_pixels = 24'000'000;  // budget for the enlarged image
  bool deskew = true;                // straighten text tilted by 1–15 degrees
  bool bright_text_pass = true;      // when little text was found: read white text (memes) again
  // Time budget for the whole read, in milliseconds (0 = none). Recognition on heavily
  // textured photos (foliage, gravel, sensor noise) can take many seconds on a CPU and finds
  // nothing; past the budget the pass is abandoned and its result is empty (timed_out).
  int max_ms = 2500;
};

struct OcrResult {
  Transcript transcript;
  std::string languages;   // the Tesseract models used ("eng+spa")
  double scale = 1;        // the enlargement of the pass that was kept
  double ms = 0;           // wall time of the read
  bool timed_out = false;  // a pass ran out of max_ms (its text, if any, is not used)
};

class OcrEngine {
 public:
  // `tessdata_dir` "" = $TESSDATA_PREFIX, else Tesseract's built-in path. Fails with one line
  // saying what to install when no English model is found.
  static Result<std::unique_ptr<OcrEngine>> Create(const std::string& tessdata_dir = "");
  ~OcrEngine();

  Result<OcrResult> Read(const vision::Image& image, const OcrOptions& options);

  // Installed Tesseract models ("eng", "spa", …), without "osd".
  const std::vector<std::string>& installed() const { return installed_; }

 private:
  struct Pool;
  OcrEngine(std::string tessdata_dir, std::vector<std::string> installed);
  std::string tessdata_dir_;
  std::vector<std::string> installed_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace altscribe::ocr
