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

void PutLe32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Black left half, white right half: exact in every bit depth.
Image BlackWhite(uint32_t w, uint32_t h) {
  Image img{w, h, std::vector<uint8_t>(size_t{w} * h * 3, 0)};
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = w / 2; x < w; ++x) {
      uint8_t* p = &img.rgb[(size_t{y} * w + x) * 3];
      p[0] = p[1] = p[2] = 255;
    }
  }
  return img;
}

TEST(BmpTest, Decodes24BitBottomUpAndTopDown) {
  const Image photo = SyntheticPhoto(31, 17);  // odd width: rows carry padding
  for (bool top_down : {false, true}) {
    Result<DecodedImage> r = Decode(BmpFromImage(photo, {.top_down = top_down}));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->format, ImageFormat::kBmp);
    EXPECT_EQ(r->image.width, 31u);
    EXPECT_EQ(r->image.height, 17u);
    EXPECT_EQ(MeanAbsDiff(r->image, photo), 0.0);
  }
  EXPECT_EQ(MeanAbsDiff(Decode(MakeBmp(31, 17))->image, photo), 0.0);
}

TEST(BmpTest, DecodesHeaderVariantsAndDepths) {
  const Image photo = SyntheticPhoto(29, 13), quads = QuadrantImage(29, 13);
  struct Case {
    const char* name;
    BmpOptions options;
    Image input;
    Image expected;
  };
  const std::vector<Case> cases = {
      {"core24", {.bits = 24, .header_size = 12}, photo, photo},
      {"v4_24", {.bits = 24, .header_size = 108}, photo, photo},
      {"v5_24", {.bits = 24, .top_down = true, .header_size = 124}, photo, photo},
      {"rgb32", {.bits = 32}, photo, photo},
      {"bitfields32", {.bits = 32, .bitfields = true}, photo, photo},
      {"v5_bitfields32", {.bits = 32, .header_size = 124, .bitfields = true}, photo, photo},
      {"rgb16_555", {.bits = 16}, quads, quads},
      {"bitfields16_565", {.bits = 16, .bitfields = true}, quads, quads},
      {"v4_bitfields16", {.bits = 16, .header_size = 108, .bitfields = true}, quads, quads},
      {"pal8", {.bits = 8}, photo, Quantize216(photo)},
      {"pal8_core", {.bits = 8, .header_size = 12}, photo, Quantize216(photo)},
      {"pal4", {.bits = 4}, quads, quads},
      {"pal1", {.bits = 1}, BlackWhite(29, 13), BlackWhite(29, 13)},
      {"pal1_top_down", {.bits = 1, .top_down = true}, BlackWhite(29, 13), BlackWhite(29, 13)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<DecodedImage> r = Decode(BmpFromImage(c.input, c.options));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->image.width, 29u);
    EXPECT_EQ(r->image.height, 13u);
    EXPECT_EQ(MeanAbsDiff(r->image, c.expected), 0.0);
  }
}

TEST(BmpTest, AlphaBitfieldsCompositeOverWhite) {
  const Image photo = SyntheticPhoto(20, 10);
  Result<DecodedImage> r = Decode(
      BmpFromImage(photo, {.bits = 32, .header_size = 124, .bitfields = true, .alpha = true}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(PixelAt(r->image, 2, 5), (std::array<uint8_t, 3>{255, 255, 255}));
  EXPECT_EQ(PixelAt(r->image, 15, 5), PixelAt(photo, 15, 5));
}

TEST(BmpTest, RleIsUnsupported) {
  std::vector<uint8_t> bmp = BmpFromImage(SyntheticPhoto(8, 8), {.bits = 8});
  PutLe32(&bmp, 30, 1);  // BI_RLE8
  Result<DecodedImage> r = Decode(bmp);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnsupported);
  EXPECT_EQ(r.status().message(), "RLE-compressed BMP images are not supported");
}

TEST(BmpTest, CorruptHeadersAreRejected) {
  const std::vector<uint8_t> good = MakeBmp(16, 8);
  struct Case {
    const char* name;
    size_t at;
    uint32_t value;
    Code code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"huge data offset", 10, 0xFFFFFFFF, Code::kInvalidArgument, "pixel data offset"},
      {"data offset inside header", 10, 20, Code::kInvalidArgument, "pixel data offset"},
      {"huge header", 14, 0x7FFFFFF0, Code::kInvalidArgument, "BMP header"},
      {"huge width", 18, 0x7FFFFFFF, Code::kTooLarge, "over the 64.0 MP limit"},
      {"negative width", 18, 0xFFFFFFF0, Code::kInvalidArgument, "negative width"},
      {"most negative height", 22, 0x80000000, Code::kTooLarge, "over the 64.0 MP limit"},
      {"tall", 22, 100000, Code::kInvalidArgument, "truncated BMP data"},
      {"odd depth", 28, 7, Code::kInvalidArgument, "bits per pixel"},
      {"unknown compression", 30, 99, Code::kInvalidArgument, "compression"},
      {"embedded png", 30, 5, Code::kUnsupported, "embedded"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> bmp = good;
    if (c.at == 28) {
      bmp[28] = static_cast<uint8_t>(c.value), bmp[29] = 0;  // bit count is 16 bits
    } else {
      PutLe32(&bmp, c.at, c.value);
    }
    Result<DecodedImage> r = Decode(bmp);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().message();
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
}

TEST(BmpTest, HugePaletteCountAndShortPaletteAreSafe) {
  std::vector<uint8_t> bmp = BmpFromImage(SyntheticPhoto(8, 8), {.bits = 8});
  PutLe32(&bmp, 46, 0xFFFFFFFF);  // colours used
  EXPECT_TRUE(Decode(bmp).ok());
  // Truncate in the pixel data: an error, not a read past the end.
  std::vector<uint8_t> cut(bmp.begin(), bmp.end() - 20);
  Result<DecodedImage> r = Decode(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "truncated BMP data");
}

TEST(BmpTest, RandomHeaderBytesNeverCrash) {
  const std::vector<uint8_t> good = BmpFromImage(SyntheticPhoto(12, 6), {.bits = 8});
  uint32_t seed = 7;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> bmp = good;
    for (int k = 0; k < 3; ++k) bmp[2 + next() % 60] = static_cast<uint8_t>(next() >> 24);
    Result<DecodedImage> r = DecodeImage(bmp, {.max_pixels = 100'000, .max_side = 0});
    if (r.ok()) {
      EXPECT_EQ(r->image.rgb.size(), size_t{r->image.width} * r->image.height * 3);
    }
  }
}

}  // namespace
}  // namespace altscribe::vision
