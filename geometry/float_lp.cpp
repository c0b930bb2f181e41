#include "geometry/float_lp.hpp"

#include <algorithm>
#include <cmath>

namespace relucert {
namespace {

constexpr double kPivotTol = 1e-9;
constexpr double kCostTol = 1e-11;

}  // namespace

// Dictionary simplex with one column per nonbasic variable, so a pivot costs O(m n) instead of
// O(m (m + n)): the n + 1 structural variables x and t' = t - t0 are free and start nonbasic at 0,
// the m + 1 slacks start basic. t0 = min(1, min_i b_i / s_i) makes that start feasible.
// A free variable may enter in either direction and never leaves once basic (its row takes no part
// in the ratio test). Dantzig's rule, then Bland's rule (least variable index) after a run of
// degenerate pivots, which cannot cycle.
//
// Row i of the dictionary reads  basic_i = beta_i - sum_j T[i][j] * nonbasic_j,
// with T stored by columns (T[j * rows + i]): a pivot updates whole columns, long contiguous runs.
// and the objective  t' = z0 + sum_j c_j * nonbasic_j.
// Variable ids: x_j = j (j < n), t' = n, slack of row i = n + 1 + i (row m: t <= 1).
FloatMarginLp solve_margin_lp_float(const std::vector<double>& A, const std::vector<double>& b,
                                    const std::vector<double>& s, std::size_t n) {
  FloatMarginLp out;
  const std::size_t m = b.size();
  double t0 = 1;
  for (std::size_t i = 0; i < m; ++i) {
    if (!std::isfinite(b[i]) || !(s[i] > 0)) return out;
    t0 = std::min(t0, b[i] / s[i]);
  }
  const std::size_t rows = m + 1, cols = n + 1;
  static thread_local std::vector<double> T, beta, cost, f;  // f: the entering column of a pivot
  static thread_local std::vector<std::size_t> basic, nonbasic;
  T.assign(rows * cols, 0.0);
  beta.assign(rows, 0.0);
  cost.assign(cols, 0.0);
  basic.resize(rows);
  nonbasic.resize(cols);
  auto at = [&](std::size_t i, std::size_t j) -> double& { return T[j * rows + i]; };
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double v = A[i * n + j];
      if (!std::isfinite(v)) return out;
      at(i, j) = v;
    }
    at(i, n) = s[i];
    beta[i] = std::max(0.0, b[i] - s[i] * t0);
    basic[i] = cols + i;
  }
  at(m, n) = 1;
  beta[m] = std::max(0.0, 1 - t0);
  basic[m] = cols + m;
  for (std::size_t j = 0; j < cols; ++j) nonbasic[j] = j;
  cost[n] = 1;
  const auto is_free = [&](std::size_t var) { return var < cols; };

  const std::size_t max_iter = 50 * (rows + cols);
  std::size_t degenerate_run = 0;
  for (std::size_t it = 0;; ++it) {
    if (it > max_iter) return out;
    const bool bland = degenerate_run > 20;
    std::size_t enter = cols;
    double best_gain = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const double c = cost[j];
      const double gain = is_free(nonbasic[j]) ? std::fabs(c) : c;
      if (!(gain > kCostTol)) continue;
      if (enter == cols || (bland ? nonbasic[j] < nonbasic[enter] : gain > best_gain)) {
        enter = j;
        best_gain = gain;
      }
    }
    if (enter == cols) break;  // optimal
    const double dir = cost[enter] > 0 ? 1.0 : -1.0;
    std::size_t leave = rows;
    double best = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      if (is_free(basic[i])) continue;
      const double a = at(i, enter) * dir;
      if (a <= kPivotTol) continue;
      const double ratio = beta[i] / a;
      if (leave == rows || ratio < best - 1e-15 || (ratio <= best + 1e-15 && basic[i] < basic[leave])) {
        leave = i;
        best = ratio;
      }
    }
    if (leave == rows) return out;  // unbounded: impossible (t <= 1), so numerical trouble
    degenerate_run = best <= 1e-15 ? degenerate_run + 1 : 0;
    const double piv = at(leave, enter);
    const double inv = 1 / piv;
    // The entering column before the pivot (f_i), with f_leave = 0 so the column updates below
    // need no test for the pivot row.
    f.assign(&T[enter * rows], &T[enter * rows] + rows);
    f[leave] = 0;
    beta[leave] *= inv;
    const double beta_leave = beta[leave];
    // The hot loop (half of the solver's time): column j -= (pivot row entry) * f, in pairs of
    // rows (GCC's -O2 packs a pair into one SSE2 operation; restrict: no overlap).
    const double* __restrict fc = f.data();
    for (std::size_t j = 0; j < cols; ++j) {
      if (j == enter) continue;
      double* __restrict col = &T[j * rows];
      const double p = col[leave] * inv;  // the pivot row, scaled
      col[leave] = p;
      if (p == 0) continue;
      std::size_t i = 0;
      for (; i + 2 <= rows; i += 2) {
        col[i] -= fc[i] * p;
        col[i + 1] -= fc[i + 1] * p;
      }
      if (i < rows) col[i] -= fc[i] * p;
    }
    {
      double* col = &T[enter * rows];
      for (std::size_t i = 0; i < rows; ++i) col[i] = -fc[i] * inv;
      col[leave] = inv;
    }
    for (std::size_t i = 0; i < rows; ++i) {
      if (i == leave) continue;
      beta[i] -= fc[i] * beta_leave;
      if (!is_free(basic[i]) && beta[i] < 0) beta[i] = 0;
    }
    const double fcost = cost[enter];
    for (std::size_t j = 0; j < cols; ++j)
      if (j != enter) cost[j] -= fcost * at(leave, j);
    cost[enter] = -fcost * inv;
    std::swap(basic[leave], nonbasic[enter]);
  }
  std::vector<double> val(cols, 0.0);  // structural values
  for (std::size_t i = 0; i < rows; ++i)
    if (is_free(basic[i])) val[basic[i]] = beta[i];
  out.x.assign(val.begin(), val.begin() + static_cast<std::ptrdiff_t>(n));
  out.margin = t0 + val[n];
  out.dual.assign(m, 0.0);
  for (std::size_t j = 0; j < cols; ++j) {
    const std::size_t var = nonbasic[j];
    if (!is_free(var) && var - cols < m) out.dual[var - cols] = std::max(0.0, -cost[j]);
  }
  out.solved = std::isfinite(out.margin);
  for (double v : out.x) out.solved = out.solved && std::isfinite(v);
  return out;
}


}  // namespace relucert
