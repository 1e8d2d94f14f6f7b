// Orientation (EXIF 1..8) and area-average downscaling.
#include "vision/image/resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace altscribe::vision {
namespace {

constexpr int kWeightBits = 14;
constexpr uint32_t kOne = 1u << kWeightBits;

// Area-average taps for one axis: output i takes weight[offset[i] + k] of source first[i] + k,
// for k < offset[i+1] - offset[i]. Each output's weights sum to kOne.
struct Taps {
  std::vector<uint32_t> first;
  std::vector<uint32_t> offset;
  std::vector<uint16_t> weight;
};

Taps MakeTaps(uint32_t n, uint32_t m) {
  // In units where the axis is n*m long, output i covers [i*n, (i+1)*n) and source j covers
  // [j*m, (j+1)*m); a tap's weight is the overlap over the output's length n.
  Taps t;
  t.first.resize(m);
  t.offset.resize(m + 1);
  t.weight.reserve(size_t{n} + m);
  for (uint32_t i = 0; i < m; ++i) {
    uint64_t lo = uint64_t{i} * n, hi = lo + n;
    uint32_t j0 = static_cast<uint32_t>(lo / m), j1 = static_cast<uint32_t>((hi - 1) / m);
    t.first[i] = j0;
    t.offset[i] = static_cast<uint32_t>(t.weight.size());
    uint32_t sum = 0;
    size_t heaviest = t.weight.size();
    for (uint32_t j = j0; j <= j1; ++j) {
      uint64_t overlap = std::min(hi, uint64_t{j + 1} * m) - std::max(lo, uint64_t{j} * m);
      auto w = static_cast<uint16_t>(((overlap << kWeightBits) + n / 2) / n);
      if (j == j0 || w > t.weight[heaviest]) heaviest = t.weight.size();
      t.weight.push_back(w);
      sum += w;
    }
    // Rounding may leave the sum off by a little; the heaviest tap absorbs the difference.
    t.weight[heaviest] = static_cast<uint16_t>(int32_t{t.weight[heaviest]} + int32_t(kOne) -
                                               static_cast<int32_t>(sum));
  }
  t.offset[m] = static_cast<uint32_t>(t.weight.size());
  return t;
}

// One source row, filtered horizontally into 8.8 fixed point (value * 256).
void FilterRow(const uint8_t* src, const Taps& tx, uint32_t out_width, uint16_t* out) {
  for (uint32_t x = 0; x < out_width; ++x) {
    const uint8_t* p = src + size_t{tx.first[x]} * 3;
    uint32_t r = 0, g = 0, b = 0;
    for (uint32_t k = tx.offset[x]; k < tx.offset[x + 1]; ++k, p += 3) {
      uint32_t w = tx.weight[k];
      r += p[0] * w;
      g += p[1] * w;
      b += p[2] * w;
    }
    out[3 * x] = static_cast<uint16_t>((r + 32) >> 6);
    out[3 * x + 1] = static_cast<uint16_t>((g + 32) >> 6);
    out[3 * x + 2] = static_cast<uint16_t>((b + 32) >> 6);
  }
}

}  // namespace

Image ApplyOrientation(Image image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const int64_t w = image.width, h = image.height;
  Image out;
  bool swap = orientation >= 5;
  out.width = static_cast<uint32_t>(swap ? h : w);
  out.height = static_cast<uint32_t>(swap ? w : h);
  out.rgb.resize(image.rgb.size());
  const uint8_t* src = image.rgb.data();
  uint8_t* dst = out.rgb.data();
  const int64_t out_w = out.width, out_h = out.height;
  // Tiles keep the column-wise reads of the rotating cases (5..8) within a few cache lines.
  constexpr int64_t kTile = 32;
  for (int64_t y0 = 0; y0 < out_h; y0 += kTile) {
    for (int64_t x0 = 0; x0 < out_w; x0 += kTile) {
      const int64_t y1 = std::min(y0 + kTile, out_h), x1 = std::min(x0 + kTile, out_w);
      for (int64_t y = y0; y < y1; ++y) {
        // The source pixel for (x, y) is start + x * step (in pixels), linear along the row.
        int64_t start = 0, step = 1;
        switch (orientation) {
          case 2:
            start = y * w + w - 1, step = -1;
            break;
          case 3:
            start = (h - 1 - y) * w + w - 1, step = -1;
            break;
          case 4:
            start = (h - 1 - y) * w, step = 1;
            break;
          case 5:
            start = y, step = w;
            break;
          case 6:
            start = (h - 1) * w + y, step = -w;
            break;
          case 7:
            start = (h - 1) * w + w - 1 - y, step = -w;
            break;
          case 8:
            start = w - 1 - y, step = w;
            break;
        }
        uint8_t* d = dst + (y * out_w + x0) * 3;
        for (int64_t x = x0, s = start + x0 * step; x < x1; ++x, s += step, d += 3) {
          std::memcpy(d, src + s * 3, 3);
        }
      }
    }
  }
  return out;
}

std::pair<uint32_t, uint32_t> FitWithin(uint32_t width, uint32_t height, uint32_t max_side) {
  if (max_side == 0 || std::max(width, height) <= max_side) return {width, height};
  auto scaled = [&](uint32_t side, uint32_t longer) {
    uint64_t v = (uint64_t{side} * max_side + longer / 2) / longer;
    return static_cast<uint32_t>(std::max<uint64_t>(v, 1));
  };
  if (width >= height) return {max_side, scaled(height, width)};
  return {scaled(width, height), max_side};
}

Image Resize(const Image& image, uint32_t width, uint32_t height) {
  if (width == image.width && height == image.height) return image;
  const Taps tx = MakeTaps(image.width, width);
  const Taps ty = MakeTaps(image.height, height);
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.resize(size_t{width} * height * 3);
  const size_t row_values = size_t{width} * 3;
  const size_t src_stride = size_t{image.width} * 3;
  std::vector<uint16_t> scratch(row_values), cached(row_values);
  std::vector<uint32_t> acc(row_values);
  int64_t cached_row = -1;  // consecutive output rows share at most their boundary source row
  for (uint32_t y = 0; y < height; ++y) {
    std::fill(acc.begin(), acc.end(), 0);
    uint32_t last = ty.first[y] + (ty.offset[y + 1] - ty.offset[y]) - 1;
    for (uint32_t k = ty.offset[y], j = ty.first[y]; k < ty.offset[y + 1]; ++k, ++j) {
      const uint16_t* row = cached.data();
      if (j != cached_row) {
        FilterRow(image.rgb.data() + j * src_stride, tx, width, scratch.data());
        row = scratch.data();
        if (j == last) {
          scratch.swap(cached);
          cached_row = j;
          row = cached.data();
        }
      }
      uint32_t w = ty.weight[k];
      for (size_t i = 0; i < row_values; ++i) acc[i] += row[i] * w;
    }
    uint8_t* dst = out.rgb.data() + y * row_values;
    for (size_t i = 0; i < row_values; ++i) {
      dst[i] = static_cast<uint8_t>((acc[i] + (1u << 21)) >> 22);
    }
  }
  return out;
}

Image Downscale(const Image& image, uint32_t max_side) {
  auto [w, h] = FitWithin(image.width, image.height, max_side);
  return Resize(image, w, h);
}

}  // namespace altscribe::vision
