// jobs/job.h — the unit of work that travels to describers (Job) and what comes back (JobResult).
//
// Wire format (JSON, the contract in DESIGN.md; every executor and `altscribe worker` speaks it):
//   Job:       {"id", "images":[{"url", "mime"?, "sha256"?, "existing_alt"?}],
//               "mode", "lang", "max_chars", "model", "text_langs"?}
//   JobResult: {"id", "items":[{"index", "text", "ocr"?, "error"?, "error_code"?}],
//               "model", "worker", "timings":{...}}
//
// Jobs and results come from the network (a queue, a batch system), so parsing is strict: every
// field of the contract must be present with the right type and a sane size, and the first
// problem found is reported as InvalidArgument naming the field ("job: images[2].url: expected a
// string"). Keys that the contract does not name are ignored, so a newer bot can add fields
// without breaking older workers.
//
// A Job never holds a secret: image URLs with user:password@ are refused, and nothing else in it
// is a credential. In-memory image bytes (JobImage::bytes) are for embedded executors only and
// are never serialised.
//
// Plain value types: no internal synchronisation; copies are independent (the optional bytes are
// shared, immutable).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "vision/prompt.h"

namespace altscribe::jobs {

// Limits that parsing and Validate() enforce.
inline constexpr size_t kMaxJobImages = 20;    // a gallery holds up to 20
inline constexpr size_t kMaxJobIdBytes = 512;  // an AT-URI plus a suffix fits
inline constexpr size_t kMaxUrlBytes = 4096;
inline constexpr size_t kMaxAltBytes = 20000;        // existing alt text, model text
inline constexpr size_t kMaxJobChars = 20000;        // max_chars
inline constexpr size_t kMaxJobJsonBytes = 1 << 20;  // a whole Job or JobResult document
inline constexpr size_t kMaxTextLangs = 8;

struct JobImage {
  // http(s) URL of the image. When `bytes` is set it is only a label for messages and results
  // (it must still be non-empty); executors then never fetch it.
  std::string url;
  std::optional<std::string> mime;          // what the source claimed; formats are sniffed anyway
  std::optional<std::string> sha256;        // lowercase hex; executors verify fetched bytes
  std::optional<std::string> existing_alt;  // alt text the image already has (context only)
  // The image itself, when the submitter already holds it (a blob fetched by the bot, an
  // upload). NOT serialised: a Job that crosses the network carries URLs only.
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

struct Job {
  std::string id;  // unique per job; printable ASCII without spaces (e.g. the mention's AT-URI)
  std::vector<JobImage> images;  // 1..kMaxJobImages
  vision::Mode mode = vision::Mode::kAlt;
  vision::Language lang;  // "en" by default
  size_t max_chars = 0;   // 0 = the mode's default
  std::string model;      // the model asked for; "" = whatever the executor runs
  // Languages of the text in the images (the post's `langs`), for OCR; empty = `lang`. Optional
  // in the wire format ("text_langs": ["es", "en"]), at most kMaxTextLangs.
  std::vector<vision::Language> text_langs;

  // Checks the invariants that FromJson() checks (ids, image count, URLs, sizes). Images with
  // in-memory bytes may carry any non-empty label as url.
  Status Validate() const;

  nlohmann::json ToJson() const;
  std::string ToJsonText() const;  // compact, one line
  // Strict parsing (see the file comment). Never throws.
  static Result<Job> FromJson(std::string_view text);
  static Result<Job> FromJsonValue(const nlohmann::json& j);  // an already parsed document
};

// One image's outcome. Exactly one of: non-empty text, or an error.
struct JobItem {
  int index = 0;     // 0-based position of the image in Job::images
  std::string text;  // the alt text; "" when error is set
  std::optional<std::string> ocr;
  // One line in plain words, without the image's URL ("not an image: looks like HTML").
  std::optional<std::string> error;
  // What kind of failure (serialised as Status::CodeName, e.g. "invalid argument"); kOk when
  // there is no error. Lets a composer word its reply ("couldn't download" vs "couldn't read").
  Code error_code = Code::kOk;

  bool ok() const { return !error.has_value(); }
};

struct JobTimings {
  double queue_ms = 0;  // accepted → first image started
  double total_ms = 0;  // accepted → result
  double load_ms = 0;   // the sums over the job's images
  double decode_ms = 0;
  double encode_ms = 0;
  double generate_ms = 0;
  int generated_tokens = 0;
};

struct JobResult {
  std::string id;              // the Job's id
  std::vector<JobItem> items;  // one per image, in image order (items[i].index == i)
  std::string model;           // the model that wrote the text (VisionModel::Name())
  std::string worker;          // who ran it ("local@host", a worker id)
  JobTimings timings;

  nlohmann::json ToJson() const;
  std::string ToJsonText() const;
  // Strict parsing, as for Job; also requires items sorted by distinct index and each item to
  // have text or an error. Never throws.
  static Result<JobResult> FromJson(std::string_view text);
  static Result<JobResult> FromJsonValue(const nlohmann::json& j);
};

// Checks that `result` answers `job`: the same id and exactly one item per image, in order.
// For results that come back from remote workers.
Status CheckResultMatches(const Job& job, const JobResult& result);

}  // namespace altscribe::jobs
