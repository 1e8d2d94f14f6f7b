// JPEG decoding with libjpeg-turbo: size check before decompression, DCT scaling for big
// images, CMYK and grayscale to RGB, EXIF orientation, and no grey-filled partial pictures.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "vision/image/decoders.h"
#include "vision/image/exif.h"
#include "vision/image/jpeg_error.h"

namespace altscribe::vision::internal {
namespace {

// A progressive JPEG may hold thousands of tiny scans that each cost a pass over the whole image;
// real encoders write about ten.
constexpr int kMaxScans = 1000;

// Reads from memory. At the end of the data it supplies an EOI marker without a warning (unlike
// jpeg_mem_src) and notes that it did: a file that lacks only its final EOI still decodes, while
// truly missing entropy data makes the decoder warn "premature end of data segment".
struct MemorySource {
  jpeg_source_mgr pub;  // first, so libjpeg's pointer is also ours
  bool hit_end;
};

const JOCTET kEndOfImage[2] = {0xFF, JPEG_EOI};

void InitSource(j_decompress_ptr) {}
void TermSource(j_decompress_ptr) {}

boolean FillInputBuffer(j_decompress_ptr cinfo) {
  auto* src = reinterpret_cast<MemorySource*>(cinfo->src);
  src->hit_end = true;
  src->pub.next_input_byte = kEndOfImage;
  src->pub.bytes_in_buffer = sizeof kEndOfImage;
  return TRUE;
}

void SkipInputData(j_decompress_ptr cinfo, long count) {
  jpeg_source_mgr* src = cinfo->src;
  if (count <= 0) return;
  if (static_cast<unsigned long>(count) > src->bytes_in_buffer) {
    FillInputBuffer(cinfo);  // skipping past the end: only the fake EOI is left
    return;
  }
  src->next_input_byte += count;
  src->bytes_in_buffer -= static_cast<size_t>(count);
}

// Everything the decode needs that must survive a longjmp lives here, reached by pointer.
struct JpegJob {
  std::span<const uint8_t> bytes;
  const DecodeLimits* limits = nullptr;
  DecodedImage* out = nullptr;
  Status status;               // set when we stop for a reason of our own (the pixel limit)
  std::vector<uint8_t> cmyk;   // one row of CMYK samples when converting by hand
  std::vector<JSAMPROW> rows;  // row pointers for jpeg_read_scanlines
  jpeg_progress_mgr progress{};
  MemorySource source{};
};

void ProgressMonitor(j_common_ptr cinfo) {
  auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > kMaxScans) JpegFail(cinfo, "too many progressive scans");
}

int OrientationFromMarkers(j_decompress_ptr cinfo) {
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
        std::memcmp(m->data, "Exif\0\0", 6) == 0) {
      return ExifOrientation({m->data, m->data_length});
    }
  }
  return 1;
}

// The largest DCT scale-down (1/8, 1/4, 1/2) that keeps the longer side at least max_side. Scaling
// inside the IDCT is much faster than decoding every pixel and averaging them afterwards.
unsigned ScaleDenominator(uint32_t width, uint32_t height, uint32_t max_side) {
  if (max_side == 0) return 1;
  uint64_t longer = std::max(width, height);
  for (unsigned denom : {8u, 4u, 2u}) {
    if (longer >= uint64_t{max_side} * denom) return denom;
  }
  return 1;
}

// Adobe writes CMYK JPEGs inverted (0 = full ink); others store plain CMYK.
void CmykToRgb(const uint8_t* cmyk, uint32_t width, bool inverted, uint8_t* rgb) {
  for (uint32_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    uint32_t c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
    if (!inverted) c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
    rgb[0] = static_cast<uint8_t>((c * k + 127) / 255);
    rgb[1] = static_cast<uint8_t>((m * k + 127) / 255);
    rgb[2] = static_cast<uint8_t>((y * k + 127) / 255);
  }
}

// Drives libjpeg. Returns false when libjpeg jumped back with an error; true otherwise (with
// job->status set if we stopped early on purpose).
bool Decompress(j_decompress_ptr cinfo, JpegErrorManager* err, JpegJob* job) {
  if (setjmp(err->jump)) return false;
  jpeg_create_decompress(cinfo);
  job->progress.progress_monitor = ProgressMonitor;
  cinfo->progress = &job->progress;
  MemorySource* src = &job->source;
  src->pub.init_source = InitSource;
  src->pub.fill_input_buffer = FillInputBuffer;
  src->pub.skip_input_data = SkipInputData;
  src->pub.resync_to_restart = jpeg_resync_to_restart;
  src->pub.term_source = TermSource;
  src->pub.next_input_byte = job->bytes.data();
  src->pub.bytes_in_buffer = job->bytes.size();
  cinfo->src = &src->pub;
  jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(cinfo, TRUE);

  DecodedImage* out = job->out;
  out->source_width = cinfo->image_width;
  out->source_height = cinfo->image_height;
  job->status = CheckPixelLimit(cinfo->image_width, cinfo->image_height, *job->limits);
  if (!job->status.ok()) return true;
  out->orientation = OrientationFromMarkers(cinfo);

  bool cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;  // libjpeg-turbo turns grayscale into RGB
  cinfo->scale_num = 1;
  cinfo->scale_denom =
      ScaleDenominator(cinfo->image_width, cinfo->image_height, job->limits->max_side);
  jpeg_start_decompress(cinfo);

  const uint32_t width = cinfo->output_width, height = cinfo->output_height;
  out->image.width = width;
  out->image.height = height;
  out->image.rgb.resize(size_t{width} * height * 3);
  const size_t stride = size_t{width} * 3;
  if (cmyk) {
    job->cmyk.resize(size_t{width} * 4);
    JSAMPROW row = job->cmyk.data();
    while (cinfo->output_scanline < height) {
      uint32_t y = cinfo->output_scanline;
      jpeg_read_scanlines(cinfo, &row, 1);
      CmykToRgb(job->cmyk.data(), width, cinfo->saw_Adobe_marker,
                out->image.rgb.data() + y * stride);
    }
  } else {
    job->rows.resize(height);
    for (uint32_t y = 0; y < height; ++y) job->rows[y] = out->image.rgb.data() + y * stride;
    while (cinfo->output_scanline < height) {
      uint32_t y = cinfo->output_scanline;
      jpeg_read_scanlines(cinfo, job->rows.data() + y, height - y);
    }
  }
  // A progressive file cut between two scans decodes without a warning, but blurred.
  if (src->hit_end && cinfo->progressive_mode) err->truncated = true;
  // No jpeg_finish_decompress: every pixel is in, and a baseline file that only lacks its final
  // EOI marker is still a whole picture.
  return !err->truncated;
}

}  // namespace

Status DecodeJpeg(std::span<const uint8_t> bytes, const DecodeLimits& limits, DecodedImage* out) {
  jpeg_decompress_struct cinfo{};
  JpegErrorManager err;
  cinfo.err = InstallJpegErrorManager(&err);
  JpegJob job;
  job.bytes = bytes;
  job.limits = &limits;
  job.out = out;
  bool finished = Decompress(&cinfo, &err, &job);
  jpeg_destroy_decompress(&cinfo);
  if (finished) return job.status;
  out->image = Image();
  // Running out of data explains whatever went wrong after it.
  if (err.truncated || job.source.hit_end) return Status::InvalidArgument("truncated JPEG data");
  if (err.corrupt) return Status::InvalidArgument("corrupt JPEG data");
  switch (err.pub.msg_code) {
    case JERR_SOF_UNSUPPORTED:  // e.g. lossless or hierarchical JPEG
    case JERR_BAD_PRECISION:    // 12-bit samples
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
      return Status::Unsupported(std::string("this kind of JPEG is not supported (") + err.message +
                                 ")");
    default:
      break;
  }
  return Status::InvalidArgument(std::string("corrupt JPEG data (") + err.message + ")");
}

}  // namespace altscribe::vision::internal
