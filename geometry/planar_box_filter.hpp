#pragma once
// A static filter for the planar builder (geometry/planar_complex.cpp): "is this affine
// function of one sign on the whole cell?" answered in a handful of double operations per
// neuron, from a bounding box of the cell computed once per cell.
//
// Why: a layer's pass visits every cell of the previous layers (a group) and asks the
// question for every neuron of the layer, while only a few neurons cross any one cell. The
// exact-on-every-corner test costs a filtered predicate per corner and neuron; this test costs
// one evaluation at the box centre and one radius, and answers "unknown" (never a wrong sign)
// whenever the margin is not certified, so the caller falls back to the corner test.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RELUCERT_PLANAR_AVX2 1  // an AVX2 variant, chosen at run time (planar::has_avx2)
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/sign.hpp"

namespace relucert::planar {

#ifdef RELUCERT_PLANAR_AVX2
// Whether the processor has AVX2 (asked once): the box filter and the maps' rank-one step
// (geometry/planar_maps.cpp) choose their AVX2 variants by it.
inline bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

class BoxFilter {
 public:
  // Starts an empty box. Add every corner of the cell, then ask.
  void reset() {
    lo_x_ = lo_y_ = HUGE_VAL;
    hi_x_ = hi_y_ = -HUGE_VAL;
    ok_ = true;
    ready_ = false;
  }

  // A corner in the homogeneous form of the builder: (X : Y : W) with |X~ - X| <= 2^-50 mX
  // (and so on; the builder's 2x2-determinant bound) and the exact sign of W.
  void add_corner(double X, double Y, double W, double mX, double mY, double mW, int sW) {
    if (!ok_) return;
    const double eW = mW * 0x1p-50, eX = mX * 0x1p-50, eY = mY * 0x1p-50;
    // Orient W positive (its exact sign is known), so the quotient is monotone in each end.
    if (sW < 0) {
      X = -X;
      Y = -Y;
      W = -W;
    }
    const double w_lo = W - eW, w_hi = W + eW;
    if (!(w_lo > 0) || !std::isfinite(w_hi) || !std::isfinite(X) || !std::isfinite(Y) || !std::isfinite(eX) ||
        !std::isfinite(eY)) {
      ok_ = false;  // the filter cannot bound this corner: every question is "unknown"
      return;
    }
    widen(X - eX, X + eX, w_lo, w_hi, lo_x_, hi_x_);
    widen(Y - eY, Y + eY, w_lo, w_hi, lo_y_, hi_y_);
  }

  // The sign of A x + B y + C on the whole box when certain (Positive or Negative), Zero for
  // "unknown" (the function may vanish or change sign on the box, or the margin is too thin).
  // a, b, c are the doubles nearest A, B, C up to a relative error of 2.01u (Int256::to_double).
  //
  // Bound: with F0 = A cx + B cy + C at the box centre (cx, cy, exact doubles), every point of
  // the box has |f - F0| <= R = |A| hx + |B| hy. The computed v = fl(fl(fl(a cx) + fl(b cy)) + c)
  // is within ((1 + 2.01u)(1 + u)^3 - 1) M' < 5.1u M' of F0, and the computed R~ >= R (1 - 4.1u),
  // where M' = |A||cx| + |B||cy| + |C| + R; the computed M~ >= M' (1 - 7.1u). So |v| > R~ + 32u M~
  // gives |F0| > R + (32u (1 - 7.1u) - 9.2u) M' > R: f has v's sign on the whole box. 32u = 2^-48.
  // Magnitudes below 2^-900 (underflow) or above 2^1000 (overflow) answer "unknown".
  //
  // With approximations of an absolute error instead (|a - A|, |b - B|, |c - C| <= E, no
  // conversion), pass extra = E * error_weight(): the value at the centre moves by at most
  // E (|cx| + |cy| + 1) and the radius by E (hx + hy); the relative terms above still cover
  // the roundings (3 for v, 2 for R).
  [[gnu::always_inline]] Sign sign_on_box(double a, double b, double c, double extra = 0) const {
    const double aa = std::fabs(a), ab = std::fabs(b);
    const double v = a * cx_ + b * cy_ + c;
    const double R = aa * hx_ + ab * hy_;
    const double M = aa * acx_ + ab * acy_ + std::fabs(c) + R;
    if (!(M >= 0x1p-900 && M <= 0x1p+1000) || !(extra < 0x1p+1000)) return Sign::Zero;
    const double need = R + M * 0x1p-48 + extra;
    if (v > need) return Sign::Positive;
    if (v < -need) return Sign::Negative;
    return Sign::Zero;
  }

  // Call after the last corner; false when some corner could not be bounded.
  bool finish() {
    if (!ok_ || !(lo_x_ <= hi_x_) || !(lo_y_ <= hi_y_)) return ok_ = false;
    cx_ = 0.5 * (lo_x_ + hi_x_);
    cy_ = 0.5 * (lo_y_ + hi_y_);
    // Half widths rounded up: the subtraction errs by at most u relative, 2^-50 covers it.
    hx_ = std::max(hi_x_ - cx_, cx_ - lo_x_) * (1 + 0x1p-50) + 0x1p-1000;
    hy_ = std::max(hi_y_ - cy_, cy_ - lo_y_) * (1 + 0x1p-50) + 0x1p-1000;
    acx_ = std::fabs(cx_);
    acy_ = std::fabs(cy_);
    if (!std::isfinite(hx_) || !std::isfinite(hy_)) return ok_ = false;
    return ready_ = true;
  }
  // sign_on_box for n functions at once, as the 2-bit codes of planar::Pattern (01 positive,
  // 10 negative, 00 unknown), 32 functions per word: out[j] holds functions 32 j .. 32 j + 31.
  // Why this form: a layer's pass runs it on every group for every neuron of the layer (the
  // builder's one per-group loop over the whole width), so it works on two functions at a time
  // in SSE2 registers (GCC's -O2 cost model does not vectorize the plain loop) and hands the
  // caller packed codes, which go into a pattern a word at a time and whose unknowns are found
  // by a bit scan. Every lane does exactly sign_on_box's operations in the same order.
  void codes_on_box(const double* a, const double* b, const double* c, std::size_t n, double extra,
                    std::uint64_t* out) const {
    const std::size_t words = (n + 31) / 32;
    for (std::size_t j = 0; j < words; ++j) out[j] = 0;
    if (!(extra < 0x1p+1000)) return;
    std::size_t k = 0;
#ifdef RELUCERT_PLANAR_AVX2
    if (has_avx2()) k = whole_words_avx2(a, b, c, n, extra, out);
#endif
#ifdef __SSE2__
    const __m128d cx = _mm_set1_pd(cx_), cy = _mm_set1_pd(cy_), hx = _mm_set1_pd(hx_), hy = _mm_set1_pd(hy_);
    const __m128d acx = _mm_set1_pd(acx_), acy = _mm_set1_pd(acy_), ex = _mm_set1_pd(extra);
    const __m128d rel = _mm_set1_pd(0x1p-48), lo = _mm_set1_pd(0x1p-900), hi = _mm_set1_pd(0x1p+1000);
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
    const __m128d sign_bit = _mm_castsi128_pd(_mm_set1_epi64x(static_cast<long long>(0x8000000000000000ULL)));
    for (; k + 32 <= n; k += 32) {  // whole words: 32 positive bits and 32 negative bits, then interleaved
      std::uint32_t pos = 0, neg = 0;
      for (unsigned t = 0; t < 32; t += 2) {
        const __m128d va = _mm_loadu_pd(a + k + t), vb = _mm_loadu_pd(b + k + t), vc = _mm_loadu_pd(c + k + t);
        const __m128d aa = _mm_and_pd(va, abs_mask), ab = _mm_and_pd(vb, abs_mask), ac = _mm_and_pd(vc, abs_mask);
        const __m128d v = _mm_add_pd(_mm_add_pd(_mm_mul_pd(va, cx), _mm_mul_pd(vb, cy)), vc);
        const __m128d R = _mm_add_pd(_mm_mul_pd(aa, hx), _mm_mul_pd(ab, hy));
        const __m128d M = _mm_add_pd(_mm_add_pd(_mm_add_pd(_mm_mul_pd(aa, acx), _mm_mul_pd(ab, acy)), ac), R);
        const __m128d need = _mm_add_pd(_mm_add_pd(R, _mm_mul_pd(M, rel)), ex);
        const __m128d ok = _mm_and_pd(_mm_cmpge_pd(M, lo), _mm_cmple_pd(M, hi));  // false for NaN too
        pos |= static_cast<std::uint32_t>(_mm_movemask_pd(_mm_and_pd(ok, _mm_cmpgt_pd(v, need)))) << t;
        neg |= static_cast<std::uint32_t>(_mm_movemask_pd(_mm_and_pd(ok, _mm_cmplt_pd(v, _mm_xor_pd(need, sign_bit)))))
               << t;
      }
      out[k >> 5] = spread(pos) | (spread(neg) << 1);
    }
#endif
    for (; k < n; ++k) {
      const Sign s = sign_on_box(a[k], b[k], c[k], extra);
      const std::uint64_t code = s == Sign::Positive ? 1 : (s == Sign::Negative ? 2 : 0);
      out[k >> 5] |= code << (2 * (k & 31));
    }
  }
#ifdef RELUCERT_PLANAR_AVX2
  // codes_on_box's whole words four functions at a time (AVX2 without FMA: the same IEEE
  // operations in the same order as sign_on_box); returns how many functions it did.
  [[gnu::target("avx2")]] std::size_t whole_words_avx2(const double* a, const double* b, const double* c, std::size_t n,
                                                        double extra, std::uint64_t* out) const {
    const __m256d cx = _mm256_set1_pd(cx_), cy = _mm256_set1_pd(cy_), hx = _mm256_set1_pd(hx_), hy = _mm256_set1_pd(hy_);
    const __m256d acx = _mm256_set1_pd(acx_), acy = _mm256_set1_pd(acy_), ex = _mm256_set1_pd(extra);
    const __m256d rel = _mm256_set1_pd(0x1p-48), lo = _mm256_set1_pd(0x1p-900), hi = _mm256_set1_pd(0x1p+1000);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    const __m256d sign_bit = _mm256_castsi256_pd(_mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ULL)));
    std::size_t k = 0;
    for (; k + 32 <= n; k += 32) {
      std::uint32_t pos = 0, neg = 0;
      for (unsigned t = 0; t < 32; t += 4) {
        const __m256d va = _mm256_loadu_pd(a + k + t), vb = _mm256_loadu_pd(b + k + t), vc = _mm256_loadu_pd(c + k + t);
        const __m256d aa = _mm256_and_pd(va, abs_mask), ab = _mm256_and_pd(vb, abs_mask), ac = _mm256_and_pd(vc, abs_mask);
        const __m256d v = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(va, cx), _mm256_mul_pd(vb, cy)), vc);
        const __m256d R = _mm256_add_pd(_mm256_mul_pd(aa, hx), _mm256_mul_pd(ab, hy));
        const __m256d M = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(aa, acx), _mm256_mul_pd(ab, acy)), ac), R);
        const __m256d need = _mm256_add_pd(_mm256_add_pd(R, _mm256_mul_pd(M, rel)), ex);
        const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(M, lo, _CMP_GE_OQ), _mm256_cmp_pd(M, hi, _CMP_LE_OQ));
        pos |= static_cast<std::uint32_t>(_mm256_movemask_pd(_mm256_and_pd(ok, _mm256_cmp_pd(v, need, _CMP_GT_OQ)))) << t;
        neg |= static_cast<std::uint32_t>(_mm256_movemask_pd(
                   _mm256_and_pd(ok, _mm256_cmp_pd(v, _mm256_xor_pd(need, sign_bit), _CMP_LT_OQ))))
               << t;
      }
      out[k >> 5] = spread(pos) | (spread(neg) << 1);
    }
    return k;
  }
#endif
  bool ready() const { return ready_; }
  // |cx| + |cy| + 1 + hx + hy, rounded up (the sum of five positive terms errs by < 4u).
  double error_weight() const { return (acx_ + acy_ + 1 + hx_ + hy_) * (1 + 0x1p-40); }

 private:
  // [n_lo, n_hi] / [d_lo, d_hi] with 0 < d_lo: the extreme quotients are among the four
  // corner quotients; each end was rounded at most twice (the +- e and the division), so a
  // relative widening by 2^-50 (8u) plus an absolute 2^-1000 (underflow) contains the truth.
  // Bit i of x to bit 2 i.
  static std::uint64_t spread(std::uint32_t x) {
    std::uint64_t v = x;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;
    return v;
  }
  static void widen(double n_lo, double n_hi, double d_lo, double d_hi, double& lo, double& hi) {
    const double q[4] = {n_lo / d_lo, n_lo / d_hi, n_hi / d_lo, n_hi / d_hi};
    double qlo = std::min(std::min(q[0], q[1]), std::min(q[2], q[3]));
    double qhi = std::max(std::max(q[0], q[1]), std::max(q[2], q[3]));
    qlo -= std::fabs(qlo) * 0x1p-50 + 0x1p-1000;
    qhi += std::fabs(qhi) * 0x1p-50 + 0x1p-1000;
    lo = std::min(lo, qlo);
    hi = std::max(hi, qhi);
  }

  double lo_x_ = 0, hi_x_ = 0, lo_y_ = 0, hi_y_ = 0;
  double cx_ = 0, cy_ = 0, hx_ = 0, hy_ = 0, acx_ = 0, acy_ = 0;
  bool ok_ = false, ready_ = false;
};

}  // namespace relucert::planar
