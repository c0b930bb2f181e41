#pragma once
// An activation pattern of the planar builder (geometry/planar_complex.cpp), packed two bits
// per ReLU neuron (00 zero, 01 positive, 10 negative).
//
// Why packed: the builder keeps one pattern per cell (half a million cells of a thousand
// neurons at [512, 512]), and LayerMaps compares the pattern of every visited cell with the
// pattern its maps are for. Four signs per byte quarter the memory, and the comparison of
// activities is a XOR of 64-bit words (32 neurons at a time) instead of a loop over bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/sign.hpp"

namespace relucert::planar {

class Pattern {
 public:
  Pattern() = default;
  explicit Pattern(std::size_t n) : w_((n + 31) / 32, 0) {}

  Sign get(std::size_t i) const {
    const std::uint64_t c = (w_[i >> 5] >> shift(i)) & 3;
    return c == 1 ? Sign::Positive : (c == 2 ? Sign::Negative : Sign::Zero);
  }
  void set(std::size_t i, Sign s) {
    const std::uint64_t c = s == Sign::Positive ? 1 : (s == Sign::Negative ? 2 : 0);
    std::uint64_t& w = w_[i >> 5];
    w = (w & ~(std::uint64_t{3} << shift(i))) | (c << shift(i));
  }
  // The neuron passes its value on (positive pre-activation).
  bool active(std::size_t i) const { return (w_[i >> 5] >> shift(i)) & 1; }

  // Calls f(i) for every i in [begin, end) where this pattern's activity differs from o's, in
  // increasing order; stops early (and returns false) when f returns false.
  template <class F>
  bool for_each_active_diff(const Pattern& o, std::size_t begin, std::size_t end, F&& f) const {
    for (std::size_t wi = begin >> 5; wi < ((end + 31) >> 5); ++wi) {
      std::uint64_t d = (w_[wi] ^ o.w_[wi]) & kLow;
      if (wi == (begin >> 5)) d &= ~std::uint64_t{0} << shift(begin);
      if (wi == ((end - 1) >> 5) && (end & 31)) d &= ~(~std::uint64_t{0} << shift(end));
      while (d) {
        const std::size_t i = (wi << 5) + static_cast<std::size_t>(__builtin_ctzll(d)) / 2;
        if (!f(i)) return false;
        d &= d - 1;
      }
    }
    return true;
  }
  bool same_activity(const Pattern& o, std::size_t begin, std::size_t end) const {
    return begin >= end || for_each_active_diff(o, begin, end, [](std::size_t) { return false; });
  }
  // Copies o's entries [0, end) into this pattern (the rest is kept).
  void copy_prefix(const Pattern& o, std::size_t end) {
    const std::size_t full = end >> 5;
    for (std::size_t wi = 0; wi < full; ++wi) w_[wi] = o.w_[wi];
    if (end & 31) {
      const std::uint64_t m = ~(~std::uint64_t{0} << shift(end));
      w_[full] = (w_[full] & ~m) | (o.w_[full] & m);
    }
  }
  // Entries [begin, begin + n) from packed codes (this layout, 32 per word, codes[j] holding
  // entries begin + 32 j ..; the bits past n are zero): two word updates per 32 entries.
  void set_codes(std::size_t begin, const std::uint64_t* codes, std::size_t n) {
    for (std::size_t j = 0; 32 * j < n; ++j) {
      const std::size_t g = begin + 32 * j, wi = g >> 5, cnt = std::min<std::size_t>(32, n - 32 * j);
      const std::uint64_t mask = cnt == 32 ? ~std::uint64_t{0} : ~(~std::uint64_t{0} << (2 * cnt));
      const unsigned sh = shift(g);
      w_[wi] = (w_[wi] & ~(mask << sh)) | (codes[j] << sh);
      if (sh != 0 && (mask >> (64 - sh)) != 0)  // the chunk spills into the next word
        w_[wi + 1] = (w_[wi + 1] & ~(mask >> (64 - sh))) | (codes[j] >> (64 - sh));
    }
  }
  // Calls f(k) for every k < n whose code in `codes` (as for set_codes) is 00, in order.
  template <class F>
  static void for_each_zero_code(const std::uint64_t* codes, std::size_t n, F&& f) {
    for (std::size_t j = 0; 32 * j < n; ++j) {
      const std::size_t cnt = std::min<std::size_t>(32, n - 32 * j);
      std::uint64_t z = ~(codes[j] | (codes[j] >> 1)) & kLow;
      if (cnt < 32) z &= ~(~std::uint64_t{0} << (2 * cnt));
      while (z) {
        f(32 * j + static_cast<std::size_t>(__builtin_ctzll(z)) / 2);
        z &= z - 1;
      }
    }
  }
  // Takes o's entries where `mask` (words in this layout) is set, in words [wb, we).
  void copy_masked(const Pattern& o, const std::vector<std::uint64_t>& mask, std::size_t wb, std::size_t we) {
    if (we > w_.size()) we = w_.size();
    for (std::size_t wi = wb; wi < we; ++wi) w_[wi] = (w_[wi] & ~mask[wi]) | (o.w_[wi] & mask[wi]);
  }
  std::vector<Sign> unpack(std::size_t n) const {
    std::vector<Sign> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = get(i);
    return out;
  }
  // Frees the storage (the pattern is empty afterwards and must not be read).
  void release() { std::vector<std::uint64_t>().swap(w_); }
  std::size_t bytes() const { return w_.capacity() * sizeof(std::uint64_t); }

 private:
  static constexpr std::uint64_t kLow = 0x5555555555555555ULL;  // the "positive" bit of each entry
  static unsigned shift(std::size_t i) { return static_cast<unsigned>(2 * (i & 31)); }
  std::vector<std::uint64_t> w_;
};

}  // namespace relucert::planar
