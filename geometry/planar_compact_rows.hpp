#pragma once
// Exact rows a x + b y + c of the planar builder (geometry/planar_complex.cpp) by index: the
// output map of every cell and the exact form of every stored line. Each is kept in 128 bits
// when it fits (a wider row goes to a side table, found through a sentinel), apart from the
// cells and lines themselves.
//
// Why: at [512, 512] there are half a million cells and a quarter million lines; memory
// touched for the first time can cost about 2.6 ms per MB on this VM, and memory read in a
// sweep costs its cache misses (docs/engine.md, "Memory per cell"). Measured there: every output row and every line of a float32 net fits 128
// bits (the coefficients are ~100 bits), so a row takes 48 bytes instead of 96, in one dense
// array the verdict sweeps; cells shrink from 152 to 56 bytes and lines from 144 to 32. The
// values are the same integers either way.
#include <cstddef>
#include <unordered_map>

#include "geometry/int256.hpp"
#include "geometry/planar_chunked.hpp"
#include "geometry/planar_maps.hpp"

namespace relucert::planar {

class CompactRows {
 public:
  std::size_t size() const { return rows_.size(); }
  void push_zero() { rows_.push_back(Narrow{}); }

  void set(std::size_t f, const Row& r) {
    Narrow& n = rows_[f];
    // kWide never occurs as a fitting value's a: fits_i128 admits -2^127, so exclude it here.
    if (r.a.fits_i128() && r.b.fits_i128() && r.c.fits_i128() && r.a.to_i128() != kWide) {
      n = Narrow{r.a.to_i128(), r.b.to_i128(), r.c.to_i128()};
      if (!wide_.empty()) wide_.erase(f);  // (no hashing on the common path: no wide rows)
      return;
    }
    n = Narrow{kWide, 0, 0};
    wide_[f] = r;
  }

  [[gnu::always_inline]] Row get(std::size_t f) const {
    const Narrow& n = rows_[f];
    if (n.a == kWide) [[unlikely]] return wide(f);
    return Row{Int256::from_i128(n.a), Int256::from_i128(n.b), Int256::from_i128(n.c)};
  }

 private:
  [[gnu::noinline]] Row wide(std::size_t f) const { return wide_.at(f); }
  struct Narrow {
    __int128 a = 0, b = 0, c = 0;
  };
  static constexpr __int128 kWide = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);  // -2^127
  ChunkedVector<Narrow> rows_;
  std::unordered_map<std::size_t, Row> wide_;
};

}  // namespace relucert::planar
