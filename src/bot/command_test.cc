#include "bot/command.h"

#include <gtest/gtest.h>

namespace altscribe::bot {
namespace {

TEST(Command, DefaultIsAltText) {
  Command c = ParseCommand("@alttext.test");
  EXPECT_EQ(c.mode, vision::Mode::kAlt);
  EXPECT_FALSE(c.again);
  EXPECT_FALSE(c.lang.has_value());
}

TEST(Command, Words) {
  EXPECT_EQ(ParseCommand("@alttext.test detail please").mode, vision::Mode::kDetail);
  EXPECT_EQ(ParseCommand("hey @alttext.test, CLASSIFY this!").mode, vision::Mode::kClassify);
  EXPECT_EQ(ParseCommand("@alttext.test hotdog?").mode, vision::Mode::kHotdog);
  EXPECT_TRUE(ParseCommand("@alttext.test again").again);
  EXPECT_EQ(ParseCommand("@alttext.test in German").lang, "de");
  EXPECT_EQ(ParseCommand("@alttext.test lang:pt-BR").lang, "pt-BR");
  EXPECT_EQ(ParseCommand("@alttext.test 日本語").lang, "ja");
  EXPECT_FALSE(ParseCommand("@alttext.test lang:???").lang.has_value());
}

TEST(Command, OrdinaryWordsDoNothing) {
  Command c = ParseCommand("could you describe this photo of my dog @alttext.test thanks");
  EXPECT_EQ(c.mode, vision::Mode::kAlt);
  EXPECT_FALSE(c.again);
  EXPECT_FALSE(c.lang.has_value());
}

}  // namespace
}  // namespace altscribe::bot

namespace altscribe::bot {
namespace {

// Mention texts as people write them: the handle before or after, punctuation, capitals,
// Spanish and Japanese punctuation glued to the words.
TEST(Command, RealisticMentionTexts) {
  struct Case {
    const char* text;
    vision::Mode mode;
    bool again, help;
    const char* lang;  // "" = none
  };
  const Case cases[] = {
      {"@scribe.test", vision::Mode::kAlt, false, false, ""},
      {"Hey @scribe.test, what's in this pic?", vision::Mode::kAlt, false, false, ""},
      {"@scribe.test DETAIL please!!", vision::Mode::kDetail, false, false, ""},
      {"Can you give me a detailed description? @scribe.test", vision::Mode::kDetail, false, false,
       ""},
      {"classify, @scribe.test.", vision::Mode::kClassify, false, false, ""},
      {"@scribe.test Hotdog?", vision::Mode::kHotdog, false, false, ""},
      {"is it a HOTDOG @scribe.test", vision::Mode::kHotdog, false, false, ""},
      {"@scribe.test again: the first one was wrong", vision::Mode::kAlt, true, false, ""},
      {"@scribe.test help", vision::Mode::kAlt, false, true, ""},
      {"HELP?? @scribe.test", vision::Mode::kAlt, false, true, ""},
      {"¿Ayuda? @scribe.test", vision::Mode::kAlt, false, true, ""},
      {"@scribe.test ヘルプ！", vision::Mode::kAlt, false, true, ""},
      {"@scribe.test lang:es", vision::Mode::kAlt, false, false, "es"},
      {"@scribe.test, in Spanish please", vision::Mode::kAlt, false, false, "es"},
      {"«español» @scribe.test", vision::Mode::kAlt, false, false, "es"},
      {"@scribe.test detail in:pt-br", vision::Mode::kDetail, false, false, "pt-BR"},
      {"@scribe.test 日本語で", vision::Mode::kAlt, false, false, "ja"},
      {"@scribe.test 日本語。", vision::Mode::kAlt, false, false, "ja"},
      {"@scribe.test describe the hotdogs", vision::Mode::kAlt, false, false, ""},
      {"@helpful.test look at this @scribe.test", vision::Mode::kAlt, false, false, ""},
  };
  for (const Case& c : cases) {
    Command got = ParseCommand(c.text);
    EXPECT_EQ(got.mode, c.mode) << c.text;
    EXPECT_EQ(got.again, c.again) << c.text;
    EXPECT_EQ(got.help, c.help) << c.text;
    EXPECT_EQ(got.lang.value_or(""), c.lang) << c.text;
  }
}

}  // namespace
}  // namespace altscribe::bot
