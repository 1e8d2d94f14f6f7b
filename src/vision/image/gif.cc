// GIF decoding with giflib: only the first frame is decoded (records are read one at a time, never
// the whole animation), transparency over white, interlacing undone.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gif_lib.h>

#include "vision/image/decoders.h"

namespace altscribe::vision::internal {
namespace {

struct GifSource {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
};

int ReadData(GifFileType* gif, GifByteType* dest, int length) {
  auto* src = static_cast<GifSource*>(gif->UserData);
  size_t n = std::min(static_cast<size_t>(std::max(length, 0)), src->bytes.size() - src->pos);
  std::memcpy(dest, src->bytes.data() + src->pos, n);
  src->pos += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

Status Corrupt(const GifFileType* gif) {
  const char* why = GifErrorString(gif->Error);
  return Status::InvalidArgument(std::string("truncated or corrupt GIF data") +
                                 (why ? std::string(" (") + why + ")" : ""));
}

// Reads an extension's sub-blocks; a Graphics Control Extension sets *transparent (-1 = none).
bool ReadExtension(GifFileType* gif, int* transparent) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) return false;
  if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && block[0] >= 4) {
    GraphicsControlBlock gcb;
    if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_OK)
      *transparent = gcb.TransparentColor;
  }
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) return false;
  }
  return true;
}

// Decodes the image whose descriptor comes next onto a white canvas in out->image.
Status ReadFirstFrame(GifFileType* gif, int transparent, const DecodeLimits& limits,
                      DecodedImage* out) {
  if (DGifGetImageDesc(gif) == GIF_ERROR) return Corrupt(gif);
  const GifImageDesc& desc = gif->Image;
  if (desc.Width <= 0 || desc.Height <= 0 || desc.Left < 0 || desc.Top < 0) {
    return Status::InvalidArgument("corrupt GIF data (bad frame size)");
  }
  // The frame's own size bounds the work of reading it, whatever the canvas.
  RETURN_IF_ERROR(CheckPixelLimit(desc.Width, desc.Height, limits));
  // The logical screen is the canvas; a GIF that leaves it zero gets the first frame's extent.
  uint32_t width = gif->SWidth, height = gif->SHeight;
  if (width == 0 || height == 0) {
    width = static_cast<uint32_t>(desc.Left + desc.Width);
    height = static_cast<uint32_t>(desc.Top + desc.Height);
  }
  RETURN_IF_ERROR(CheckPixelLimit(width, height, limits));
  const ColorMapObject* map = desc.ColorMap ? desc.ColorMap : gif->SColorMap;
  if (map == nullptr || map->Colors == nullptr) {
    return Status::InvalidArgument("corrupt GIF data (no colour table)");
  }

  out->source_width = width;
  out->source_height = height;
  out->image.width = width;
  out->image.height = height;
  out->image.rgb.assign(size_t{width} * height * 3, 255);
  std::vector<GifPixelType> line(desc.Width);
  auto put_row = [&](uint32_t row) {
    uint32_t y = desc.Top + row;
    if (y >= height) return;
    uint8_t* dst = out->image.rgb.data() + (size_t{y} * width + desc.Left) * 3;
    uint32_t visible = desc.Left >= static_cast<int>(width)
                           ? 0
                           : std::min<uint32_t>(desc.Width, width - desc.Left);
    for (uint32_t x = 0; x < visible; ++x, dst += 3) {
      int index = line[x];
      if (index == transparent) continue;  // stays white
      if (index >= map->ColorCount) {
        dst[0] = dst[1] = dst[2] = 0;
        continue;
      }
      const GifColorType& c = map->Colors[index];
      dst[0] = c.Red;
      dst[1] = c.Green;
      dst[2] = c.Blue;
    }
  };
  auto read_row = [&](uint32_t row) {
    if (DGifGetLine(gif, line.data(), desc.Width) == GIF_ERROR) return false;
    put_row(row);
    return true;
  };
  const uint32_t rows = desc.Height;
  if (desc.Interlace) {
    static constexpr uint32_t kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass) {
      for (uint32_t row = kStart[pass]; row < rows; row += kStep[pass]) {
        if (!read_row(row)) return Corrupt(gif);
      }
    }
  } else {
    for (uint32_t row = 0; row < rows; ++row) {
      if (!read_row(row)) return Corrupt(gif);
    }
  }
  return Status::Ok();
}

}  // namespace

Status DecodeGif(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out) {
  GifSource source{bytes};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&source, ReadData, &error));
  if (!gif) {
    const char* why = GifErrorString(error);
    return Status::InvalidArgument(std::string("truncated or corrupt GIF data") +
                                   (why ? std::string(" (") + why + ")" : ""));
  }
  if (gif->SWidth > 0 && gif->SHeight > 0) {
    RETURN_IF_ERROR(CheckPixelLimit(gif->SWidth, gif->SHeight, limits));
  }
  int transparent = -1;
  bool have_frame = false;
  while (true) {
    GifRecordType type;
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) {
      if (have_frame) break;  // a damaged tail after the first frame does not matter
      return Corrupt(gif.get());
    }
    if (type == TERMINATE_RECORD_TYPE) break;
    if (type == EXTENSION_RECORD_TYPE) {
      if (!ReadExtension(gif.get(), &transparent)) {
        if (have_frame) break;
        return Corrupt(gif.get());
      }
    } else if (type == IMAGE_DESC_RECORD_TYPE) {
      if (have_frame) {
        out->animated = true;  // a second frame follows; it is not decoded
        break;
      }
      Status st = ReadFirstFrame(gif.get(), transparent, limits, out);
      if (!st.ok()) {
        out->image = Image();
        return st;
      }
      have_frame = true;
    } else {
      if (have_frame) break;
      return Status::InvalidArgument("corrupt GIF data (unknown record)");
    }
  }
  if (!have_frame) return Status::InvalidArgument("GIF file has no image");
  return Status::Ok();
}

}  // namespace altscribe::vision::internal
