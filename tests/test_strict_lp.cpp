// The strict-feasibility LP against an independent exact oracle (z3, linear real arithmetic),
// with the float filter on and off: the answers must agree and every point must be strict.
#include <doctest/doctest.h>

#include <cmath>
#include <z3++.h>

#include "support/z3_feasibility.hpp"

#include <random>
#include <utility>

#include "geometry/cramer_filter.hpp"
#include "geometry/strict_lp.hpp"

using namespace relucert;

using relucert::test::z3_feasible;

namespace {


std::vector<Halfspace> random_rows(std::mt19937_64& rng, std::size_t dim, std::size_t m, int range) {
  std::uniform_int_distribution<int> coef(-range, range);
  std::vector<Halfspace> rows;
  while (rows.size() < m) {
    std::vector<Integer> a(dim);
    bool nonzero = false;
    for (auto& v : a) {
      v = coef(rng);
      nonzero = nonzero || v != 0;
    }
    if (!nonzero) continue;
    rows.push_back(make_halfspace(std::move(a), Integer(coef(rng)), RowOrigin{}));
  }
  return rows;
}

struct FilterGuard {
  explicit FilterGuard(bool on) { set_float_filter_enabled(on); }
  ~FilterGuard() { set_float_filter_enabled(true); }
};

// find_strict_point with the float filter on and off: both must agree with z3, and a point must
// be strictly inside. Returns z3's answer (feasible or not).
bool agrees_with_z3(const std::vector<Halfspace>& rows, std::size_t dim) {
  const bool truth = z3_feasible(rows, dim);
  for (bool filter : {true, false}) {
    FilterGuard guard(filter);
    const auto p = find_strict_point(rows, dim);
    INFO("filter " << filter);
    CHECK(p.has_value() == truth);
    if (p) CHECK(strictly_inside(rows, *p));
  }
  return truth;
}

}  // namespace

TEST_CASE("strict feasibility agrees with z3, with and without the float filter") {
  std::mt19937_64 rng(7);
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t dim = 1 + trial % 4;
    const std::size_t m = 1 + (trial * 7) % 10;
    const auto rows = random_rows(rng, dim, m, trial % 2 ? 3 : 1);
    INFO("trial " << trial);
    (agrees_with_z3(rows, dim) ? feasible : infeasible)++;
  }
  // The random systems must exercise both answers.
  CHECK(feasible > 50);
  CHECK(infeasible > 50);
}

TEST_CASE("degenerate systems: closed but not strictly feasible") {
  const RowOrigin o{};
  for (bool filter : {true, false}) {
    FilterGuard guard(filter);
    // x <= 0 and -x <= 0: the closed set is {0}, the strict one empty.
    CHECK_FALSE(find_strict_point({make_halfspace({Integer(1)}, Integer(0), o), make_halfspace({Integer(-1)}, Integer(0), o)}, 1));
    // Three halfplanes meeting in one point: x <= 0, y <= 0, -x - y <= 0.
    CHECK_FALSE(find_strict_point({make_halfspace({Integer(1), Integer(0)}, Integer(0), o),
                                   make_halfspace({Integer(0), Integer(1)}, Integer(0), o),
                                   make_halfspace({Integer(-1), Integer(-1)}, Integer(0), o)},
                                  2));
    // A thin slab 0 < x < 10^-30 is feasible: the point must be exact.
    const Integer big("1000000000000000000000000000000");
    const auto p = find_strict_point({make_halfspace({big}, Integer(1), o), make_halfspace({Integer(-1)}, Integer(0), o)}, 1);
    REQUIRE(p);
    CHECK(sgn((*p)[0]) > 0);
    CHECK((*p)[0] * big < 1);
    // Zero rows: 0 < 1 holds, 0 < 0 does not.
    CHECK(find_strict_point({make_halfspace(std::vector<Integer>{Integer(1)}, Integer(5), o)}, 1));
  }
}

TEST_CASE("strict feasibility on a hyperplane agrees with z3") {
  std::mt19937_64 rng(11);
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t dim = 1 + trial % 4;
    auto rows = random_rows(rng, dim, 1 + trial % 8, 2);
    const Halfspace h = random_rows(rng, dim, 1, 2)[0];
    std::vector<Halfspace> kept;
    for (auto& r : rows)
      if (!r.same_hyperplane_as(h)) kept.push_back(r);
    const bool truth = z3_feasible(kept, dim, &h);
    for (bool filter : {true, false}) {
      FilterGuard guard(filter);
      const auto p = find_strict_point_on_hyperplane(h, kept, dim);
      INFO("trial " << trial << " filter " << filter);
      CHECK(p.has_value() == truth);
      if (p) {
        CHECK(sgn(h.slack(*p)) == 0);
        CHECK(strictly_inside(kept, *p));
      }
    }
    (truth ? feasible : infeasible)++;
  }
  CHECK(feasible > 30);
  CHECK(infeasible > 30);
}

TEST_CASE("certificates in a subspace: normals spanning fewer axes than dim, against z3") {
  // Every normal is an integer combination of 2 or 3 base vectors in dim 4..7, so an empty
  // system's certificate has fewer columns than axes + 1: exact_null_vector eliminates on axes
  // chosen in double first (geometry/strict_lp.cpp) and must still never accept a wrong vector
  // nor miss one the full elimination finds. Some trials add a box face or repeat a base vector
  // (axes that are dependent in the subset), some use huge base vectors (doubles rounded).
  std::mt19937_64 rng(91);
  std::uniform_int_distribution<int> small(-3, 3);
  int empty = 0;
  const LpCounters before = lp_counters();
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t dim = 4 + trial % 4, span = 2 + trial % 2;
    const bool huge = trial % 5 == 4;
    std::vector<std::vector<Integer>> base(span, std::vector<Integer>(dim));
    for (auto& v : base)
      for (auto& x : v) x = huge ? Integer(Integer(small(rng)) << 70) + small(rng) : Integer(small(rng));
    if (trial % 7 == 3) base[1] = base[0];  // rank one less than it looks
    std::vector<Halfspace> rows;
    for (int tries = 0; rows.size() < 2 + static_cast<std::size_t>(trial % 5) && tries < 50; ++tries) {
      std::vector<Integer> a(dim, Integer(0));
      for (std::size_t t = 0; t < span; ++t) {
        const int c = small(rng);
        for (std::size_t j = 0; j < dim; ++j) a[j] += c * base[t][j];
      }
      bool nonzero = false;
      for (const auto& x : a) nonzero = nonzero || sgn(x) != 0;
      if (!nonzero) continue;
      rows.push_back(make_halfspace(std::move(a), Integer(small(rng)), RowOrigin{}));
    }
    if (trial % 3 == 0) {
      std::vector<Integer> e(dim, Integer(0));
      e[trial % dim] = 1;
      rows.push_back(make_halfspace(e, Integer(small(rng)), RowOrigin{RowOrigin::Kind::Domain, 1}));
    }
    if (rows.empty()) continue;
    INFO("trial " << trial);
    if (!agrees_with_z3(rows, dim)) ++empty;
  }
  CHECK(empty > 60);
  CHECK(lp_counters().filtered_empty - before.filtered_empty > static_cast<unsigned long long>(empty) / 2);
}

TEST_CASE("exact null vector: eliminating on axes chosen in double first agrees with the full elimination") {
  // Columns in a subspace (fewer columns than axes + 1), with a known positive null vector;
  // variants: huge entries (2^70: the doubles are rounded), a perturbation by 1 on one axis (the
  // null space becomes {0} though the doubles cannot see it: axes chosen without that axis give
  // a vector that only the exact check on every axis rejects), a repeated column (2-dimensional
  // null space), unit columns (box faces), and mixed signs.
  std::mt19937_64 rng(113);
  std::uniform_int_distribution<int> small(-4, 4), pos(1, 5);
  int found = 0, refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t dim = 3 + trial % 5, k = 2 + trial % (dim - 1);  // k <= dim
    const int variant = trial % 6;  // 0 plain, 1 huge, 2 huge + perturbed, 3 repeated, 4 unit, 5 perturbed
    const bool huge = variant == 1 || variant == 2;
    std::vector<std::vector<Integer>> cols(k, std::vector<Integer>(dim));
    std::vector<Integer> y(k);
    for (auto& v : y) v = pos(rng) * ((trial % 11 == 0 && (rng() & 1)) ? -1 : 1);
    // k - 1 free columns, the last one fixed by sum y_c cols[c] = 0 (scaled to stay integer).
    for (std::size_t c = 0; c + 1 < k; ++c)
      for (auto& x : cols[c]) x = huge ? Integer(Integer(small(rng)) << 70) + small(rng) : Integer(small(rng));
    if (variant == 4) {
      for (auto& x : cols[0]) x = 0;
      cols[0][trial % dim] = (rng() & 1) ? 1 : -1;
    }
    if (variant == 3 && k >= 3) cols[1] = cols[0];
    for (std::size_t j = 0; j < dim; ++j) {
      Integer sum = 0;
      for (std::size_t c = 0; c + 1 < k; ++c) sum += y[c] * cols[c][j];
      cols[k - 1][j] = -sum;  // y_last = 1 after scaling the others: sum y_c c_c + 1 * c_last = 0
    }
    if (variant == 2 || variant == 5) cols[rng() % k][rng() % dim] += 1;
    std::vector<Halfspace> hs;
    bool zero = false;
    for (auto& c : cols) {
      bool nz = false;
      for (const auto& x : c) nz = nz || sgn(x) != 0;
      if (!nz) zero = true;
      else hs.push_back(make_halfspace(c, Integer(0), RowOrigin{}));
    }
    if (zero) continue;
    std::vector<const Halfspace*> ptrs;
    for (const auto& h : hs) ptrs.push_back(&h);
    const std::size_t signed_cols = trial % 3 == 0 ? k - 1 : k;
    const auto fast = motzkin_null_vector_for_test(ptrs, signed_cols, dim, false);
    const auto full = motzkin_null_vector_for_test(ptrs, signed_cols, dim, true);
    INFO("trial " << trial << " variant " << variant << " dim " << dim << " k " << k);
    REQUIRE(fast.has_value() == full.has_value());
    if (!fast) {
      ++refused;
      continue;
    }
    ++found;
    // An exact null vector, sign-definite (>= 0) on the signed part, a positive multiple of full's.
    for (std::size_t j = 0; j < dim; ++j) {
      Integer sum = 0;
      for (std::size_t c = 0; c < k; ++c) sum += (*fast)[c] * hs[c].a()[j];
      CHECK(sum == 0);
    }
    std::size_t ref = 0;
    while (ref < k && sgn((*fast)[ref]) == 0) ++ref;
    REQUIRE(ref < k);
    CHECK(sgn((*fast)[ref]) == sgn((*full)[ref]));
    for (std::size_t c = 0; c < k; ++c) {
      CHECK((*fast)[c] * (*full)[ref] == (*full)[c] * (*fast)[ref]);
      if (c < signed_cols) CHECK(sgn((*fast)[c]) >= 0);
    }
  }
  CHECK(found > 1000);
  CHECK(refused > 500);
}

TEST_CASE("empty cells of a box: the certificates with unit rows (domain faces) are exact and found by the filter") {
  // Box rows are unit vectors; exact_null_vector takes them out of its elimination. Random boxes
  // cut by random rows, some thin (both faces of an axis in one certificate), against z3. Most
  // empty answers must come from the float proposal with its exact certificate, not from CGAL.
  std::mt19937_64 rng(23);
  std::uniform_int_distribution<int> coord(-5, 5), width(1, 4);
  int empty = 0;
  const LpCounters before = lp_counters();
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t dim = 2 + trial % 5;
    std::vector<Halfspace> rows;
    for (std::size_t i = 0; i < dim; ++i) {
      const int lo = coord(rng), hi = lo + (trial % 3 == 0 && i == 0 ? 0 : width(rng));  // hi == lo: a flat box
      std::vector<Integer> e(dim, Integer(0));
      e[i] = 1;
      rows.push_back(make_halfspace(e, Integer(hi), RowOrigin{RowOrigin::Kind::Domain, 2 * i + 1}));
      e[i] = -1;
      rows.push_back(make_halfspace(e, Integer(-lo), RowOrigin{RowOrigin::Kind::Domain, 2 * i}));
    }
    for (const auto& r : random_rows(rng, dim, 1 + trial % 3, 4)) rows.push_back(r);
    const bool truth = z3_feasible(rows, dim);
    const auto p = find_strict_point(rows, dim);
    INFO("trial " << trial);
    CHECK(p.has_value() == truth);
    if (p) CHECK(strictly_inside(rows, *p));
    if (!truth) ++empty;
  }
  const LpCounters& after = lp_counters();
  CHECK(empty > 100);
  CHECK(after.filtered_empty - before.filtered_empty > static_cast<unsigned long long>(empty) / 2);
}

namespace {

// det of a square rational matrix by Gaussian elimination over Q (the reference for the filter).
Rational exact_det(std::vector<std::vector<Rational>> m) {
  const std::size_t n = m.size();
  Rational det = 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (p < n && sgn(m[p][c]) == 0) ++p;
    if (p == n) return 0;
    if (p != c) {
      std::swap(m[p], m[c]);
      det = -det;
    }
    det *= m[c][c];
    for (std::size_t i = c + 1; i < n; ++i) {
      const Rational f = m[i][c] / m[c][c];
      for (std::size_t j = c; j < n; ++j) m[i][j] -= f * m[c][j];
    }
  }
  return det;
}

// cramer_signs on the first r rows of M (r x n, n = r + 1) with M[r] as the extra row x, checked
// against exact determinants: every certified y_c and x.y sign must be the exact one. Returns the
// signs with the exact x.y, and counts the certified y_c.
std::pair<CramerSigns, Rational> check_cramer_signs(const std::vector<std::vector<Integer>>& M, std::size_t r,
                                                    int* certified) {
  const std::size_t n = r + 1;
  std::vector<const Integer*> R, extras;
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t c = 0; c < n; ++c) R.push_back(&M[i][c]);
  for (std::size_t c = 0; c < n; ++c) extras.push_back(&M[r][c]);  // an extra row x
  const auto s = cramer_signs(R, r, extras);
  REQUIRE(s);
  // Exact y_c = (-1)^c det(R without column c), and x.y = det([x; R]).
  Rational xy = 0;
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<std::vector<Rational>> minor(r, std::vector<Rational>());
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (j != c) minor[i].push_back(Rational(M[i][j]));
    const Rational y = (c % 2 == 0 ? 1 : -1) * exact_det(minor);
    xy += Rational(M[r][c]) * y;
    INFO("r " << r << " c " << c);
    if (s->y[c] != Sign::Zero) {
      CHECK(s->y[c] == sign_of(y));
      ++*certified;
    }
  }
  if (s->dots[0] != Sign::Zero) CHECK(s->dots[0] == sign_of(xy));
  return {*s, xy};
}

}  // namespace

TEST_CASE("Cramer signs: the filtered minor expansion never certifies a wrong sign (random, singular, huge, near-singular)") {
  std::mt19937_64 rng(31);
  int certified = 0, total = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const std::size_t r = trial % (kMaxCramerRows + 1), n = r + 1;
    const int kind = trial % 5;  // 0 small, 1 huge (~2^99), 2 rank-deficient, 3 near-singular, 4 float-like
    auto entry = [&]() -> Integer {
      if (kind == 1) {
        Integer z = Integer(static_cast<long>(rng() >> 2)) << 37;
        return (rng() & 1) ? z : Integer(-z);
      }
      if (kind == 4) return Integer(static_cast<long>(rng() >> 40) - (1L << 23)) << (rng() % 20);
      return Integer(static_cast<int>(rng() % 7) - 3);
    };
    std::vector<std::vector<Integer>> M(r + 2, std::vector<Integer>(n));
    for (auto& row : M)
      for (auto& v : row) v = entry();
    if (kind == 2 && r >= 2) M[1] = M[0];  // repeated row: every minor is 0
    if (kind == 3 && r >= 2)  // row 0 huge (62 significant bits, rounded by the conversion), row 1 = row 0 + small
      for (std::size_t c = 0; c < n; ++c) {
        M[0][c] = (Integer(static_cast<long>(rng() >> 2)) << 30) * ((rng() & 1) ? 1 : -1);
        M[1][c] = M[0][c] + M[r + 1][c];
      }
    INFO("trial " << trial << " kind " << kind);
    const auto [signs, xy] = check_cramer_signs(M, r, &certified);
    total += static_cast<int>(n);
    std::vector<std::vector<Rational>> full;
    std::vector<Rational> xrow;
    for (std::size_t c = 0; c < n; ++c) xrow.push_back(Rational(M[r][c]));
    full.push_back(xrow);
    for (std::size_t i = 0; i < r; ++i) {
      std::vector<Rational> row;
      for (std::size_t c = 0; c < n; ++c) row.push_back(Rational(M[i][c]));
      full.push_back(row);
    }
    CHECK(exact_det(full) == xy);  // x.y = det([x; R]) (so with x a row of R it is 0)
    if (kind == 2 && r >= 2) {
      for (Sign y : signs.y) CHECK(y == Sign::Zero);
      CHECK(signs.dots[0] == Sign::Zero);
    }
  }
  CHECK(certified > total / 2);  // the filter is useful on generic input
  // Beyond 2^100 a column is scaled by a power of two (no sign changes): certified, and right.
  const Integer big = Integer(1) << 101, one = 1;
  const auto scaled = cramer_signs({&big, &one}, 1, {});
  REQUIRE(scaled);
  CHECK(scaled->y[0] == Sign::Positive);  // y = (det [1], -det [2^101])
  CHECK(scaled->y[1] == Sign::Negative);
  // Out of range: a column whose entries span more than the scaled range is refused, not guessed.
  const Integer huge = Integer(1) << 200;
  CHECK_FALSE(cramer_signs({&huge, &one, &one, &one}, 1, {&one, &one}));
  // Columns of huge entries (2^100..2^160, a different size per column, as in deep nets' rows):
  // every certified sign is the exact one.
  int huge_certified = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t r = 1 + trial % kMaxCramerRows, n = r + 1;
    std::vector<int> shift(n);
    for (auto& e : shift) e = 100 + static_cast<int>(rng() % 61);
    std::vector<std::vector<Integer>> M(r + 1, std::vector<Integer>(n));
    for (auto& row : M)
      for (std::size_t c = 0; c < n; ++c) {
        const Integer z = Integer(static_cast<long>(rng() >> 40) - (1L << 23)) << shift[c];
        row[c] = z;
      }
    INFO("huge trial " << trial);
    (void)check_cramer_signs(M, r, &huge_certified);
  }
  CHECK(huge_certified > 300);
}

TEST_CASE("Cramer signs from the rows' inline doubles: the same signs as from the integers, and right") {
  // strict_lp's Motzkin check passes cramer_signs_from_doubles a row's approx_a() / approx_b()
  // instead of converting the entries: that is only sound if those doubles are bit for bit
  // to_double of the entries (the filter's error analysis), flipped rows included. Checked here
  // on small, float-like, huge (scaled columns) and out-of-range rows, with exact determinants.
  std::mt19937_64 rng(57);
  int certified = 0, compared = 0;
  for (int trial = 0; trial < 1200; ++trial) {
    const std::size_t r = trial % (kMaxCramerRows + 1), n = r + 1;
    const int kind = trial % 4;  // 0 small, 1 float-like, 2 huge (2^100..2^160), 3 mixed huge / small
    std::vector<int> shift(n);
    for (auto& e : shift) e = 100 + static_cast<int>(rng() % 61);
    auto entry = [&](std::size_t c) -> Integer {
      switch (kind) {
        case 0: return Integer(static_cast<int>(rng() % 7) - 3);
        case 1: return Integer(static_cast<long>(rng() >> 40) - (1L << 23)) << (rng() % 20);
        case 2: return Integer(static_cast<long>(rng() >> 40) - (1L << 23)) << shift[c];
        default: return (rng() & 1) ? Integer(Integer(static_cast<long>(rng() >> 2)) << 150) : Integer(static_cast<int>(rng() % 5) - 2);
      }
    };
    // r + 1 rows as halfspaces of dim n = r + 1: rows 0..r-1 are R, row r the extra x with its b
    // as a second extra row (b'); some rows flipped (negated approximations).
    std::vector<Halfspace> rows;
    while (rows.size() < r + 1) {
      std::vector<Integer> a(n);
      bool nonzero = false;
      for (std::size_t c = 0; c < n; ++c) {
        a[c] = entry(c);
        nonzero = nonzero || sgn(a[c]) != 0;
      }
      if (!nonzero) continue;
      Halfspace h = make_halfspace(std::move(a), entry(0), RowOrigin{});
      rows.push_back((rng() & 1) ? h.flipped() : h);
    }
    std::vector<const Integer*> R, extras;
    std::vector<double> Rd, X;
    // The inline doubles where rows have them (dim <= Halfspace::kApproxDim), else to_double,
    // as strict_lp's entry_double reads them.
    const bool inline_doubles = n <= Halfspace::kApproxDim;
    for (const Halfspace& h : rows) REQUIRE(h.approx_dim() == (inline_doubles ? n : 0));
    auto a_double = [&](const Halfspace& h, std::size_t c) { return inline_doubles ? h.approx_a()[c] : to_double(h.a()[c]); };
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t c = 0; c < n; ++c) {
        R.push_back(&rows[i].a()[c]);
        Rd.push_back(a_double(rows[i], c));
      }
    for (std::size_t c = 0; c < n; ++c) {
      extras.push_back(&rows[r].a()[c]);
      X.push_back(a_double(rows[r], c));
    }
    std::vector<Integer> bs(n);  // the rows' b as one more extra row (b' in strict_lp)
    for (std::size_t c = 0; c < n; ++c) {
      bs[c] = rows[c].b();
      extras.push_back(&bs[c]);
      X.push_back(inline_doubles ? rows[c].approx_b() : to_double(bs[c]));
    }
    const auto s = cramer_signs(R, r, extras);
    std::vector<Sign> y(n), dots(2);
    const bool ok = cramer_signs_from_doubles(Rd.data(), r, X.data(), 2, y.data(), dots.data());
    INFO("trial " << trial << " kind " << kind);
    REQUIRE(ok == s.has_value());
    if (!ok) continue;
    ++compared;
    CHECK(y == s->y);
    CHECK(dots == s->dots);
    // And against the exact values: y_c = (-1)^c det(R without c), x.y = det([x; R]).
    std::vector<Rational> yex(n);
    for (std::size_t c = 0; c < n; ++c) {
      std::vector<std::vector<Rational>> minor(r);
      for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < n; ++j)
          if (j != c) minor[i].push_back(Rational(rows[i].a()[j]));
      yex[c] = (c % 2 == 0 ? 1 : -1) * exact_det(minor);
      if (y[c] != Sign::Zero) {
        CHECK(y[c] == sign_of(yex[c]));
        ++certified;
      }
    }
    for (int t = 0; t < 2; ++t) {
      Rational dot = 0;
      for (std::size_t c = 0; c < n; ++c) dot += Rational(t == 0 ? rows[r].a()[c] : bs[c]) * yex[c];
      if (dots[t] != Sign::Zero) CHECK(dots[t] == sign_of(dot));
    }
  }
  CHECK(compared > 600);
  CHECK(certified > 1500);
}

TEST_CASE("rows share their data: copies are the same row, flips and new rows are not") {
  std::mt19937_64 rng(71);
  for (const Halfspace& h : random_rows(rng, 4, 30, 9)) {
    const Halfspace copy = h;  // one reference more, the same limbs
    CHECK(&copy.a() == &h.a());
    CHECK(copy == h);
    CHECK(copy.same_hyperplane_as(h));
    const Halfspace f = h.flipped();
    CHECK(&f.a() != &h.a());
    CHECK(f.same_hyperplane_as(h));
    CHECK(!(f == h));
    CHECK(f.origin.kind == h.origin.kind);
    CHECK(f.origin.index == h.origin.index);
    for (std::size_t j = 0; j < h.dim(); ++j) {
      CHECK(f.a()[j] == -h.a()[j]);  // the original is untouched by its flip
      CHECK(f.approx_a()[j] == -h.approx_a()[j]);
      CHECK(h.approx_a()[j] == to_double(h.a()[j]));
    }
    CHECK(f.b() == -h.b());
    // The 1-norm of the doubles, made once with them (the same for the flip).
    double norm1 = 0;
    for (std::size_t j = 0; j < h.dim(); ++j) norm1 += std::fabs(h.approx_a()[j]);
    CHECK(h.approx_norm1() == norm1);
    CHECK(f.approx_norm1() == norm1);
    CHECK(f.flipped() == h);  // equal by value, a different block
    CHECK(&f.flipped().a() != &h.a());
  }
  const Halfspace none;  // a placeholder: no normal, reads as empty
  CHECK(none.dim() == 0);
  CHECK(none.approx_dim() == 0);
  CHECK(none.b() == 0);
}

TEST_CASE("emptiness on a hyperplane by a given support: never claimed for a feasible system, found on true supports") {
  // Random small systems on a random hyperplane. Every support (a subset of at most dim rows) is
  // offered to empty_on_hyperplane_by_certificate: a claim of emptiness must hold for z3 (on the
  // support alone, hence on any system containing it), and an infeasible system must have a
  // support it proves (some subset of at most dim rows carries a Motzkin certificate; the
  // generic ones here have a one-dimensional null space on it).
  std::mt19937_64 rng(23);
  int claimed = 0, infeasible = 0, proven = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t dim = 2 + trial % 4;
    const auto all = random_rows(rng, dim, 2 + trial % 5, 3);
    const Halfspace h = random_rows(rng, dim, 1, 3)[0];
    std::vector<Halfspace> rows;
    for (const auto& r : all)
      if (!r.same_hyperplane_as(h)) rows.push_back(r);
    if (rows.empty()) continue;
    INFO("trial " << trial);
    const bool feasible = z3_feasible(rows, dim, &h);
    bool any = false;
    for (unsigned mask = 1; mask < (1u << rows.size()); ++mask) {
      std::vector<const Halfspace*> support;
      std::vector<Halfspace> sub;
      for (std::size_t i = 0; i < rows.size(); ++i)
        if (mask >> i & 1) {
          support.push_back(&rows[i]);
          sub.push_back(rows[i]);
        }
      if (support.size() > dim) continue;
      if (!empty_on_hyperplane_by_certificate(h, support, dim)) continue;
      ++claimed;
      any = true;
      CHECK_FALSE(z3_feasible(sub, dim, &h));
      CHECK_FALSE(feasible);
    }
    if (!feasible) {
      ++infeasible;
      proven += any ? 1 : 0;
    }
  }
  MESSAGE("support certificates: " << claimed << " claims, " << proven << " of " << infeasible << " infeasible systems proven");
  CHECK(infeasible > 50);
  CHECK(proven * 10 >= infeasible * 9);
}
