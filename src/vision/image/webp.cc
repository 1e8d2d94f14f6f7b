// WebP decoding with libwebp: size from the header first, the first frame of animations via
// WebPAnimDecoder, alpha over white.
#include <cstdint>
#include <memory>

#include <webp/decode.h>
#include <webp/demux.h>

#include "vision/image/decoders.h"

namespace altscribe::vision::internal {
namespace {

Status FeatureError(VP8StatusCode code) {
  switch (code) {
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return Status::InvalidArgument("truncated WebP data");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return Status::Unsupported("this WebP variant is not supported");
    default:
      return Status::InvalidArgument("corrupt WebP data");
  }
}

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* dec) const { WebPAnimDecoderDelete(dec); }
};

Status DecodeAnimated(std::span<const uint8_t> bytes, const DecodeLimits& limits,
                      DecodedImage* out) {
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options)) return Status::Internal("libwebp version mismatch");
  options.color_mode = MODE_RGBA;
  options.use_threads = 0;
  WebPData data{bytes.data(), bytes.size()};
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> dec(WebPAnimDecoderNew(&data, &options));
  if (!dec) return Status::InvalidArgument("truncated or corrupt WebP animation");
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(dec.get(), &info)) {
    return Status::InvalidArgument("corrupt WebP animation");
  }
  RETURN_IF_ERROR(CheckPixelLimit(info.canvas_width, info.canvas_height, limits));
  uint8_t* canvas = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(dec.get(), &canvas, &timestamp)) {
    return Status::InvalidArgument("truncated or corrupt WebP animation");
  }
  out->source_width = info.canvas_width;
  out->source_height = info.canvas_height;
  out->image.width = info.canvas_width;
  out->image.height = info.canvas_height;
  size_t pixels = size_t{info.canvas_width} * info.canvas_height;
  out->image.rgb.resize(pixels * 3);
  CompositeOverWhite(canvas, pixels, out->image.rgb.data());
  out->animated = info.frame_count > 1;
  return Status::Ok();
}

}  // namespace

Status DecodeWebp(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out) {
  WebPBitstreamFeatures features;
  VP8StatusCode code = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (code != VP8_STATUS_OK) return FeatureError(code);
  out->source_width = static_cast<uint32_t>(features.width);
  out->source_height = static_cast<uint32_t>(features.height);
  RETURN_IF_ERROR(CheckPixelLimit(out->source_width, out->source_height, limits));
  if (features.has_animation) return DecodeAnimated(bytes, limits, out);

  const uint32_t width = out->source_width, height = out->source_height;
  const size_t pixels = size_t{width} * height;
  std::vector<uint8_t>& rgb = out->image.rgb;
  bool ok;
  if (features.has_alpha) {
    rgb.resize(pixels * 4);
    ok = WebPDecodeRGBAInto(bytes.data(), bytes.size(), rgb.data(), rgb.size(),
                            static_cast<int>(width * 4)) != nullptr;
    if (ok) {
      CompositeOverWhite(rgb.data(), pixels, rgb.data());  // in place, 4 bytes in, 3 out
      rgb.resize(pixels * 3);
    }
  } else {
    rgb.resize(pixels * 3);
    ok = WebPDecodeRGBInto(bytes.data(), bytes.size(), rgb.data(), rgb.size(),
                           static_cast<int>(width * 3)) != nullptr;
  }
  if (!ok) {
    out->image = Image();
    return Status::InvalidArgument("truncated or corrupt WebP data");
  }
  out->image.width = width;
  out->image.height = height;
  return Status::Ok();
}

}  // namespace altscribe::vision::internal
