// SniffFormat: identifies an image format from magic bytes, and names what the bytes look like
// when they are not an image we decode.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/text.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using std::string_view_literals::operator""sv;

std::string_view AsText(std::span<const uint8_t> bytes, size_t max) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()),
                          bytes.size() < max ? bytes.size() : max);
}

bool HasPrefix(std::span<const uint8_t> bytes, std::string_view magic, size_t offset = 0) {
  return bytes.size() >= offset + magic.size() &&
         AsText(bytes.subspan(offset), magic.size()) == magic;
}

uint32_t ReadBe32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

uint32_t ReadLe32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at + 3]} << 24 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 1]} << 8 | b[at];
}

// A BMP starts with "BM" and, 14 bytes in, the size of a DIB header variant we know. Checking the
// second field keeps text that happens to start with "BM" from being taken for a bitmap.
bool LooksLikeBmp(std::span<const uint8_t> bytes) {
  if (!HasPrefix(bytes, "BM") || bytes.size() < 18) return false;
  switch (ReadLe32(bytes, 14)) {
    case 12:
    case 40:
    case 52:
    case 56:
    case 64:
    case 108:
    case 124:
      return true;
    default:
      return false;
  }
}

// ISO base media files (MP4, MOV, HEIF, AVIF) start with a box "....ftyp<major brand>".
Status SniffFtyp(std::span<const uint8_t> bytes) {
  uint32_t box_size = ReadBe32(bytes, 0);
  // Compatible brands follow the major brand and minor version, up to the end of the box.
  size_t end = box_size >= 16 && box_size <= bytes.size() ? box_size : 0;
  std::string_view major = AsText(bytes.subspan(8), 4);
  auto has_brand = [&](std::string_view brand) {
    if (major == brand) return true;
    for (size_t at = 16; at + 4 <= end; at += 4) {
      if (AsText(bytes.subspan(at), 4) == brand) return true;
    }
    return false;
  };
  if (has_brand("avif") || has_brand("avis")) {
    return Status::Unsupported("AVIF images are not supported");
  }
  for (std::string_view heic : {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}) {
    if (has_brand(heic)) return Status::Unsupported("HEIC images are not supported");
  }
  if (major == "qt  ") return Status::Unsupported("videos are not supported yet (MOV)");
  if (major.starts_with("3g")) return Status::Unsupported("videos are not supported yet (3GP)");
  if (major == "M4A " || major == "M4B ") {
    return Status::InvalidArgument("not an image: looks like audio (M4A)");
  }
  return Status::Unsupported("videos are not supported yet (MP4)");
}

// Text formats: HTML error pages, SVG, XML, JSON, plain text. Returns OK when `bytes` are not
// text at all.
Status SniffText(std::span<const uint8_t> bytes) {
  constexpr size_t kHead = 1024;
  std::string_view head = AsText(bytes, kHead);
  // Text is valid UTF-8 without control characters; only a sequence cut by the kHead limit may
  // be incomplete.
  std::string valid = SanitizeUtf8(head);
  if (!head.starts_with(valid) ||
      (bytes.size() <= kHead ? valid.size() != head.size() : head.size() - valid.size() > 3)) {
    return Status::Ok();
  }
  for (char c : head) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || u == 0x7F) {
      return Status::Ok();
    }
  }
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);  // UTF-8 byte order mark
  head = Trim(head);
  std::string lower = AsciiLower(head);
  if (lower.starts_with("<")) {
    auto has = [&](std::string_view tag) { return lower.find(tag) != std::string::npos; };
    // An HTML page may carry inline <svg> icons; it is still a page.
    bool html = has("<!doctype html") || has("<html") || has("<head") || has("<body");
    if (!html && has("<svg")) return Status::Unsupported("SVG (vector) images are not supported");
    if (!html && lower.starts_with("<?xml")) {
      return Status::InvalidArgument("not an image: looks like XML");
    }
    return Status::InvalidArgument("not an image: looks like HTML");
  }
  if (lower.starts_with("{") || lower.starts_with("[")) {
    return Status::InvalidArgument("not an image: looks like JSON");
  }
  return Status::InvalidArgument("not an image: looks like text");
}

// Everything that is recognisably not a JPEG/PNG/WebP/GIF/BMP. OK when nothing matched.
Status SniffOther(std::span<const uint8_t> bytes) {
  if (HasPrefix(bytes, "ftyp", 4) && bytes.size() >= 12) return SniffFtyp(bytes);
  if (HasPrefix(bytes, "\x1A\x45\xDF\xA3")) {
    bool webm = AsText(bytes, 64).find("webm") != std::string_view::npos;
    return Status::Unsupported(webm ? "videos are not supported yet (WebM)"
                                    : "videos are not supported yet (Matroska)");
  }
  if (HasPrefix(bytes, "RIFF") && HasPrefix(bytes, "AVI ", 8)) {
    return Status::Unsupported("videos are not supported yet (AVI)");
  }
  if (HasPrefix(bytes, "RIFF") && HasPrefix(bytes, "WAVE", 8)) {
    return Status::InvalidArgument("not an image: looks like audio (WAV)");
  }
  if (HasPrefix(bytes, "%PDF-")) return Status::InvalidArgument("not an image: looks like a PDF");
  if (HasPrefix(bytes, "II*\0"sv) || HasPrefix(bytes, "MM\0*"sv)) {
    return Status::Unsupported("TIFF images are not supported");
  }
  if (HasPrefix(bytes, "\xFF\x0A"sv) || HasPrefix(bytes, "\0\0\0\x0CJXL \r\n\x87\n"sv)) {
    return Status::Unsupported("JPEG XL images are not supported");
  }
  if (HasPrefix(bytes, "8BPS"))
    return Status::Unsupported("Photoshop (PSD) files are not supported");
  if (HasPrefix(bytes, "\0\0\1\0"sv) && bytes.size() >= 22 && bytes[4] + bytes[5] > 0 &&
      bytes[5] == 0) {
    return Status::Unsupported("ICO images are not supported");
  }
  if (HasPrefix(bytes, "\0\0\1\xBA"sv) || HasPrefix(bytes, "FLV\x01"sv)) {
    return Status::Unsupported("videos are not supported yet (MPEG)");
  }
  if (HasPrefix(bytes, "OggS"))
    return Status::InvalidArgument("not an image: looks like Ogg media");
  if (HasPrefix(bytes, "ID3"))
    return Status::InvalidArgument("not an image: looks like audio (MP3)");
  if (HasPrefix(bytes, "PK\x03\x04"sv)) {
    return Status::InvalidArgument("not an image: looks like a ZIP archive");
  }
  if (HasPrefix(bytes, "\x1F\x8B"sv)) {
    return Status::InvalidArgument("not an image: looks like a gzip archive");
  }
  return Status::Ok();
}

}  // namespace

Result<ImageFormat> SniffFormat(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::InvalidArgument("empty file (0 bytes)");
  if (HasPrefix(bytes, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (HasPrefix(bytes, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (HasPrefix(bytes, "GIF87a") || HasPrefix(bytes, "GIF89a")) return ImageFormat::kGif;
  if (HasPrefix(bytes, "RIFF") && HasPrefix(bytes, "WEBP", 8)) return ImageFormat::kWebp;
  if (LooksLikeBmp(bytes)) return ImageFormat::kBmp;
  RETURN_IF_ERROR(SniffOther(bytes));
  RETURN_IF_ERROR(SniffText(bytes));
  // Binary data starting with "BM" but with an odd header: let the BMP decoder say what is wrong.
  if (HasPrefix(bytes, "BM")) return ImageFormat::kBmp;
  std::string hex;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", bytes[i]);
    hex += buf;
  }
  return Status::InvalidArgument("unrecognized image format (first bytes: " + hex + ")");
}

}  // namespace altscribe::vision
