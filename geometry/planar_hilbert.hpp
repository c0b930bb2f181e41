#pragma once
// The order in which the planar builder (geometry/planar_complex.cpp) visits the cells of a
// layer's pass: along a Hilbert curve through their centroids.
//
// Why: consecutive groups should be near in the plane. The layer maps change by one rank-one
// term per first-layer neuron whose side differs between consecutive groups, and a lazy row
// catches up with every flip between the pattern it was last right for and the pattern now,
// i.e. with the lines that separate the two places where it was read; memory is touched in
// the order cells are made, so cells made close in time should be close in the plane too. A
// depth-first walk over the adjacency graph makes consecutive groups neighbours, but after
// each dead end it jumps back, and rows are read again from far away: at [512, 512] a
// catch-up spanned 40 flips on average, 5 along the Hilbert curve (14.7M terms -> 1.9M).
//
// Only the cost depends on the order: any order of the groups builds the same complex (the
// cells, their pieces and pairs), numbered in the order they are made.
#include <cmath>
#include <cstdint>
#include <utility>

namespace relucert::planar {

// The position of grid cell (x, y), 0 <= x, y < 2^bits, along the Hilbert curve of that grid
// (bits <= 31): a bijection onto 0 .. 4^bits - 1 in which consecutive positions are cells that
// share a side.
inline std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, int bits) {
  const std::uint32_t n = std::uint32_t{1} << bits;
  std::uint64_t d = 0;
  for (std::uint32_t s = n / 2; s > 0; s /= 2) {
    const std::uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
    d += std::uint64_t{s} * s * ((3 * rx) ^ ry);
    if (ry == 0) {  // rotate the quadrant so the curve's sub-curve starts where it enters
      if (rx == 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

// The grid coordinate of t in [lo, hi] on a grid of 2^bits cells per side; clamped, and 0 for
// a non-finite t (a centroid is only a hint: a bad one costs time, never correctness).
inline std::uint32_t hilbert_grid(double t, double lo, double hi, int bits) {
  const double cells = static_cast<double>((std::uint32_t{1} << bits) - 1);
  if (!(hi > lo) || !std::isfinite(t)) return 0;
  const double u = (t - lo) / (hi - lo) * cells;
  if (!(u > 0)) return 0;
  if (u >= cells) return static_cast<std::uint32_t>(cells);
  return static_cast<std::uint32_t>(u);
}

}  // namespace relucert::planar
