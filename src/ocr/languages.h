// ocr/languages.h — which Tesseract models read the text of a post in given languages.
//
// Pure functions. A post's `langs` are BCP-47 tags ("pt-BR", "ja"); Tesseract names its trained
// models with ISO 639-2/T codes and scripts ("por", "jpn", "chi_sim"). English is always read
// as well (screenshots, memes and UI text are English far more often than posts are), and only
// models that are installed are used.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace altscribe::ocr {

// The Tesseract model for a BCP-47 tag, or "" when there is none ("zh-Hant" → "chi_tra").
std::string TesseractModelFor(std::string_view bcp47);

// "eng+spa": the models for `langs` (in order, without duplicates) followed by English, keeping
// only those in `installed`. Unknown or missing languages are dropped; never empty when English
// is installed.
std::string TesseractLanguages(const std::vector<std::string>& langs,
                               const std::vector<std::string>& installed);

}  // namespace altscribe::ocr
