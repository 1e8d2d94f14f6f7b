#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

Result<DecodedImage> Decode(const std::vector<uint8_t>& bytes) {
  return DecodeImage(bytes, {.max_side = 0});
}

TEST(WebpTest, DecodesLossyAndLossless) {
  Image photo = SyntheticPhoto(64, 40);
  Result<DecodedImage> lossy = Decode(MakeWebp(64, 40));
  ASSERT_TRUE(lossy.ok()) << lossy.status().message();
  EXPECT_EQ(lossy->format, ImageFormat::kWebp);
  EXPECT_EQ(lossy->image.width, 64u);
  EXPECT_EQ(lossy->image.height, 40u);
  EXPECT_FALSE(lossy->animated);
  EXPECT_LT(MeanAbsDiff(lossy->image, photo), 8.0);

  Result<DecodedImage> lossless = Decode(MakeWebp(64, 40, /*lossless=*/true));
  ASSERT_TRUE(lossless.ok()) << lossless.status().message();
  EXPECT_EQ(MeanAbsDiff(lossless->image, photo), 0.0);
}

TEST(WebpTest, AlphaIsCompositedOverWhite) {
  for (bool lossless : {false, true}) {
    SCOPED_TRACE(lossless ? "lossless" : "lossy");
    Result<DecodedImage> r = Decode(MakeWebp(64, 40, lossless, /*alpha=*/true));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->image.rgb.size(), 64u * 40 * 3);
    EXPECT_EQ(PixelAt(r->image, 5, 20), (std::array<uint8_t, 3>{255, 255, 255}));
    auto want = PixelAt(SyntheticPhoto(64, 40), 50, 20), got = PixelAt(r->image, 50, 20);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], lossless ? 0 : 24);
  }
}

TEST(WebpTest, AnimationGivesTheFirstFrame) {
  Result<DecodedImage> r = Decode(MakeAnimatedWebp(48, 32, 3));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->animated);
  EXPECT_EQ(r->image.width, 48u);
  EXPECT_EQ(r->image.height, 32u);
  EXPECT_EQ(MeanAbsDiff(r->image, SyntheticPhoto(48, 32)), 0.0);  // not the inverted frames
}

TEST(WebpTest, TruncatedDataIsAnError) {
  for (const auto& webp : {MakeWebp(128, 96), MakeWebp(128, 96, true), MakeAnimatedWebp(64, 48)}) {
    for (size_t keep : {webp.size() / 2, webp.size() - 10, size_t{20}}) {
      Result<DecodedImage> r = Decode({webp.begin(), webp.begin() + keep});
      ASSERT_FALSE(r.ok()) << "kept " << keep << " of " << webp.size();
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_THAT(r.status().message(), HasSubstr("WebP"));
    }
  }
}

}  // namespace
}  // namespace altscribe::vision
