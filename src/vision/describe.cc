#include "vision/describe.h"

#include <chrono>
#include <cstdint>

#include "vision/cleanup.h"
#include "vision/grounding.h"

namespace altscribe::vision {
namespace {
using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
}  // namespace

Describer::Describer(VisionModel& model, DescribeOptions options)
    : model_(model), options_(std::move(options)) {
  if (options_.max_tokens <= 0) options_.max_tokens = DefaultMaxTokens(options_.mode);
  if (options_.max_chars == 0) options_.max_chars = DefaultMaxChars(options_.mode);
}

DescribeResult Describer::Describe(const std::string& source) const {
  auto start = Clock::now();
  DescribeResult r;
  r.source = source;
  auto bytes = LoadSource(source, options_.source);
  r.timings.load_ms = MsSince(start);
  if (!bytes.ok()) {
    r.error = bytes.status();
  } else {
    Run(*bytes, &r);
  }
  r.timings.total_ms = MsSince(start);
  return r;
}

DescribeResult Describer::DescribeBytes(const std::string& label,
                                        std::span<const uint8_t> bytes) const {
  auto start = Clock::now();
  DescribeResult r;
  r.source = label;
  Run(bytes, &r);
  r.timings.total_ms = MsSince(start);
  return r;
}

void Describer::Run(std::span<const uint8_t> bytes, DescribeResult* r) const {
  auto t = Clock::now();
  auto decoded = DecodeImage(bytes, options_.decode);
  r->timings.decode_ms = MsSince(t);
  if (!decoded.ok()) {
    r->error = decoded.status();
    return;
  }
  r->format = decoded->format;
  r->width = decoded->source_width;
  r->height = decoded->source_height;
  PromptContext context;
  if (options_.ocr != nullptr && (options_.mode == Mode::kAlt || options_.mode == Mode::kDetail)) {
    t = Clock::now();
    ocr::OcrOptions o;
    o.langs = options_.ocr_langs.empty() ? std::vector<std::string>{options_.lang.tag}
                                         : options_.ocr_langs;
    auto read = options_.ocr->Read(decoded->image, o);
    r->timings.ocr_ms = MsSince(t);
    if (read.ok()) {
      r->ocr = read->transcript.text;
      r->kind = KindOf(read->transcript);
      context.kind = r->kind;
      context.ocr_text = r->ocr;
    }
  }
  auto out = model_.Generate(decoded->image, BuildPrompt(options_.mode, options_.lang, context),
                             options_.max_tokens);
  if (!out.ok()) {
    r->error = out.status();
    return;
  }
  r->timings.encode_ms = out->encode_ms;
  r->timings.generate_ms = out->generate_ms;
  r->timings.prompt_tokens = out->prompt_tokens;
  r->timings.reused_tokens = out->reused_tokens;
  r->timings.generated_tokens = out->generated_tokens;
  r->raw = out->text;
  r->text = CleanOutput(out->text, options_.mode, options_.max_chars);
  // The transcription is quoted verbatim, but like model output it must never become a link,
  // a mention or a hashtag in a client (cleanup.h).
  if (!r->ocr.empty()) r->text = GroundedText(r->text, Defuse(r->ocr), r->kind, options_.lang);
  if (r->text.empty()) {
    r->error = Status::Model("the model returned no usable text for this image");
  }
}

}  // namespace altscribe::vision
