#include "geometry/float_lp.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "geometry/planar_box_filter.hpp"  // has_avx2 (and <immintrin.h> where it exists)

namespace relucert {
namespace {

constexpr double kPivotTol = 1e-9;
constexpr double kCostTol = 1e-11;

// The columns' part of a pivot on (leave, enter), T holding ncols columns of ld rows (ld even):
// every other column j takes  p = T[leave][j] / piv  into its pivot row and subtracts p times the
// entering column f (whose pivot entry is 0 meanwhile, so row `leave` keeps p); then f becomes
// -f / piv, with 1 / piv at the pivot. Most of the solver's instructions are here; the project
// builds at -O2, where GCC 12 does not vectorise these loops, so they are written in SSE2 (the
// x86-64 baseline), and in AVX2 when the processor has it (planar::has_avx2()). The same
// operations in the same order as scalar loops (no FMA): equal results either way.
void pivot_columns(double* T, std::size_t ld, std::size_t ncols, std::size_t enter, std::size_t leave) {
  double* __restrict f = T + enter * ld;
  const double inv = 1 / f[leave];
  f[leave] = 0;
  for (std::size_t j = 0; j < ncols; ++j) {
    if (j == enter) continue;
    double* __restrict col = T + j * ld;
    const double p = col[leave] * inv;
    col[leave] = p;
    if (p == 0) continue;
#ifdef __SSE2__
    const __m128d vp = _mm_set1_pd(p);
    std::size_t i = 0;
    for (; i + 4 <= ld; i += 4) {  // two pairs per round: less loop overhead
      _mm_storeu_pd(col + i, _mm_sub_pd(_mm_loadu_pd(col + i), _mm_mul_pd(_mm_loadu_pd(f + i), vp)));
      _mm_storeu_pd(col + i + 2, _mm_sub_pd(_mm_loadu_pd(col + i + 2), _mm_mul_pd(_mm_loadu_pd(f + i + 2), vp)));
    }
    if (i < ld) _mm_storeu_pd(col + i, _mm_sub_pd(_mm_loadu_pd(col + i), _mm_mul_pd(_mm_loadu_pd(f + i), vp)));
#else
    for (std::size_t i = 0; i < ld; ++i) col[i] -= f[i] * p;
#endif
  }
#ifdef __SSE2__
  const __m128d vk = _mm_set1_pd(-inv);
  for (std::size_t i = 0; i < ld; i += 2) _mm_storeu_pd(f + i, _mm_mul_pd(_mm_loadu_pd(f + i), vk));
#else
  for (std::size_t i = 0; i < ld; ++i) f[i] *= -inv;
#endif
  f[leave] = inv;
}

#ifdef RELUCERT_PLANAR_AVX2
// pivot_columns four entries at a time, then one pair (ld is even).
[[gnu::target("avx2")]] void pivot_columns_avx2(double* T, std::size_t ld, std::size_t ncols, std::size_t enter,
                                                std::size_t leave) {
  double* __restrict f = T + enter * ld;
  const double inv = 1 / f[leave];
  f[leave] = 0;
  for (std::size_t j = 0; j < ncols; ++j) {
    if (j == enter) continue;
    double* __restrict col = T + j * ld;
    const double p = col[leave] * inv;
    col[leave] = p;
    if (p == 0) continue;
    const __m256d vp = _mm256_set1_pd(p);
    std::size_t i = 0;
    for (; i + 4 <= ld; i += 4)
      _mm256_storeu_pd(col + i, _mm256_sub_pd(_mm256_loadu_pd(col + i), _mm256_mul_pd(_mm256_loadu_pd(f + i), vp)));
    if (i < ld)
      _mm_storeu_pd(col + i, _mm_sub_pd(_mm_loadu_pd(col + i), _mm_mul_pd(_mm_loadu_pd(f + i), _mm256_castpd256_pd128(vp))));
  }
  const __m256d vk = _mm256_set1_pd(-inv);
  std::size_t i = 0;
  for (; i + 4 <= ld; i += 4) _mm256_storeu_pd(f + i, _mm256_mul_pd(_mm256_loadu_pd(f + i), vk));
  if (i < ld) _mm_storeu_pd(f + i, _mm_mul_pd(_mm_loadu_pd(f + i), _mm256_castpd256_pd128(vk)));
  f[leave] = inv;
}
#endif

// v[i] = max(v[i], 0) for i < len.
void clamp_nonnegative(double* v, std::size_t len) {
  std::size_t i = 0;
#ifdef __SSE2__
  const __m128d zero = _mm_setzero_pd();
  for (; i + 2 <= len; i += 2) _mm_storeu_pd(v + i, _mm_max_pd(_mm_loadu_pd(v + i), zero));
#endif
  for (; i < len; ++i) v[i] = std::max(v[i], 0.0);
}

// dst[i] = src[i * stride] for i < len: a column of a row-major matrix.
void copy_strided(double* __restrict dst, const double* __restrict src, std::size_t stride, std::size_t len) {
  std::size_t i = 0;
  for (; i + 2 <= len; i += 2) {  // two independent copies per round: half the loop overhead
    dst[i] = src[i * stride];
    dst[i + 1] = src[(i + 1) * stride];
  }
  if (i < len) dst[i] = src[i * stride];
}

// Whether v[0..len) (len even) are all finite: 0 * v is NaN exactly when v is not, and a sum
// with a NaN term is NaN; one test at the end instead of one per entry.
bool all_finite(const double* v, std::size_t len) {
#ifdef __SSE2__
  __m128d acc = _mm_setzero_pd();
  const __m128d zero = _mm_setzero_pd();
  for (std::size_t i = 0; i < len; i += 2) acc = _mm_add_pd(acc, _mm_mul_pd(_mm_loadu_pd(v + i), zero));
  alignas(16) double lanes[2];
  _mm_store_pd(lanes, acc);
  return lanes[0] + lanes[1] == 0;
#else
  double acc = 0;
  for (std::size_t i = 0; i < len; ++i) acc += 0 * v[i];
  return acc == 0;
#endif
}

// The dictionary of the margin LP (see solve_margin_lp_float). Row i reads
//   basic_i = beta_i - sum_j T[i][j] * nonbasic_j,
// stored by columns with an even leading dimension ld (T[j * ld + i]): a pivot updates whole
// columns, contiguous runs of pairs with no scalar tail (pivot_columns). Column `cols` holds beta,
// so the right-hand side is updated by the same loop as the other columns. Row m + 1 is the
// objective written as a row,
//   t' = z0 - sum_j (-c_j) * nonbasic_j,
// so the pivot updates the reduced costs and z0 too. Rows past it are zero padding.
// Rows [0, active) have a slack basic; rows whose basic variable is free are moved to
// [active, m + 1) when it enters, so the ratio test runs over a prefix with no per-row test.
struct Dictionary {
  std::size_t m = 0, n = 0, rows = 0, cols = 0, ld = 0, obj = 0, active = 0;
  bool avx2 = false;  // pivot_columns_avx2 instead of pivot_columns
  std::vector<double> T;
  std::vector<std::size_t> basic, nonbasic;  // variable ids; x_j = j, t' = n, slack of row i = n + 1 + i

  bool is_free(std::size_t var) const { return var < cols; }
  double* column(std::size_t j) { return &T[j * ld]; }
  double* beta() { return column(cols); }
  double reduced_cost(std::size_t j) const { return -T[j * ld + obj]; }

  // False when an entry of A is not finite (the caller checked b and s). t0 <= min_i b_i / s_i
  // makes x = 0, t' = 0 feasible.
  bool load(const double* A, const double* b, const double* s, std::size_t m_, std::size_t n_, double t0) {
    m = m_;
    n = n_;
    rows = m + 1;
    cols = n + 1;
    obj = rows;
    ld = (obj + 2) & ~std::size_t{1};
    active = rows;
#ifdef RELUCERT_PLANAR_AVX2
    avx2 = planar::has_avx2();
#endif
    T.resize((cols + 1) * ld);  // every entry is written below: no assign
    for (std::size_t j = 0; j < n; ++j) {
      double* col = column(j);
      copy_strided(col, A + j, n, m);
      std::fill(col + m, col + ld, 0.0);  // the t <= 1 row, the objective row, the padding
    }
    if (!all_finite(T.data(), n * ld)) return false;
    double* ct = column(n);
    double* bt = beta();
    for (std::size_t i = 0; i < m; ++i) {
      ct[i] = s[i];
      bt[i] = std::max(0.0, b[i] - s[i] * t0);
    }
    std::fill(ct + m, ct + ld, 0.0);
    std::fill(bt + m, bt + ld, 0.0);
    ct[m] = 1;
    bt[m] = std::max(0.0, 1 - t0);
    ct[obj] = -1;  // the objective is t' itself
    basic.resize(rows + 1);
    nonbasic.resize(cols);
    // Locals: a store of a size_t could alias the members, which would be reloaded per entry.
    const std::size_t nrows = rows, ncols = cols;
    std::size_t* ids = basic.data();
    for (std::size_t i = 0; i < nrows; ++i) ids[i] = ncols + i;
    ids[nrows] = SIZE_MAX;  // leaving()'s "no row yet": loses every tie
    ids = nonbasic.data();
    for (std::size_t j = 0; j < ncols; ++j) ids[j] = j;
    return true;
  }

  // Dantzig's rule (largest gain, the first on ties), or Bland's (least variable index), among
  // the columns whose gain exceeds kCostTol (a free variable gains |c|: it may enter either
  // way); cols when optimal.
  std::size_t entering(bool bland) const {
    const std::size_t ncols = cols, stride = ld;  // locals: no reloads in the loops
    const double* negc = &T[obj];                 // -c_j at negc[j * ld]
    std::size_t enter = ncols;
    if (!bland) {
      double best_gain = kCostTol;
      for (std::size_t j = 0; j < ncols; ++j, negc += stride) {
        const double gain = nonbasic[j] < ncols ? std::fabs(*negc) : -*negc;
        if (gain > best_gain) {
          enter = j;
          best_gain = gain;
        }
      }
      return enter;
    }
    for (std::size_t j = 0; j < ncols; ++j, negc += stride) {
      const double gain = nonbasic[j] < ncols ? std::fabs(*negc) : -*negc;
      if (gain > kCostTol && (enter == ncols || nonbasic[j] < nonbasic[enter])) enter = j;
    }
    return enter;
  }

  // The least ratio, ties to the least variable index (Bland needs that); rows when unbounded.
  std::size_t leaving(std::size_t enter, double dir, double* step) {
    const double* ce = column(enter);
    const double* bt = beta();
    std::size_t leave = rows;
    // The least ratio so far and its tie window [lo, hi]; any finite ratio beats the start, so
    // there is no test for "first candidate".
    double best = HUGE_VAL, lo = HUGE_VAL, hi = HUGE_VAL;
    for (std::size_t i = 0; i < active; ++i) {
      const double a = ce[i] * dir;
      if (a <= kPivotTol) continue;
      const double ratio = bt[i] / a;
      if (ratio < lo || (ratio <= hi && basic[i] < basic[leave])) {
        leave = i;
        best = ratio;
        lo = best - 1e-15;
        hi = best + 1e-15;
      }
    }
    *step = best;
    return leave;
  }

  void pivot(std::size_t leave, std::size_t enter) {
#ifdef RELUCERT_PLANAR_AVX2
    if (avx2)
      pivot_columns_avx2(T.data(), ld, cols + 1, enter, leave);  // cols + 1: beta too
    else
#endif
      pivot_columns(T.data(), ld, cols + 1, enter, leave);
    std::swap(basic[leave], nonbasic[enter]);
    if (is_free(basic[leave])) retire_row(leave);
    clamp_nonnegative(beta(), active);  // slack values: rounding may push a degenerate one below 0
  }

  // A free variable never leaves once basic: its row moves past the ratio test's prefix.
  void retire_row(std::size_t i) {
    const std::size_t last = --active;
    if (i == last) return;
    double* t = T.data();
    for (std::size_t j = 0, stride = ld; j <= cols; ++j, t += stride) std::swap(t[i], t[last]);
    std::swap(basic[i], basic[last]);
  }
};

}  // namespace

// Dictionary simplex with one column per nonbasic variable, so a pivot costs O(m n) instead of
// O(m (m + n)): the n + 1 structural variables x and t' = t - t0 are free and start nonbasic at 0,
// the m + 1 slacks start basic. t0 = min(1, min_i b_i / s_i) makes that start feasible.
// A free variable may enter in either direction and never leaves once basic (its row takes no part
// in the ratio test). Dantzig's rule, then Bland's rule (least variable index) after a run of
// degenerate pivots, which cannot cycle.
void solve_margin_lp_float(const double* A, const double* b, const double* s, std::size_t m, std::size_t n,
                           FloatMarginLp* out) {
  out->solved = false;
  double t0 = 1;
  for (std::size_t i = 0; i < m; ++i) {
    if (!std::isfinite(b[i]) || !(s[i] > 0)) return;
    t0 = std::min(t0, b[i] / s[i]);
  }
  static thread_local Dictionary D;
  if (!D.load(A, b, s, m, n, t0)) return;
  const std::size_t max_iter = 50 * (D.rows + D.cols);
  std::size_t degenerate_run = 0;
  for (std::size_t it = 0;; ++it) {
    if (it > max_iter) return;
    const std::size_t enter = D.entering(degenerate_run > 20);
    if (enter == D.cols) break;  // optimal
    const double dir = D.reduced_cost(enter) > 0 ? 1.0 : -1.0;
    double step = 0;
    const std::size_t leave = D.leaving(enter, dir, &step);
    if (leave == D.rows) return;  // unbounded: impossible (t <= 1), so numerical trouble
    degenerate_run = step <= 1e-15 ? degenerate_run + 1 : 0;
    D.pivot(leave, enter);
  }
  out->x.assign(n, 0.0);  // nonbasic structurals are 0
  double t_shift = 0;
  const double* bt = D.beta();
  for (std::size_t i = D.active; i < D.rows; ++i) {
    const std::size_t var = D.basic[i];
    if (var < n) out->x[var] = bt[i];
    else t_shift = bt[i];  // var == n: t'
  }
  out->margin = t0 + t_shift;
  out->dual.assign(m, 0.0);
  for (std::size_t j = 0; j < D.cols; ++j) {
    const std::size_t var = D.nonbasic[j];
    if (!D.is_free(var) && var - D.cols < m) out->dual[var - D.cols] = std::max(0.0, -D.reduced_cost(j));
  }
  out->solved = std::isfinite(out->margin);
  for (double v : out->x) out->solved = out->solved && std::isfinite(v);
}

}  // namespace relucert
