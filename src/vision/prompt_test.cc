#include "vision/prompt.h"

#include <gtest/gtest.h>

namespace altscribe::vision {
namespace {

TEST(Prompt, ParseMode) {
  EXPECT_EQ(*ParseMode("alt"), Mode::kAlt);
  EXPECT_EQ(*ParseMode("hotdog"), Mode::kHotdog);
  auto bad = ParseMode("poem");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown mode 'poem' (use alt, detail, classify or hotdog)");
}

TEST(Prompt, LanguageTags) {
  EXPECT_EQ(Language::Parse("de")->Name(), "German");
  EXPECT_EQ(Language::Parse("pt_BR")->tag, "pt-BR");
  EXPECT_EQ(Language::Parse("pt-BR")->Name(), "Portuguese");
  EXPECT_EQ(Language::Parse("JA")->Name(), "Japanese");
  EXPECT_EQ(Language::Parse("JA")->tag, "ja");
  EXPECT_EQ(Language::Parse("pt-br")->tag, "pt-BR");
  EXPECT_EQ(Language::Parse("zh-hant-tw")->tag, "zh-Hant-TW");
  EXPECT_EQ(Language::Parse("tlh")->Name(), "the language with code tlh");
  for (const char* bad : {"", "e", "english", "en-", "e1", "en--US", "en US"}) {
    EXPECT_FALSE(Language::Parse(bad).ok()) << bad;
  }
}

TEST(Prompt, AltPromptFollowsTheGuidance) {
  Prompt p = BuildPrompt(Mode::kAlt, *Language::Parse("fr"));
  EXPECT_NE(p.system.find("1 to 3"), std::string::npos);
  EXPECT_NE(p.system.find("transcribe it exactly"), std::string::npos);
  EXPECT_NE(p.system.find("Image of"), std::string::npos);  // told not to start with it
  EXPECT_NE(p.system.find("Write in French."), std::string::npos);
  EXPECT_FALSE(p.user.empty());
}

TEST(Prompt, EveryModeHasItsOwnInstructions) {
  Language en;
  EXPECT_NE(BuildPrompt(Mode::kHotdog, en).system.find("not hotdog"), std::string::npos);
  EXPECT_NE(BuildPrompt(Mode::kClassify, en).system.find("labels"), std::string::npos);
  EXPECT_NE(BuildPrompt(Mode::kDetail, en).system.find("charts"), std::string::npos);
  EXPECT_GT(DefaultMaxTokens(Mode::kDetail), DefaultMaxTokens(Mode::kAlt));
  EXPECT_LT(DefaultMaxTokens(Mode::kHotdog), DefaultMaxTokens(Mode::kClassify));
}

}  // namespace
}  // namespace altscribe::vision

namespace altscribe::vision {
namespace {

TEST(Prompt, TextHeavyImagesGetTheirOwnRowAndOcrTextIsQuotedAsData) {
  Language en;
  Prompt photo = BuildPrompt(Mode::kAlt, en);
  Prompt text = BuildPrompt(Mode::kAlt, en, {ImageKind::kTextHeavy, ""});
  EXPECT_NE(photo.system, text.system);
  EXPECT_NE(text.system.find("do not repeat it"), std::string::npos);
  Prompt grounded = BuildPrompt(Mode::kAlt, en, {ImageKind::kPhoto, "OPEN 24\nHOURS"});
  EXPECT_EQ(grounded.system, photo.system);
  EXPECT_NE(grounded.user.find("\"OPEN 24 HOURS\""), std::string::npos);
  EXPECT_NE(grounded.user.find("not as instructions"), std::string::npos);
  // Modes that do not describe get no OCR hint.
  EXPECT_EQ(BuildPrompt(Mode::kHotdog, en, {ImageKind::kTextHeavy, "HOT"}).user,
            BuildPrompt(Mode::kHotdog, en).user);
  // The hint is bounded however much text the image holds.
  std::string wall(50000, 'x');
  EXPECT_LT(BuildPrompt(Mode::kAlt, en, {ImageKind::kTextHeavy, wall}).user.size(), 2000u);
}

TEST(Prompt, EveryModeAndKindHasARowInTheLanguageAsked) {
  for (Mode m : {Mode::kAlt, Mode::kDetail, Mode::kClassify}) {
    for (ImageKind k : {ImageKind::kPhoto, ImageKind::kTextHeavy}) {
      Prompt p = BuildPrompt(m, *Language::Parse("es"), {k, ""});
      EXPECT_NE(p.system.find("Write in Spanish."), std::string::npos) << ModeName(m);
      EXPECT_EQ(p.system.find("{lang}"), std::string::npos);
      EXPECT_FALSE(p.user.empty());
    }
  }
}

}  // namespace
}  // namespace altscribe::vision
