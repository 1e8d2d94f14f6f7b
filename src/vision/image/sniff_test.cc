#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include <string>
#include <vector>

#include "image_fixtures.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

Result<ImageFormat> Sniff(std::string_view s) { return SniffFormat(Bytes(s)); }

void ExpectError(std::string_view bytes, Code code, const std::string& message) {
  Result<ImageFormat> r = Sniff(bytes);
  ASSERT_FALSE(r.ok()) << "sniffed as " << FormatName(r.value());
  EXPECT_EQ(r.status().code(), code) << r.status().message();
  EXPECT_EQ(r.status().message(), message);
}

TEST(SniffTest, RecognisesEveryDecodedFormat) {
  using altscribe::testing::MakeBmp;
  using altscribe::testing::MakeGif;
  using altscribe::testing::MakeJpeg;
  using altscribe::testing::MakePng;
  using altscribe::testing::MakeWebp;
  EXPECT_EQ(SniffFormat(MakeJpeg(8, 8)).value(), ImageFormat::kJpeg);
  EXPECT_EQ(SniffFormat(MakePng(8, 8)).value(), ImageFormat::kPng);
  EXPECT_EQ(SniffFormat(MakeWebp(8, 8)).value(), ImageFormat::kWebp);
  EXPECT_EQ(SniffFormat(MakeWebp(8, 8, /*lossless=*/true)).value(), ImageFormat::kWebp);
  EXPECT_EQ(SniffFormat(MakeGif(8, 8)).value(), ImageFormat::kGif);
  EXPECT_EQ(SniffFormat(MakeBmp(8, 8)).value(), ImageFormat::kBmp);
  EXPECT_EQ(Sniff("GIF87a\x08\x00").value(), ImageFormat::kGif);
}

TEST(SniffTest, EmptyFile) { ExpectError("", Code::kInvalidArgument, "empty file (0 bytes)"); }

TEST(SniffTest, HtmlPages) {
  const std::string message = "not an image: looks like HTML";
  ExpectError("<!DOCTYPE html>\n<html><head><title>404</title></head></html>",
              Code::kInvalidArgument, message);
  ExpectError("\xEF\xBB\xBF  \n<html lang=\"en\"><body>Not Found</body></html>",
              Code::kInvalidArgument, message);
  ExpectError("<HTML><BODY>error</BODY></HTML>", Code::kInvalidArgument, message);
  // An inline SVG icon does not make a page an SVG file.
  ExpectError("<!doctype html><html><body><svg viewBox='0 0 1 1'></svg></body></html>",
              Code::kInvalidArgument, message);
  ExpectError("<p>Access denied</p>", Code::kInvalidArgument, message);
}

TEST(SniffTest, SvgXmlJsonAndText) {
  const std::string svg = "SVG (vector) images are not supported";
  ExpectError("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
              Code::kUnsupported, svg);
  ExpectError("<svg width=\"10\" height=\"10\"></svg>", Code::kUnsupported, svg);
  ExpectError("<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>", Code::kInvalidArgument,
              "not an image: looks like XML");
  ExpectError("{\"error\": \"not found\"}", Code::kInvalidArgument,
              "not an image: looks like JSON");
  ExpectError("hello, this is a text file\n", Code::kInvalidArgument,
              "not an image: looks like text");
  ExpectError("caf\xC3\xA9 cr\xC3\xA8me\n", Code::kInvalidArgument,
              "not an image: looks like text");
  // Starts with "BM" but is no bitmap.
  ExpectError("BMW is a car maker", Code::kInvalidArgument, "not an image: looks like text");
}

TEST(SniffTest, Videos) {
  using namespace std::string_literals;
  ExpectError(
      "\0\0\0\x18"s
      "ftypmp42\0\0\0\0mp42isom"s,
      Code::kUnsupported, "videos are not supported yet (MP4)");
  ExpectError(
      "\0\0\0\x14"s
      "ftypisom\0\0\x02\0"s,
      Code::kUnsupported, "videos are not supported yet (MP4)");
  ExpectError(
      "\0\0\0\x14"s
      "ftypqt  \0\0\x02\0"s,
      Code::kUnsupported, "videos are not supported yet (MOV)");
  ExpectError("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm"s, Code::kUnsupported,
              "videos are not supported yet (WebM)");
  ExpectError("RIFF\x10\0\0\0AVI LIST"s, Code::kUnsupported, "videos are not supported yet (AVI)");
}

TEST(SniffTest, HeicAndAvif) {
  using namespace std::string_literals;
  ExpectError(
      "\0\0\0\x18"s
      "ftypheic\0\0\0\0mif1heic"s,
      Code::kUnsupported, "HEIC images are not supported");
  // Generic HEIF major brand; the compatible brands say which.
  ExpectError(
      "\0\0\0\x18"s
      "ftypmif1\0\0\0\0mif1heix"s,
      Code::kUnsupported, "HEIC images are not supported");
  ExpectError(
      "\0\0\0\x1C"s
      "ftypavif\0\0\0\0avifmif1miaf"s,
      Code::kUnsupported, "AVIF images are not supported");
  ExpectError(
      "\0\0\0\x18"s
      "ftypmif1\0\0\0\0mif1avif"s,
      Code::kUnsupported, "AVIF images are not supported");
}

TEST(SniffTest, OtherDocumentsAndFormats) {
  using namespace std::string_literals;
  ExpectError("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", Code::kInvalidArgument,
              "not an image: looks like a PDF");
  ExpectError("II*\0\x08\0\0\0"s, Code::kUnsupported, "TIFF images are not supported");
  ExpectError("MM\0*\0\0\0\x08"s, Code::kUnsupported, "TIFF images are not supported");
  ExpectError("PK\x03\x04\x14\0\0\0"s, Code::kInvalidArgument,
              "not an image: looks like a ZIP archive");
}

TEST(SniffTest, UnknownBinaryShowsFirstBytes) {
  using namespace std::string_literals;
  ExpectError("\x4a\x55\x00\x01\x02\x03\x04\x05\x06\x07"s, Code::kInvalidArgument,
              "unrecognized image format (first bytes: 4a 55 00 01 02 03 04 05)");
  ExpectError("\xFF", Code::kInvalidArgument, "unrecognized image format (first bytes: ff)");
  ExpectError("\x89PNG", Code::kInvalidArgument,
              "unrecognized image format (first bytes: 89 50 4e 47)");
}

TEST(SniffTest, ShortInputsNeverReadPastTheEnd) {
  std::vector<uint8_t> jpeg = altscribe::testing::MakeJpeg(8, 8);
  std::string mp4(
      "\0\0\0\x18"
      "ftypmp42\0\0\0\0mp42isom",
      24);
  for (const std::string& full :
       {std::string(jpeg.begin(), jpeg.end()), mp4, std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)}) {
    for (size_t n = 1; n <= full.size(); ++n) {
      Result<ImageFormat> r = Sniff(std::string_view(full).substr(0, n));
      if (!r.ok()) {
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
}

TEST(SniffTest, NamesAndMimeTypes) {
  EXPECT_STREQ(FormatName(ImageFormat::kJpeg), "JPEG");
  EXPECT_STREQ(FormatName(ImageFormat::kWebp), "WebP");
  EXPECT_STREQ(FormatName(ImageFormat::kUnknown), "unknown");
  EXPECT_STREQ(FormatMime(ImageFormat::kPng), "image/png");
  EXPECT_STREQ(FormatMime(ImageFormat::kGif), "image/gif");
  EXPECT_STREQ(FormatMime(ImageFormat::kBmp), "image/bmp");
}

}  // namespace
}  // namespace altscribe::vision
