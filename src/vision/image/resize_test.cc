#include <gtest/gtest.h>
#include <cstdint>

#include <vector>

#include "image_fixtures.h"
#include "vision/image/resize.h"

namespace altscribe::vision {
namespace {

using altscribe::testing::MeanAbsDiff;
using altscribe::testing::PixelAt;
using altscribe::testing::SyntheticPhoto;

// A w×h image whose pixel (x, y) holds (x, y, 7).
Image Coordinates(uint32_t w, uint32_t h) {
  Image img{w, h, {}};
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) img.rgb.insert(img.rgb.end(), {uint8_t(x), uint8_t(y), 7});
  }
  return img;
}

TEST(OrientationTest, MatchesTheExifDefinition) {
  // EXIF says where the stored 0th row and 0th column are in the upright picture.
  enum Side { kTop, kBottom, kLeft, kRight };
  struct Def {
    Side row0, col0;
  };
  const Def defs[9] = {{},
                       {kTop, kLeft},
                       {kTop, kRight},
                       {kBottom, kRight},
                       {kBottom, kLeft},
                       {kLeft, kTop},
                       {kRight, kTop},
                       {kRight, kBottom},
                       {kLeft, kBottom}};
  const uint32_t w = 5, h = 3;
  const Image stored = Coordinates(w, h);
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE("orientation " + std::to_string(o));
    Image up = ApplyOrientation(stored, o);
    const bool swapped = o >= 5;
    ASSERT_EQ(up.width, swapped ? h : w);
    ASSERT_EQ(up.height, swapped ? w : h);
    ASSERT_EQ(up.rgb.size(), stored.rgb.size());
    for (uint32_t sy = 0; sy < h; ++sy) {
      for (uint32_t sx = 0; sx < w; ++sx) {
        uint32_t x = 0, y = 0;
        // Stored row sy lies along the row0 side, sy steps in from it; column sx likewise.
        switch (defs[o].row0) {
          case kTop:
            y = sy;
            break;
          case kBottom:
            y = h - 1 - sy;
            break;
          case kLeft:
            x = sy;
            break;
          case kRight:
            x = h - 1 - sy;
            break;
        }
        switch (defs[o].col0) {
          case kTop:
            y = sx;
            break;
          case kBottom:
            y = w - 1 - sx;
            break;
          case kLeft:
            x = sx;
            break;
          case kRight:
            x = w - 1 - sx;
            break;
        }
        EXPECT_EQ(PixelAt(up, x, y), (std::array<uint8_t, 3>{uint8_t(sx), uint8_t(sy), 7}))
            << "stored (" << sx << "," << sy << ")";
      }
    }
  }
}

TEST(OrientationTest, OtherValuesChangeNothing) {
  const Image img = Coordinates(4, 2);
  for (int o : {0, 1, 9, -3}) EXPECT_EQ(ApplyOrientation(img, o).rgb, img.rgb);
}

TEST(FitWithinTest, Sizes) {
  using P = std::pair<uint32_t, uint32_t>;
  EXPECT_EQ(FitWithin(4000, 3000, 2048), P(2048, 1536));
  EXPECT_EQ(FitWithin(3000, 4000, 2048), P(1536, 2048));
  EXPECT_EQ(FitWithin(2048, 2048, 2048), P(2048, 2048));
  EXPECT_EQ(FitWithin(2049, 2049, 2048), P(2048, 2048));
  EXPECT_EQ(FitWithin(100, 50, 2048), P(100, 50));
  EXPECT_EQ(FitWithin(10000, 1, 2048), P(2048, 1));
  EXPECT_EQ(FitWithin(4000, 3000, 0), P(4000, 3000));
}

TEST(ResizeTest, AveragesWholeBlocks) {
  // 4×2 → 2×1: each output pixel is the mean of a 2×2 block.
  Image img{4, 2, {0,  0,  0,  10, 20, 30, 100, 100, 100, 200, 200, 200,
                   20, 40, 60, 30, 60, 90, 100, 100, 100, 201, 201, 201}};
  Image out = Resize(img, 2, 1);
  EXPECT_EQ(PixelAt(out, 0, 0), (std::array<uint8_t, 3>{15, 30, 45}));
  EXPECT_EQ(PixelAt(out, 1, 0), (std::array<uint8_t, 3>{150, 150, 150}));  // 150.25
}

TEST(ResizeTest, WeighsPartialPixels) {
  // 3 → 2: output 0 covers pixel 0 and half of pixel 1; output 1 the other half and pixel 2.
  Image img{3, 1, {0, 0, 0, 90, 90, 90, 180, 180, 180}};
  Image out = Resize(img, 2, 1);
  EXPECT_NEAR(PixelAt(out, 0, 0)[0], 30, 1);
  EXPECT_NEAR(PixelAt(out, 1, 0)[0], 150, 1);
}

TEST(ResizeTest, UniformColourStaysExact) {
  Image img{4000, 3000, {}};
  img.rgb.resize(size_t{4000} * 3000 * 3);
  for (size_t i = 0; i < img.rgb.size(); i += 3)
    img.rgb[i] = 10, img.rgb[i + 1] = 200, img.rgb[i + 2] = 255;
  Image out = Downscale(img, 2048);
  ASSERT_EQ(out.width, 2048u);
  ASSERT_EQ(out.height, 1536u);
  for (size_t i = 0; i < out.rgb.size(); i += 3) {
    ASSERT_EQ(out.rgb[i], 10);
    ASSERT_EQ(out.rgb[i + 1], 200);
    ASSERT_EQ(out.rgb[i + 2], 255);
  }
}

TEST(ResizeTest, KeepsTheMeanColour) {
  Image photo = SyntheticPhoto(1000, 700);
  Image small = Downscale(photo, 333);
  ASSERT_EQ(small.width, 333u);
  ASSERT_EQ(small.height, 233u);
  auto mean = [](const Image& img, int c) {
    double sum = 0;
    for (size_t i = c; i < img.rgb.size(); i += 3) sum += img.rgb[i];
    return sum / (img.rgb.size() / 3);
  };
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(mean(small, c), mean(photo, c), 0.6);
  // Halving: output pixels average exact 2×2 blocks; compare to a direct computation.
  Image half = Resize(photo, 500, 350);
  const uint8_t* p = &photo.rgb[(size_t{200} * 1000 + 300) * 3];
  int want = (p[0] + p[3] + p[3000] + p[3003] + 2) / 4;
  EXPECT_NEAR(PixelAt(half, 150, 100)[0], want, 1);
}

TEST(ResizeTest, ExtremeShapesAndIdentity) {
  Image tall = SyntheticPhoto(1, 5000);
  Image out = Downscale(tall, 2048);
  EXPECT_EQ(out.width, 1u);
  EXPECT_EQ(out.height, 2048u);
  Image same = Downscale(SyntheticPhoto(30, 20), 2048);
  EXPECT_EQ(MeanAbsDiff(same, SyntheticPhoto(30, 20)), 0.0);
  Image up = Resize(SyntheticPhoto(10, 10), 20, 20);  // enlarging works, blocky
  EXPECT_EQ(up.width, 20u);
  EXPECT_EQ(up.rgb.size(), 20u * 20 * 3);
}

}  // namespace
}  // namespace altscribe::vision
