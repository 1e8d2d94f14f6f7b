// vision/describe.h — one image source in, one alt text (or one clear error) out.
//
// The describer stage of the pipeline: load (file or URL, with limits) → sniff and decode
// (pixel limit before decoding, EXIF orientation, downscale) → OCR (optional) → model (told what
// OCR read) → cleanup → the transcription put in verbatim (grounding.h). A failure of one
// image never affects the next; the error says what was wrong with that input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ocr/engine.h"
#include "vision/image/image.h"
#include "vision/model.h"
#include "vision/prompt.h"
#include "vision/source.h"

namespace altscribe::vision {

struct DescribeOptions {
  Mode mode = Mode::kAlt;
  Language lang;
  int max_tokens = 0;    // 0 = DefaultMaxTokens(mode)
  size_t max_chars = 0;  // 0 = DefaultMaxChars(mode)
  SourceLimits source;
  DecodeLimits decode;
  // OCR grounding (vision/grounding.h) in alt and detail modes; nullptr = off. Must outlive the
  // Describer. `ocr_langs`: the post's languages (BCP-47); empty = `lang`. English is added.
  ocr::OcrEngine* ocr = nullptr;
  std::vector<std::string> ocr_langs;
};

struct DescribeTimings {
  double load_ms = 0;  // reading the file or fetching the URL
  double decode_ms = 0;
  double encode_ms = 0;  // image encode + prefill
  double generate_ms = 0;
  double ocr_ms = 0;  // reading the text in the image (0 when OCR is off)
  double total_ms = 0;
  int prompt_tokens = 0;
  int reused_tokens = 0;  // prompt tokens kept from the previous image (not evaluated)
  int generated_tokens = 0;
};

struct DescribeResult {
  std::string source;
  std::string text;  // cleaned output; empty on error
  std::string raw;   // what the model said before cleanup
  std::string ocr;   // the text OCR read, verbatim ("" for none or OCR off); also in `text`
  ImageKind kind = ImageKind::kPhoto;
  Status error;  // OK on success; message without the source
  ImageFormat format = ImageFormat::kUnknown;
  uint32_t width = 0, height = 0;  // as stored in the file
  DescribeTimings timings;
};

class Describer {
 public:
  // REQUIRES: model outlives the Describer.
  Describer(VisionModel& model, DescribeOptions options);

  // Thread-safe if the model is.
  DescribeResult Describe(const std::string& source) const;
  // The same for bytes already in memory (an upload, a blob); `label` names them in results.
  DescribeResult DescribeBytes(const std::string& label, std::span<const uint8_t> bytes) const;

  const DescribeOptions& options() const { return options_; }

 private:
  void Run(std::span<const uint8_t> bytes, DescribeResult* r) const;
  VisionModel& model_;
  DescribeOptions options_;
};

}  // namespace altscribe::vision
