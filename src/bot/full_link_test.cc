// When a reply links its full description, and what the stored document holds.
#include "bot/full_link.h"

#include <gtest/gtest.h>

namespace altscribe::bot {
namespace {

using Kind = ImageOutcome::Kind;

TEST(FullLinkTest, DocumentHoldsDescribedAndFailedImagesInOrderWithOcr) {
  std::vector<ImageOutcome> outcomes = {{3, Kind::kFailed, "the file is damaged"},
                                        {1, Kind::kDescribed, "A lighthouse."},
                                        {2, Kind::kAlreadyHasAlt, ""},
                                        {4, Kind::kFailed, ""}};
  FullDescription d = FullDescriptionFor(outcomes, {{1, "KEEP OUT"}}, "tiny", "es",
                                         "at://did:plc:a/app.bsky.feed.post/1");
  EXPECT_EQ(d.model, "tiny");
  EXPECT_EQ(d.lang, "es");
  EXPECT_EQ(d.post_uri, "at://did:plc:a/app.bsky.feed.post/1");
  ASSERT_EQ(d.images.size(), 3u) << "the image with alt text is left out";
  EXPECT_EQ(d.images[0].index, 1);
  EXPECT_EQ(d.images[0].text, "A lighthouse.");
  EXPECT_EQ(d.images[0].ocr, "KEEP OUT");
  EXPECT_EQ(d.images[0].error, "");
  EXPECT_EQ(d.images[1].index, 3);
  EXPECT_EQ(d.images[1].error, "the file is damaged");
  EXPECT_EQ(d.images[1].text, "");
  EXPECT_EQ(d.images[2].index, 4);
  EXPECT_FALSE(d.images[2].error.empty());
  // It is the document /d/<id> parses.
  auto back = FullDescription::FromJson(d.ToJsonText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->images.size(), 3u);
}

TEST(FullLinkTest, LinkedWhenSplitOrWhenOcrIsLong) {
  std::vector<ImageOutcome> one = {{1, Kind::kDescribed, "A sign."}};
  FullDescription short_ocr = FullDescriptionFor(one, {{1, "STOP"}}, "m", "en", "");
  EXPECT_FALSE(NeedsFullDescription(1, short_ocr));
  EXPECT_TRUE(NeedsFullDescription(2, short_ocr));
  std::string long_text(kLongOcrGraphemes, 'x');
  EXPECT_FALSE(NeedsFullDescription(1, FullDescriptionFor(one, {{1, long_text}}, "m", "en", "")))
      << "exactly the threshold is not long";
  EXPECT_TRUE(
      NeedsFullDescription(1, FullDescriptionFor(one, {{1, long_text + "y"}}, "m", "en", "")));
  // Graphemes, not bytes: 150 three-byte characters are short.
  std::string cjk;
  for (int i = 0; i < 150; ++i) cjk += "字";
  EXPECT_FALSE(NeedsFullDescription(1, FullDescriptionFor(one, {{1, cjk}}, "m", "en", "")));
  // Nothing described or failed (only alt text already there): nothing to link.
  std::vector<ImageOutcome> has_alt = {{1, Kind::kAlreadyHasAlt, ""}};
  EXPECT_FALSE(NeedsFullDescription(3, FullDescriptionFor(has_alt, {}, "m", "en", "")));
}

}  // namespace
}  // namespace altscribe::bot
