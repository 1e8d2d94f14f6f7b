// vision/prompt.h — what we ask the model, per mode and language.
//
// Prompts follow WCAG/WebAIM guidance for alt text (see README "How altscribe writes"): convey
// meaning, transcribe visible text verbatim, 1–3 sentences, no "image of", no first person,
// nothing invented. Pure functions; no model or network.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::vision {

enum class Mode { kAlt, kDetail, kClassify, kHotdog };

Result<Mode> ParseMode(std::string_view name);  // "alt", "detail", "classify", "hotdog"
const char* ModeName(Mode mode);

// Language as a BCP-47 tag ("en", "pt-BR", "ja"). Parse() accepts 2–3 letter primary tags with
// optional subtags; Name() is the English name the model is asked to write in ("Portuguese").
struct Language {
  std::string tag = "en";
  static Result<Language> Parse(std::string_view tag);
  std::string Name() const;
  // The tag whose English name, in lowercase, is `name` ("german" → "de"); "" when none.
  static std::string TagForEnglishName(std::string_view name);
};

struct Prompt {
  std::string system;  // instructions (sent as the system turn where the template has one)
  std::string user;    // the request that accompanies the image
};

// What the image is, as far as OCR can tell before the model runs.
enum class ImageKind {
  kPhoto,      // a picture (perhaps with some text in it)
  kTextHeavy,  // mostly text: a screenshot, a document, a sign, a meme
};

struct PromptContext {
  ImageKind kind = ImageKind::kPhoto;
  std::string ocr_text;  // text OCR found in the image ("" for none); told to the model
};

// The prompt for a mode, language and image kind, from the table in prompt.cc. Only the mode,
// the language and what OCR read from the image shape it: the text of posts never does.
Prompt BuildPrompt(Mode mode, const Language& lang, const PromptContext& context = {});

// Defaults per mode: tokens to generate, and characters kept after cleanup.
int DefaultMaxTokens(Mode mode);
size_t DefaultMaxChars(Mode mode);

}  // namespace altscribe::vision
