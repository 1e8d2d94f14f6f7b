// PNG (including the decompression bomb), WebP and GIF fixtures, written with the codec libraries.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <gif_lib.h>
#include <png.h>
#include <webp/encode.h>
#include <webp/mux.h>
#include <zlib.h>

#include "image_fixtures.h"

namespace altscribe::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "image_fixtures: %s\n", what);
  std::abort();
}

uint8_t Luma(const uint8_t* p) {
  return static_cast<uint8_t>((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);
}
uint8_t CubeIndex(const uint8_t* p) {
  return static_cast<uint8_t>((p[0] + 25) / 51 * 36 + (p[1] + 25) / 51 * 6 + (p[2] + 25) / 51);
}
constexpr int kCubeColours = 216;
constexpr uint8_t kTransparentIndex = 216;

// ---------------------------------------------------------------------------------- PNG

void PngWrite(png_structp png, png_bytep data, size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void PngFlush(png_structp) {}
void PngError(png_structp, png_const_charp message) { Die(message); }
void PngWarning(png_structp, png_const_charp) {}

void PutBe32(std::vector<uint8_t>* out, uint32_t v) {
  out->insert(out->end(), {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                           static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
}

void PutChunk(std::vector<uint8_t>* out, const char* type, const uint8_t* data, size_t length) {
  PutBe32(out, static_cast<uint32_t>(length));
  size_t start = out->size();
  out->insert(out->end(), type, type + 4);
  out->insert(out->end(), data, data + length);
  PutBe32(out, static_cast<uint32_t>(crc32(0, out->data() + start, static_cast<uInt>(length + 4))));
}

// ---------------------------------------------------------------------------------- GIF

int GifWrite(GifFileType* gif, const GifByteType* data, int length) {
  auto* out = static_cast<std::vector<uint8_t>*>(gif->UserData);
  out->insert(out->end(), data, data + length);
  return length;
}

void GifCheck(int result, const char* what) {
  if (result == GIF_ERROR) Die(what);
}

}  // namespace

std::vector<uint8_t> MakePng(uint32_t width, uint32_t height, bool alpha) {
  return PngFromImage(SyntheticPhoto(width, height),
                      {.kind = alpha ? PngKind::kRgba : PngKind::kRgb});
}

std::vector<uint8_t> PngFromImage(const Image& image, const PngOptions& o) {
  const uint32_t w = image.width, h = image.height;
  const int depth = o.bit_depth;
  int color_type = PNG_COLOR_TYPE_RGB, channels = 3;
  switch (o.kind) {
    case PngKind::kRgb:
      break;
    case PngKind::kRgba:
      color_type = PNG_COLOR_TYPE_RGBA, channels = 4;
      break;
    case PngKind::kGray:
      color_type = PNG_COLOR_TYPE_GRAY, channels = 1;
      break;
    case PngKind::kGrayAlpha:
      color_type = PNG_COLOR_TYPE_GRAY_ALPHA, channels = 2;
      break;
    case PngKind::kPalette:
    case PngKind::kPaletteTransparent:
      color_type = PNG_COLOR_TYPE_PALETTE, channels = 1;
      break;
  }
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, PngError, PngWarning);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, PngWrite, PngFlush);
  png_set_IHDR(png, info, w, h, depth, color_type,
               o.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_color palette[kCubeColours + 1];
    for (int i = 0; i < kCubeColours; ++i) {
      palette[i] = {static_cast<png_byte>(i / 36 * 51), static_cast<png_byte>(i / 6 % 6 * 51),
                    static_cast<png_byte>(i % 6 * 51)};
    }
    palette[kTransparentIndex] = {255, 0, 255};
    bool clear = o.kind == PngKind::kPaletteTransparent;
    png_set_PLTE(png, info, palette, kCubeColours + (clear ? 1 : 0));
    if (clear) {
      png_byte alpha[kCubeColours + 1];
      std::memset(alpha, 255, sizeof alpha);
      alpha[kTransparentIndex] = 0;
      png_set_tRNS(png, info, alpha, kCubeColours + 1, nullptr);
    }
  }
  png_write_info(png, info);
  const size_t stride = (size_t{w} * channels * depth + 7) / 8;
  std::vector<uint8_t> pixels(stride * h, 0);
  for (uint32_t y = 0; y < h; ++y) {
    uint8_t* row = &pixels[y * stride];
    for (uint32_t x = 0; x < w; ++x) {
      const uint8_t* p = &image.rgb[(size_t{y} * w + x) * 3];
      uint8_t alpha = x < w / 2 ? 0 : 255;
      uint8_t v[4] = {p[0], p[1], p[2], alpha};
      if (o.kind == PngKind::kGray || o.kind == PngKind::kGrayAlpha) v[0] = Luma(p), v[1] = alpha;
      if (o.kind == PngKind::kPalette) v[0] = CubeIndex(p);
      if (o.kind == PngKind::kPaletteTransparent) v[0] = alpha ? CubeIndex(p) : kTransparentIndex;
      if (depth < 8) {
        int shift = 8 - depth - static_cast<int>(x * depth % 8);
        row[x * depth / 8] |= static_cast<uint8_t>((v[0] >> (8 - depth)) << shift);
        continue;
      }
      for (int c = 0; c < channels; ++c) {
        if (depth == 16) {
          row[(x * channels + c) * 2] = v[c];  // v * 257, big-endian: both bytes are v
          row[(x * channels + c) * 2 + 1] = v[c];
        } else {
          row[x * channels + c] = v[c];
        }
      }
    }
  }
  std::vector<png_bytep> rows(h);
  for (uint32_t y = 0; y < h; ++y) rows[y] = &pixels[y * stride];
  png_set_interlace_handling(png);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::vector<uint8_t> MakePngBomb(uint32_t width, uint32_t height) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  PutBe32(&ihdr, width);
  PutBe32(&ihdr, height);
  ihdr.insert(ihdr.end(), {1, 0, 0, 0, 0});  // 1-bit grayscale, deflate, no filter, no interlace
  PutChunk(&out, "IHDR", ihdr.data(), ihdr.size());

  std::vector<uint8_t> row(1 + (size_t{width} + 7) / 8, 0);  // filter byte "none" + black pixels
  std::vector<uint8_t> buffer(1 << 16);
  z_stream z{};
  if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) Die("deflateInit");
  auto drain = [&](int flush) {
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      if (deflate(&z, flush) == Z_STREAM_ERROR) Die("deflate");
      size_t produced = buffer.size() - z.avail_out;
      if (produced) PutChunk(&out, "IDAT", buffer.data(), produced);
    } while (z.avail_out == 0);
  };
  for (uint32_t y = 0; y < height; ++y) {
    z.next_in = row.data();
    z.avail_in = static_cast<uInt>(row.size());
    drain(Z_NO_FLUSH);
  }
  drain(Z_FINISH);
  deflateEnd(&z);
  PutChunk(&out, "IEND", nullptr, 0);
  return out;
}

// ---------------------------------------------------------------------------------- WebP

std::vector<uint8_t> MakeWebp(uint32_t width, uint32_t height, bool lossless, bool alpha) {
  Image photo = SyntheticPhoto(width, height);
  if (!alpha) return WebpFromImage(photo, lossless);
  std::vector<uint8_t> rgba(size_t{width} * height * 4);
  for (size_t i = 0, n = size_t{width} * height; i < n; ++i) {
    std::memcpy(&rgba[4 * i], &photo.rgb[3 * i], 3);
    rgba[4 * i + 3] = i % width < width / 2 ? 0 : 255;
  }
  uint8_t* data = nullptr;
  int stride = static_cast<int>(width * 4);
  size_t size = lossless ? WebPEncodeLosslessRGBA(rgba.data(), width, height, stride, &data)
                         : WebPEncodeRGBA(rgba.data(), width, height, stride, 85, &data);
  if (size == 0) Die("WebPEncodeRGBA");
  std::vector<uint8_t> out(data, data + size);
  WebPFree(data);
  return out;
}

std::vector<uint8_t> WebpFromImage(const Image& image, bool lossless) {
  uint8_t* data = nullptr;
  int stride = static_cast<int>(image.width * 3);
  size_t size =
      lossless ? WebPEncodeLosslessRGB(image.rgb.data(), image.width, image.height, stride, &data)
               : WebPEncodeRGB(image.rgb.data(), image.width, image.height, stride, 85, &data);
  if (size == 0) Die("WebPEncodeRGB");
  std::vector<uint8_t> out(data, data + size);
  WebPFree(data);
  return out;
}

std::vector<uint8_t> MakeAnimatedWebp(uint32_t width, uint32_t height, int frames) {
  WebPAnimEncoderOptions options;
  WebPConfig config;
  if (!WebPAnimEncoderOptionsInit(&options) || !WebPConfigInit(&config)) Die("libwebp init");
  config.lossless = 1;
  WebPAnimEncoder* enc =
      WebPAnimEncoderNew(static_cast<int>(width), static_cast<int>(height), &options);
  if (enc == nullptr) Die("WebPAnimEncoderNew");
  Image photo = SyntheticPhoto(width, height), inverted = Inverted(photo);
  int timestamp = 0;
  for (int i = 0; i < frames; ++i, timestamp += 100) {
    const Image& frame = i == 0 ? photo : inverted;
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) Die("WebPPictureInit");
    picture.width = static_cast<int>(width);
    picture.height = static_cast<int>(height);
    picture.use_argb = 1;
    if (!WebPPictureImportRGB(&picture, frame.rgb.data(), static_cast<int>(width * 3)) ||
        !WebPAnimEncoderAdd(enc, &picture, timestamp, &config)) {
      Die("WebPAnimEncoderAdd");
    }
    WebPPictureFree(&picture);
  }
  WebPData data;
  WebPDataInit(&data);
  if (!WebPAnimEncoderAdd(enc, nullptr, timestamp, nullptr) ||
      !WebPAnimEncoderAssemble(enc, &data)) {
    Die("WebPAnimEncoderAssemble");
  }
  std::vector<uint8_t> out(data.bytes, data.bytes + data.size);
  WebPDataClear(&data);
  WebPAnimEncoderDelete(enc);
  return out;
}

// ---------------------------------------------------------------------------------- GIF

namespace {

// Writes `frames` (all the same size) as a GIF89a with the 6×6×6 cube palette. `transparent`
// makes the left half of frame 0 use the transparent index.
std::vector<uint8_t> WriteGif(const std::vector<Image>& frames, bool transparent, bool interlaced,
                              int delay_cs) {
  if (frames.empty()) Die("WriteGif: no frames");
  const uint32_t width = frames[0].width, height = frames[0].height;
  std::vector<uint8_t> out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, GifWrite, &error);
  if (gif == nullptr) Die("EGifOpen");
  EGifSetGifVersion(gif, true);
  ColorMapObject* map = GifMakeMapObject(256, nullptr);
  for (int i = 0; i < 256; ++i) {
    bool cube = i < kCubeColours;
    map->Colors[i] = {static_cast<GifByteType>(cube ? i / 36 * 51 : 255),
                      static_cast<GifByteType>(cube ? i / 6 % 6 * 51 : 0),
                      static_cast<GifByteType>(cube ? i % 6 * 51 : 255)};
  }
  GifCheck(EGifPutScreenDesc(gif, static_cast<int>(width), static_cast<int>(height), 8, 0, map),
           "EGifPutScreenDesc");
  GifFreeMapObject(map);
  if (frames.size() > 1) {
    static const GifByteType kLoop[] = {1, 0, 0};  // sub-block 1: loop forever
    GifCheck(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "NETSCAPE");
    GifCheck(EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0"), "NETSCAPE");
    GifCheck(EGifPutExtensionBlock(gif, 3, kLoop), "NETSCAPE");
    GifCheck(EGifPutExtensionTrailer(gif), "NETSCAPE");
  }
  std::vector<GifPixelType> line(width);
  for (size_t f = 0; f < frames.size(); ++f) {
    const Image& frame = frames[f];
    if (frame.width != width || frame.height != height) Die("WriteGif: frame sizes differ");
    const bool clear_left = transparent && f == 0;
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.DelayTime = delay_cs;
    gcb.TransparentColor = clear_left ? kTransparentIndex : NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    size_t ext_size = EGifGCBToExtension(&gcb, ext);
    GifCheck(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_size), ext), "GCB");
    GifCheck(EGifPutImageDesc(gif, 0, 0, static_cast<int>(width), static_cast<int>(height),
                              interlaced, nullptr),
             "EGifPutImageDesc");
    auto put_row = [&](uint32_t y) {
      for (uint32_t x = 0; x < width; ++x) {
        line[x] = clear_left && x < width / 2 ? kTransparentIndex
                                              : CubeIndex(&frame.rgb[(size_t{y} * width + x) * 3]);
      }
      GifCheck(EGifPutLine(gif, line.data(), static_cast<int>(width)), "EGifPutLine");
    };
    if (interlaced) {  // rows go out in pass order
      static constexpr uint32_t kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
      for (int pass = 0; pass < 4; ++pass) {
        for (uint32_t y = kStart[pass]; y < height; y += kStep[pass]) put_row(y);
      }
    } else {
      for (uint32_t y = 0; y < height; ++y) put_row(y);
    }
  }
  GifCheck(EGifCloseFile(gif, &error), "EGifCloseFile");
  return out;
}

}  // namespace

std::vector<uint8_t> MakeGif(uint32_t width, uint32_t height, int frames, bool transparent,
                             bool interlaced) {
  Image photo = SyntheticPhoto(width, height);
  std::vector<Image> images(1, photo);
  if (frames > 1) images.resize(static_cast<size_t>(frames), Inverted(photo));
  return WriteGif(images, transparent, interlaced, 10);
}

std::vector<uint8_t> GifFromImages(const std::vector<Image>& frames, int delay_cs) {
  return WriteGif(frames, false, false, delay_cs);
}

}  // namespace altscribe::testing
