#include "jobs/job.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"
#include "http/url.h"

namespace altscribe::jobs {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxTextBytes = 100'000;  // model text, OCR text, error lines in results
constexpr size_t kMaxNameBytes = 256;      // model and worker names, mime types
constexpr size_t kMaxLangBytes = 35;

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

const char* TypeName(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number_float()) return "a number";
  return v.type_name();  // "object", "array", "string", "boolean", "null"
}

// Reads the JSON text, with the parser's message (without its "[json.exception...] " tag).
Result<json> ParseText(std::string_view text, const char* what) {
  if (text.size() > kMaxJobJsonBytes) {
    return Bad(what, "document is " + std::to_string(text.size()) + " bytes, over the " +
                         std::to_string(kMaxJobJsonBytes) + "-byte limit");
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string m = e.what();
    if (auto close = m.find("] "); m.rfind("[json.exception", 0) == 0 && close != m.npos) {
      m = m.substr(close + 2);
    }
    return Bad(what, "malformed JSON (" + m + ")");
  }
}

// Field access with the path of the value in every message ("job: images[1].url: ...").
class Fields {
 public:
  Fields(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  std::string At(const char* key) const { return path_ + "." + key; }

  Result<const json*> Required(const char* key) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return Bad(path_, std::string("missing \"") + key + "\"");
    return &*it;
  }
  const json* Optional(const char* key) const {
    auto it = obj_.find(key);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }

  Result<std::string> String(const char* key, size_t max_bytes) const {
    ASSIGN_OR_RETURN(const json* v, Required(key));
    return StringValue(*v, At(key), max_bytes);
  }
  Result<std::optional<std::string>> OptionalString(const char* key, size_t max_bytes) const {
    const json* v = Optional(key);
    if (!v) return std::optional<std::string>();
    ASSIGN_OR_RETURN(std::string s, StringValue(*v, At(key), max_bytes));
    return std::optional<std::string>(std::move(s));
  }
  Result<uint64_t> Unsigned(const char* key, uint64_t max) const {
    ASSIGN_OR_RETURN(const json* v, Required(key));
    if (!v->is_number_integer()) {
      return Bad(At(key), std::string("expected an integer, got ") + TypeName(*v));
    }
    bool in_range = v->is_number_unsigned()
                        ? v->get<uint64_t>() <= max
                        : v->get<int64_t>() >= 0 && static_cast<uint64_t>(v->get<int64_t>()) <= max;
    if (!in_range) {
      return Bad(At(key), "must be between 0 and " + std::to_string(max));
    }
    return v->get<uint64_t>();
  }
  Result<double> Milliseconds(const char* key) const {
    const json* v = Optional(key);
    if (!v) return 0.0;
    if (!v->is_number()) return Bad(At(key), std::string("expected a number, got ") + TypeName(*v));
    double d = v->get<double>();
    if (!std::isfinite(d) || d < 0) return Bad(At(key), "must be a non-negative number");
    return d;
  }

  static Result<std::string> StringValue(const json& v, const std::string& path, size_t max) {
    if (!v.is_string()) return Bad(path, std::string("expected a string, got ") + TypeName(v));
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > max) {
      return Bad(path, "is " + std::to_string(s.size()) + " bytes, over the " +
                           std::to_string(max) + "-byte limit");
    }
    return s;
  }

 private:
  const json& obj_;
  std::string path_;
};

Status CheckObject(const json& v, const std::string& path) {
  if (!v.is_object()) return Bad(path, std::string("expected an object, got ") + TypeName(v));
  return Status::Ok();
}

Status CheckId(const std::string& id, const std::string& path) {
  if (id.empty()) return Bad(path, "is empty");
  if (id.size() > kMaxJobIdBytes) {
    return Bad(path, "is longer than " + std::to_string(kMaxJobIdBytes) + " bytes");
  }
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) return Bad(path, "must be printable ASCII without spaces");
  }
  return Status::Ok();
}

bool IsPrintableAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Status CheckImage(const JobImage& image, const std::string& path) {
  const std::string url_path = path + ".url";
  if (image.url.empty()) return Bad(url_path, "is empty");
  if (image.url.size() > kMaxUrlBytes) {
    return Bad(url_path, "is longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  }
  if (http::UrlForDisplay(image.url) != image.url) {
    return Bad(url_path, "must not contain a user name or password (no secrets in jobs)");
  }
  if (!image.bytes) {
    auto url = http::ParseHttpUrl(image.url);
    if (!url.ok()) return Bad(url_path, url.status().message());
  }
  if (image.mime && (image.mime->size() > kMaxNameBytes || !IsPrintableAscii(*image.mime) ||
                     image.mime->find('/') == std::string::npos)) {
    return Bad(path + ".mime", "is not a media type such as image/jpeg");
  }
  if (image.sha256 && !IsSha256Hex(*image.sha256)) {
    return Bad(path + ".sha256", "must be 64 hexadecimal digits");
  }
  if (image.existing_alt && image.existing_alt->size() > kMaxAltBytes) {
    return Bad(path + ".existing_alt", "is longer than " + std::to_string(kMaxAltBytes) + " bytes");
  }
  return Status::Ok();
}

// Compact JSON; text that is not valid UTF-8 (possible only for jobs built in memory) is
// replaced with U+FFFD instead of throwing.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Code CodeFromName(std::string_view name) {
  for (int c = static_cast<int>(Code::kOk); c <= static_cast<int>(Code::kInternal); ++c) {
    if (name == Status::CodeName(static_cast<Code>(c))) return static_cast<Code>(c);
  }
  return Code::kInternal;  // a code from a newer worker: still a failure
}

}  // namespace

// ---- Job ----

Status Job::Validate() const {
  RETURN_IF_ERROR(CheckId(id, "job.id"));
  if (images.empty()) return Bad("job.images", "has no images");
  if (images.size() > kMaxJobImages) {
    return Bad("job.images", "has " + std::to_string(images.size()) +
                                 " images, over the limit of " + std::to_string(kMaxJobImages));
  }
  for (size_t i = 0; i < images.size(); ++i) {
    RETURN_IF_ERROR(CheckImage(images[i], "job.images[" + std::to_string(i) + "]"));
  }
  if (max_chars > kMaxJobChars) {
    return Bad("job.max_chars", "must be between 0 and " + std::to_string(kMaxJobChars));
  }
  if (model.size() > kMaxNameBytes) return Bad("job.model", "is too long");
  return Status::Ok();
}

nlohmann::json Job::ToJson() const {
  json imgs = json::array();
  for (const auto& im : images) {
    json o = {{"url", im.url}};
    if (im.mime) o["mime"] = *im.mime;
    if (im.sha256) o["sha256"] = *im.sha256;
    if (im.existing_alt) o["existing_alt"] = *im.existing_alt;
    imgs.push_back(std::move(o));
  }
  json j = {{"id", id},         {"images", std::move(imgs)}, {"mode", vision::ModeName(mode)},
            {"lang", lang.tag}, {"max_chars", max_chars},    {"model", model}};
  if (!text_langs.empty()) {
    json langs = json::array();
    for (const auto& l : text_langs) langs.push_back(l.tag);
    j["text_langs"] = std::move(langs);
  }
  return j;
}

std::string Job::ToJsonText() const { return Dump(ToJson()); }

Result<Job> Job::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(json j, ParseText(text, "job"));
  return FromJsonValue(j);
}

Result<Job> Job::FromJsonValue(const nlohmann::json& j) {
  RETURN_IF_ERROR(CheckObject(j, "job"));
  Fields f(j, "job");
  Job job;
  ASSIGN_OR_RETURN(job.id, f.String("id", kMaxJobIdBytes));
  RETURN_IF_ERROR(CheckId(job.id, "job.id"));

  ASSIGN_OR_RETURN(const json* images, f.Required("images"));
  if (!images->is_array()) {
    return Bad("job.images", std::string("expected an array, got ") + TypeName(*images));
  }
  if (images->empty()) return Bad("job.images", "has no images");
  if (images->size() > kMaxJobImages) {
    return Bad("job.images", "has " + std::to_string(images->size()) +
                                 " images, over the limit of " + std::to_string(kMaxJobImages));
  }
  for (size_t i = 0; i < images->size(); ++i) {
    std::string path = "job.images[" + std::to_string(i) + "]";
    const json& o = (*images)[i];
    RETURN_IF_ERROR(CheckObject(o, path));
    Fields g(o, path);
    JobImage im;
    ASSIGN_OR_RETURN(im.url, g.String("url", kMaxUrlBytes));
    ASSIGN_OR_RETURN(im.mime, g.OptionalString("mime", kMaxNameBytes));
    ASSIGN_OR_RETURN(im.sha256, g.OptionalString("sha256", 64));
    if (im.sha256) *im.sha256 = AsciiLower(*im.sha256);
    ASSIGN_OR_RETURN(im.existing_alt, g.OptionalString("existing_alt", kMaxAltBytes));
    RETURN_IF_ERROR(CheckImage(im, path));
    job.images.push_back(std::move(im));
  }

  ASSIGN_OR_RETURN(std::string mode, f.String("mode", kMaxNameBytes));
  auto parsed_mode = vision::ParseMode(mode);
  if (!parsed_mode.ok()) return Bad("job.mode", parsed_mode.status().message());
  job.mode = *parsed_mode;

  ASSIGN_OR_RETURN(std::string lang, f.String("lang", kMaxLangBytes));
  auto parsed_lang = vision::Language::Parse(lang);
  if (!parsed_lang.ok()) return Bad("job.lang", parsed_lang.status().message());
  job.lang = *parsed_lang;

  ASSIGN_OR_RETURN(uint64_t max_chars, f.Unsigned("max_chars", kMaxJobChars));
  job.max_chars = static_cast<size_t>(max_chars);
  ASSIGN_OR_RETURN(job.model, f.String("model", kMaxNameBytes));

  if (auto it = j.find("text_langs"); it != j.end()) {
    if (!it->is_array()) {
      return Bad("job.text_langs", std::string("expected an array, got ") + TypeName(*it));
    }
    if (it->size() > kMaxTextLangs) {
      return Bad("job.text_langs", "has " + std::to_string(it->size()) +
                                       " languages, over the limit of " +
                                       std::to_string(kMaxTextLangs));
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& v = (*it)[i];
      std::string path = "job.text_langs[" + std::to_string(i) + "]";
      if (!v.is_string() || v.get_ref<const std::string&>().size() > kMaxLangBytes) {
        return Bad(path, "expected a language tag");
      }
      auto l = vision::Language::Parse(v.get_ref<const std::string&>());
      if (!l.ok()) return Bad(path, l.status().message());
      job.text_langs.push_back(*l);
    }
  }
  return job;
}

// ---- JobResult ----

nlohmann::json JobResult::ToJson() const {
  json arr = json::array();
  for (const auto& it : items) {
    json o = {{"index", it.index}, {"text", it.error ? std::string() : it.text}};
    if (it.ocr) o["ocr"] = *it.ocr;
    if (it.error) {
      o["error"] = *it.error;
      o["error_code"] =
          Status::CodeName(it.error_code == Code::kOk ? Code::kInternal : it.error_code);
    }
    arr.push_back(std::move(o));
  }
  json t = {{"queue_ms", timings.queue_ms},
            {"total_ms", timings.total_ms},
            {"load_ms", timings.load_ms},
            {"decode_ms", timings.decode_ms},
            {"encode_ms", timings.encode_ms},
            {"generate_ms", timings.generate_ms},
            {"generated_tokens", timings.generated_tokens}};
  return {{"id", id},
          {"items", std::move(arr)},
          {"model", model},
          {"worker", worker},
          {"timings", std::move(t)}};
}

std::string JobResult::ToJsonText() const { return Dump(ToJson()); }

Result<JobResult> JobResult::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(json j, ParseText(text, "result"));
  return FromJsonValue(j);
}

Result<JobResult> JobResult::FromJsonValue(const nlohmann::json& j) {
  RETURN_IF_ERROR(CheckObject(j, "result"));
  Fields f(j, "result");
  JobResult r;
  ASSIGN_OR_RETURN(r.id, f.String("id", kMaxJobIdBytes));
  RETURN_IF_ERROR(CheckId(r.id, "result.id"));

  ASSIGN_OR_RETURN(const json* items, f.Required("items"));
  if (!items->is_array()) {
    return Bad("result.items", std::string("expected an array, got ") + TypeName(*items));
  }
  if (items->size() > kMaxJobImages) {
    return Bad("result.items", "has more than " + std::to_string(kMaxJobImages) + " items");
  }
  for (size_t i = 0; i < items->size(); ++i) {
    std::string path = "result.items[" + std::to_string(i) + "]";
    const json& o = (*items)[i];
    RETURN_IF_ERROR(CheckObject(o, path));
    Fields g(o, path);
    JobItem it;
    ASSIGN_OR_RETURN(uint64_t index, g.Unsigned("index", kMaxJobImages - 1));
    it.index = static_cast<int>(index);
    if (!r.items.empty() && it.index <= r.items.back().index) {
      return Bad(path + ".index", "items must be in increasing index order");
    }
    ASSIGN_OR_RETURN(it.text, g.String("text", kMaxTextBytes));
    ASSIGN_OR_RETURN(it.ocr, g.OptionalString("ocr", kMaxTextBytes));
    ASSIGN_OR_RETURN(it.error, g.OptionalString("error", kMaxTextBytes));
    if (it.error) {
      if (it.error->empty()) return Bad(path + ".error", "is empty");
      if (!it.text.empty()) return Bad(path, "has both text and an error");
      ASSIGN_OR_RETURN(auto code, g.OptionalString("error_code", kMaxNameBytes));
      it.error_code = code ? CodeFromName(*code) : Code::kInternal;
      if (it.error_code == Code::kOk) it.error_code = Code::kInternal;
    } else if (it.text.empty()) {
      return Bad(path, "has neither text nor an error");
    }
    r.items.push_back(std::move(it));
  }

  ASSIGN_OR_RETURN(r.model, f.String("model", kMaxNameBytes));
  ASSIGN_OR_RETURN(r.worker, f.String("worker", kMaxNameBytes));
  ASSIGN_OR_RETURN(const json* t, f.Required("timings"));
  RETURN_IF_ERROR(CheckObject(*t, "result.timings"));
  Fields tf(*t, "result.timings");
  ASSIGN_OR_RETURN(r.timings.queue_ms, tf.Milliseconds("queue_ms"));
  ASSIGN_OR_RETURN(r.timings.total_ms, tf.Milliseconds("total_ms"));
  ASSIGN_OR_RETURN(r.timings.load_ms, tf.Milliseconds("load_ms"));
  ASSIGN_OR_RETURN(r.timings.decode_ms, tf.Milliseconds("decode_ms"));
  ASSIGN_OR_RETURN(r.timings.encode_ms, tf.Milliseconds("encode_ms"));
  ASSIGN_OR_RETURN(r.timings.generate_ms, tf.Milliseconds("generate_ms"));
  ASSIGN_OR_RETURN(double tokens, tf.Milliseconds("generated_tokens"));
  r.timings.generated_tokens = static_cast<int>(std::min(tokens, 1e9));
  return r;
}

Status CheckResultMatches(const Job& job, const JobResult& result) {
  if (result.id != job.id) {
    return Status::InvalidArgument("result is for job '" + result.id + "', not '" + job.id + "'");
  }
  if (result.items.size() != job.images.size()) {
    return Status::InvalidArgument("result for job '" + job.id + "' has " +
                                   std::to_string(result.items.size()) + " items for " +
                                   std::to_string(job.images.size()) + " images");
  }
  for (size_t i = 0; i < result.items.size(); ++i) {
    if (result.items[i].index != static_cast<int>(i)) {
      return Status::InvalidArgument("result for job '" + job.id + "' has no item for image " +
                                     std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace altscribe::jobs
