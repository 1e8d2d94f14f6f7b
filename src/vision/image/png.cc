// PNG decoding with libpng: every colour type and bit depth to RGB8, alpha over white, the size
// checked from IHDR before libpng allocates anything.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <png.h>

#include "vision/image/decoders.h"

namespace altscribe::vision::internal {
namespace {

constexpr size_t kSignatureSize = 8;

uint32_t ReadBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Everything that must survive libpng's longjmp lives here, reached by pointer.
struct PngJob {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  const DecodeLimits* limits = nullptr;
  DecodedImage* out = nullptr;
  Status status;  // set when we stop for a reason of our own (the pixel limit)
  char message[200] = "";
  std::vector<uint8_t> rgba;    // a row (or, interlaced, the whole image) with alpha
  std::vector<png_bytep> rows;  // row pointers for png_read_image
};

void ReadData(png_structp png, png_bytep dest, size_t length) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (length > job->bytes.size() - job->pos) png_error(png, "file ends early");
  std::memcpy(dest, job->bytes.data() + job->pos, length);
  job->pos += length;
}

void OnError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->message, sizeof job->message, "%s", message);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}  // e.g. "iCCP: known incorrect sRGB profile"

// Walks the chunks before the first IDAT for an APNG animation control chunk with 2+ frames.
bool IsAnimated(std::span<const uint8_t> bytes) {
  size_t at = kSignatureSize;
  while (bytes.size() - at >= 12) {
    uint32_t length = ReadBe32(&bytes[at]);
    const uint8_t* type = &bytes[at + 4];
    if (std::memcmp(type, "IDAT", 4) == 0) return false;
    if (std::memcmp(type, "acTL", 4) == 0) return length >= 4 && ReadBe32(&bytes[at + 8]) > 1;
    if (length > bytes.size() - at - 12) return false;
    at += 12 + size_t{length};
  }
  return false;
}

// Drives libpng. Returns false when libpng jumped back with an error.
bool Read(png_structp png, png_infop info, PngJob* job) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, job, ReadData);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // our own pixel limit applies instead
  png_read_info(png, info);
  const uint32_t width = png_get_image_width(png, info);
  const uint32_t height = png_get_image_height(png, info);
  DecodedImage* out = job->out;
  out->source_width = width;
  out->source_height = height;
  job->status = CheckPixelLimit(width, height, *job->limits);
  if (!job->status.ok()) return true;

  png_set_expand(png);  // palette to RGB, gray below 8 bits to 8, tRNS to an alpha channel
  png_set_scale_16(png);
  png_set_gray_to_rgb(png);
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  if ((channels != 3 && channels != 4) || png_get_rowbytes(png, info) != size_t{width} * channels) {
    png_error(png, "unexpected pixel layout");
  }

  out->image.width = width;
  out->image.height = height;
  out->image.rgb.resize(size_t{width} * height * 3);
  uint8_t* rgb = out->image.rgb.data();
  const size_t stride = size_t{width} * 3;
  if (channels == 3) {
    job->rows.resize(height);
    for (uint32_t y = 0; y < height; ++y) job->rows[y] = rgb + y * stride;
    png_read_image(png, job->rows.data());
  } else if (passes == 1) {
    job->rgba.resize(size_t{width} * 4);
    for (uint32_t y = 0; y < height; ++y) {
      png_read_row(png, job->rgba.data(), nullptr);
      CompositeOverWhite(job->rgba.data(), width, rgb + y * stride);
    }
  } else {  // interlaced with alpha: each pass revisits every row, so hold the whole image
    job->rgba.resize(size_t{width} * height * 4);
    job->rows.resize(height);
    for (uint32_t y = 0; y < height; ++y) job->rows[y] = job->rgba.data() + y * size_t{width} * 4;
    png_read_image(png, job->rows.data());
    CompositeOverWhite(job->rgba.data(), size_t{width} * height, rgb);
  }
  // No png_read_end: the pixels are all in, and chunks after them don't matter here.
  return true;
}

}  // namespace

Status DecodePng(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out) {
  // IHDR must come first; check its size before libpng allocates anything.
  if (bytes.size() < kSignatureSize + 8 + 13 ||
      std::memcmp(&bytes[kSignatureSize + 4], "IHDR", 4) != 0) {
    return Status::InvalidArgument("truncated or corrupt PNG data (no IHDR header)");
  }
  uint32_t width = ReadBe32(&bytes[16]), height = ReadBe32(&bytes[20]);
  RETURN_IF_ERROR(CheckPixelLimit(width, height, limits));

  PngJob job;
  job.bytes = bytes;
  job.limits = &limits;
  job.out = out;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, OnError, OnWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return Status::Internal("libpng could not start");
  }
  bool finished = Read(png, info, &job);
  png_destroy_read_struct(&png, &info, nullptr);
  if (!finished) {
    out->image = Image();
    return Status::InvalidArgument(std::string("truncated or corrupt PNG data (") + job.message +
                                   ")");
  }
  if (job.status.ok()) out->animated = IsAnimated(bytes);
  return job.status;
}

}  // namespace altscribe::vision::internal
