// geometry/float_bound: the rigorous double bound that settles a neuron's sign on a box-bounded
// cell. Its claims are checked against exact arithmetic: at a vertex where z is exactly 0 (built
// from exact rationals) it must never claim z < 0, just below it must (it is not uselessly
// conservative), and on random cells every claim is confirmed by the exact strict LP.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "core/rational.hpp"
#include "geometry/float_bound.hpp"
#include "geometry/halfspace.hpp"
#include "geometry/strict_lp.hpp"

using namespace relucert;

namespace {

Halfspace row(const Vector& a, const Rational& b) { return make_halfspace(a, b, RowOrigin{}); }

Vector vec(std::initializer_list<long> xs) {
  Vector v;
  for (long x : xs) v.push_back(Rational(x));
  return v;
}

std::vector<Halfspace> box_rows(std::size_t d, long r) {
  std::vector<Halfspace> rows;
  for (std::size_t j = 0; j < d; ++j) {
    Vector e(d, Rational(0));
    e[j] = 1;
    rows.push_back(row(e, r));
    e[j] = -1;
    rows.push_back(row(e, r));
  }
  return rows;
}

std::vector<double> doubles(const Vector& v) {
  std::vector<double> out;
  for (const Rational& x : v) out.push_back(to_double(x));
  return out;
}

// The bound's verdict on z = w.x + w0 over {support rows} ∩ {|x_j| <= R}.
bool claims_negative(const std::vector<const Halfspace*>& support, const Vector& w, const Rational& w0, const std::vector<double>& R) {
  const std::vector<double> wd = doubles(w);
  return negative_on_box_by_float_bound(support.data(), support.size(), wd.data(), to_double(w0), R.data(), w.size());
}

// Exact solution of the 3x3 system a_i . x = b_i (Cramer); nullopt when singular.
std::optional<Vector> solve3(const std::vector<const Halfspace*>& rows) {
  auto a = [&](int i, int j) -> Rational { return Rational(rows[i]->a()[j]); };
  auto det = [&](auto&& m) -> Rational {
    return m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) - m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
           m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
  };
  const Rational D = det(a);
  if (D == 0) return std::nullopt;
  Vector x(3);
  for (int c = 0; c < 3; ++c) {
    auto m = [&](int i, int j) -> Rational { return j == c ? Rational(rows[i]->b()) : a(i, j); };
    x[c] = det(m) / D;
  }
  return x;
}

}  // namespace

TEST_CASE("float bound: the cube's corner, exactly at, just below and just above zero") {
  const auto cube = box_rows(3, 1);
  const std::vector<double> R = {1, 1, 1};
  const std::vector<const Halfspace*> corner = {&cube[0], &cube[2], &cube[4]};  // x, y, z <= 1
  const Vector w = vec({1, 1, 1});
  CHECK(claims_negative(corner, w, Rational(-7, 2), R));
  CHECK_FALSE(claims_negative(corner, w, Rational(-3), R));  // max exactly 0 at (1, 1, 1)
  const Rational tiny = Rational(1, Integer(1) << 60);
  CHECK_FALSE(claims_negative(corner, w, Rational(-3) + tiny, R));
  CHECK(claims_negative(corner, w, Rational(-3) - Rational(1, Integer(1) << 30), R));
  // The wrong corner's rows: lambda would be negative, clamped to 0; only the box bound is left
  // (|x| + |y| + |z| <= 3), which does prove z < 0 for w0 = -7/2 and not for w0 = -3.
  const std::vector<const Halfspace*> opposite = {&cube[1], &cube[3], &cube[5]};
  CHECK(claims_negative(opposite, w, Rational(-7, 2), R));
  CHECK_FALSE(claims_negative(opposite, w, Rational(-3), R));
  // A bound below the box (wrong input) is the caller's error; a negative one is refused.
  CHECK_FALSE(claims_negative(corner, w, Rational(-7, 2), {1, -1, 1}));
}

TEST_CASE("float bound: fewer rows than the dimension, and non-finite data") {
  const auto cube = box_rows(3, 1);
  const std::vector<double> R = {1, 1, 1};
  // On x <= 1 alone z = 2x - 3 < 0 (the other coordinates have coefficient 0).
  const std::vector<const Halfspace*> one = {&cube[0]};
  CHECK(claims_negative(one, vec({2, 0, 0}), Rational(-3), R));
  CHECK_FALSE(claims_negative(one, vec({2, 0, 0}), Rational(-2), R));
  const double inf = HUGE_VAL;
  const double w[3] = {inf, 0, 0};
  CHECK_FALSE(negative_on_box_by_float_bound(one.data(), 1, w, -3, R.data(), 3));
}

TEST_CASE("float bound: an exact zero at a random vertex is never claimed negative; just below it is") {
  std::mt19937_64 rng(20261207);
  std::uniform_int_distribution<long> coef(-1000, 1000), lam(1, 50);
  int claimed_below = 0, trials = 0;
  for (int t = 0; t < 300; ++t) {
    // Three rows through a random point p inside the box; w a positive combination of their
    // normals, so p maximises z on the cone of the rows, and z(p) = 0 exactly.
    Vector p(3);
    for (auto& x : p) x = Rational(coef(rng)) / 13;  // (canonical: mpq_class(n, d) is not)
    std::vector<Halfspace> rows;
    for (int i = 0; i < 3; ++i) {
      Vector a(3);
      for (auto& x : a) x = Rational(coef(rng)) / (7 + i);
      Rational b = 0;
      for (int j = 0; j < 3; ++j) b += a[j] * p[j];
      rows.push_back(row(a, b));
    }
    std::vector<const Halfspace*> support = {&rows[0], &rows[1], &rows[2]};
    Vector w(3, Rational(0));
    for (int i = 0; i < 3; ++i) {
      const Rational l = Rational(lam(rng)) / 3;
      for (int j = 0; j < 3; ++j) w[j] += l * Rational(rows[i].a()[j]);
    }
    // Degenerate draws (parallel normals) have no vertex: skip them.
    const std::optional<Vector> q = solve3(support);
    if (!q) continue;
    REQUIRE(*q == p);
    ++trials;
    Rational w0 = 0;
    for (int j = 0; j < 3; ++j) w0 -= w[j] * p[j];
    const std::vector<double> R = {100, 100, 100};
    CAPTURE(t);
    CHECK_FALSE(claims_negative(support, w, w0, R));
    CHECK_FALSE(claims_negative(support, w, w0 + Rational(1, Integer(1) << 80), R));
    Rational scale = 0;
    for (int j = 0; j < 3; ++j) scale += abs(w[j]) * 100;
    if (claims_negative(support, w, w0 - scale / (Integer(1) << 30), R)) ++claimed_below;
  }
  CHECK(trials > 250);
  CHECK(claimed_below > trials * 9 / 10);  // well-conditioned vertices are settled
}

TEST_CASE("float bound: on random cells of a box every claim is confirmed by the exact LP") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<long> coef(-50, 50);
  int claims = 0;
  for (int t = 0; t < 200; ++t) {
    std::vector<Halfspace> rows = box_rows(3, 100);
    for (int i = 0; i < 4; ++i) rows.push_back(row(vec({coef(rng), coef(rng), coef(rng)}), Rational(coef(rng) * 20 + 1000)));
    if (!find_strict_point(rows, 3)) continue;
    const auto R = axis_bound_of(rows, 3);
    REQUIRE(R);
    const Vector w = vec({coef(rng), coef(rng), coef(rng)});
    const Rational w0(coef(rng) * 100);
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = i + 1; j < rows.size(); ++j)
        for (std::size_t k = j + 1; k < rows.size(); ++k) {
          const std::vector<const Halfspace*> support = {&rows[i], &rows[j], &rows[k]};
          if (!claims_negative(support, w, w0, *R)) continue;
          ++claims;
          // z > 0 strictly somewhere in the cell would refute the claim (z < 0 on the cell).
          std::vector<Halfspace> with = rows;
          Vector minus_w = w;
          for (auto& x : minus_w) x = -x;
          with.push_back(row(minus_w, w0));  // -w.x <= w0, strictly: z > 0
          CHECK_FALSE(find_strict_point(with, 3).has_value());
        }
  }
  CHECK(claims > 100);
}

TEST_CASE("axis bound: read from the rows that bound one coordinate, rounded up") {
  std::vector<Halfspace> rows = box_rows(3, 100);
  rows.push_back(row(vec({1, 1, 1}), Rational(5)));
  const auto R = axis_bound_of(rows, 3);
  REQUIRE(R);
  for (double r : *R) CHECK(r >= 100);
  for (double r : *R) CHECK(r < 100.0001);
  // 1/3 is not a double: the bound must still be above it.
  std::vector<Halfspace> thirds;
  for (int j = 0; j < 2; ++j) {
    Vector e(2, Rational(0));
    e[j] = 3;
    thirds.push_back(row(e, Rational(1)));
    e[j] = -3;
    thirds.push_back(row(e, Rational(1, 2)));
  }
  const auto T = axis_bound_of(thirds, 2);
  REQUIRE(T);
  for (double r : *T) CHECK(Rational(r) >= Rational(1, 3));
  // One side missing: no box.
  rows.erase(rows.begin());
  CHECK_FALSE(axis_bound_of(rows, 3).has_value());
  CHECK_FALSE(axis_bound_of({}, 2).has_value());
}

TEST_CASE("axis bound in double: never below the exact bound, and no box without both sides") {
  std::mt19937_64 rng(29);
  int nonempty = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t dim = 1 + trial % 6;
    std::vector<Halfspace> rows;
    for (std::size_t j = 0; j < dim; ++j)
      for (int side = 0; side < 1 + static_cast<int>(rng() % 3); ++side)
        for (int sign : {1, -1}) {
          Vector e(dim, Rational(0));
          e[j] = sign * static_cast<long>(1 + rng() % 1000);  // k x_j <= b, any positive k
          Integer b(std::to_string(rng() % 100000000));
          if (rng() % 6 == 0) b = -b;
          if (rng() % 5 == 0) b <<= 70;  // past 2^53: b's double is rounded
          rows.push_back(row(e, Rational(b)));
        }
    rows.push_back(row(Vector(dim, Rational(1)), Rational(3)));  // not a unit row: ignored
    std::vector<const Halfspace*> ptrs;
    for (const auto& r : rows) ptrs.push_back(&r);
    std::vector<double> R(dim);
    REQUIRE(axis_bound_in_double(ptrs.data(), ptrs.size(), dim, R.data()));
    const auto exact = axis_bound_of(rows, dim);
    REQUIRE(exact);
    for (std::size_t j = 0; j < dim; ++j) {
      // The exact max(|upper|, |lower|) of the tightest rows is at most the double bound.
      Rational lo, hi;
      bool has_lo = false, has_hi = false;
      for (const auto& r : rows) {
        std::size_t nz = 0;
        for (std::size_t i = 0; i < dim; ++i) nz += sgn(r.a()[i]) != 0;
        if (nz != 1 || sgn(r.a()[j]) == 0) continue;
        const Rational v = Rational(r.b()) / Rational(r.a()[j]);
        if (sgn(r.a()[j]) > 0) {
          if (!has_hi || v < hi) hi = v, has_hi = true;
        } else if (!has_lo || v > lo) {
          lo = v, has_lo = true;
        }
      }
      REQUIRE((has_lo && has_hi));
      CHECK(rational_from_double(R[j]) >= Rational(0));
      // Every x_j in [lo, hi] (the rows' solutions) has |x_j| <= R_j; an empty interval bounds nothing.
      if (lo <= hi) {
        ++nonempty;
        CHECK(rational_from_double(R[j]) >= std::max(abs(lo), abs(hi)));
      }
    }
  }
  CHECK(nonempty > 500);
  // A coordinate bounded on one side only: no box.
  std::vector<Halfspace> one = {row(vec({1, 0}), Rational(1)), row(vec({-1, 0}), Rational(1)), row(vec({0, 1}), Rational(1))};
  std::vector<const Halfspace*> p;
  for (const auto& r : one) p.push_back(&r);
  std::vector<double> R(2);
  CHECK_FALSE(axis_bound_in_double(p.data(), p.size(), 2, R.data()));
}
