// text_image.h — draws text with real fonts (FreeType, found through fontconfig) onto RGB
// images, for the OCR tests and bench/ocr_quality, so that the ground truth of every image is
// known exactly.
//
// Canvas is a small painter: backgrounds (flat, gradient, noisy "photo"), filled circles and
// rectangles, and text in any installed font family at a pixel size, with an optional outline
// (meme captions) and rotation. Text is UTF-8; lines wrap at word boundaries to a maximum width.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "vision/image/image.h"

namespace altscribe::testing {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

struct TextStyle {
  std::string family = "DejaVu Sans";  // a fontconfig family name
  bool bold = false;
  int px = 24;  // pixel size of the em
  Rgb color{0, 0, 0};
  int outline_px = 0;  // > 0: the glyphs are stroked with outline_color first (meme captions)
  Rgb outline_color{0, 0, 0};
  double rotate_deg = 0;  // counter-clockwise, around the start of the first line
  double line_spacing = 1.25;
};

// The path of the font file fontconfig picks for `family` (bold or regular). An error when the
// family is not installed (fontconfig would silently substitute another one).
Result<std::string> FindFont(const std::string& family, bool bold);

// The advance width of one line of `text` in `style`, in pixels.
Result<int> TextWidth(std::string_view line, const TextStyle& style);

// Splits `text` into lines no wider than `max_width` pixels in `style` (explicit '\n' kept).
Result<std::vector<std::string>> WrapText(std::string_view text, const TextStyle& style,
                                          int max_width);

class Canvas {
 public:
  Canvas(uint32_t width, uint32_t height, Rgb background);

  void FillRect(int x, int y, int w, int h, Rgb color, uint8_t alpha = 255);
  void FillCircle(int cx, int cy, int radius, Rgb color);
  // Vertical gradient from `top` to `bottom`.
  void Gradient(Rgb top, Rgb bottom);
  // A deterministic "photo": smooth colour blobs plus per-pixel noise of +-`noise`.
  void PhotoBackground(uint32_t seed, int noise);

  // Draws `lines` with their first baseline at y + ascent (x, y = top-left of the text block);
  // returns the height used. `center_width` > 0 centres each line within [x, x + center_width).
  Result<int> DrawLines(const std::vector<std::string>& lines, int x, int y, const TextStyle& style,
                        int center_width = 0);

  const vision::Image& image() const { return image_; }

 private:
  void Blend(int x, int y, Rgb color, uint8_t alpha);
  vision::Image image_;
};

}  // namespace altscribe::testing
