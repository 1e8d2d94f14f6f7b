#include "serve/description_page.h"

#include <gtest/gtest.h>

namespace altscribe::serve {
namespace {

TEST(DescriptionPage, ModelOutputIsEscapedEverywhere) {
  bot::FullDescription d;
  d.model = "<b>model</b>";
  d.lang = "de\"><script>";  // invalid tag: the page falls back to en
  d.images = {{1, "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", ""},
              {2, "", "", "<i>broken</i>"}};
  std::string html = RenderDescriptionPage(d);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<b>model"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("Image 1 of 2"), std::string::npos);
  EXPECT_NE(html.find("could not be described: &lt;i&gt;broken&lt;/i&gt;"), std::string::npos);
  EXPECT_NE(html.find("Text in the image"), std::string::npos);
}

TEST(DescriptionPage, LanguageTagIsUsed) {
  bot::FullDescription d;
  d.lang = "pt-BR";
  d.images = {{1, "Um gato.", "", ""}};
  std::string html = RenderDescriptionPage(d);
  EXPECT_NE(html.find("<html lang=\"pt-BR\">"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"image-1\">Image</h2>"), std::string::npos);
}

TEST(DescriptionPage, NotFoundPageSaysSo) {
  EXPECT_NE(RenderDescriptionNotFoundPage().find("No such description"), std::string::npos);
}

}  // namespace
}  // namespace altscribe::serve
