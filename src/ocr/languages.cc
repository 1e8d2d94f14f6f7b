#include "ocr/languages.h"

#include <algorithm>

#include "core/text.h"

namespace altscribe::ocr {
namespace {

struct Model {
  const char* tag;
  const char* model;
};
constexpr Model kModels[] = {
    {"af", "afr"}, {"ar", "ara"}, {"bg", "bul"}, {"ca", "cat"}, {"cs", "ces"}, {"cy", "cym"},
    {"da", "dan"}, {"de", "deu"}, {"el", "ell"}, {"en", "eng"}, {"eo", "epo"}, {"es", "spa"},
    {"et", "est"}, {"eu", "eus"}, {"fa", "fas"}, {"fi", "fin"}, {"fr", "fra"}, {"ga", "gle"},
    {"gl", "glg"}, {"he", "heb"}, {"hi", "hin"}, {"hr", "hrv"}, {"hu", "hun"}, {"id", "ind"},
    {"is", "isl"}, {"it", "ita"}, {"ja", "jpn"}, {"ko", "kor"}, {"lt", "lit"}, {"lv", "lav"},
    {"nb", "nor"}, {"nl", "nld"}, {"nn", "nor"}, {"no", "nor"}, {"pl", "pol"}, {"pt", "por"},
    {"ro", "ron"}, {"ru", "rus"}, {"sk", "slk"}, {"sl", "slv"}, {"sr", "srp"}, {"sv", "swe"},
    {"th", "tha"}, {"tr", "tur"}, {"uk", "ukr"}, {"vi", "vie"},
};

}  // namespace

std::string TesseractModelFor(std::string_view bcp47) {
  std::string tag = AsciiLower(std::string(bcp47));
  std::replace(tag.begin(), tag.end(), '_', '-');
  std::string primary = tag.substr(0, tag.find('-'));
  if (primary == "zh") {
    bool traditional = tag.find("-hant") != std::string::npos ||
                       tag.find("-tw") != std::string::npos || tag.find("-hk") != std::string::npos;
    return traditional ? "chi_tra" : "chi_sim";
  }
  for (const Model& m : kModels) {
    if (primary == m.tag) return m.model;
  }
  return "";
}

std::string TesseractLanguages(const std::vector<std::string>& langs,
                               const std::vector<std::string>& installed) {
  std::vector<std::string> models;
  auto add = [&](const std::string& model) {
    if (model.empty()) return;
    if (std::find(installed.begin(), installed.end(), model) == installed.end()) return;
    if (std::find(models.begin(), models.end(), model) != models.end()) return;
    models.push_back(model);
  };
  for (const std::string& l : langs) add(TesseractModelFor(l));
  add("eng");
  std::string out;
  for (const std::string& m : models) out += (out.empty() ? "" : "+") + m;
  return out;
}

}  // namespace altscribe::ocr
