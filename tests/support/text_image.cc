#include "text_image.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_GLYPH_H
#include FT_STROKER_H
#include FT_ADVANCES_H

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <random>

namespace altscribe::testing {
namespace {

std::vector<char32_t> Utf8ToCodepoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

// One FreeType library and face per font file, for the whole process (tests are single-threaded
// per process; the mutex keeps concurrent use safe anyway).
struct Fonts {
  std::mutex mu;
  FT_Library lib = nullptr;
  std::map<std::string, FT_Face> faces;
  Fonts() { FT_Init_FreeType(&lib); }
};
Fonts& TheFonts() {
  static Fonts* fonts = new Fonts;
  return *fonts;
}

Result<FT_Face> Face(Fonts& f, const TextStyle& style) {
  ASSIGN_OR_RETURN(std::string path, FindFont(style.family, style.bold));
  auto it = f.faces.find(path);
  if (it == f.faces.end()) {
    FT_Face face = nullptr;
    if (FT_New_Face(f.lib, path.c_str(), 0, &face) != 0) {
      return Status::IoError("cannot open font " + path);
    }
    it = f.faces.emplace(path, face).first;
  }
  FT_Set_Pixel_Sizes(it->second, 0, static_cast<FT_UInt>(style.px));
  return it->second;
}

double Advance(FT_Face face, char32_t cp) {
  FT_Fixed adv = 0;
  FT_Get_Advance(face, FT_Get_Char_Index(face, cp), FT_LOAD_DEFAULT, &adv);
  return static_cast<double>(adv) / 65536.0;
}

double LineWidth(FT_Face face, std::string_view line) {
  double w = 0;
  for (char32_t cp : Utf8ToCodepoints(line)) w += Advance(face, cp);
  return w;
}

}  // namespace

Result<std::string> FindFont(const std::string& family, bool bold) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  FcInit();
  FcPattern* pat = FcPatternCreate();
  FcPatternAddString(pat, FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
  FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
  FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN);
  FcConfigSubstitute(nullptr, pat, FcMatchPattern);
  FcDefaultSubstitute(pat);
  FcResult res;
  FcPattern* match = FcFontMatch(nullptr, pat, &res);
  FcPatternDestroy(pat);
  if (match == nullptr) return Status::NotFound("no font for '" + family + "'");
  FcChar8* got_family = nullptr;
  FcChar8* file = nullptr;
  std::string path, got;
  if (FcPatternGetString(match, FC_FAMILY, 0, &got_family) == FcResultMatch) {
    got = reinterpret_cast<char*>(got_family);
  }
  if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
    path = reinterpret_cast<char*>(file);
  }
  FcPatternDestroy(match);
  if (got != family || path.empty()) {
    return Status::NotFound("font family '" + family + "' is not installed (fontconfig offers '" +
                            got + "')");
  }
  return path;
}

Result<int> TextWidth(std::string_view line, const TextStyle& style) {
  Fonts& f = TheFonts();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSIGN_OR_RETURN(FT_Face face, Face(f, style));
  return static_cast<int>(std::ceil(LineWidth(face, line)));
}

Result<std::vector<std::string>> WrapText(std::string_view text, const TextStyle& style,
                                          int max_width) {
  Fonts& f = TheFonts();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSIGN_OR_RETURN(FT_Face face, Face(f, style));
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view para = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    std::string line;
    size_t pos = 0;
    while (pos < para.size()) {
      size_t sp = para.find(' ', pos);
      std::string_view word = para.substr(pos, sp == std::string_view::npos ? sp : sp - pos);
      std::string candidate = line.empty() ? std::string(word) : line + " " + std::string(word);
      if (!line.empty() && LineWidth(face, candidate) > max_width) {
        lines.push_back(line);
        line = std::string(word);
      } else {
        line = candidate;
      }
      if (sp == std::string_view::npos) break;
      pos = sp + 1;
    }
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

Canvas::Canvas(uint32_t width, uint32_t height, Rgb background) {
  image_.width = width;
  image_.height = height;
  image_.rgb.resize(size_t{width} * height * 3);
  FillRect(0, 0, static_cast<int>(width), static_cast<int>(height), background);
}

void Canvas::Blend(int x, int y, Rgb c, uint8_t a) {
  if (x < 0 || y < 0 || x >= static_cast<int>(image_.width) ||
      y >= static_cast<int>(image_.height) || a == 0) {
    return;
  }
  uint8_t* p = &image_.rgb[(size_t{static_cast<uint32_t>(y)} * image_.width + x) * 3];
  auto mix = [a](uint8_t dst, uint8_t src) {
    return static_cast<uint8_t>((src * a + dst * (255 - a) + 127) / 255);
  };
  p[0] = mix(p[0], c.r);
  p[1] = mix(p[1], c.g);
  p[2] = mix(p[2], c.b);
}

void Canvas::FillRect(int x, int y, int w, int h, Rgb color, uint8_t alpha) {
  for (int yy = y; yy < y + h; ++yy) {
    for (int xx = x; xx < x + w; ++xx) Blend(xx, yy, color, alpha);
  }
}

void Canvas::FillCircle(int cx, int cy, int r, Rgb color) {
  for (int yy = cy - r; yy <= cy + r; ++yy) {
    for (int xx = cx - r; xx <= cx + r; ++xx) {
      if ((xx - cx) * (xx - cx) + (yy - cy) * (yy - cy) <= r * r) Blend(xx, yy, color, 255);
    }
  }
}

void Canvas::Gradient(Rgb top, Rgb bottom) {
  for (uint32_t y = 0; y < image_.height; ++y) {
    double t = image_.height > 1 ? static_cast<double>(y) / (image_.height - 1) : 0;
    Rgb c{static_cast<uint8_t>(top.r + (bottom.r - top.r) * t),
          static_cast<uint8_t>(top.g + (bottom.g - top.g) * t),
          static_cast<uint8_t>(top.b + (bottom.b - top.b) * t)};
    FillRect(0, static_cast<int>(y), static_cast<int>(image_.width), 1, c);
  }
}

void Canvas::PhotoBackground(uint32_t seed, int noise) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  struct Blob {
    double x, y, r;
    Rgb c;
  };
  std::vector<Blob> blobs;
  for (int i = 0; i < 7; ++i) {
    blobs.push_back({static_cast<double>(rng() % image_.width),
                     static_cast<double>(rng() % image_.height),
                     40.0 + static_cast<double>(rng() % std::max(1u, image_.width / 2)),
                     {static_cast<uint8_t>(byte(rng)), static_cast<uint8_t>(byte(rng)),
                      static_cast<uint8_t>(byte(rng))}});
  }
  std::uniform_int_distribution<int> jitter(-noise, noise);
  for (uint32_t y = 0; y < image_.height; ++y) {
    for (uint32_t x = 0; x < image_.width; ++x) {
      double r = 0, g = 0, b = 0, wsum = 1e-6;
      for (const Blob& bl : blobs) {
        double d2 = (x - bl.x) * (x - bl.x) + (y - bl.y) * (y - bl.y);
        double w = std::exp(-d2 / (2 * bl.r * bl.r));
        r += w * bl.c.r;
        g += w * bl.c.g;
        b += w * bl.c.b;
        wsum += w;
      }
      uint8_t* p = &image_.rgb[(size_t{y} * image_.width + x) * 3];
      auto clamp = [](double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 255.0)); };
      p[0] = clamp(r / wsum + jitter(rng));
      p[1] = clamp(g / wsum + jitter(rng));
      p[2] = clamp(b / wsum + jitter(rng));
    }
  }
}

Result<int> Canvas::DrawLines(const std::vector<std::string>& lines, int x, int y,
                              const TextStyle& style, int center_width) {
  Fonts& f = TheFonts();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSIGN_OR_RETURN(FT_Face face, Face(f, style));
  const double ascent = static_cast<double>(face->size->metrics.ascender) / 64.0;
  const double line_h = style.px * style.line_spacing;
  const double a = style.rotate_deg * M_PI / 180.0;
  const double ca = std::cos(a), sa = std::sin(a);
  FT_Matrix m{static_cast<FT_Fixed>(ca * 0x10000), static_cast<FT_Fixed>(-sa * 0x10000),
              static_cast<FT_Fixed>(sa * 0x10000), static_cast<FT_Fixed>(ca * 0x10000)};
  FT_Stroker stroker = nullptr;
  if (style.outline_px > 0) {
    FT_Stroker_New(f.lib, &stroker);
    FT_Stroker_Set(stroker, style.outline_px * 64, FT_STROKER_LINECAP_ROUND,
                   FT_STROKER_LINEJOIN_ROUND, 0);
  }
  auto blit = [&](const FT_Bitmap& bm, int left, int top, Rgb color) {
    for (unsigned row = 0; row < bm.rows; ++row) {
      for (unsigned col = 0; col < bm.width; ++col) {
        Blend(left + static_cast<int>(col), top + static_cast<int>(row), color,
              bm.buffer[row * bm.pitch + col]);
      }
    }
  };
  // Two passes when outlined: every outline first, so no outline covers a neighbour's fill.
  for (int pass = style.outline_px > 0 ? 0 : 1; pass < 2; ++pass) {
    for (size_t i = 0; i < lines.size(); ++i) {
      double offset = 0;
      if (center_width > 0) offset = (center_width - LineWidth(face, lines[i])) / 2;
      // Baseline start of line i, in image coordinates (y down), rotated about (x, y).
      double down = ascent + i * line_h;
      double bx = x + offset * ca + down * sa;
      double by = y - offset * sa + down * ca;
      double u = 0;
      for (char32_t cp : Utf8ToCodepoints(lines[i])) {
        FT_Set_Transform(face, nullptr, nullptr);  // advances are measured unrotated
        const double advance = Advance(face, cp);
        double px = bx + u * ca, py = by - u * sa;
        FT_Vector delta{static_cast<FT_Pos>((px - std::floor(px)) * 64),
                        static_cast<FT_Pos>(-(py - std::floor(py)) * 64)};
        FT_Set_Transform(face, &m, &delta);
        int ix = static_cast<int>(std::floor(px)), iy = static_cast<int>(std::floor(py));
        if (FT_Load_Char(face, cp, FT_LOAD_DEFAULT) == 0) {
          FT_Glyph glyph = nullptr;
          if (FT_Get_Glyph(face->glyph, &glyph) == 0) {
            if (pass == 0) FT_Glyph_Stroke(&glyph, stroker, 1);
            if (FT_Glyph_To_Bitmap(&glyph, FT_RENDER_MODE_NORMAL, nullptr, 1) == 0) {
              auto* bg = reinterpret_cast<FT_BitmapGlyph>(glyph);
              blit(bg->bitmap, ix + bg->left, iy - bg->top,
                   pass == 0 ? style.outline_color : style.color);
            }
            FT_Done_Glyph(glyph);
          }
        }
        u += advance;
      }
    }
  }
  FT_Set_Transform(face, nullptr, nullptr);
  if (stroker != nullptr) FT_Stroker_Done(stroker);
  return static_cast<int>(std::ceil(lines.size() * line_h));
}

}  // namespace altscribe::testing
