#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

Result<DecodedImage> Decode(const std::vector<uint8_t>& bytes, DecodeLimits limits = {}) {
  limits.max_side = 0;
  return DecodeImage(bytes, limits);
}

TEST(GifTest, DecodesAStill) {
  Result<DecodedImage> r = Decode(MakeGif(50, 30));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, ImageFormat::kGif);
  EXPECT_EQ(r->image.width, 50u);
  EXPECT_EQ(r->image.height, 30u);
  EXPECT_FALSE(r->animated);
  EXPECT_EQ(MeanAbsDiff(r->image, Quantize216(SyntheticPhoto(50, 30))), 0.0);
}

TEST(GifTest, AnimationGivesTheFirstFrame) {
  Result<DecodedImage> r = Decode(MakeGif(50, 30, /*frames=*/4));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->animated);
  EXPECT_EQ(MeanAbsDiff(r->image, Quantize216(SyntheticPhoto(50, 30))), 0.0);
}

TEST(GifTest, TransparencyIsWhite) {
  Result<DecodedImage> r = Decode(MakeGif(50, 30, 1, /*transparent=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(PixelAt(r->image, 3, 15), (std::array<uint8_t, 3>{255, 255, 255}));
  EXPECT_EQ(PixelAt(r->image, 40, 15), PixelAt(Quantize216(SyntheticPhoto(50, 30)), 40, 15));
}

TEST(GifTest, InterlacedRowsLandInPlace) {
  Result<DecodedImage> r = Decode(MakeGif(33, 19, 2, false, /*interlaced=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(MeanAbsDiff(r->image, Quantize216(SyntheticPhoto(33, 19))), 0.0);
}

TEST(GifTest, TruncatedFirstFrameIsAnError) {
  std::vector<uint8_t> gif = MakeGif(120, 90);
  for (size_t keep : {gif.size() / 2, size_t{10}, size_t{800}}) {
    Result<DecodedImage> r = Decode({gif.begin(), gif.begin() + keep});
    ASSERT_FALSE(r.ok()) << "kept " << keep;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("GIF"));
  }
}

TEST(GifTest, DamageAfterTheFirstFrameDoesNotMatter) {
  std::vector<uint8_t> one = MakeGif(40, 30, 1), two = MakeGif(40, 30, 2);
  // The second frame starts somewhere after the single-frame file's data ends.
  std::vector<uint8_t> cut(two.begin(), two.begin() + one.size() + 30);
  Result<DecodedImage> r = Decode(cut);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(MeanAbsDiff(r->image, Quantize216(SyntheticPhoto(40, 30))), 0.0);
}

TEST(GifTest, ZeroScreenSizeUsesTheFrame) {
  std::vector<uint8_t> gif = MakeGif(20, 10);
  gif[6] = gif[7] = gif[8] = gif[9] = 0;  // logical screen 0×0
  Result<DecodedImage> r = Decode(gif);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 20u);
  EXPECT_EQ(r->image.height, 10u);
}

TEST(GifTest, HugeScreenIsRefusedBeforeDecoding) {
  std::vector<uint8_t> gif = MakeGif(20, 10);
  gif[6] = gif[7] = gif[8] = gif[9] = 0xFF;  // 65535×65535
  Result<DecodedImage> r = Decode(gif);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), "image is 65535×65535 (4294.8 MP), over the 64.0 MP limit");
}

}  // namespace
}  // namespace altscribe::vision
