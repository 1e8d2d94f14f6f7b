// vision/image/exif.h — the one EXIF tag altscribe needs: orientation.
#pragma once

#include <cstdint>
#include <span>

namespace altscribe::vision {

// Returns the orientation (1..8, tag 0x0112 in IFD0) stored in the payload of a JPEG APP1 segment
// ("Exif\0\0" followed by a little- or big-endian TIFF structure). Returns 1 when the payload is
// not EXIF, has no orientation tag, is malformed, or holds a value outside 1..8. Every offset in
// the data is checked against the payload size; nothing outside `app1` is read.
int ExifOrientation(std::span<const uint8_t> app1);

}  // namespace altscribe::vision
