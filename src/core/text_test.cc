#include "core/text.h"

#include <gtest/gtest.h>

namespace altscribe {
namespace {

TEST(Text, TrimAndCollapse) {
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(CollapseWhitespace("  a \n\t b\xC2\xA0"
                               "c  "),
            "a b c");
  EXPECT_EQ(CollapseWhitespace(""), "");
}

TEST(Text, StartsWithIgnoreCase) {
  EXPECT_TRUE(StartsWithIgnoreCase("The Image shows", "the image"));
  EXPECT_FALSE(StartsWithIgnoreCase("The", "the image"));
}

TEST(Text, SanitizeUtf8ReplacesInvalidAndDropsCutOffTail) {
  EXPECT_EQ(SanitizeUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("ok \xE2\x82"), "ok ");                    // cut in the middle of '€'
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
}

TEST(Text, Utf8LengthAndPrefix) {
  EXPECT_EQ(Utf8Length("h\xC3\xA9llo"), 5u);
  EXPECT_EQ(Utf8Prefix("h\xC3\xA9llo", 2), "h");
  EXPECT_EQ(Utf8Prefix("h\xC3\xA9llo", 3), "h\xC3\xA9");
}

}  // namespace
}  // namespace altscribe
