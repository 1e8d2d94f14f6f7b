// tests/support/image_fixtures.h — images made on the fly for tests and benchmarks.
//
// Every function is deterministic: the same arguments give the same bytes. Encoders abort the
// process on an encoder failure (test support, not production code). Content conventions that
// tests may rely on:
//   * SyntheticPhoto(w, h) is the picture behind MakeJpeg/MakePng/MakeWebp/MakeGif/MakeBmp.
//   * "alpha" variants make the left half (x < w/2) fully transparent and the rest opaque, so a
//     decoder that composites over white shows white there.
//   * Later frames of animations are the colour-inverted photo; the first frame is the photo.
//   * Palette encodings (GIF, 8-bit PNG/BMP) use the 6×6×6 colour cube: each channel rounded to
//     a multiple of 51 (Quantize216).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vision/image/image.h"

namespace altscribe::testing {

using vision::Image;

// Photo-like content: sky and ground gradients, a sun, a house and a tree, and fine per-pixel
// noise, so JPEG sizes and decode times resemble a real photo.
Image SyntheticPhoto(uint32_t width, uint32_t height);
// Four solid quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.
// Survives lossy compression well enough to test orientation and scaling.
Image QuadrantImage(uint32_t width, uint32_t height);
// Each channel rounded to the nearest multiple of 51 (the 6×6×6 cube).
Image Quantize216(const Image& image);
// Inverts every channel (255 - v).
Image Inverted(const Image& image);

std::array<uint8_t, 3> PixelAt(const Image& image, uint32_t x, uint32_t y);
// Mean absolute difference per channel over all pixels; REQUIRES equal sizes.
double MeanAbsDiff(const Image& a, const Image& b);

// ---- JPEG (libjpeg via vision::EncodeJpeg) ----
// exif_orientation 0 writes no EXIF block; 1..8 (or any value, for tests of bad data) writes an
// APP1 Exif segment right after SOI.
std::vector<uint8_t> MakeJpeg(uint32_t width, uint32_t height, int quality = 90,
                              int exif_orientation = 0);
std::vector<uint8_t> JpegFromImage(const Image& image, int quality = 90, int exif_orientation = 0);
// The payload of an APP1 Exif segment ("Exif\0\0" + TIFF) holding just the orientation tag.
std::vector<uint8_t> ExifPayload(int orientation, bool big_endian = false);
// Inserts an APP1 segment with `payload` right after the SOI marker of `jpeg`.
std::vector<uint8_t> InsertApp1(const std::vector<uint8_t>& jpeg,
                                const std::vector<uint8_t>& payload);

// ---- PNG (libpng) ----
enum class PngKind { kRgb, kRgba, kGray, kGrayAlpha, kPalette, kPaletteTransparent };
struct PngOptions {
  PngKind kind = PngKind::kRgb;
  // 8 for every kind; 16 for kRgb, kRgba, kGray, kGrayAlpha; 1, 2 or 4 for kGray (the luma's
  // top bits).
  int bit_depth = 8;
  bool interlaced = false;  // Adam7
};
std::vector<uint8_t> MakePng(uint32_t width, uint32_t height, bool alpha = false);
// Gray kinds store the luma (77 R + 150 G + 29 B) >> 8; palette kinds use Quantize216, and
// kPaletteTransparent adds a transparent entry used by the left half.
std::vector<uint8_t> PngFromImage(const Image& image, const PngOptions& options = {});
// A real, valid PNG of width×height 1-bit black pixels whose IDAT is zlib-streamed row by row:
// 30000×30000 is about 100 KB and takes well under a second to make. For decompression-bomb tests.
std::vector<uint8_t> MakePngBomb(uint32_t width, uint32_t height);

// ---- WebP (libwebp, libwebpmux) ----
std::vector<uint8_t> MakeWebp(uint32_t width, uint32_t height, bool lossless = false,
                              bool alpha = false);
std::vector<uint8_t> WebpFromImage(const Image& image, bool lossless = false);
// An animated WebP (lossless frames): frame 0 is the photo, later frames the inverted photo.
std::vector<uint8_t> MakeAnimatedWebp(uint32_t width, uint32_t height, int frames = 2);

// ---- GIF (giflib) ----
// GIF89a with the 6×6×6 cube as global colour table. With frames > 1 it carries a NETSCAPE2.0
// loop extension. `transparent` makes the left half of frame 0 use a transparent index.
std::vector<uint8_t> MakeGif(uint32_t width, uint32_t height, int frames = 1,
                             bool transparent = false, bool interlaced = false);
// Frames of equal size, quantized to the 6×6×6 cube, each shown for delay_cs hundredths of a
// second, looping.
std::vector<uint8_t> GifFromImages(const std::vector<Image>& frames, int delay_cs = 10);

// ---- BMP (written by hand) ----
struct BmpOptions {
  int bits = 24;           // 1, 4, 8 (palette), 16 (5-5-5), 24, 32
  bool top_down = false;   // negative height
  int header_size = 40;    // 12 (OS/2 core, palette bits and 24 only), 40, 108 (V4), 124 (V5)
  bool bitfields = false;  // BI_BITFIELDS masks (16 and 32 bits; 16 then uses 5-6-5)
  bool alpha = false;      // 32 bits, bitfields, header 108/124: alpha mask, left half clear
};
// 1 bit: black or white by luma >= 128; 4 bits: 8 colours, each channel 0 or 255 by >= 128;
// 8 bits: Quantize216; 16 bits: 5 (or 6) bits a channel.
std::vector<uint8_t> MakeBmp(uint32_t width, uint32_t height);
std::vector<uint8_t> BmpFromImage(const Image& image, const BmpOptions& options = {});

}  // namespace altscribe::testing
