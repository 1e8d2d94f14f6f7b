#include "serve/html.h"

#include <gtest/gtest.h>

namespace altscribe::serve {
namespace {

TEST(HtmlEscape, MarkupBecomesText) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(HtmlEscape("Tom & Jerry's"), "Tom &amp; Jerry&#39;s");
  EXPECT_EQ(HtmlEscape("plain ünïcode 日本"), "plain ünïcode 日本");
}

TEST(HtmlEscape, InvalidUtf8CannotSwallowMarkup) {
  // A lone lead byte before '<' must not combine with it into one "character".
  EXPECT_EQ(HtmlEscape("a\xE2<b"), "a\xEF\xBF\xBD&lt;b");
}

}  // namespace
}  // namespace altscribe::serve
