// Synthetic image content, comparisons, and the JPEG (with EXIF) and BMP fixtures.
#include "image_fixtures.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace altscribe::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "image_fixtures: %s\n", what);
  std::abort();
}

void PutLe16(std::vector<uint8_t>* out, uint32_t v) {
  out->push_back(v & 0xFF);
  out->push_back((v >> 8) & 0xFF);
}

void PutLe32(std::vector<uint8_t>* out, uint32_t v) {
  PutLe16(out, v & 0xFFFF);
  PutLe16(out, v >> 16);
}

}  // namespace

Image QuadrantImage(uint32_t width, uint32_t height) {
  Image img{width, height, std::vector<uint8_t>(size_t{width} * height * 3)};
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      bool right = x >= width / 2, bottom = y >= height / 2;
      uint8_t* p = &img.rgb[(size_t{y} * width + x) * 3];
      static constexpr uint8_t kColours[4][3] = {
          {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
      std::memcpy(p, kColours[bottom * 2 + right], 3);
    }
  }
  return img;
}

Image Quantize216(const Image& image) {
  Image out = image;
  for (uint8_t& v : out.rgb) v = static_cast<uint8_t>((v + 25) / 51 * 51);
  return out;
}

Image Inverted(const Image& image) {
  Image out = image;
  for (uint8_t& v : out.rgb) v = static_cast<uint8_t>(255 - v);
  return out;
}

std::array<uint8_t, 3> PixelAt(const Image& image, uint32_t x, uint32_t y) {
  const uint8_t* p = &image.rgb.at((size_t{y} * image.width + x) * 3);
  return {p[0], p[1], p[2]};
}

double MeanAbsDiff(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.rgb.size() != b.rgb.size()) {
    Die("MeanAbsDiff: images differ in size");
  }
  if (a.rgb.empty()) return 0;
  uint64_t sum = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int{a.rgb[i]} - int{b.rgb[i]});
  return static_cast<double>(sum) / static_cast<double>(a.rgb.size());
}

// ---------------------------------------------------------------------------------- JPEG

std::vector<uint8_t> ExifPayload(int orientation, bool big_endian) {
  std::vector<uint8_t> out = {'E', 'x', 'i', 'f', 0, 0};
  auto u16 = [&](uint32_t v) {
    if (big_endian) v = ((v & 0xFF) << 8) | ((v >> 8) & 0xFF);
    PutLe16(&out, v);
  };
  auto u32 = [&](uint32_t v) {
    if (big_endian) {
      u16(v >> 16), u16(v & 0xFFFF);
    } else {
      u16(v & 0xFFFF), u16(v >> 16);
    }
  };
  out.push_back(big_endian ? 'M' : 'I');
  out.push_back(big_endian ? 'M' : 'I');
  u16(42);
  u32(8);  // IFD0 right after the header
  u16(1);  // one entry
  u16(0x0112);
  u16(3);  // SHORT
  u32(1);  // count
  u16(static_cast<uint32_t>(orientation));
  u16(0);  // padding of the 4-byte value field
  u32(0);  // no next IFD
  return out;
}

std::vector<uint8_t> InsertApp1(const std::vector<uint8_t>& jpeg,
                                const std::vector<uint8_t>& payload) {
  if (jpeg.size() < 2 || payload.size() > 65533) Die("InsertApp1: bad input");
  const size_t length = payload.size() + 2;
  std::vector<uint8_t> out;
  out.reserve(jpeg.size() + length + 2);
  for (uint8_t b : {jpeg[0], jpeg[1], uint8_t{0xFF}, uint8_t{0xE1},
                    static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length & 0xFF)}) {
    out.push_back(b);
  }
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

std::vector<uint8_t> JpegFromImage(const Image& image, int quality, int exif_orientation) {
  Result<std::string> jpeg = vision::EncodeJpeg(image, quality);
  if (!jpeg.ok()) Die(jpeg.status().message().c_str());
  std::vector<uint8_t> bytes(jpeg->begin(), jpeg->end());
  if (exif_orientation == 0) return bytes;
  return InsertApp1(bytes, ExifPayload(exif_orientation));
}

std::vector<uint8_t> MakeJpeg(uint32_t width, uint32_t height, int quality, int exif_orientation) {
  return JpegFromImage(SyntheticPhoto(width, height), quality, exif_orientation);
}

// ---------------------------------------------------------------------------------- BMP

std::vector<uint8_t> MakeBmp(uint32_t width, uint32_t height) {
  return BmpFromImage(SyntheticPhoto(width, height));
}

std::vector<uint8_t> BmpFromImage(const Image& image, const BmpOptions& o) {
  const uint32_t w = image.width, h = image.height;
  const bool core = o.header_size == 12;
  const bool fields = o.bitfields && (o.bits == 16 || o.bits == 32);
  const int palette_entries = o.bits == 1 ? 2 : o.bits == 4 ? 8 : o.bits == 8 ? 216 : 0;
  const size_t entry_size = core ? 3 : 4;
  const size_t masks = fields && o.header_size == 40 ? 12 : 0;
  const size_t data_offset = 14 + o.header_size + masks + palette_entries * entry_size;
  const size_t stride = (size_t{w} * o.bits + 31) / 32 * 4;
  uint32_t red = 0x7C00, green = 0x03E0, blue = 0x001F, alpha = 0;
  if (o.bits == 16 && fields) red = 0xF800, green = 0x07E0;
  if (o.bits == 32) red = 0xFF0000, green = 0xFF00, blue = 0xFF, alpha = o.alpha ? 0xFF000000 : 0;

  std::vector<uint8_t> out = {'B', 'M'};
  PutLe32(&out, static_cast<uint32_t>(data_offset + stride * h));
  PutLe32(&out, 0);
  PutLe32(&out, static_cast<uint32_t>(data_offset));
  PutLe32(&out, static_cast<uint32_t>(o.header_size));
  if (core) {
    PutLe16(&out, w);
    PutLe16(&out, h);
    PutLe16(&out, 1);
    PutLe16(&out, static_cast<uint32_t>(o.bits));
  } else {
    PutLe32(&out, w);
    PutLe32(&out, o.top_down ? static_cast<uint32_t>(-static_cast<int32_t>(h)) : h);
    PutLe16(&out, 1);
    PutLe16(&out, static_cast<uint32_t>(o.bits));
    PutLe32(&out, fields ? 3 : 0);
    PutLe32(&out, static_cast<uint32_t>(stride * h));
    PutLe32(&out, 2835);  // 72 dpi
    PutLe32(&out, 2835);
    PutLe32(&out, static_cast<uint32_t>(palette_entries));
    PutLe32(&out, 0);
    if (o.header_size > 40 || masks) {
      PutLe32(&out, red), PutLe32(&out, green), PutLe32(&out, blue);
    }
    if (o.header_size > 40) {
      PutLe32(&out, alpha);
      PutLe32(&out, 0x73524742);                            // 'sRGB'
      out.resize(14 + static_cast<size_t>(o.header_size));  // endpoints, gamma, V5 fields: zero
    }
  }
  for (int i = 0; i < palette_entries; ++i) {
    uint8_t r, g, b;
    if (o.bits == 8) {
      r = static_cast<uint8_t>(i / 36 * 51), g = static_cast<uint8_t>(i / 6 % 6 * 51),
      b = static_cast<uint8_t>(i % 6 * 51);
    } else {
      uint8_t v = o.bits == 1 ? (i ? 255 : 0) : 0;
      r = o.bits == 1 ? v : (i & 4 ? 255 : 0);
      g = o.bits == 1 ? v : (i & 2 ? 255 : 0);
      b = o.bits == 1 ? v : (i & 1 ? 255 : 0);
    }
    out.insert(out.end(), {b, g, r});
    if (!core) out.push_back(0);
  }
  for (uint32_t row = 0; row < h; ++row) {
    uint32_t y = o.top_down ? row : h - 1 - row;
    std::vector<uint8_t> line(stride, 0);
    for (uint32_t x = 0; x < w; ++x) {
      auto [r, g, b] = PixelAt(image, x, y);
      uint32_t index = 0;
      if (o.bits == 1) index = ((77 * r + 150 * g + 29 * b) >> 8) >= 128;
      if (o.bits == 4) index = (r >= 128) << 2 | (g >= 128) << 1 | (b >= 128);
      if (o.bits == 8) index = (r + 25) / 51 * 36 + (g + 25) / 51 * 6 + (b + 25) / 51;
      if (o.bits <= 8) {
        int shift = 8 - o.bits - static_cast<int>(x * o.bits % 8);
        line[x * o.bits / 8] |= static_cast<uint8_t>(index << shift);
      } else if (o.bits == 16) {
        bool g6 = fields;
        uint32_t v = (r >> 3) << (g6 ? 11 : 10) | (g >> (g6 ? 2 : 3)) << 5 | (b >> 3);
        line[2 * x] = v & 0xFF, line[2 * x + 1] = static_cast<uint8_t>(v >> 8);
      } else if (o.bits == 24) {
        line[3 * x] = b, line[3 * x + 1] = g, line[3 * x + 2] = r;
      } else {
        uint8_t a = o.alpha && x < w / 2 ? 0 : 255;
        line[4 * x] = b, line[4 * x + 1] = g, line[4 * x + 2] = r, line[4 * x + 3] = a;
      }
    }
    out.insert(out.end(), line.begin(), line.end());
  }
  return out;
}

}  // namespace altscribe::testing
