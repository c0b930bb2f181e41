#include "geometry/float_bound.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>


namespace relucert {

// The error analysis of negative_on_box_by_float_bound. u = 2^-53 (double's unit roundoff),
// n = count, gamma_k = k u / (1 - k u) (Higham, Accuracy and Stability of Numerical Algorithms,
// §3.1: a sum of k rounded products has error at most gamma_k times the sum of the products'
// magnitudes, barring underflow).
//  - Data: every double x^ is to_double of an exact x, |x^ - x| <= 2u |x| <= 2u |x^| / (1 - 2u).
//    Replacing a_i, b_i, w, w0 by their doubles changes S (the header's bound) by at most
//    2u / (1 - 2u) M, M = sum_i lambda_i |b_i^| + |w0^| + sum_j R_j (|w_j^| + sum_i lambda_i |a_ij^|).
//  - Rounding: E = sum_i lambda_i b_i^ + w0^ and each r_j = w_j^ - sum_i lambda_i a_ij^ carry at most
//    gamma_{n+1} times their terms' magnitudes; S^ = E^ + sum_j |r_j^| R_j adds gamma_{d+1} of
//    (|E^| + sum_j |r_j^| R_j) <= (1 + gamma_{n+1}) M. Together below (n + d + 4) u M (1 + 1e-10).
//  - Underflow: each rounded product loses at most 2^-1075 absolutely; the r_j's losses are scaled
//    by R_j. Below (n + 1)(d + 1) 2^-1074 (1 + sum_j R_j) < 2^-1000 (1 + sum_j R_j) for dim <= 8.
//  - M^, M evaluated in double, is at least M (1 - gamma_{n + d + 2}).
// The test S^ < -err with err = 2 (n + d + 4) u M^ + 2^-1000 (1 + sum_j R_j) therefore implies
// S < 0 (the factor 2 covers every (1 + O(u)) factor above many times over), and every value is
// required finite and M^ below 2^1000 so that nothing overflows.
bool negative_on_box_by_float_bound(const Halfspace* const* support, std::size_t count, const double* w, double w0,
                                    const double* bound, std::size_t dim) {
  constexpr std::size_t D = Halfspace::kApproxDim;
  if (count == 0 || count > dim || dim > D) return false;
  for (std::size_t i = 0; i < count; ++i)
    if (support[i]->approx_dim() != dim) return false;
  // lambda: A^T lambda = w (count == dim), or the normal equations A A^T lambda = A w (count < dim),
  // by Gaussian elimination with partial pivoting. Only a guess: any lambda >= 0 is valid.
  const std::size_t n = count;
  std::array<std::array<double, D + 1>, D> G{};
  for (std::size_t r = 0; r < n; ++r) {
    if (n == dim) {
      for (std::size_t i = 0; i < n; ++i) G[r][i] = support[i]->approx_a()[r];
      G[r][n] = w[r];
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < dim; ++j) s += support[r]->approx_a()[j] * support[i]->approx_a()[j];
        G[r][i] = s;
      }
      double s = 0;
      for (std::size_t j = 0; j < dim; ++j) s += support[r]->approx_a()[j] * w[j];
      G[r][n] = s;
    }
  }
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t p = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(G[r][col]) > std::fabs(G[p][col])) p = r;
    if (!(std::fabs(G[p][col]) > 0) || !std::isfinite(G[p][col])) return false;
    std::swap(G[p], G[col]);
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = G[r][col] / G[col][col];
      for (std::size_t c = col; c <= n; ++c) G[r][c] -= f * G[col][c];
    }
  }
  std::array<double, D> lambda{};
  for (std::size_t i = n; i-- > 0;) {
    double s = G[i][n];
    for (std::size_t c = i + 1; c < n; ++c) s -= G[i][c] * lambda[c];
    const double l = s / G[i][i];
    if (!std::isfinite(l)) return false;
    lambda[i] = l;
  }
  for (std::size_t i = 0; i < n; ++i) lambda[i] = std::max(lambda[i], 0.0);  // (a negative guess: 0 is valid)
  // S^ and M^.
  double e = w0, m = std::fabs(w0), r_sum = 1;
  for (std::size_t i = 0; i < n; ++i) {
    e += lambda[i] * support[i]->approx_b();
    m += lambda[i] * std::fabs(support[i]->approx_b());
  }
  double s = e;
  for (std::size_t j = 0; j < dim; ++j) {
    double r = w[j], mag = std::fabs(w[j]);
    for (std::size_t i = 0; i < n; ++i) {
      r -= lambda[i] * support[i]->approx_a()[j];
      mag += lambda[i] * std::fabs(support[i]->approx_a()[j]);
    }
    if (!(bound[j] >= 0)) return false;
    s += std::fabs(r) * bound[j];
    m += mag * bound[j];
    r_sum += bound[j];
  }
  constexpr double kU = std::numeric_limits<double>::epsilon() / 2;  // 2^-53
  const double kTiny = std::ldexp(1.0, -1000);
  if (!std::isfinite(s) || !std::isfinite(m) || !(m < std::ldexp(1.0, 1000)) || !std::isfinite(r_sum)) return false;
  const double err = 2 * static_cast<double>(n + dim + 4) * kU * m + kTiny * r_sum;
  return s < -err;
}

bool axis_bound_in_double(const Halfspace* const* rows, std::size_t count, std::size_t dim, double* bound) {
  constexpr std::size_t D = Halfspace::kApproxDim;
  if (dim == 0 || dim > D) return false;
  std::array<double, D> lo{}, hi{};  // the least upper bounds of x_j and of -x_j seen (valid only where seen)
  std::array<bool, D> has_lo{}, has_hi{};
  for (std::size_t i = 0; i < count; ++i) {
    const Halfspace& row = *rows[i];
    if (row.approx_dim() != dim) continue;
    // One nonzero entry: to_double(v) == 0 iff v == 0, so the doubles tell it exactly.
    std::size_t nonzero = 0, axis = 0;
    for (std::size_t j = 0; j < dim; ++j)
      if (row.approx_a()[j] != 0) ++nonzero, axis = j;
    if (nonzero != 1) continue;
    // k x_j <= b: x_j <= b / k (k > 0), or -x_j <= b / |k| (k < 0). With k^, b^ within 2^-52 of
    // k, b relatively and one rounded division, b / |k| <= (b^ / |k^|) (1 + 2^-49) when positive;
    // a negative quotient bounds by its magnitude too (only |x_j| is needed).
    const double k = row.approx_a()[axis], q = row.approx_b() / std::fabs(k);
    if (!std::isfinite(q) || (q != 0 && std::fabs(q) < std::ldexp(1.0, -1000))) continue;  // (no subnormal quotients)
    const double up = std::nextafter(std::fabs(q) * (1 + std::ldexp(1.0, -49)), HUGE_VAL);
    if (k > 0) {
      if (!has_hi[axis] || up < hi[axis]) hi[axis] = up, has_hi[axis] = true;
    } else if (!has_lo[axis] || up < lo[axis]) {
      lo[axis] = up, has_lo[axis] = true;
    }
  }
  for (std::size_t j = 0; j < dim; ++j) {
    if (!has_lo[j] || !has_hi[j]) return false;
    bound[j] = std::max(lo[j], hi[j]);
    if (!std::isfinite(bound[j])) return false;
  }
  return true;
}

std::optional<std::vector<double>> axis_bound_of(const std::vector<Halfspace>& rows, std::size_t dim) {
  std::vector<const Halfspace*> ptrs;
  ptrs.reserve(rows.size());
  for (const Halfspace& r : rows) ptrs.push_back(&r);
  std::vector<double> bound(dim);
  if (!axis_bound_in_double(ptrs.data(), ptrs.size(), dim, bound.data())) return std::nullopt;
  return bound;
}

}  // namespace relucert
