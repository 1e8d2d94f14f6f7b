#include "ocr/languages.h"

#include <gtest/gtest.h>

namespace altscribe::ocr {
namespace {

TEST(TesseractModelFor, MapsBcp47TagsToTesseractModels) {
  EXPECT_EQ(TesseractModelFor("en"), "eng");
  EXPECT_EQ(TesseractModelFor("pt-BR"), "por");
  EXPECT_EQ(TesseractModelFor("ES"), "spa");
  EXPECT_EQ(TesseractModelFor("ja"), "jpn");
  EXPECT_EQ(TesseractModelFor("zh-Hant"), "chi_tra");
  EXPECT_EQ(TesseractModelFor("zh_TW"), "chi_tra");
  EXPECT_EQ(TesseractModelFor("zh"), "chi_sim");
  EXPECT_EQ(TesseractModelFor("nb"), "nor");
  EXPECT_EQ(TesseractModelFor("tlh"), "");
  EXPECT_EQ(TesseractModelFor(""), "");
}

TEST(TesseractLanguages, PostLanguagesFirstThenEnglishOnlyInstalledNoDuplicates) {
  std::vector<std::string> installed = {"deu", "eng", "jpn", "spa"};
  EXPECT_EQ(TesseractLanguages({}, installed), "eng");
  EXPECT_EQ(TesseractLanguages({"es"}, installed), "spa+eng");
  EXPECT_EQ(TesseractLanguages({"ja", "de", "en", "es-MX", "es"}, installed), "jpn+deu+eng+spa");
  // Not installed (Portuguese) or unknown: dropped, English still read.
  EXPECT_EQ(TesseractLanguages({"pt", "xx"}, installed), "eng");
  EXPECT_EQ(TesseractLanguages({"es"}, {"spa"}), "spa");
  EXPECT_EQ(TesseractLanguages({"es"}, {}), "");
}

}  // namespace
}  // namespace altscribe::ocr
