// bot/full_description.h — the whole text behind a reply that had to be shortened.
//
// When the bot's answer does not fit in one post and it knows its public base URL (--public-url),
// it stores the full descriptions and OCR text in the state store (Store::SaveFullDescription)
// under an unguessable id, and the reply links to <public-url>/d/<id>, which `altscribe serve
// --state` renders (HTML-escaped). This is the stored document: JSON text, parsed strictly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace altscribe::bot {

struct FullDescription {
  struct Image {
    int index = 1;      // 1-based, as in "Image 2 of 3"
    std::string text;   // the description; "" when the image failed
    std::string ocr;    // text read from the image, "" when none
    std::string error;  // why the image could not be described, "" when it was
  };
  std::string model;
  std::string lang = "en";
  std::string post_uri;  // the post whose images these are ("" when unknown)
  std::vector<Image> images;

  std::string ToJsonText() const;
  // Strict: a JSON object with "images" (an array of objects with "index"), string fields where
  // present. Errors are one line.
  static Result<FullDescription> FromJson(std::string_view text);
};

// "<public_url>/d/<id>", with one slash however public_url ends.
std::string FullDescriptionUrl(std::string_view public_url, std::string_view id);

}  // namespace altscribe::bot
