#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

bool HasMarker(const std::string& jpeg, uint8_t marker) {
  for (size_t i = 0; i + 1 < jpeg.size(); ++i) {
    if (uint8_t(jpeg[i]) == 0xFF && uint8_t(jpeg[i + 1]) == marker) return true;
  }
  return false;
}

TEST(EncodeJpegTest, RoundTrips) {
  Image photo = SyntheticPhoto(300, 200);
  Result<std::string> jpeg = EncodeJpeg(photo, 90);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().message();
  ASSERT_GT(jpeg->size(), 4u);
  EXPECT_EQ(uint8_t((*jpeg)[0]), 0xFF);
  EXPECT_EQ(uint8_t((*jpeg)[1]), 0xD8);
  EXPECT_TRUE(HasMarker(*jpeg, 0xC0));   // baseline SOF0
  EXPECT_FALSE(HasMarker(*jpeg, 0xC2));  // not progressive
  std::vector<uint8_t> bytes(jpeg->begin(), jpeg->end());
  Result<DecodedImage> r = DecodeImage(bytes, {.max_side = 0});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LT(MeanAbsDiff(r->image, photo), 6.0);
}

TEST(EncodeJpegTest, QualityChangesSize) {
  Image photo = SyntheticPhoto(400, 300);
  Result<std::string> low = EncodeJpeg(photo, 30), high = EncodeJpeg(photo, 95);
  ASSERT_TRUE(low.ok() && high.ok());
  EXPECT_LT(low->size(), high->size());
}

TEST(EncodeJpegTest, LargeOutputGrowsTheBuffer) {
  Result<std::string> jpeg = EncodeJpeg(SyntheticPhoto(1500, 1000), 100);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().message();
  EXPECT_GT(jpeg->size(), 64u * 1024);
  EXPECT_EQ(uint8_t(jpeg->back()), 0xD9);
}

TEST(EncodeJpegTest, RejectsBadArguments) {
  Image photo = SyntheticPhoto(8, 8);
  for (int q : {0, 101, -5}) {
    Result<std::string> r = EncodeJpeg(photo, q);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("quality"));
  }
  EXPECT_FALSE(EncodeJpeg(Image{}, 90).ok());
  Image bad = photo;
  bad.rgb.pop_back();
  EXPECT_EQ(EncodeJpeg(bad, 90).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace altscribe::vision
