#include "geometry/float_lp.hpp"

#include <algorithm>
#include <cmath>

namespace relucert {
namespace {

constexpr double kPivotTol = 1e-9;
constexpr double kCostTol = 1e-11;

}  // namespace

// Tableau simplex (Dantzig's rule, Bland's rule against cycling). Variables, all >= 0:
//   x+ (n), x- (n), t' (1), slacks (m + 1)      where t = t0 + t', x = x+ - x-,
// t0 = min(1, min_i b_i / s_i) makes the all-slack basis feasible.
FloatMarginLp solve_margin_lp_float(const std::vector<double>& A, const std::vector<double>& b,
                                    const std::vector<double>& s, std::size_t n) {
  FloatMarginLp out;
  const std::size_t m = b.size();
  double t0 = 1;
  for (std::size_t i = 0; i < m; ++i) {
    if (!std::isfinite(b[i]) || !(s[i] > 0)) return out;
    t0 = std::min(t0, b[i] / s[i]);
  }
  const std::size_t xt = 2 * n;           // column of t'
  const std::size_t slack0 = 2 * n + 1;   // first slack column
  const std::size_t cols = slack0 + m + 1;
  const std::size_t rows = m + 1;
  const std::size_t w = cols + 1;         // last entry of a row: right-hand side
  std::vector<double> T(rows * w, 0.0);
  std::vector<std::size_t> basis(rows);
  for (std::size_t i = 0; i < m; ++i) {
    double* r = &T[i * w];
    for (std::size_t j = 0; j < n; ++j) {
      const double v = A[i * n + j];
      if (!std::isfinite(v)) return out;
      r[j] = v;
      r[n + j] = -v;
    }
    r[xt] = s[i];
    r[slack0 + i] = 1;
    r[cols] = std::max(0.0, b[i] - s[i] * t0);
    basis[i] = slack0 + i;
  }
  {
    double* r = &T[m * w];
    r[xt] = 1;
    r[slack0 + m] = 1;
    r[cols] = std::max(0.0, 1 - t0);
    basis[m] = slack0 + m;
  }
  std::vector<double> cost(cols, 0.0);  // reduced costs (maximisation)
  cost[xt] = 1;
  double value = 0;

  const std::size_t max_iter = 50 * (rows + cols);
  std::size_t degenerate_run = 0;
  for (std::size_t it = 0;; ++it) {
    if (it > max_iter) return out;
    // Dantzig's rule (largest reduced cost) is fast; after a run of degenerate pivots switch
    // to Bland's rule (first improving column), which cannot cycle.
    const bool bland = degenerate_run > 20;
    std::size_t enter = cols;
    for (std::size_t j = 0; j < cols; ++j)
      if (cost[j] > kCostTol && (enter == cols || (!bland && cost[j] > cost[enter]))) {
        enter = j;
        if (bland) break;
      }
    if (enter == cols) break;  // optimal
    std::size_t leave = rows;
    double best = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      const double a = T[i * w + enter];
      if (a <= kPivotTol) continue;
      const double ratio = T[i * w + cols] / a;
      if (leave == rows || ratio < best - 1e-15 || (ratio <= best + 1e-15 && basis[i] < basis[leave])) {
        leave = i;
        best = ratio;
      }
    }
    if (leave == rows) return out;  // unbounded: impossible (t <= 1), so numerical trouble
    degenerate_run = best <= 1e-15 ? degenerate_run + 1 : 0;
    double* pr = &T[leave * w];
    const double piv = pr[enter];
    for (std::size_t j = 0; j < w; ++j) pr[j] /= piv;
    for (std::size_t i = 0; i < rows; ++i) {
      if (i == leave) continue;
      double* r = &T[i * w];
      const double f = r[enter];
      if (f == 0) continue;
      for (std::size_t j = 0; j < w; ++j) r[j] -= f * pr[j];
      r[enter] = 0;
      if (r[cols] < 0) r[cols] = std::max(r[cols], 0.0);
    }
    const double f = cost[enter];
    for (std::size_t j = 0; j < cols; ++j) cost[j] -= f * pr[j];
    cost[enter] = 0;
    value += f * pr[cols];
    basis[leave] = enter;
  }
  std::vector<double> val(cols, 0.0);
  for (std::size_t i = 0; i < rows; ++i) val[basis[i]] = T[i * w + cols];
  out.x.resize(n);
  for (std::size_t j = 0; j < n; ++j) out.x[j] = val[j] - val[n + j];
  out.margin = t0 + val[xt];
  out.dual.resize(m);
  for (std::size_t i = 0; i < m; ++i) out.dual[i] = std::max(0.0, -cost[slack0 + i]);
  out.solved = std::isfinite(out.margin);
  (void)value;
  return out;
}

}  // namespace relucert
