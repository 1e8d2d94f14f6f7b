// EXIF orientation from an APP1 payload, bounds-checked against malicious offsets.
#include "vision/image/exif.h"

#include <cstdint>
#include <cstring>

namespace altscribe::vision {
namespace {

class TiffReader {
 public:
  TiffReader(std::span<const uint8_t> data, bool little_endian)
      : data_(data), little_endian_(little_endian) {}

  // Reads at `offset`, false when the value would run past the end.
  bool U16(uint64_t offset, uint32_t* v) const {
    if (offset > data_.size() || data_.size() - offset < 2) return false;
    const uint8_t* p = data_.data() + offset;
    *v = little_endian_ ? (p[0] | p[1] << 8) : (p[0] << 8 | p[1]);
    return true;
  }
  bool U32(uint64_t offset, uint32_t* v) const {
    if (offset > data_.size() || data_.size() - offset < 4) return false;
    const uint8_t* p = data_.data() + offset;
    *v = little_endian_
             ? (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24)
             : (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]});
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  bool little_endian_;
};

constexpr uint32_t kOrientationTag = 0x0112;
constexpr uint32_t kTypeShort = 3;
constexpr uint32_t kTypeLong = 4;

}  // namespace

int ExifOrientation(std::span<const uint8_t> app1) {
  if (app1.size() < 6 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0) return 1;
  std::span<const uint8_t> tiff = app1.subspan(6);
  if (tiff.size() < 8) return 1;
  bool little_endian;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    little_endian = true;
  } else if (tiff[0] == 'M' && tiff[1] == 'M') {
    little_endian = false;
  } else {
    return 1;
  }
  TiffReader r(tiff, little_endian);
  uint32_t magic, ifd, count;
  if (!r.U16(2, &magic) || magic != 42 || !r.U32(4, &ifd) || !r.U16(ifd, &count)) return 1;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry = uint64_t{ifd} + 2 + 12 * i;
    uint32_t tag, type, n, value;
    if (!r.U16(entry, &tag) || !r.U16(entry + 2, &type) || !r.U32(entry + 4, &n)) return 1;
    if (tag != kOrientationTag) continue;
    if (n < 1) return 1;
    // A value of 4 bytes or less sits in the entry itself, left-aligned.
    if (type == kTypeShort) {
      if (!r.U16(entry + 8, &value)) return 1;
    } else if (type == kTypeLong) {
      if (!r.U32(entry + 8, &value)) return 1;
    } else {
      return 1;
    }
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

}  // namespace altscribe::vision
