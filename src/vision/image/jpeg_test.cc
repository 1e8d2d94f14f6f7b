#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include <jpeglib.h>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

// Encodes `samples` (components per pixel per `space`) with libjpeg directly, for variants that
// EncodeJpeg does not write: grayscale, CMYK, progressive.
std::vector<uint8_t> RawJpeg(uint32_t w, uint32_t h, J_COLOR_SPACE space, int components,
                             const std::vector<uint8_t>& samples, bool progressive = false) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = w;
  cinfo.image_height = h;
  cinfo.input_components = components;
  cinfo.in_color_space = space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < h) {
    auto* row = const_cast<uint8_t*>(&samples[size_t{cinfo.next_scanline} * w * components]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

Result<DecodedImage> Decode(const std::vector<uint8_t>& bytes) {
  return DecodeImage(bytes, {.max_side = 0});
}

bool Near(std::array<uint8_t, 3> got, std::array<uint8_t, 3> want, int tolerance) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(int{got[c]} - int{want[c]}) > tolerance) return false;
  }
  return true;
}

TEST(JpegTest, DecodesBaseline) {
  Result<DecodedImage> r = Decode(MakeJpeg(64, 48));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, ImageFormat::kJpeg);
  EXPECT_EQ(r->image.width, 64u);
  EXPECT_EQ(r->image.height, 48u);
  EXPECT_EQ(r->orientation, 1);
  EXPECT_FALSE(r->animated);
  EXPECT_LT(MeanAbsDiff(r->image, SyntheticPhoto(64, 48)), 6.0);
}

TEST(JpegTest, DecodesProgressive) {
  Image photo = SyntheticPhoto(80, 60);
  Result<DecodedImage> r = Decode(RawJpeg(80, 60, JCS_RGB, 3, photo.rgb, /*progressive=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LT(MeanAbsDiff(r->image, photo), 6.0);
}

TEST(JpegTest, GrayscaleBecomesRgb) {
  std::vector<uint8_t> gray(32 * 16);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = (i % 32) < 16 ? 40 : 200;
  Result<DecodedImage> r = Decode(RawJpeg(32, 16, JCS_GRAYSCALE, 1, gray));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.rgb.size(), 32u * 16 * 3);
  EXPECT_TRUE(Near(PixelAt(r->image, 4, 8), {40, 40, 40}, 4));
  EXPECT_TRUE(Near(PixelAt(r->image, 28, 8), {200, 200, 200}, 4));
}

TEST(JpegTest, AdobeCmykBecomesRgb) {
  // libjpeg writes an Adobe marker for CMYK, and Adobe CMYK is stored inverted (255 = no ink).
  std::vector<uint8_t> cmyk;
  for (int i = 0; i < 16 * 16; ++i) {
    bool left = i % 16 < 8;
    // Left: red (no cyan ink, full magenta and yellow). Right: a mid grey from black ink only.
    std::array<uint8_t, 4> v =
        left ? std::array<uint8_t, 4>{255, 0, 0, 255} : std::array<uint8_t, 4>{255, 255, 255, 128};
    cmyk.insert(cmyk.end(), v.begin(), v.end());
  }
  Result<DecodedImage> r = Decode(RawJpeg(16, 16, JCS_CMYK, 4, cmyk));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(Near(PixelAt(r->image, 2, 8), {255, 0, 0}, 8));
  EXPECT_TRUE(Near(PixelAt(r->image, 13, 8), {128, 128, 128}, 8));
}

TEST(JpegTest, TruncatedDataIsAnErrorNotGrey) {
  std::vector<uint8_t> jpeg = MakeJpeg(256, 256);
  for (size_t keep : {jpeg.size() / 2, jpeg.size() * 9 / 10, size_t{200}, size_t{20}}) {
    std::vector<uint8_t> cut(jpeg.begin(), jpeg.begin() + keep);
    Result<DecodedImage> r = Decode(cut);
    ASSERT_FALSE(r.ok()) << "kept " << keep << " of " << jpeg.size();
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "truncated JPEG data");
  }
}

TEST(JpegTest, TruncatedProgressiveIsAnError) {
  Image photo = SyntheticPhoto(128, 96);
  std::vector<uint8_t> jpeg = RawJpeg(128, 96, JCS_RGB, 3, photo.rgb, /*progressive=*/true);
  for (size_t keep : {jpeg.size() / 3, jpeg.size() * 2 / 3, jpeg.size() - 2}) {
    Result<DecodedImage> r = Decode({jpeg.begin(), jpeg.begin() + keep});
    ASSERT_FALSE(r.ok()) << "kept " << keep << " of " << jpeg.size();
    EXPECT_EQ(r.status().message(), "truncated JPEG data");
  }
}

TEST(JpegTest, MissingOnlyTheEndMarkerIsFine) {
  std::vector<uint8_t> jpeg = MakeJpeg(64, 48);
  ASSERT_EQ(jpeg[jpeg.size() - 2], 0xFF);
  ASSERT_EQ(jpeg[jpeg.size() - 1], 0xD9);
  jpeg.resize(jpeg.size() - 2);
  Result<DecodedImage> r = Decode(jpeg);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LT(MeanAbsDiff(r->image, SyntheticPhoto(64, 48)), 6.0);
}

TEST(JpegTest, EarlyEndMarkerInsideTheDataIsAnError) {
  std::vector<uint8_t> jpeg = MakeJpeg(128, 128);
  jpeg[jpeg.size() / 2] = 0xFF;
  jpeg[jpeg.size() / 2 + 1] = 0xD9;
  Result<DecodedImage> r = Decode(jpeg);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("JPEG data"));
}

TEST(JpegTest, LosslessJpegIsUnsupported) {
  std::vector<uint8_t> jpeg = MakeJpeg(16, 16);
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 1] = 0xC3;  // SOF3: lossless
      break;
    }
  }
  Result<DecodedImage> r = Decode(jpeg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnsupported);
  EXPECT_THAT(r.status().message(), HasSubstr("not supported"));
}

// The stored image has red top-left and green top-right quadrants. For each EXIF orientation the
// upright result must show them where the EXIF definition puts them.
TEST(JpegTest, ExifOrientationsTurnThePictureUpright) {
  enum Corner { kTL, kTR, kBL, kBR };
  //                               orientation: 1    2    3    4    5    6    7    8
  const Corner red_at[9] = {kTL, kTL, kTR, kBR, kBL, kTL, kTR, kBR, kBL};
  const Corner green_at[9] = {kTR, kTR, kTL, kBL, kBR, kBL, kBR, kTR, kTL};
  const std::array<uint8_t, 3> red = {255, 0, 0}, green = {0, 255, 0};
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE("orientation " + std::to_string(o));
    Result<DecodedImage> r = Decode(JpegFromImage(QuadrantImage(64, 32), 95, o));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->orientation, o);
    const Image& img = r->image;
    EXPECT_EQ(img.width, o >= 5 ? 32u : 64u);
    EXPECT_EQ(img.height, o >= 5 ? 64u : 32u);
    auto corner = [&](Corner c) {
      uint32_t x = (c == kTR || c == kBR) ? img.width - 4 : 3;
      uint32_t y = (c == kBL || c == kBR) ? img.height - 4 : 3;
      return PixelAt(img, x, y);
    };
    EXPECT_TRUE(Near(corner(red_at[o]), red, 40));
    EXPECT_TRUE(Near(corner(green_at[o]), green, 40));
  }
}

TEST(JpegTest, BigEndianExifAndBadOrientationValues) {
  std::vector<uint8_t> plain = JpegFromImage(QuadrantImage(64, 32), 95);
  Result<DecodedImage> r = Decode(InsertApp1(plain, ExifPayload(8, /*big_endian=*/true)));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->orientation, 8);
  EXPECT_EQ(r->image.width, 32u);
  for (int bad : {0, 9, 255}) {
    r = Decode(JpegFromImage(QuadrantImage(64, 32), 95, bad));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->orientation, 1);
    EXPECT_EQ(r->image.width, 64u);
  }
}

}  // namespace
}  // namespace altscribe::vision
