#include "serve/describe_json.h"

namespace altscribe::serve {

using json = nlohmann::json;

json DescribeTimingsJson(const vision::DescribeTimings& t) {
  return {{"load_ms", t.load_ms},
          {"decode_ms", t.decode_ms},
          {"encode_ms", t.encode_ms},
          {"generate_ms", t.generate_ms},
          {"ocr_ms", t.ocr_ms},
          {"total_ms", t.total_ms},
          {"prompt_tokens", t.prompt_tokens},
          {"reused_prompt_tokens", t.reused_tokens},
          {"generated_tokens", t.generated_tokens}};
}

json DescribeResultJson(const vision::DescribeResult& r) {
  json item = {{"source", r.source}};
  item["alt"] = r.error.ok() ? json(r.text) : json(nullptr);
  item["error"] = r.error.ok() ? json(nullptr) : json(r.error.message());
  // The text OCR read, verbatim (also quoted in "alt"); null when none was found or OCR is off.
  item["ocr"] = r.ocr.empty() ? json(nullptr) : json(r.ocr);
  if (!r.error.ok()) item["error_code"] = Status::CodeName(r.error.code());
  if (r.format != vision::ImageFormat::kUnknown) {
    item["format"] = vision::FormatName(r.format);
    item["width"] = r.width;
    item["height"] = r.height;
  }
  item["timings"] = DescribeTimingsJson(r.timings);
  return item;
}

json DescribeDocumentJson(json images, const std::string& model,
                          const vision::DescribeOptions& options, double model_load_ms,
                          double total_ms) {
  return {{"images", std::move(images)},
          {"model", model},
          {"mode", vision::ModeName(options.mode)},
          {"lang", options.lang.tag},
          {"timings", {{"model_load_ms", model_load_ms}, {"total_ms", total_ms}}}};
}

}  // namespace altscribe::serve
