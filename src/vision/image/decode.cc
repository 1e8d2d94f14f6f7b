// DecodeImage: sniff, dispatch to the format's decoder, then downscale and turn upright.
#include <cstdint>
#include <cstdio>
#include <string>

#include "vision/image/decoders.h"
#include "vision/image/image.h"
#include "vision/image/resize.h"

namespace altscribe::vision {

const char* FormatName(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kWebp:
      return "WebP";
    case ImageFormat::kGif:
      return "GIF";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

const char* FormatMime(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "image/jpeg";
    case ImageFormat::kPng:
      return "image/png";
    case ImageFormat::kWebp:
      return "image/webp";
    case ImageFormat::kGif:
      return "image/gif";
    case ImageFormat::kBmp:
      return "image/bmp";
    case ImageFormat::kUnknown:
      break;
  }
  return "application/octet-stream";
}

namespace internal {

Status CheckPixelLimit(uint64_t width, uint64_t height, const DecodeLimits& limits) {
  char buf[160];
  if (width == 0 || height == 0) {
    std::snprintf(buf, sizeof buf, "image has no pixels (%llu×%llu)",
                  static_cast<unsigned long long>(width), static_cast<unsigned long long>(height));
    return Status::InvalidArgument(buf);
  }
  // Each side fits in 32 bits in every format we read, so the product cannot overflow; guard
  // anyway for a caller that passes something larger.
  if (width > UINT32_MAX || height > UINT32_MAX || width * height > limits.max_pixels) {
    std::snprintf(buf, sizeof buf, "image is %llu×%llu (%.1f MP), over the %.1f MP limit",
                  static_cast<unsigned long long>(width), static_cast<unsigned long long>(height),
                  static_cast<double>(width) * static_cast<double>(height) / 1e6,
                  static_cast<double>(limits.max_pixels) / 1e6);
    return Status::TooLarge(buf);
  }
  return Status::Ok();
}

void CompositeOverWhite(const uint8_t* rgba, size_t pixels, uint8_t* rgb) {
  for (size_t i = 0; i < pixels; ++i, rgba += 4, rgb += 3) {
    uint32_t a = rgba[3], inv = 255 - a;
    uint8_t r = rgba[0], g = rgba[1], b = rgba[2];
    rgb[0] = static_cast<uint8_t>((r * a + 255 * inv + 127) / 255);
    rgb[1] = static_cast<uint8_t>((g * a + 255 * inv + 127) / 255);
    rgb[2] = static_cast<uint8_t>((b * a + 255 * inv + 127) / 255);
  }
}

}  // namespace internal

Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  ASSIGN_OR_RETURN(ImageFormat format, SniffFormat(bytes));
  DecodedImage out;
  out.format = format;
  Status st;
  switch (format) {
    case ImageFormat::kJpeg:
      st = internal::DecodeJpeg(bytes, limits, &out);
      break;
    case ImageFormat::kPng:
      st = internal::DecodePng(bytes, limits, &out);
      break;
    case ImageFormat::kWebp:
      st = internal::DecodeWebp(bytes, limits, &out);
      break;
    case ImageFormat::kGif:
      st = internal::DecodeGif(bytes, limits, &out);
      break;
    case ImageFormat::kBmp:
      st = internal::DecodeBmp(bytes, limits, &out);
      break;
    case ImageFormat::kUnknown:
      st = Status::Internal("unknown image format");
      break;
  }
  RETURN_IF_ERROR(st);
  if (out.image.width == 0 || out.image.height == 0 ||
      out.image.rgb.size() != size_t{out.image.width} * out.image.height * 3) {
    return Status::Internal(std::string(FormatName(format)) + " decoder returned no pixels");
  }
  // Scale first (the target follows from the stored size, whatever DCT scaling the decoder did),
  // then turn the smaller image upright.
  auto [w, h] = FitWithin(out.source_width, out.source_height, limits.max_side);
  if (w != out.image.width || h != out.image.height) out.image = Resize(out.image, w, h);
  if (out.orientation != 1) out.image = ApplyOrientation(std::move(out.image), out.orientation);
  return out;
}

}  // namespace altscribe::vision
