// BMP decoding, our own parser: core/INFO/V2-V5 headers, 1/4/8-bit palettes, 16/24/32-bit direct
// colour with or without bit-field masks, bottom-up and top-down. Every read is bounds-checked.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "vision/image/decoders.h"

namespace altscribe::vision::internal {
namespace {

constexpr size_t kFileHeaderSize = 14;
enum Compression : uint32_t {
  kRgb = 0,
  kRle8 = 1,
  kRle4 = 2,
  kBitFields = 3,
  kJpeg = 4,
  kPng = 5,
  kAlphaBitFields = 6,
};

uint32_t Le16(const uint8_t* p) { return p[0] | p[1] << 8; }
uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

Status Corrupt(const char* why) {
  return Status::InvalidArgument(std::string("corrupt BMP header (") + why + ")");
}

// One colour channel as a mask: the value is (pixel & mask) >> shift, scaled from max to 255.
struct Channel {
  uint32_t mask = 0;
  int shift = 0;
  uint32_t max = 0;

  explicit Channel(uint32_t m = 0) : mask(m) {
    if (m == 0) return;
    shift = std::countr_zero(m);
    max = m >> shift;  // may have holes; treat it as the channel's top value anyway
  }
  uint8_t Get(uint32_t pixel) const {
    if (max == 0) return 0;
    return static_cast<uint8_t>((uint64_t{(pixel & mask) >> shift} * 255 + max / 2) / max);
  }
};

struct Header {
  uint64_t data_offset = 0;
  uint32_t dib_size = 0;
  int64_t width = 0;
  int64_t height = 0;  // positive; see top_down
  bool top_down = false;
  uint32_t bits = 0;
  uint32_t compression = kRgb;
  uint32_t colors_used = 0;
  Channel red, green, blue, alpha;
  size_t palette_offset = 0;
  size_t palette_entry = 4;  // 3 in the old OS/2 core header
};

Status ParseHeader(std::span<const uint8_t> b, Header* h) {
  if (b.size() < kFileHeaderSize + 12) return Status::InvalidArgument("truncated BMP header");
  h->data_offset = Le32(&b[10]);
  h->dib_size = Le32(&b[14]);
  if (h->dib_size > b.size() - kFileHeaderSize)
    return Status::InvalidArgument("truncated BMP header");
  const uint8_t* d = &b[kFileHeaderSize];
  if (h->dib_size == 12) {  // BITMAPCOREHEADER
    h->width = Le16(d + 4);
    h->height = Le16(d + 6);
    h->bits = Le16(d + 10);
    h->palette_entry = 3;
  } else if (h->dib_size >= 40 && h->dib_size <= 124) {
    h->width = static_cast<int32_t>(Le32(d + 4));
    h->height = static_cast<int32_t>(Le32(d + 8));
    h->bits = Le16(d + 14);
    h->compression = Le32(d + 16);
    h->colors_used = Le32(d + 32);
    if (h->dib_size == 64 && h->compression != kRgb) {  // OS/2 2.x reuses the numbers
      return Status::Unsupported("compressed OS/2 BMP images are not supported");
    }
  } else {
    return Corrupt("unknown header size");
  }
  if (h->height < 0) {
    h->top_down = true;
    h->height = -h->height;
  }
  if (h->width < 0) return Corrupt("negative width");
  h->palette_offset = kFileHeaderSize + h->dib_size;

  switch (h->compression) {
    case kRgb:
      break;
    case kRle8:
    case kRle4:
      return Status::Unsupported("RLE-compressed BMP images are not supported");
    case kJpeg:
    case kPng:
      return Status::Unsupported("BMP files with embedded JPEG or PNG are not supported");
    case kBitFields:
    case kAlphaBitFields: {
      if (h->bits != 16 && h->bits != 32) return Corrupt("bit fields need 16 or 32 bits a pixel");
      // Masks follow a 40-byte header, or sit inside the larger ones at the same place.
      size_t count = h->compression == kAlphaBitFields ? 4 : 3;
      size_t masks = kFileHeaderSize + 40;
      if (h->dib_size == 40) {
        h->palette_offset += count * 4;
      } else if (h->dib_size >= 56) {
        count = 4;
      }
      if (b.size() < masks + count * 4) return Status::InvalidArgument("truncated BMP header");
      h->red = Channel(Le32(&b[masks]));
      h->green = Channel(Le32(&b[masks + 4]));
      h->blue = Channel(Le32(&b[masks + 8]));
      if (count == 4) h->alpha = Channel(Le32(&b[masks + 12]));
      break;
    }
    default:
      return Corrupt("unknown compression");
  }
  switch (h->bits) {
    case 1:
    case 4:
    case 8:
    case 24:
      if (h->compression != kRgb) return Corrupt("bit fields need 16 or 32 bits a pixel");
      break;
    case 16:
      if (h->compression == kRgb)
        h->red = Channel(0x7C00), h->green = Channel(0x03E0), h->blue = Channel(0x001F);
      break;
    case 32:
      if (h->compression == kRgb)
        h->red = Channel(0xFF0000), h->green = Channel(0xFF00), h->blue = Channel(0xFF);
      break;
    default:
      return Corrupt("unsupported bits per pixel");
  }
  return Status::Ok();
}

// The palette as RGB triples (at most 2^bits entries, fewer if the file holds fewer).
Status ReadPalette(std::span<const uint8_t> b, const Header& h, std::vector<uint8_t>* palette) {
  uint64_t entries = uint64_t{1} << h.bits;
  if (h.colors_used != 0 && h.colors_used < entries) entries = h.colors_used;
  uint64_t available =
      h.palette_offset < b.size() ? (b.size() - h.palette_offset) / h.palette_entry : 0;
  if (entries > available) entries = available;
  if (entries == 0) return Corrupt("missing palette");
  palette->resize(entries * 3);
  for (size_t i = 0; i < entries; ++i) {
    const uint8_t* p = &b[h.palette_offset + i * h.palette_entry];
    (*palette)[3 * i] = p[2];
    (*palette)[3 * i + 1] = p[1];
    (*palette)[3 * i + 2] = p[0];
  }
  return Status::Ok();
}

uint32_t PixelAt(const uint8_t* row, uint32_t x, uint32_t bits) {
  return bits == 16 ? Le16(row + 2 * size_t{x}) : Le32(row + 4 * size_t{x});
}

// Converts one stored row to RGB. `use_alpha` composites the alpha channel over white.
void ConvertRow(const uint8_t* src, const Header& h, const std::vector<uint8_t>& palette,
                bool use_alpha, uint8_t* dst) {
  const uint32_t width = static_cast<uint32_t>(h.width);
  if (h.bits <= 8) {
    const uint32_t per_byte = 8 / h.bits, mask = (1u << h.bits) - 1;
    const size_t entries = palette.size() / 3;
    for (uint32_t x = 0; x < width; ++x, dst += 3) {
      uint32_t shift = (per_byte - 1 - x % per_byte) * h.bits;
      uint32_t index = (src[x / per_byte] >> shift) & mask;
      if (index < entries) {
        dst[0] = palette[3 * index], dst[1] = palette[3 * index + 1],
        dst[2] = palette[3 * index + 2];
      } else {
        dst[0] = dst[1] = dst[2] = 0;
      }
    }
  } else if (h.bits == 24) {
    for (uint32_t x = 0; x < width; ++x, src += 3, dst += 3) {
      dst[0] = src[2], dst[1] = src[1], dst[2] = src[0];
    }
  } else {
    for (uint32_t x = 0; x < width; ++x, dst += 3) {
      uint32_t p = PixelAt(src, x, h.bits);
      uint8_t rgba[4] = {h.red.Get(p), h.green.Get(p), h.blue.Get(p),
                         use_alpha ? h.alpha.Get(p) : uint8_t{255}};
      CompositeOverWhite(rgba, 1, dst);
    }
  }
}

}  // namespace

Status DecodeBmp(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out) {
  Header h;
  RETURN_IF_ERROR(ParseHeader(bytes, &h));
  RETURN_IF_ERROR(CheckPixelLimit(h.width, h.height, limits));
  const uint32_t width = static_cast<uint32_t>(h.width), height = static_cast<uint32_t>(h.height);
  const uint64_t row_bits = uint64_t{width} * h.bits;
  const uint64_t stride = (row_bits + 31) / 32 * 4;
  // The last row may lack its padding; everything before it must be whole.
  const uint64_t needed = stride * (height - 1) + (row_bits + 7) / 8;
  if (h.data_offset < kFileHeaderSize + h.dib_size || h.data_offset > bytes.size()) {
    return Corrupt("pixel data offset outside the file");
  }
  if (needed > bytes.size() - h.data_offset) return Status::InvalidArgument("truncated BMP data");
  std::vector<uint8_t> palette;
  if (h.bits <= 8) RETURN_IF_ERROR(ReadPalette(bytes, h, &palette));

  const uint8_t* pixels = bytes.data() + h.data_offset;
  // Many writers leave the alpha bits of 32-bit files at zero; only trust them if some are not.
  bool use_alpha = false;
  if (h.alpha.mask != 0) {
    for (uint32_t y = 0; y < height && !use_alpha; ++y) {
      for (uint32_t x = 0; x < width; ++x) {
        if (PixelAt(pixels + y * stride, x, h.bits) & h.alpha.mask) {
          use_alpha = true;
          break;
        }
      }
    }
  }
  out->source_width = width;
  out->source_height = height;
  out->image.width = width;
  out->image.height = height;
  out->image.rgb.resize(size_t{width} * height * 3);
  for (uint32_t y = 0; y < height; ++y) {
    uint32_t stored = h.top_down ? y : height - 1 - y;
    ConvertRow(pixels + stored * stride, h, palette, use_alpha,
               out->image.rgb.data() + size_t{y} * width * 3);
  }
  return Status::Ok();
}

}  // namespace altscribe::vision::internal
