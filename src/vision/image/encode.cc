// EncodeJpeg: baseline JPEG into memory with libjpeg-turbo.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vision/image/image.h"
#include "vision/image/jpeg_error.h"

namespace altscribe::vision {
namespace {

using internal::InstallJpegErrorManager;
using internal::JpegErrorManager;

constexpr uint32_t kMaxJpegSide = 65500;  // JPEG_MAX_DIMENSION

// A growing malloc'd buffer as libjpeg destination. (jpeg_mem_dest can leave a dangling pointer
// behind when compression fails half-way.)
struct MemoryDestination {
  jpeg_destination_mgr pub;  // first, so libjpeg's pointer is also ours
  uint8_t* data;
  size_t capacity;
  size_t size;
};

MemoryDestination* Dest(j_compress_ptr cinfo) {
  return reinterpret_cast<MemoryDestination*>(cinfo->dest);
}

void InitDestination(j_compress_ptr cinfo) {
  MemoryDestination* d = Dest(cinfo);
  d->capacity = 64 * 1024;
  d->data = static_cast<uint8_t*>(std::malloc(d->capacity));
  if (d->data == nullptr) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
  d->pub.next_output_byte = d->data;
  d->pub.free_in_buffer = d->capacity;
}

boolean EmptyOutputBuffer(j_compress_ptr cinfo) {
  MemoryDestination* d = Dest(cinfo);
  size_t grown = d->capacity * 2;
  auto* data = static_cast<uint8_t*>(std::realloc(d->data, grown));
  if (data == nullptr) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
  d->data = data;
  d->pub.next_output_byte = data + d->capacity;  // the whole old buffer is full
  d->pub.free_in_buffer = grown - d->capacity;
  d->capacity = grown;
  return TRUE;
}

void TermDestination(j_compress_ptr cinfo) {
  MemoryDestination* d = Dest(cinfo);
  d->size = d->capacity - d->pub.free_in_buffer;
}

// Drives libjpeg. Returns false when libjpeg jumped back with an error.
bool Compress(j_compress_ptr cinfo, JpegErrorManager* err, MemoryDestination* dest,
              const Image* image, int quality) {
  if (setjmp(err->jump)) return false;
  jpeg_create_compress(cinfo);
  dest->pub.init_destination = InitDestination;
  dest->pub.empty_output_buffer = EmptyOutputBuffer;
  dest->pub.term_destination = TermDestination;
  cinfo->dest = &dest->pub;
  cinfo->image_width = image->width;
  cinfo->image_height = image->height;
  cinfo->input_components = 3;
  cinfo->in_color_space = JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  const size_t stride = size_t{image->width} * 3;
  while (cinfo->next_scanline < cinfo->image_height) {
    auto* row = const_cast<uint8_t*>(image->rgb.data() + cinfo->next_scanline * stride);
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

}  // namespace

Result<std::string> EncodeJpeg(const Image& image, int quality) {
  if (quality < 1 || quality > 100) {
    return Status::InvalidArgument("JPEG quality must be in 1..100, got " +
                                   std::to_string(quality));
  }
  if (image.width == 0 || image.height == 0 ||
      image.rgb.size() != size_t{image.width} * image.height * 3) {
    return Status::InvalidArgument("cannot encode an empty or malformed image");
  }
  if (image.width > kMaxJpegSide || image.height > kMaxJpegSide) {
    return Status::TooLarge("image is too large for JPEG (at most 65500 pixels a side)");
  }
  jpeg_compress_struct cinfo{};
  JpegErrorManager err;
  cinfo.err = InstallJpegErrorManager(&err);
  MemoryDestination dest{};
  bool ok = Compress(&cinfo, &err, &dest, &image, quality);
  jpeg_destroy_compress(&cinfo);
  std::string out;
  if (ok) out.assign(reinterpret_cast<const char*>(dest.data), dest.size);
  std::free(dest.data);
  if (!ok) return Status::Internal(std::string("JPEG encoding failed: ") + err.message);
  return out;
}

}  // namespace altscribe::vision
