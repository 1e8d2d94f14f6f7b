#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include <zlib.h>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

Result<DecodedImage> Decode(const std::vector<uint8_t>& bytes) {
  return DecodeImage(bytes, {.max_side = 0});
}

Image Gray(const Image& image, int bits = 8) {
  Image out = image;
  for (size_t i = 0; i < out.rgb.size(); i += 3) {
    int luma = (77 * out.rgb[i] + 150 * out.rgb[i + 1] + 29 * out.rgb[i + 2]) >> 8;
    int top = luma >> (8 - bits), max = (1 << bits) - 1;
    out.rgb[i] = out.rgb[i + 1] = out.rgb[i + 2] = static_cast<uint8_t>(top * 255 / max);
  }
  return out;
}

// The photo with its left half white, as alpha fixtures decode.
Image LeftHalfWhite(Image image) {
  for (uint32_t y = 0; y < image.height; ++y) {
    for (uint32_t x = 0; x < image.width / 2; ++x) {
      uint8_t* p = &image.rgb[(size_t{y} * image.width + x) * 3];
      p[0] = p[1] = p[2] = 255;
    }
  }
  return image;
}

struct Variant {
  const char* name;
  PngOptions options;
  Image expected;
};

TEST(PngTest, DecodesEveryColourTypeAndDepth) {
  const Image photo = SyntheticPhoto(37, 23);  // odd sizes exercise bit packing and Adam7
  const std::vector<Variant> variants = {
      {"rgb8", {PngKind::kRgb, 8, false}, photo},
      {"rgb16", {PngKind::kRgb, 16, false}, photo},
      {"rgba8", {PngKind::kRgba, 8, false}, LeftHalfWhite(photo)},
      {"rgba16", {PngKind::kRgba, 16, false}, LeftHalfWhite(photo)},
      {"gray8", {PngKind::kGray, 8, false}, Gray(photo)},
      {"gray16", {PngKind::kGray, 16, false}, Gray(photo)},
      {"gray4", {PngKind::kGray, 4, false}, Gray(photo, 4)},
      {"gray2", {PngKind::kGray, 2, false}, Gray(photo, 2)},
      {"gray1", {PngKind::kGray, 1, false}, Gray(photo, 1)},
      {"gray_alpha", {PngKind::kGrayAlpha, 8, false}, LeftHalfWhite(Gray(photo))},
      {"palette", {PngKind::kPalette, 8, false}, Quantize216(photo)},
      {"palette_trns", {PngKind::kPaletteTransparent, 8, false}, LeftHalfWhite(Quantize216(photo))},
      {"rgb8_interlaced", {PngKind::kRgb, 8, true}, photo},
      {"rgba8_interlaced", {PngKind::kRgba, 8, true}, LeftHalfWhite(photo)},
      {"gray1_interlaced", {PngKind::kGray, 1, true}, Gray(photo, 1)},
      {"palette_interlaced", {PngKind::kPalette, 8, true}, Quantize216(photo)},
  };
  for (const Variant& v : variants) {
    SCOPED_TRACE(v.name);
    Result<DecodedImage> r = Decode(PngFromImage(photo, v.options));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->format, ImageFormat::kPng);
    EXPECT_EQ(r->image.width, 37u);
    EXPECT_EQ(r->image.height, 23u);
    EXPECT_FALSE(r->animated);
    EXPECT_EQ(MeanAbsDiff(r->image, v.expected), 0.0);
  }
}

TEST(PngTest, TransparencyIsCompositedOverWhite) {
  Result<DecodedImage> r = Decode(MakePng(40, 20, /*alpha=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(PixelAt(r->image, 5, 10), (std::array<uint8_t, 3>{255, 255, 255}));
  EXPECT_EQ(PixelAt(r->image, 35, 10), PixelAt(SyntheticPhoto(40, 20), 35, 10));
}

TEST(PngTest, TruncatedOrCorruptDataIsAnError) {
  std::vector<uint8_t> png = MakePng(200, 150);
  for (size_t keep : {png.size() / 2, png.size() - 20, size_t{40}}) {
    Result<DecodedImage> r = Decode({png.begin(), png.begin() + keep});
    ASSERT_FALSE(r.ok()) << "kept " << keep;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("truncated or corrupt PNG data"));
  }
  std::vector<uint8_t> flipped = png;
  flipped[png.size() / 2] ^= 0x55;  // inside IDAT: the CRC no longer matches
  Result<DecodedImage> r = Decode(flipped);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("truncated or corrupt PNG data"));

  std::vector<uint8_t> no_ihdr = png;
  no_ihdr[12] = 'X';
  r = Decode(no_ihdr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("truncated or corrupt PNG data"));
}

TEST(PngTest, ApngIsFlaggedAnimated) {
  // Insert an acTL chunk (2 frames) after IHDR; libpng decodes the default image.
  std::vector<uint8_t> png = MakePng(16, 16);
  std::vector<uint8_t> chunk = {0, 0, 0, 8, 'a', 'c', 'T', 'L', 0, 0, 0, 2, 0, 0, 0, 0};
  uint32_t crc = crc32(0, &chunk[4], 12);
  chunk.insert(chunk.end(),
               {uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)});
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());  // 8 signature + 25 IHDR
  Result<DecodedImage> r = Decode(png);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->animated);
  EXPECT_EQ(MeanAbsDiff(r->image, SyntheticPhoto(16, 16)), 0.0);
}

}  // namespace
}  // namespace altscribe::vision
