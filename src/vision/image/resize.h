// vision/image/resize.h — turning decoded images upright and making them smaller.
#pragma once

#include <cstdint>
#include <utility>

#include "vision/image/image.h"

namespace altscribe::vision {

// Returns `image` turned upright for EXIF orientation `orientation`, which says how the stored
// pixels relate to the upright picture: 1 as stored, 2 mirrored left-right, 3 rotated 180°,
// 4 mirrored top-bottom, 5 transposed (mirrored about the top-left/bottom-right diagonal),
// 6 needs a 90° clockwise turn, 7 transversed (mirrored about the other diagonal), 8 needs a 90°
// counter-clockwise turn. Width and height swap for 5..8. Values outside 1..8 change nothing.
Image ApplyOrientation(Image image, int orientation);

// The size a width×height image takes when its longer side is scaled to `max_side`: aspect ratio
// kept, the shorter side rounded and at least 1. Unchanged when max_side is 0 or the longer side
// is already at most max_side. FitWithin(4000, 3000, 2048) == {2048, 1536}.
std::pair<uint32_t, uint32_t> FitWithin(uint32_t width, uint32_t height, uint32_t max_side);

// Resamples `image` to exactly width×height by area averaging: every output pixel is the mean of
// the source area it covers (fractional edge pixels weighted), in 14-bit fixed point. Meant for
// shrinking; enlarging works but looks blocky. REQUIRES: width, height >= 1 and a valid image.
Image Resize(const Image& image, uint32_t width, uint32_t height);

// Resize(image, FitWithin(image.width, image.height, max_side)); a copy when it already fits.
Image Downscale(const Image& image, uint32_t max_side);

}  // namespace altscribe::vision
