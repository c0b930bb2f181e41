#pragma once
// A stable sort of (key, index) pairs by their 64-bit key, for the planar builder's two sorts
// of one entry per cell (geometry/planar_complex.cpp: the groups' Hilbert order, the distinct
// affine pieces by hash). Why not std::sort: at [512, 512] they sort half a million entries,
// and a comparison sort's log n factor is a cost per cell that grows with the net (std::sort's
// loop was 2.2% of the check there); counting passes over the key bits that vary cost the same
// per entry at every size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace relucert::planar {

// Sorts v by .first; entries with equal keys keep their order (so with the indices in
// increasing order before, the result is v sorted as pairs).
inline void radix_sort_by_key(std::vector<std::pair<std::uint64_t, int>>& v) {
  const std::size_t n = v.size();
  if (n < 2) return;
  std::uint64_t any = 0, every = ~std::uint64_t{0};
  for (const auto& p : v) {
    any |= p.first;
    every &= p.first;
  }
  const std::uint64_t varying = any ^ every;  // a bit all keys share orders nothing
  constexpr int kBits = 11;
  constexpr std::uint64_t kMask = (std::uint64_t{1} << kBits) - 1;
  std::vector<std::pair<std::uint64_t, int>> out(n);
  std::vector<std::size_t> start(kMask + 1);
  for (int shift = 0; shift < 64; shift += kBits) {
    if (((varying >> shift) & kMask) == 0) continue;
    std::fill(start.begin(), start.end(), 0);
    for (const auto& p : v) ++start[(p.first >> shift) & kMask];
    std::size_t sum = 0;
    for (std::size_t& s : start) sum += std::exchange(s, sum);
    for (const auto& p : v) out[start[(p.first >> shift) & kMask]++] = p;
    v.swap(out);
  }
}

}  // namespace relucert::planar
