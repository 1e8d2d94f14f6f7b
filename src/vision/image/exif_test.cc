#include <gtest/gtest.h>
#include <cstdint>

#include <vector>

#include "image_fixtures.h"
#include "vision/image/exif.h"

namespace altscribe::vision {
namespace {

using altscribe::testing::ExifPayload;

TEST(ExifTest, ReadsEveryOrientationInBothByteOrders) {
  for (bool big_endian : {false, true}) {
    for (int o = 1; o <= 8; ++o) EXPECT_EQ(ExifOrientation(ExifPayload(o, big_endian)), o);
  }
}

TEST(ExifTest, OutOfRangeValuesMeanUpright) {
  for (int bad : {0, 9, 0xFFFF}) EXPECT_EQ(ExifOrientation(ExifPayload(bad)), 1);
}

TEST(ExifTest, NotExif) {
  EXPECT_EQ(ExifOrientation({}), 1);
  std::vector<uint8_t> xmp = {'h', 't', 't', 'p', ':', '/', '/', 'n', 's'};
  EXPECT_EQ(ExifOrientation(xmp), 1);
  std::vector<uint8_t> bad_order = ExifPayload(6);
  bad_order[6] = bad_order[7] = 'X';
  EXPECT_EQ(ExifOrientation(bad_order), 1);
  std::vector<uint8_t> bad_magic = ExifPayload(6);
  bad_magic[8] = 43;
  EXPECT_EQ(ExifOrientation(bad_magic), 1);
}

TEST(ExifTest, FindsTheTagAmongOthersAndAcceptsLong) {
  // Little endian: IFD0 with ImageWidth (LONG) then Orientation as a LONG.
  std::vector<uint8_t> p = {'E',  'x',  'i', 'f', 0, 0, 'I', 'I', 42,   0, 8, 0,
                            0,    0,    2,   0,                                   // two entries
                            0x00, 0x01, 4,   0,   1, 0, 0,   0,   0x80, 0, 0, 0,  // width 128
                            0x12, 0x01, 4,   0,   1, 0, 0,   0,   7,    0, 0, 0,  // orientation 7
                            0,    0,    0,   0};
  EXPECT_EQ(ExifOrientation(p), 7);
  p[30] = 2;  // type ASCII: not a number we accept
  EXPECT_EQ(ExifOrientation(p), 1);
}

TEST(ExifTest, MaliciousOffsetsAndCountsStayInBounds) {
  std::vector<uint8_t> p = ExifPayload(6);
  // IFD offset far past the end, and near the 32-bit limit.
  for (uint32_t offset : {0xFFFFFFFFu, 0xFFFFFFF0u, 0x7FFFFFFFu, 1000u, 19u, 20u}) {
    std::vector<uint8_t> q = p;
    for (int i = 0; i < 4; ++i) q[10 + i] = static_cast<uint8_t>(offset >> (8 * i));
    EXPECT_EQ(ExifOrientation(q), 1) << offset;
  }
  // An entry count far larger than the data.
  std::vector<uint8_t> q = p;
  q[14] = q[15] = 0xFF;
  EXPECT_EQ(ExifOrientation(q), 6);  // the first entry is intact and is the orientation
  q[16] = 0x13;                      // ... and now it is not; the rest is out of bounds
  EXPECT_EQ(ExifOrientation(q), 1);
  // Every prefix of a valid payload.
  for (size_t n = 0; n < p.size(); ++n) {
    int o = ExifOrientation(std::span<const uint8_t>(p.data(), n));
    EXPECT_TRUE(o == 1 || (o == 6 && n >= 6 + 8 + 2 + 10)) << n;
  }
}

TEST(ExifTest, RandomBytesAlwaysGiveAValidOrientation) {
  uint32_t seed = 99;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> p = ExifPayload(3, round % 2);
    for (int k = 0; k < 3; ++k) p[6 + next() % (p.size() - 6)] = static_cast<uint8_t>(next() >> 24);
    p.resize(6 + next() % (p.size() - 5));
    int o = ExifOrientation(p);
    EXPECT_TRUE(o >= 1 && o <= 8);
  }
}

}  // namespace
}  // namespace altscribe::vision
