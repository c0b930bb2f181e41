// The double-precision margin LP (geometry/float_lp.hpp) against brute force: on random small
// LPs its margin is the best vertex's, its point is feasible and its dual certifies the margin
// (weak duality). Its answers are only proposals (geometry/strict_lp.cpp verifies them exactly),
// so this guards the filter's success rate, not the engine's exactness.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "geometry/float_lp.hpp"

using namespace relucert;

namespace {

struct Lp {
  std::size_t m = 0, n = 0;
  std::vector<double> A, b, s;  // A x + s t <= b (s_i = |A_i|_1, as strict_lp.cpp builds it), t <= 1
};

Lp random_lp(std::mt19937_64& rng, std::size_t m, std::size_t n) {
  std::uniform_real_distribution<double> u(-1, 1);
  Lp lp;
  lp.m = m;
  lp.n = n;
  for (std::size_t i = 0; i < m; ++i) {
    double norm1 = 0;
    for (std::size_t j = 0; j < n; ++j) {
      lp.A.push_back(u(rng));
      norm1 += std::fabs(lp.A.back());
    }
    lp.b.push_back(u(rng));
    lp.s.push_back(norm1);
  }
  return lp;
}

// Solves the k x k system M y = r (row-major) by Gaussian elimination with partial pivoting;
// false when it is (nearly) singular.
bool solve_square(std::vector<double> M, std::vector<double> r, std::size_t k, std::vector<double>* y) {
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t p = c;
    for (std::size_t i = c + 1; i < k; ++i)
      if (std::fabs(M[i * k + c]) > std::fabs(M[p * k + c])) p = i;
    if (std::fabs(M[p * k + c]) < 1e-9) return false;
    for (std::size_t j = 0; j < k; ++j) std::swap(M[c * k + j], M[p * k + j]);
    std::swap(r[c], r[p]);
    for (std::size_t i = c + 1; i < k; ++i) {
      const double f = M[i * k + c] / M[c * k + c];
      for (std::size_t j = c; j < k; ++j) M[i * k + j] -= f * M[c * k + j];
      r[i] -= f * r[c];
    }
  }
  y->assign(k, 0.0);
  for (std::size_t c = k; c-- > 0;) {
    double v = r[c];
    for (std::size_t j = c + 1; j < k; ++j) v -= M[c * k + j] * (*y)[j];
    (*y)[c] = v / M[c * k + c];
  }
  return true;
}

// The optimal t by vertex enumeration: every choice of n + 1 of the m + 1 rows (t <= 1 is row m)
// as equalities, the feasible solutions' best t. The LP is always feasible (t -> -inf) and, with
// A of full column rank, pointed, so the optimum is a vertex's.
double brute_force_margin(const Lp& lp) {
  const std::size_t k = lp.n + 1, rows = lp.m + 1;
  auto row = [&](std::size_t i, std::size_t j) {
    if (i == lp.m) return j == lp.n ? 1.0 : 0.0;
    return j == lp.n ? lp.s[i] : lp.A[i * lp.n + j];
  };
  auto rhs = [&](std::size_t i) { return i == lp.m ? 1.0 : lp.b[i]; };
  double best = -std::numeric_limits<double>::infinity();
  std::vector<std::size_t> pick(k);
  for (std::size_t i = 0; i < k; ++i) pick[i] = i;
  while (true) {
    std::vector<double> M(k * k), r(k), y;
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t j = 0; j < k; ++j) M[a * k + j] = row(pick[a], j);
      r[a] = rhs(pick[a]);
    }
    if (solve_square(M, r, k, &y)) {
      bool feasible = true;
      for (std::size_t i = 0; i < rows && feasible; ++i) {
        double v = 0;
        for (std::size_t j = 0; j < k; ++j) v += row(i, j) * y[j];
        feasible = v <= rhs(i) + 1e-9;
      }
      if (feasible) best = std::max(best, y[lp.n]);
    }
    // Next k-subset of {0, ..., rows - 1} in lexicographic order.
    std::size_t a = k;
    while (a-- > 0 && pick[a] == rows - k + a) {}
    if (a == static_cast<std::size_t>(-1)) break;
    ++pick[a];
    for (std::size_t c = a + 1; c < k; ++c) pick[c] = pick[c - 1] + 1;
  }
  return best;
}

}  // namespace

TEST_CASE("float margin LP: brute-force optimum, a feasible point, a certifying dual") {
  std::mt19937_64 rng(11);
  FloatMarginLp out;  // reused across LPs of different sizes, as strict_lp.cpp does
  int positive = 0, nonpositive = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 1 + trial % 4;
    const std::size_t m = n + 1 + (trial * 5) % 9;
    const Lp lp = random_lp(rng, m, n);
    INFO("trial " << trial << " m " << m << " n " << n);
    // Buffers longer than m rows (as the filter's reused ones are): only m rows may be read.
    std::vector<double> A = lp.A, b = lp.b, s = lp.s;
    A.resize(A.size() + 3 * n, std::numeric_limits<double>::quiet_NaN());
    b.resize(b.size() + 3, std::numeric_limits<double>::quiet_NaN());
    s.resize(s.size() + 3, -1.0);
    solve_margin_lp_float(A.data(), b.data(), s.data(), m, n, &out);
    REQUIRE(out.solved);
    REQUIRE(out.x.size() == n);
    REQUIRE(out.dual.size() == m);
    const double t = brute_force_margin(lp);
    CHECK(std::fabs(out.margin - t) <= 1e-9);
    (out.margin > 1e-12 ? positive : nonpositive)++;
    // The point is feasible with the margin found.
    for (std::size_t i = 0; i < m; ++i) {
      double v = lp.s[i] * out.margin;
      for (std::size_t j = 0; j < n; ++j) v += lp.A[i * n + j] * out.x[j];
      CHECK(v <= lp.b[i] + 1e-9);
    }
    // The dual (y; w = 1 - s.y for the t <= 1 row): A^T y = 0, s.y <= 1, y >= 0, and its value
    // b.y + w equals the margin (so it certifies that no larger margin exists).
    double sy = 0, by = 0;
    for (std::size_t i = 0; i < m; ++i) {
      CHECK(out.dual[i] >= 0);
      sy += lp.s[i] * out.dual[i];
      by += lp.b[i] * out.dual[i];
    }
    CHECK(sy <= 1 + 1e-9);
    for (std::size_t j = 0; j < n; ++j) {
      double v = 0;
      for (std::size_t i = 0; i < m; ++i) v += lp.A[i * n + j] * out.dual[i];
      CHECK(std::fabs(v) <= 1e-9);
    }
    CHECK(std::fabs(by + (1 - sy) - out.margin) <= 1e-9);
  }
  // Both answers of the filter are exercised.
  CHECK(positive > 30);
  CHECK(nonpositive > 30);
}

TEST_CASE("float margin LP: non-finite data is refused, not solved") {
  FloatMarginLp out;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> A = {1, 0, 0, 1, -1, -1}, b = {1, 1, 1}, s = {1, 1, 2};
  solve_margin_lp_float(A.data(), b.data(), s.data(), 3, 2, &out);
  REQUIRE(out.solved);
  CHECK(out.margin > 0);
  A[3] = inf;
  solve_margin_lp_float(A.data(), b.data(), s.data(), 3, 2, &out);
  CHECK_FALSE(out.solved);
  A[3] = std::numeric_limits<double>::quiet_NaN();
  solve_margin_lp_float(A.data(), b.data(), s.data(), 3, 2, &out);
  CHECK_FALSE(out.solved);
  A[3] = 1;
  b[1] = inf;
  solve_margin_lp_float(A.data(), b.data(), s.data(), 3, 2, &out);
  CHECK_FALSE(out.solved);
}
