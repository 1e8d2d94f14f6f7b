// SyntheticPhoto (image_fixtures.h) on its own: pure pixels, no codec, so that the standalone
// GPU benchmark build (bench/gpu/CMakeLists.txt) can use it without the image libraries.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "image_fixtures.h"

namespace altscribe::testing {
namespace {

uint32_t Hash(uint32_t x, uint32_t y) {
  uint32_t h = x * 0x9E3779B1u ^ (y + 0x7F4A7C15u) * 0x85EBCA77u;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  h *= 0x297A2D39u;
  h ^= h >> 15;
  return h;
}

struct Rgb {
  int r, g, b;
};

Rgb Lerp(Rgb a, Rgb b, double t) {
  return {static_cast<int>(a.r + (b.r - a.r) * t), static_cast<int>(a.g + (b.g - a.g) * t),
          static_cast<int>(a.b + (b.b - a.b) * t)};
}

uint8_t Clamp(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

}  // namespace

Image SyntheticPhoto(uint32_t width, uint32_t height) {
  Image img{width, height, std::vector<uint8_t>(size_t{width} * height * 3)};
  const double w = width, h = height, m = std::min(w, h);
  const double horizon = 0.6 * h;
  const double sun_x = 0.78 * w, sun_y = 0.22 * h, sun_r = 0.09 * m;
  const double crown_x = 0.64 * w, crown_y = 0.42 * h, crown_r = 0.11 * m;
  const double pond_x = 0.5 * w, pond_y = 0.88 * h, pond_rx = 0.2 * w, pond_ry = 0.05 * h;
  uint8_t* p = img.rgb.data();
  for (uint32_t yi = 0; yi < height; ++yi) {
    const double y = yi + 0.5;
    const Rgb base = y < horizon ? Lerp({70, 130, 210}, {190, 215, 240}, y / horizon)
                                 : Lerp({95, 140, 60}, {70, 95, 45}, (y - horizon) / (h - horizon));
    const double sun_dy2 = (y - sun_y) * (y - sun_y), crown_dy2 = (y - crown_y) * (y - crown_y);
    const double pond_dy2 = (y - pond_y) * (y - pond_y) / (pond_ry * pond_ry);
    const double roof = (y - 0.30 * h) / (0.15 * h);  // 0 at the apex, 1 at the eaves
    for (uint32_t xi = 0; xi < width; ++xi, p += 3) {
      const double x = xi + 0.5;
      Rgb c = base;
      double sun2 = (x - sun_x) * (x - sun_x) + sun_dy2;
      if (sun2 < sun_r * sun_r) c = Lerp({255, 240, 180}, {250, 200, 110}, std::sqrt(sun2) / sun_r);
      // House: a wall, a triangular roof, a door.
      if (x > 0.15 * w && x < 0.40 * w && y > 0.45 * h && y < 0.75 * h) c = {170, 60, 50};
      if (roof >= 0 && roof < 1 && std::abs(x - 0.275 * w) < roof * 0.15 * w) c = {90, 40, 30};
      if (x > 0.25 * w && x < 0.30 * w && y > 0.62 * h && y < 0.75 * h) c = {60, 40, 30};
      // Tree: trunk and a shaded round crown.
      if (x > 0.62 * w && x < 0.66 * w && y > 0.48 * h && y < 0.8 * h) c = {90, 60, 35};
      double crown2 = (x - crown_x) * (x - crown_x) + crown_dy2;
      if (crown2 < crown_r * crown_r) {
        c = Lerp({70, 160, 60}, {25, 90, 30}, std::sqrt(crown2) / crown_r);
      }
      double dx = (x - pond_x) / pond_rx, pond = dx * dx + pond_dy2;
      if (pond < 1) c = Lerp({90, 140, 200}, {50, 90, 150}, pond);
      // Fine noise, like sensor grain.
      uint32_t n = Hash(xi, yi);
      int grain = static_cast<int>(n & 15) - 8;
      p[0] = Clamp(c.r + grain + static_cast<int>((n >> 8) & 3) - 1);
      p[1] = Clamp(c.g + grain);
      p[2] = Clamp(c.b + grain + static_cast<int>((n >> 12) & 3) - 1);
    }
  }
  return img;
}

}  // namespace altscribe::testing
