// vision/image/image.h — decoded images and the decoder's contract.
//
// Images arrive as untrusted bytes (a file, a URL, a Bluesky blob). The format is sniffed from
// magic bytes only, never from a file extension or Content-Type. Dimensions are read from the
// header and checked against DecodeLimits before any pixel buffer is allocated, so a
// decompression bomb costs a few kilobytes. Error messages are one line, in plain words, and do
// not include the source name (callers prefix it).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe::vision {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp, kGif, kBmp };

const char* FormatName(ImageFormat f);  // "JPEG", "PNG", "WebP", "GIF", "BMP", "unknown"
const char* FormatMime(ImageFormat f);  // "image/jpeg", ...

// 8-bit RGB, row-major, top-down, no padding: rgb.size() == width * height * 3.
struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> rgb;
};

struct DecodeLimits {
  // Images whose header says width*height exceeds this are refused before decoding.
  uint64_t max_pixels = 64'000'000;
  // After decoding, images whose longer side exceeds this are downscaled (area average) so the
  // longer side equals it. 0 keeps the full size.
  uint32_t max_side = 2048;
};

struct DecodedImage {
  Image image;  // oriented upright, possibly downscaled
  ImageFormat format = ImageFormat::kUnknown;
  uint32_t source_width = 0;  // as stored in the file, before orientation and scaling
  uint32_t source_height = 0;
  int orientation = 1;    // EXIF orientation applied (1 = none), JPEG only
  bool animated = false;  // GIF/WebP with more than one frame (first frame decoded)
};

// Identifies the format from the first bytes. Errors (InvalidArgument/Unsupported) say what the
// bytes look like instead: "empty file (0 bytes)", "not an image: looks like HTML",
// "videos are not supported yet (MP4)", "HEIC images are not supported", ...
Result<ImageFormat> SniffFormat(std::span<const uint8_t> bytes);

// Sniffs, checks limits, decodes (first frame of animations; transparency composited over
// white), applies EXIF orientation and downscales. Truncated or corrupt data is an error, never
// a half-grey picture.
Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits);

// Encodes to baseline JPEG (for sending to an OpenAI-compatible endpoint). quality in 1..100.
Result<std::string> EncodeJpeg(const Image& image, int quality);

}  // namespace altscribe::vision
