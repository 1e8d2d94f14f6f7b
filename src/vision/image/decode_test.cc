// DecodeImage end to end: limits, downscaling, orientation, and what every format shares.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdint>

#include <string>
#include <vector>

#include "core/files.h"
#include "image_fixtures.h"
#include "test_env.h"
#include "vision/image/image.h"
#include "vision/image/resize.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;
using namespace altscribe::testing;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

long MaxRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(DecodeTest, EmptyAndNonImageInput) {
  Result<DecodedImage> r = DecodeImage({}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "empty file (0 bytes)");
  // A text file named photo.jpg: only the bytes count.
  r = DecodeImage(Bytes("this is not really a JPEG\n"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "not an image: looks like text");
}

TEST(DecodeTest, PngBombIsRefusedBeforeDecoding) {
  std::vector<uint8_t> bomb = MakePngBomb(30000, 30000);
  EXPECT_LT(bomb.size(), 300u * 1024);
  // Measure in a child so that memory used by earlier tests cannot hide the growth.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    long before = MaxRssKb();
    Result<DecodedImage> r = DecodeImage(bomb, {});
    long grown = MaxRssKb() - before;
    std::string report = std::to_string(grown) + "\n" +
                         (r.ok() ? std::string("decoded") : r.status().message()) + "\n" +
                         Status::CodeName(r.status().code());
    ssize_t written = write(fds[1], report.data(), report.size());
    _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, n);
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << report;
  size_t nl1 = report.find('\n'), nl2 = report.find('\n', nl1 + 1);
  ASSERT_NE(nl2, std::string::npos) << report;
  long grown_kb = std::stol(report.substr(0, nl1));
  EXPECT_EQ(report.substr(nl1 + 1, nl2 - nl1 - 1),
            "image is 30000×30000 (900.0 MP), over the 64.0 MP limit");
  EXPECT_EQ(report.substr(nl2 + 1), Status::CodeName(Code::kTooLarge));
  EXPECT_LT(grown_kb, 50 * 1024);
}

TEST(DecodeTest, PngBombIsARealPng) {
  // Under a limit that admits it, the same kind of file decodes to black.
  Result<DecodedImage> r = DecodeImage(MakePngBomb(300, 200), {.max_side = 0});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 300u);
  EXPECT_EQ(r->image.height, 200u);
  EXPECT_EQ(PixelAt(r->image, 150, 100), (std::array<uint8_t, 3>{0, 0, 0}));
}

TEST(DecodeTest, EveryFormatChecksThePixelLimit) {
  const DecodeLimits limits{.max_pixels = 10'000};
  const std::vector<std::vector<uint8_t>> files = {MakeJpeg(101, 100), MakePng(101, 100),
                                                   MakeWebp(101, 100), MakeAnimatedWebp(101, 100),
                                                   MakeGif(101, 100),  MakeBmp(101, 100)};
  for (const auto& file : files) {
    Result<DecodedImage> r = DecodeImage(file, limits);
    ASSERT_FALSE(r.ok()) << FormatName(SniffFormat(file).value());
    EXPECT_EQ(r.status().code(), Code::kTooLarge);
    EXPECT_EQ(r.status().message(), "image is 101×100 (0.0 MP), over the 0.0 MP limit");
  }
  for (const auto& file : files) {
    Result<DecodedImage> r = DecodeImage(file, {.max_pixels = 10'100});
    EXPECT_TRUE(r.ok()) << r.status().message();
  }
}

TEST(DecodeTest, ZeroSizedImagesAreInvalid) {
  std::vector<uint8_t> png = MakePng(16, 16);
  png[16] = png[17] = png[18] = png[19] = 0;  // IHDR width
  Result<DecodedImage> r = DecodeImage(png, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "image has no pixels (0×16)");

  std::vector<uint8_t> bmp = MakeBmp(16, 16);
  bmp[22] = bmp[23] = bmp[24] = bmp[25] = 0;  // height
  r = DecodeImage(bmp, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "image has no pixels (16×0)");
}

TEST(DecodeTest, DownscalesToMaxSide) {
  Result<DecodedImage> r = DecodeImage(MakeJpeg(4000, 3000), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, ImageFormat::kJpeg);
  EXPECT_EQ(r->image.width, 2048u);
  EXPECT_EQ(r->image.height, 1536u);
  EXPECT_EQ(r->image.rgb.size(), 2048u * 1536 * 3);
  EXPECT_EQ(r->source_width, 4000u);
  EXPECT_EQ(r->source_height, 3000u);
  EXPECT_LT(MeanAbsDiff(r->image, Downscale(SyntheticPhoto(4000, 3000), 2048)), 3.0);

  r = DecodeImage(MakePng(300, 900), {.max_side = 300});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 100u);
  EXPECT_EQ(r->image.height, 300u);

  r = DecodeImage(MakePng(300, 900), {.max_side = 0});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 300u);
  EXPECT_EQ(r->image.height, 900u);
}

TEST(DecodeTest, LargeJpegUsesDctScalingAndStaysClose) {
  // 5000 wide is more than twice 2048, so libjpeg decodes at 1/2 scale before averaging.
  Result<DecodedImage> r = DecodeImage(MakeJpeg(5000, 2000), {.max_side = 2048});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 2048u);
  EXPECT_EQ(r->image.height, 819u);
  EXPECT_LT(MeanAbsDiff(r->image, Resize(SyntheticPhoto(5000, 2000), 2048, 819)), 4.0);

  r = DecodeImage(MakeJpeg(1700, 900), {.max_side = 200});  // 1/8 scale, then averaged
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->image.width, 200u);
  EXPECT_EQ(r->image.height, 106u);
  EXPECT_LT(MeanAbsDiff(r->image, Resize(SyntheticPhoto(1700, 900), 200, 106)), 4.0);
}

TEST(DecodeTest, OrientationIsAppliedAfterScaling) {
  Result<DecodedImage> r = DecodeImage(MakeJpeg(4000, 3000, 85, /*exif_orientation=*/6), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->orientation, 6);
  EXPECT_EQ(r->image.width, 1536u);
  EXPECT_EQ(r->image.height, 2048u);
  EXPECT_EQ(r->source_width, 4000u);
  EXPECT_EQ(r->source_height, 3000u);
}

TEST(DecodeTest, TruncatedPrefixesNeverCrash) {
  const std::vector<std::vector<uint8_t>> files = {
      MakeJpeg(40, 30),         MakePng(40, 30, true),
      MakeWebp(40, 30),         MakeWebp(40, 30, true, true),
      MakeAnimatedWebp(40, 30), MakeGif(40, 30, 2, true, true),
      MakeBmp(40, 30)};
  for (const auto& file : files) {
    for (size_t n = 0; n < file.size(); n += 3) {
      std::vector<uint8_t> prefix(file.begin(), file.begin() + n);
      Result<DecodedImage> r = DecodeImage(prefix, {});
      if (r.ok()) {
        EXPECT_EQ(r->image.rgb.size(), size_t{r->image.width} * r->image.height * 3);
      } else {
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
}

TEST(DecodeTest, CorruptedBytesNeverCrash) {
  const std::vector<std::vector<uint8_t>> files = {MakeJpeg(40, 30), MakePng(40, 30),
                                                   MakeWebp(40, 30, true), MakeGif(40, 30, 2),
                                                   MakeBmp(40, 30)};
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (const auto& file : files) {
    for (int round = 0; round < 300; ++round) {
      std::vector<uint8_t> bytes = file;
      for (int k = 0; k < 4; ++k) bytes[4 + next() % (bytes.size() - 4)] = next() >> 24;
      Result<DecodedImage> r = DecodeImage(bytes, {.max_pixels = 1'000'000});
      if (r.ok()) {
        EXPECT_EQ(r->image.rgb.size(), size_t{r->image.width} * r->image.height * 3);
      }
    }
  }
}

TEST(DecodeTest, BundledSamplesDecode) {
  struct Sample {
    const char* name;
    ImageFormat format;
    uint32_t width, height;
    int orientation;
    bool animated;
  };
  const Sample samples[] = {
      {"house.jpg", ImageFormat::kJpeg, 640, 427, 1, false},
      {"lighthouse.jpg", ImageFormat::kJpeg, 360, 540, 6, false},
      {"bar_chart.png", ImageFormat::kPng, 480, 320, 1, false},
      {"shapes.webp", ImageFormat::kWebp, 480, 240, 1, false},
      {"bouncing_ball.gif", ImageFormat::kGif, 200, 150, 1, true},
  };
  for (const Sample& s : samples) {
    SCOPED_TRACE(s.name);
    Result<std::vector<uint8_t>> bytes =
        ReadFileBytes(TestDataDir() + "/images/" + s.name, 1 << 20);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    Result<DecodedImage> r = DecodeImage(*bytes, {});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->format, s.format);
    EXPECT_EQ(r->image.width, s.width);
    EXPECT_EQ(r->image.height, s.height);
    EXPECT_EQ(r->orientation, s.orientation);
    EXPECT_EQ(r->animated, s.animated);
  }
}

}  // namespace
}  // namespace altscribe::vision
