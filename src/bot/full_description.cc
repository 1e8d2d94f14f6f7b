#include "bot/full_description.h"

#include <nlohmann/json.hpp>

namespace altscribe::bot {

using json = nlohmann::json;

std::string FullDescription::ToJsonText() const {
  json images_json = json::array();
  for (const Image& i : images) {
    json item = {{"index", i.index}, {"text", i.text}};
    if (!i.ocr.empty()) item["ocr"] = i.ocr;
    if (!i.error.empty()) item["error"] = i.error;
    images_json.push_back(std::move(item));
  }
  json doc = {{"model", model}, {"lang", lang}, {"images", images_json}};
  if (!post_uri.empty()) doc["post_uri"] = post_uri;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<FullDescription> FullDescription::FromJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("images") || !doc["images"].is_array()) {
    return Status::InvalidArgument("full description: not a JSON object with an images array");
  }
  auto str = [](const json& obj, const char* key, std::string* out) -> bool {
    auto it = obj.find(key);
    if (it == obj.end()) return true;
    if (!it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  FullDescription d;
  if (!str(doc, "model", &d.model) || !str(doc, "lang", &d.lang) ||
      !str(doc, "post_uri", &d.post_uri)) {
    return Status::InvalidArgument("full description: model, lang and post_uri must be strings");
  }
  for (const json& item : doc["images"]) {
    Image i;
    if (!item.is_object() || !item.contains("index") || !item["index"].is_number_integer()) {
      return Status::InvalidArgument("full description: every image needs an integer index");
    }
    i.index = item["index"].get<int>();
    if (!str(item, "text", &i.text) || !str(item, "ocr", &i.ocr) || !str(item, "error", &i.error)) {
      return Status::InvalidArgument("full description: text, ocr and error must be strings");
    }
    d.images.push_back(std::move(i));
  }
  return d;
}

std::string FullDescriptionUrl(std::string_view public_url, std::string_view id) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/d/" + std::string(id);
}

}  // namespace altscribe::bot
