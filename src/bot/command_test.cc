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
