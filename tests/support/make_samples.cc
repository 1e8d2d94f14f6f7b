// make_samples DIR — draws the small demo images bundled in testdata/images.
//
// Each picture is simple and describable, so a vision model's alt text can be judged at a glance:
//   house.jpg        SyntheticPhoto: a red house, a tree, a sun and a pond (JPEG, 640×427)
//   lighthouse.jpg   a striped lighthouse by the sea, stored sideways with EXIF orientation 6
//   bar_chart.png    a bar chart with five coloured bars (PNG)
//   shapes.webp      a red circle, a blue square and a yellow triangle (WebP)
//   bouncing_ball.gif  an orange ball bouncing across a floor, 8 frames (animated GIF)
// The output is deterministic; rerun after changing the drawings and commit the files.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "image_fixtures.h"
#include "vision/image/resize.h"

namespace {

using altscribe::vision::Image;

struct Colour {
  uint8_t r, g, b;
};

// A canvas with a few anti-aliased fill operations (4×4 supersampled coverage).
class Canvas {
 public:
  Canvas(uint32_t w, uint32_t h, Colour background) : img_{w, h, {}} {
    img_.rgb.resize(size_t{w} * h * 3);
    FillRect(0, 0, w, h, background);
  }

  // Vertical gradient from `top` to `bottom` over rows [y0, y1).
  void Gradient(double y0, double y1, Colour top, Colour bottom) {
    for (uint32_t y = 0; y < img_.height; ++y) {
      if (y < y0 || y >= y1) continue;
      double t = (y - y0) / std::max(1.0, y1 - y0 - 1);
      Colour c = {Mix(top.r, bottom.r, t), Mix(top.g, bottom.g, t), Mix(top.b, bottom.b, t)};
      for (uint32_t x = 0; x < img_.width; ++x) Blend(x, y, c, 1.0);
    }
  }

  void FillRect(double x0, double y0, double x1, double y1, Colour c) {
    Fill(x0, y0, x1, y1, c,
         [&](double x, double y) { return x >= x0 && x < x1 && y >= y0 && y < y1; });
  }

  void FillCircle(double cx, double cy, double r, Colour c) {
    Fill(cx - r, cy - r, cx + r, cy + r, c,
         [&](double x, double y) { return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r; });
  }

  // A convex polygon, corners in either winding order.
  void FillConvex(std::initializer_list<std::pair<double, double>> corners, Colour c) {
    std::vector<std::pair<double, double>> p(corners);
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (auto [x, y] : p) {
      x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    }
    Fill(x0, y0, x1, y1, c, [&](double x, double y) {
      bool pos = false, neg = false;
      for (size_t i = 0; i < p.size(); ++i) {
        auto [ax, ay] = p[i];
        auto [bx, by] = p[(i + 1) % p.size()];
        double e = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
        pos |= e > 0, neg |= e < 0;
      }
      return !(pos && neg);
    });
  }

  const Image& image() const { return img_; }

 private:
  static uint8_t Mix(uint8_t a, uint8_t b, double t) {
    return static_cast<uint8_t>(std::lround(a + (b - a) * std::clamp(t, 0.0, 1.0)));
  }

  void Blend(uint32_t x, uint32_t y, Colour c, double coverage) {
    uint8_t* p = &img_.rgb[(size_t{y} * img_.width + x) * 3];
    p[0] = Mix(p[0], c.r, coverage);
    p[1] = Mix(p[1], c.g, coverage);
    p[2] = Mix(p[2], c.b, coverage);
  }

  template <typename Inside>
  void Fill(double x0, double y0, double x1, double y1, Colour c, Inside inside) {
    int xa = std::max(0, static_cast<int>(std::floor(x0)));
    int ya = std::max(0, static_cast<int>(std::floor(y0)));
    int xb = std::min(static_cast<int>(img_.width), static_cast<int>(std::ceil(x1)));
    int yb = std::min(static_cast<int>(img_.height), static_cast<int>(std::ceil(y1)));
    for (int y = ya; y < yb; ++y) {
      for (int x = xa; x < xb; ++x) {
        int hits = 0;
        for (int sy = 0; sy < 4; ++sy) {
          for (int sx = 0; sx < 4; ++sx) hits += inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
        }
        if (hits) Blend(x, y, c, hits / 16.0);
      }
    }
  }

  Image img_;
};

Image Lighthouse(uint32_t w, uint32_t h) {
  Canvas c(w, h, {0, 0, 0});
  c.Gradient(0, h * 0.7, {110, 170, 230}, {200, 225, 245});
  c.Gradient(h * 0.7, h, {40, 100, 160}, {20, 60, 110});
  c.FillRect(w * 0.1, h * 0.68, w * 0.9, h * 0.76, {120, 110, 100});  // rocky base
  const double top = h * 0.18, bottom = h * 0.70, half_top = w * 0.09, half_bottom = w * 0.15;
  for (int band = 0; band < 6; ++band) {  // tapering tower, red and white bands
    double y0 = top + (bottom - top) * band / 6, y1 = top + (bottom - top) * (band + 1) / 6;
    double h0 = half_top + (half_bottom - half_top) * band / 6;
    double h1 = half_top + (half_bottom - half_top) * (band + 1) / 6;
    Colour col = band % 2 ? Colour{245, 245, 240} : Colour{200, 40, 40};
    c.FillConvex({{w / 2.0 - h0, y0}, {w / 2.0 + h0, y0}, {w / 2.0 + h1, y1}, {w / 2.0 - h1, y1}},
                 col);
  }
  c.FillRect(w / 2.0 - half_top, top - h * 0.07, w / 2.0 + half_top, top, {250, 230, 120});
  c.FillConvex({{w / 2.0 - half_top * 1.3, top - h * 0.07},
                {w / 2.0 + half_top * 1.3, top - h * 0.07},
                {w / 2.0, top - h * 0.14}},
               {60, 60, 70});
  return c.image();
}

Image BarChart(uint32_t w, uint32_t h) {
  Canvas c(w, h, {255, 255, 255});
  const double left = w * 0.1, right = w * 0.95, base = h * 0.88, top = h * 0.08;
  for (int i = 1; i <= 4; ++i) {  // light grid lines
    double y = base - (base - top) * i / 4;
    c.FillRect(left, y - 0.5, right, y + 0.5, {225, 225, 225});
  }
  const double values[] = {0.45, 0.8, 0.6, 0.95, 0.3};
  const Colour colours[] = {
      {66, 133, 244}, {219, 68, 55}, {244, 180, 0}, {15, 157, 88}, {171, 71, 188}};
  const double slot = (right - left) / 5;
  for (int i = 0; i < 5; ++i) {
    double x0 = left + slot * i + slot * 0.18, x1 = left + slot * (i + 1) - slot * 0.18;
    c.FillRect(x0, base - (base - top) * values[i], x1, base, colours[i]);
  }
  c.FillRect(left - 1, top, left + 1, base + 1, {40, 40, 40});  // axes
  c.FillRect(left - 1, base - 1, right, base + 1, {40, 40, 40});
  return c.image();
}

Image Shapes(uint32_t w, uint32_t h) {
  Canvas c(w, h, {235, 235, 230});
  c.FillCircle(w * 0.2, h * 0.5, h * 0.22, {220, 40, 40});
  c.FillRect(w * 0.4, h * 0.28, w * 0.4 + h * 0.44, h * 0.72, {40, 80, 210});
  c.FillConvex({{w * 0.78, h * 0.26}, {w * 0.66, h * 0.74}, {w * 0.9, h * 0.74}}, {245, 200, 30});
  return c.image();
}

std::vector<Image> BouncingBall(uint32_t w, uint32_t h, int frames) {
  std::vector<Image> out;
  for (int f = 0; f < frames; ++f) {
    Canvas c(w, h, {250, 250, 250});
    c.FillRect(0, h * 0.85, w, h, {150, 110, 70});  // floor
    double t = static_cast<double>(f) / frames;
    double r = h * 0.1, x = r + (w - 2 * r) * t;
    double y = h * 0.85 - r - (h * 0.6) * std::abs(std::sin(t * 2 * M_PI));
    c.FillCircle(x, y, r, {255, 120, 0});
    out.push_back(c.image());
  }
  return out;
}

bool Write(const std::string& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  std::string path = dir + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f.good()) {
    std::fprintf(stderr, "make_samples: cannot write %s\n", path.c_str());
    return false;
  }
  std::printf("%-18s %7zu bytes\n", name.c_str(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_samples DIR\n");
    return 2;
  }
  namespace t = altscribe::testing;
  namespace v = altscribe::vision;
  const std::string dir = argv[1];
  // Stored sideways (turned counter-clockwise); EXIF 6 tells viewers to turn it back.
  Image sideways = v::ApplyOrientation(Lighthouse(360, 540), 8);
  bool ok = Write(dir, "house.jpg", t::JpegFromImage(t::SyntheticPhoto(640, 427), 80)) &&
            Write(dir, "lighthouse.jpg", t::JpegFromImage(sideways, 85, 6)) &&
            Write(dir, "bar_chart.png", t::PngFromImage(BarChart(480, 320))) &&
            Write(dir, "shapes.webp", t::WebpFromImage(Shapes(480, 240))) &&
            Write(dir, "bouncing_ball.gif", t::GifFromImages(BouncingBall(200, 150, 8), 8));
  return ok ? 0 : 1;
}
