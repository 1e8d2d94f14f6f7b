// vision/image/decoders.h — internal: the per-format decoders behind DecodeImage.
//
// Not part of the public API; only image/*.cc and its tests include this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/status.h"
#include "vision/image/image.h"

namespace altscribe::vision::internal {

// OK when 0 < width, 0 < height and width*height <= limits.max_pixels. Otherwise
// InvalidArgument ("image has no pixels (0×480)") or TooLarge
// ("image is 30000×30000 (900.0 MP), over the 64.0 MP limit").
Status CheckPixelLimit(uint64_t width, uint64_t height, const DecodeLimits& limits);

// Writes `pixels` RGBA pixels as RGB composited over a white background. `rgb` may alias `rgba`
// (the conversion runs front to back and never writes ahead of what it reads).
void CompositeOverWhite(const uint8_t* rgba, size_t pixels, uint8_t* rgb);

// The decoders. Each one reads the header, calls CheckPixelLimit before it allocates any pixel
// memory, and fills out->image (top-down RGB8, transparency composited over white),
// out->source_width and out->source_height, and where they apply out->orientation (JPEG) and
// out->animated (GIF, WebP, APNG). A decoder may return an image smaller than the source (JPEG
// DCT scaling) but then its longer side is still at least limits.max_side and both sides are at
// least the final downscaled size. Corrupt or truncated data is an InvalidArgument error.
Status DecodeJpeg(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out);
Status DecodePng(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out);
Status DecodeWebp(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out);
Status DecodeGif(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out);
Status DecodeBmp(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out);

}  // namespace altscribe::vision::internal
