// The region complex against closed-form counts of hyperplane arrangements, plus structural
// invariants checked on every complex built here:
//   * each cell's point is strictly inside its rows, and f = gradient.x + offset there;
//   * no cell's point lies in another (closed) cell: interiors are disjoint;
//   * each adjacency: lower != upper, point on the facet hyperplane, strictly inside every
//     other row of both cells, lower/upper on the stated sides, the facet row present in both
//     cells (as is / flipped), listed in both cells' adjacency lists, one adjacency per pair;
//   * random sample points of the domain are covered by some closed cell whose affine piece
//     gives the forward-pass value.
// Counts computed independently: arrangements in general position (Zaslavsky), parallel
// families, pencils of lines through one point, and chords of a box.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "analysis/convexity.hpp"
#include "core/rational.hpp"
#include "geometry/halfspace.hpp"
#include "geometry/region_complex.hpp"
#include "support/exact.hpp"

using namespace relucert;
using namespace relucert::test;

namespace {


// p/q in canonical form (mpq_class(p, q) alone does not reduce, and GMP requires canonical operands).
Rational frac(long p, long qd) {
  Rational r(p, qd);
  r.canonicalize();
  return r;
}

std::size_t binom(std::size_t n, std::size_t k) {
  if (k > n) return 0;
  std::size_t r = 1;
  for (std::size_t i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

// An affine function a.x + c (one neuron's pre-activation).
struct Hyper {
  Vector a;
  Rational c;
};

// One hidden layer with the given neurons, output weights `v` (default all 1), output bias 0.
Network one_layer(std::size_t d, const std::vector<Hyper>& hs, std::vector<Rational> v = {}) {
  Layer L1;
  for (const auto& h : hs) {
    L1.W.push_back(h.a);
    L1.b.push_back(h.c);
  }
  if (v.empty()) v.assign(hs.size(), Rational(1));
  Layer L2;
  L2.W = {v};
  L2.b = {Rational(0)};
  L2.relu = false;
  return Network(d, {L1, L2});
}

bool in_closed(const Cell& c, const Vector& x) {
  for (const auto& r : c.rows)
    if (sgn(r.slack(x)) < 0) return false;
  return true;
}

std::vector<Vector> sample_points(const Domain& dom, std::size_t count, std::mt19937_64& rng) {
  std::vector<Vector> out;
  std::uniform_int_distribution<int> num(0, 1000);
  for (std::size_t k = 0; k < count; ++k) {
    Vector p(dom.dim);
    for (std::size_t i = 0; i < dom.dim; ++i) {
      const Rational t = frac(num(rng), 1000);  // in [0, 1]
      if (dom.is_box) p[i] = dom.lo[i] + (dom.hi[i] - dom.lo[i]) * t;
      else p[i] = Rational(-12) + 24 * t;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// `within`: the build's polytope (build_region_complex_in), when the cells cover only it.
void check_invariants(const Network& net, const RegionComplex& cx, std::uint64_t seed = 7, const std::vector<Halfspace>* within = nullptr) {
  REQUIRE(cx.status == BuildStatus::Complete);
  const std::size_t n = cx.cells.size();
  REQUIRE(n >= 1);
  for (std::size_t i = 0; i < n; ++i) {
    const Cell& c = cx.cells[i];
    CAPTURE(i);
    CHECK(strictly_inside(c.rows, c.point));
    CHECK(cx.domain.contains(c.point));
    CHECK(dot(c.gradient, c.point) + c.offset == net.value(c.point));
    CHECK(c.pattern.size() == net.relu_count());
    for (std::size_t e : c.adjacencies) {
      REQUIRE(e < cx.adjacencies.size());
      CHECK((cx.adjacencies[e].lower == i || cx.adjacencies[e].upper == i));
    }
    std::set<std::size_t> uniq(c.adjacencies.begin(), c.adjacencies.end());
    CHECK(uniq.size() == c.adjacencies.size());
    for (std::size_t j = 0; j < n; ++j)
      if (j != i) CHECK_MESSAGE(!in_closed(cx.cells[j], c.point), "cell ", i, "'s point lies in cell ", j);
  }
  std::size_t listed = 0;
  for (const Cell& c : cx.cells) listed += c.adjacencies.size();
  CHECK(listed == 2 * cx.adjacencies.size());

  std::set<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t e = 0; e < cx.adjacencies.size(); ++e) {
    const Adjacency& adj = cx.adjacencies[e];
    CAPTURE(e);
    REQUIRE(adj.lower < n);
    REQUIRE(adj.upper < n);
    CHECK(adj.lower != adj.upper);
    CHECK(pairs.insert({std::min(adj.lower, adj.upper), std::max(adj.lower, adj.upper)}).second);
    const Cell& lo = cx.cells[adj.lower];
    const Cell& up = cx.cells[adj.upper];
    CHECK(sgn(adj.facet.slack(adj.point)) == 0);
    CHECK(cx.domain.contains(adj.point));
    for (const Cell* c : {&lo, &up})
      for (const auto& r : c->rows)
        if (!r.same_hyperplane_as(adj.facet)) CHECK_MESSAGE(sgn(r.slack(adj.point)) > 0, "row ", r.to_string());
    CHECK(sgn(adj.facet.slack(lo.point)) > 0);
    CHECK(sgn(adj.facet.slack(up.point)) < 0);
    CHECK(std::find(lo.rows.begin(), lo.rows.end(), adj.facet) != lo.rows.end());
    CHECK(std::find(up.rows.begin(), up.rows.end(), adj.facet.flipped()) != up.rows.end());
    CHECK(std::count(lo.adjacencies.begin(), lo.adjacencies.end(), e) == 1);
    CHECK(std::count(up.adjacencies.begin(), up.adjacencies.end(), e) == 1);
    // Continuity across the shared piece.
    CHECK(dot(lo.gradient, adj.point) + lo.offset == dot(up.gradient, adj.point) + up.offset);
    CHECK(dot(lo.gradient, adj.point) + lo.offset == net.value(adj.point));
  }
  // Coverage: sample points lie in some closed cell, and every closed cell containing one
  // gives the forward-pass value there.
  std::mt19937_64 rng(seed);
  for (const Vector& p : sample_points(cx.domain, 60, rng)) {
    if (within && !strictly_inside(*within, p)) continue;
    std::size_t found = 0;
    for (const Cell& c : cx.cells)
      if (in_closed(c, p)) {
        ++found;
        CHECK(dot(c.gradient, p) + c.offset == net.value(p));
      }
    CHECK_MESSAGE(found >= 1, "uncovered point ", to_string(p));
  }
}

RegionComplex build_checked(const Network& net, const Domain& dom) {
  RegionComplex cx = build_region_complex(net, dom);
  check_invariants(net, cx);
  return cx;
}

// --- random arrangements, verified to be in general position here ---

// n lines in R^2, pairwise non-parallel, no three through one point, integer data.
std::vector<Hyper> general_lines(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> coef(-6, 6), off(-8, 8);
  for (;;) {
    std::vector<Hyper> hs;
    for (std::size_t i = 0; i < n; ++i) hs.push_back({Vector{Rational(coef(rng)), Rational(coef(rng))}, Rational(off(rng))});
    bool ok = true;
    for (const auto& h : hs)
      if (is_zero(h.a)) ok = false;
    for (std::size_t i = 0; ok && i < n; ++i)
      for (std::size_t j = i + 1; ok && j < n; ++j) {
        const Rational det = hs[i].a[0] * hs[j].a[1] - hs[i].a[1] * hs[j].a[0];
        if (sgn(det) == 0) { ok = false; break; }
        // Intersection of a.x = -c for i and j (Cramer).
        const Rational x = (-hs[i].c * hs[j].a[1] + hs[j].c * hs[i].a[1]) / det;
        const Rational y = (-hs[i].a[0] * hs[j].c + hs[j].a[0] * hs[i].c) / det;
        CHECK(hs[i].a[0] * x + hs[i].a[1] * y + hs[i].c == 0);
        CHECK(hs[j].a[0] * x + hs[j].a[1] * y + hs[j].c == 0);
        for (std::size_t k = 0; k < n; ++k)
          if (k != i && k != j && sgn(hs[k].a[0] * x + hs[k].a[1] * y + hs[k].c) == 0) ok = false;
      }
    if (ok) return hs;
  }
}

Rational det3(const Vector& a, const Vector& b, const Vector& c) {
  return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
}

// n planes in R^3: every three normals independent, no four through one point.
std::vector<Hyper> general_planes(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> coef(-4, 4), off(-6, 6);
  for (;;) {
    std::vector<Hyper> hs;
    for (std::size_t i = 0; i < n; ++i)
      hs.push_back({Vector{Rational(coef(rng)), Rational(coef(rng)), Rational(coef(rng))}, Rational(off(rng))});
    bool ok = true;
    for (const auto& h : hs)
      if (is_zero(h.a)) ok = false;
    for (std::size_t i = 0; ok && i < n; ++i)
      for (std::size_t j = i + 1; ok && j < n; ++j) {
        // Pairs must not be parallel (also implied by the triple test when n >= 3).
        const Vector& a = hs[i].a;
        const Vector& b = hs[j].a;
        if (sgn(a[1] * b[2] - a[2] * b[1]) == 0 && sgn(a[0] * b[2] - a[2] * b[0]) == 0 && sgn(a[0] * b[1] - a[1] * b[0]) == 0) ok = false;
        for (std::size_t k = j + 1; ok && k < n; ++k) {
          const Vector& c = hs[k].a;
          const Rational D = det3(a, b, c);
          if (sgn(D) == 0) { ok = false; break; }
          const Vector rhs{-hs[i].c, -hs[j].c, -hs[k].c};
          // Cramer: replace columns.
          auto col = [&](std::size_t m) -> Rational {
            Vector r0 = a, r1 = b, r2 = c;
            r0[m] = rhs[0];
            r1[m] = rhs[1];
            r2[m] = rhs[2];
            return det3(r0, r1, r2) / D;
          };
          const Vector p{col(0), col(1), col(2)};
          CHECK(dot(a, p) + hs[i].c == 0);
          CHECK(dot(b, p) + hs[j].c == 0);
          CHECK(dot(c, p) + hs[k].c == 0);
          for (std::size_t m = 0; m < n; ++m)
            if (m != i && m != j && m != k && sgn(dot(hs[m].a, p) + hs[m].c) == 0) ok = false;
        }
      }
    if (ok) return hs;
  }
}

}  // namespace

TEST_CASE("R^1: n distinct breakpoints give n+1 cells and n adjacent pairs") {
  std::mt19937_64 rng(11);
  for (std::size_t n = 0; n <= 8; ++n) {
    // Breakpoints -c/a with distinct values; mix orientations (sign of a).
    std::vector<Hyper> hs;
    std::set<Rational> seen;
    std::uniform_int_distribution<int> num(-20, 20), den(1, 4), sgnd(0, 1);
    while (hs.size() < std::max<std::size_t>(n, 1)) {
      const Rational bp = frac(num(rng), den(rng));
      if (!seen.insert(bp).second) continue;
      const Rational a = sgnd(rng) ? Rational(den(rng)) : Rational(-den(rng));
      hs.push_back({Vector{a}, -a * bp});
    }
    CAPTURE(n);
    if (n == 0) {
      // A single neuron with zero weight: no breakpoint at all.
      const Network f = one_layer(1, {Hyper{Vector{Rational(0)}, Rational(3)}});
      const auto cx = build_checked(f, Domain::whole_space(1));
      CHECK(cx.cells.size() == 1);
      CHECK(cx.adjacencies.empty());
      continue;
    }
    const Network f = one_layer(1, hs);
    const auto cx = build_checked(f, Domain::whole_space(1));
    CHECK(cx.cells.size() == n + 1);
    CHECK(cx.adjacencies.size() == n);
  }
}

TEST_CASE("R^1 box: only breakpoints strictly inside split") {
  // Breakpoints -3, -1, -1/2, 0, 1/2, 1, 2 on [-1, 1]: inside strictly -1/2, 0, 1/2.
  std::vector<Hyper> hs;
  for (const char* bp : {"-3", "-1", "-1/2", "0", "1/2", "1", "2"}) hs.push_back({Vector{Rational(1)}, -q(bp)});
  const Network f = one_layer(1, hs);
  const auto cx = build_checked(f, Domain::box({Rational(-1)}, {Rational(1)}));
  CHECK(cx.cells.size() == 4);
  CHECK(cx.adjacencies.size() == 3);
  const auto whole = build_checked(f, Domain::whole_space(1));
  CHECK(whole.cells.size() == 8);
  CHECK(whole.adjacencies.size() == 7);
}

TEST_CASE("R^2: n lines in general position give 1 + n + n(n-1)/2 cells and n^2 adjacencies") {
  std::mt19937_64 rng(2024);
  for (std::size_t n = 1; n <= 8; ++n)
    for (int rep = 0; rep < 2; ++rep) {
      const auto hs = general_lines(n, rng);
      CAPTURE(n);
      CAPTURE(rep);
      const Network f = one_layer(2, hs);
      const auto cx = build_checked(f, Domain::whole_space(2));
      CHECK(cx.cells.size() == 1 + n + n * (n - 1) / 2);
      // Each line is cut by the n - 1 others into n edges; none lies on a domain boundary.
      CHECK(cx.adjacencies.size() == n * n);
      // Output weights all 1: convex; every cell is its own affine piece (distinct patterns, all slopes differ).
      CHECK(cx.distinct_affine_pieces() == cx.cells.size());
    }
}

TEST_CASE("R^2: parallel lines, pencils through a point, and grids") {
  // n parallel lines (some with opposite orientation): n + 1 cells, n adjacencies, no vertices.
  for (std::size_t n = 1; n <= 7; ++n) {
    std::vector<Hyper> hs;
    for (std::size_t i = 0; i < n; ++i) {
      const Rational s = (i % 2) ? Rational(-2) : Rational(1);
      hs.push_back({Vector{s * 1, s * 3}, s * frac(static_cast<long>(i) * 5 - 7, 3)});  // x1 + 3 x2 = (7 - 5i)/3
    }
    CAPTURE(n);
    const auto cx = build_checked(one_layer(2, hs), Domain::whole_space(2));
    CHECK(cx.cells.size() == n + 1);
    CHECK(cx.adjacencies.size() == n);
  }
  // k distinct lines through (3, -2): 2k cells, 2k adjacencies (each line split into two rays).
  const std::vector<Vector> dirs = {{Rational(1), Rational(0)},  {Rational(0), Rational(1)},  {Rational(1), Rational(1)},
                                    {Rational(1), Rational(-1)}, {Rational(2), Rational(1)},  {Rational(1), Rational(-3)},
                                    {Rational(5), Rational(2)}};
  for (std::size_t k = 1; k <= dirs.size(); ++k) {
    std::vector<Hyper> hs;
    const Vector p{Rational(3), Rational(-2)};
    for (std::size_t i = 0; i < k; ++i) hs.push_back({dirs[i], -dot(dirs[i], p)});
    CAPTURE(k);
    const auto cx = build_checked(one_layer(2, hs), Domain::whole_space(2));
    CHECK(cx.cells.size() == (k == 1 ? 2 : 2 * k));
    CHECK(cx.adjacencies.size() == (k == 1 ? 1 : 2 * k));
  }
  // Grid: m lines x1 = i and k lines x2 = j: (m+1)(k+1) cells, m(k+1) + k(m+1) adjacencies.
  for (std::size_t m = 1; m <= 4; ++m)
    for (std::size_t k = 0; k <= 3; ++k) {
      std::vector<Hyper> hs;
      for (std::size_t i = 0; i < m; ++i) hs.push_back({Vector{Rational(1), Rational(0)}, -Rational(static_cast<long>(i))});
      for (std::size_t j = 0; j < k; ++j) hs.push_back({Vector{Rational(0), Rational(-1)}, Rational(static_cast<long>(j) * 2)});
      CAPTURE(m);
      CAPTURE(k);
      const auto cx = build_checked(one_layer(2, hs), Domain::whole_space(2));
      CHECK(cx.cells.size() == (m + 1) * (k + 1));
      CHECK(cx.adjacencies.size() == m * (k + 1) + k * (m + 1));
    }
}

TEST_CASE("R^3: n planes in general position give 1 + n + C(n,2) + C(n,3) cells") {
  std::mt19937_64 rng(77);
  for (std::size_t n = 1; n <= 6; ++n) {
    const auto hs = general_planes(n, rng);
    CAPTURE(n);
    const auto cx = build_checked(one_layer(3, hs), Domain::whole_space(3));
    CHECK(cx.cells.size() == 1 + n + binom(n, 2) + binom(n, 3));
    // 2-faces: each plane carries a general-position arrangement of n - 1 lines.
    CHECK(cx.adjacencies.size() == n * (1 + (n - 1) + binom(n - 1, 2)));
  }
  // Planes through one line (the x3-axis): a pencil of k planes gives 2k cells and 2k adjacencies.
  const std::vector<Hyper> pencil = {{{Rational(1), Rational(0), Rational(0)}, Rational(0)},
                                     {{Rational(0), Rational(1), Rational(0)}, Rational(0)},
                                     {{Rational(1), Rational(1), Rational(0)}, Rational(0)},
                                     {{Rational(1), Rational(-2), Rational(0)}, Rational(0)}};
  const auto cx = build_checked(one_layer(3, pencil), Domain::whole_space(3));
  CHECK(cx.cells.size() == 8);
  CHECK(cx.adjacencies.size() == 8);
  // The three coordinate planes: 8 octants, 12 quarter-plane adjacencies.
  const std::vector<Hyper> coord = {{{Rational(1), Rational(0), Rational(0)}, Rational(0)},
                                    {{Rational(0), Rational(1), Rational(0)}, Rational(0)},
                                    {{Rational(0), Rational(0), Rational(1)}, Rational(0)}};
  for (const Domain& dom : {Domain::whole_space(3), Domain::box(Vector(3, Rational(-1)), Vector(3, Rational(1)))}) {
    const auto c3 = build_checked(one_layer(3, coord), dom);
    CHECK(c3.cells.size() == 8);
    CHECK(c3.adjacencies.size() == 12);
  }
}

TEST_CASE("box clipping: counts by hand") {
  const Domain sq = Domain::box(Vector(2, Rational(-1)), Vector(2, Rational(1)));
  // x1 = 0 and x2 = 0 in [-1,1]^2: 4 cells, 4 adjacencies.
  std::vector<Hyper> hs = {{{Rational(1), Rational(0)}, Rational(0)}, {{Rational(0), Rational(1)}, Rational(0)}};
  auto cx = build_checked(one_layer(2, hs), sq);
  CHECK(cx.cells.size() == 4);
  CHECK(cx.adjacencies.size() == 4);
  // + x1 = 5 (misses the box) and x2 = 1 (on the boundary): unchanged.
  hs.push_back({{Rational(1), Rational(0)}, Rational(-5)});
  hs.push_back({{Rational(0), Rational(1)}, Rational(-1)});
  cx = build_checked(one_layer(2, hs), sq);
  CHECK(cx.cells.size() == 4);
  CHECK(cx.adjacencies.size() == 4);
  // + x1 + x2 = 3/2: cuts the corner near (1,1), crossing neither axis inside: 5 cells, 5 adjacencies.
  hs.push_back({{Rational(1), Rational(1)}, Rational(-3, 2)});
  cx = build_checked(one_layer(2, hs), sq);
  CHECK(cx.cells.size() == 5);
  CHECK(cx.adjacencies.size() == 5);
  // + x1 + x2 = 2: touches the corner (1,1) only: unchanged.
  hs.push_back({{Rational(1), Rational(1)}, Rational(-2)});
  cx = build_checked(one_layer(2, hs), sq);
  CHECK(cx.cells.size() == 5);
  CHECK(cx.adjacencies.size() == 5);
  // + x1 - x2 = 0 (the diagonal through the origin, where x1 = 0 and x2 = 0 already meet):
  // splits each of the 3 cells it crosses (two quadrants and ... ) -> count: the diagonal goes from
  // (-1,-1) to (1,1); it crosses quadrant III, quadrant I below the corner chord, and the corner cell
  // (x1 + x2 > 3/2 contains points of the diagonal near (1,1)): 5 + 3 = 8 cells.
  // Adjacencies: diagonal pieces 3 (origin and (3/4,3/4) split it), and the corner chord is split at
  // (3/4,3/4) into 2 pieces (+1): 5 + 3 + 1 = 9.
  hs.push_back({{Rational(1), Rational(-1)}, Rational(0)});
  cx = build_checked(one_layer(2, hs), sq);
  CHECK(cx.cells.size() == 8);
  CHECK(cx.adjacencies.size() == 9);
}

TEST_CASE("box clipping: random lines, chords and interior crossings counted exactly") {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> coef(-5, 5), off(-7, 7);
  const Vector lo{Rational(-3, 2), Rational(-1)}, hi{Rational(5, 2), Rational(2)};
  const Domain dom = Domain::box(lo, hi);
  const std::vector<Vector> corners = {{lo[0], lo[1]}, {lo[0], hi[1]}, {hi[0], lo[1]}, {hi[0], hi[1]}};
  int done = 0;
  while (done < 12) {
    const std::size_t n = 2 + static_cast<std::size_t>(done % 6);
    std::vector<Hyper> hs;
    for (std::size_t i = 0; i < n; ++i) hs.push_back({Vector{Rational(coef(rng)), Rational(coef(rng))}, Rational(off(rng))});
    bool ok = true;
    for (const auto& h : hs)
      if (is_zero(h.a)) ok = false;
    // Distinct lines (no two equal up to a nonzero factor).
    for (std::size_t i = 0; ok && i < n; ++i)
      for (std::size_t j = i + 1; ok && j < n; ++j) {
        const auto& A = hs[i];
        const auto& B = hs[j];
        if (sgn(A.a[0] * B.a[1] - A.a[1] * B.a[0]) == 0 && sgn(A.a[0] * B.c - A.c * B.a[0]) == 0 &&
            sgn(A.a[1] * B.c - A.c * B.a[1]) == 0)
          ok = false;
      }
    if (!ok) continue;
    // Chords: lines meeting the open box (strict sign change over the corners).
    std::vector<bool> chord(n);
    std::size_t L = 0;
    for (std::size_t i = 0; i < n; ++i) {
      bool neg = false, pos = false;
      for (const auto& c : corners) {
        const int s = sgn(dot(hs[i].a, c) + hs[i].c);
        neg |= s < 0;
        pos |= s > 0;
      }
      chord[i] = neg && pos;
      L += chord[i];
    }
    // Interior crossings of chords; reject triple points inside.
    std::size_t I = 0;
    std::vector<Vector> crossings;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        if (!chord[i] || !chord[j]) continue;
        const Rational det = hs[i].a[0] * hs[j].a[1] - hs[i].a[1] * hs[j].a[0];
        if (sgn(det) == 0) continue;  // parallel
        const Vector p{(-hs[i].c * hs[j].a[1] + hs[j].c * hs[i].a[1]) / det, (-hs[i].a[0] * hs[j].c + hs[j].a[0] * hs[i].c) / det};
        if (!(lo[0] < p[0] && p[0] < hi[0] && lo[1] < p[1] && p[1] < hi[1])) continue;
        for (std::size_t k = 0; k < n; ++k)
          if (k != i && k != j && chord[k] && sgn(dot(hs[k].a, p) + hs[k].c) == 0) ok = false;
        ++I;
      }
    if (!ok) continue;
    CAPTURE(n);
    CAPTURE(L);
    CAPTURE(I);
    const auto cx = build_checked(one_layer(2, hs), dom);
    CHECK(cx.cells.size() == 1 + L + I);
    CHECK(cx.adjacencies.size() == L + 2 * I);
    ++done;
  }
}

TEST_CASE("distinct affine pieces with duplicated neurons") {
  const Vector e1{Rational(1), Rational(0)}, e2{Rational(0), Rational(1)};
  // relu(x1) + relu(x1) + relu(x2): 4 cells, 4 pieces.
  auto cx = build_checked(one_layer(2, {{e1, 0}, {e1, 0}, {e2, 0}}), Domain::whole_space(2));
  CHECK(cx.cells.size() == 4);
  CHECK(cx.adjacencies.size() == 4);
  CHECK(cx.distinct_affine_pieces() == 4);
  // relu(x1) - relu(x1) + relu(x2) = relu(x2): 4 cells, 2 pieces.
  cx = build_checked(one_layer(2, {{e1, 0}, {e1, 0}, {e2, 0}}, {Rational(1), Rational(-1), Rational(1)}), Domain::whole_space(2));
  CHECK(cx.cells.size() == 4);
  CHECK(cx.distinct_affine_pieces() == 2);
  // relu(2 x1) - 2 relu(x1) + relu(x2): same.
  cx = build_checked(one_layer(2, {{scale(Rational(2), e1), 0}, {e1, 0}, {e2, 0}}, {Rational(1), Rational(-2), Rational(1)}),
                     Domain::whole_space(2));
  CHECK(cx.cells.size() == 4);
  CHECK(cx.distinct_affine_pieces() == 2);
  // relu(x) - relu(-x) = x in R^1: 2 cells, 1 piece.
  cx = build_checked(one_layer(1, {{Vector{Rational(1)}, 0}, {Vector{Rational(-1)}, 0}}, {Rational(1), Rational(-1)}), Domain::whole_space(1));
  CHECK(cx.cells.size() == 2);
  CHECK(cx.adjacencies.size() == 1);
  CHECK(cx.distinct_affine_pieces() == 1);
  // All-zero net: 1 cell, no adjacency, 1 piece.
  cx = build_checked(one_layer(2, {{Vector{Rational(0), Rational(0)}, 0}}, {Rational(0)}), Domain::whole_space(2));
  CHECK(cx.cells.size() == 1);
  CHECK(cx.adjacencies.empty());
  CHECK(cx.distinct_affine_pieces() == 1);
}

TEST_CASE("two layers: a bent layer-2 line, counted by hand") {
  // L1: a1 = relu(x1), a2 = relu(x2).  L2: z = a1 + a2 - 1, f = relu(z).
  // Zero set of z: the ray x1 = 1 (x2 < 0), the segment x1 + x2 = 1 in the first quadrant, the
  // ray x2 = 1 (x1 < 0); the third quadrant (z = -1) is not split.  Cells: 4 quadrants, three of
  // them split once: 7.  Edges: the positive x1- and x2-rays are cut at (1,0) and (0,1) (2 + 2),
  // the negative rays are whole (1 + 1), and the three pieces of the bent line (3): 9.
  // Euler: V - E + F = 3 - 9 + 7 = 1.
  Layer L1, L2, L3;
  L1.W = {{Rational(1), Rational(0)}, {Rational(0), Rational(1)}};
  L1.b = {Rational(0), Rational(0)};
  L2.W = {{Rational(1), Rational(1)}};
  L2.b = {Rational(-1)};
  L3.W = {{Rational(1)}};
  L3.b = {Rational(0)};
  L3.relu = false;
  const Network f(2, {L1, L2, L3});
  const auto cx = build_checked(f, Domain::whole_space(2));
  CHECK(cx.cells.size() == 7);
  CHECK(cx.adjacencies.size() == 9);
  // Pieces: 0 on the four cells with z < 0; x1 - 1, x1 + x2 - 1, x2 - 1 on the other three.
  CHECK(cx.distinct_affine_pieces() == 4);
  // On [-1/2, 2]^2 everything above is visible: same counts.
  const auto bx = build_checked(f, Domain::box(Vector(2, Rational(-1, 2)), Vector(2, Rational(2))));
  CHECK(bx.cells.size() == 7);
  CHECK(bx.adjacencies.size() == 9);
  // On [-1, 1/2]^2 the bent line is outside: 4 quadrants, 4 adjacencies, one piece (f = 0).
  const auto small = build_checked(f, Domain::box(Vector(2, Rational(-1)), Vector(2, Rational(1, 2))));
  CHECK(small.cells.size() == 4);
  CHECK(small.adjacencies.size() == 4);
  CHECK(small.distinct_affine_pieces() == 1);
}

TEST_CASE("pre-activation identically zero: relu(relu(x) - relu(x)) keeps sign 0 and does not split") {
  Layer L1;
  L1.W = {{Rational(1)}, {Rational(1)}};
  L1.b = {Rational(0), Rational(0)};
  Layer L2;
  L2.W = {{Rational(1), Rational(-1)}};
  L2.b = {Rational(0)};
  Layer L3;
  L3.W = {{Rational(-1)}};
  L3.b = {Rational(0)};
  L3.relu = false;
  const Network f(1, {L1, L2, L3});
  const auto cx = build_checked(f, Domain::whole_space(1));
  CHECK(cx.cells.size() == 2);
  CHECK(cx.adjacencies.size() == 1);
  CHECK(cx.distinct_affine_pieces() == 1);
  std::set<std::string> patterns;
  for (const auto& c : cx.cells) patterns.insert(cx.pattern_string(c));
  CHECK(patterns == std::set<std::string>{"++0", "--0"});
}

TEST_CASE("random two-layer nets: invariants in d = 2 and 3, region complex agrees with the refuter") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> w(-3, 3);
  for (int rep = 0; rep < 10; ++rep) {
    const std::size_t d = rep < 6 ? 2 : 3;
    const std::size_t n1 = d == 2 ? 4 : 3, n2 = 2;
    Layer L1, L2, L3;
    for (std::size_t i = 0; i < n1; ++i) {
      Vector r;
      for (std::size_t j = 0; j < d; ++j) r.push_back(Rational(w(rng)));
      L1.W.push_back(r);
      L1.b.push_back(frac(w(rng), 2));
    }
    for (std::size_t i = 0; i < n2; ++i) {
      Vector r;
      for (std::size_t j = 0; j < n1; ++j) r.push_back(Rational(w(rng)));
      L2.W.push_back(r);
      L2.b.push_back(frac(w(rng), 3));
    }
    L3.W = {{Rational(w(rng)), Rational(w(rng))}};
    L3.b = {Rational(0)};
    L3.relu = false;
    const Network f(d, {L1, L2, L3});
    CAPTURE(rep);
    for (const Domain& dom : {Domain::whole_space(d), Domain::box(Vector(d, Rational(-2)), Vector(d, Rational(3, 2)))}) {
      const auto cx = build_region_complex(f, dom);
      check_invariants(f, cx, 100 + rep);
      CheckOptions only_complex;
      only_complex.refuter_lines = 0;
      only_complex.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
      const CheckResult exact = check_convexity(f, dom, only_complex);
      const CheckResult dflt = check_convexity(f, dom);
      CHECK(exact.verdict != Verdict::Unknown);
      CHECK(std::string(verdict_name(exact.verdict)) == std::string(verdict_name(dflt.verdict)));
      CHECK(exact.cells == cx.cells.size());
      CHECK(exact.pairs == cx.adjacencies.size());
      CHECK(exact.pieces == cx.distinct_affine_pieces());
      for (const CheckResult* r : {&exact, &dflt})
        if (r->verdict == Verdict::NotConvex) {
          REQUIRE(r->witness.has_value());
          CHECK(verify_witness(f, dom, *r->witness));
        }
    }
  }
}

TEST_CASE("limits: max_cells gives CellLimit and an unknown verdict; time limit likewise") {
  std::mt19937_64 rng(31);
  const auto hs = general_lines(8, rng);  // 37 cells on R^2
  const Network f = one_layer(2, hs);     // convex (all output weights 1): the refuter cannot decide it
  const Domain dom = Domain::whole_space(2);
  const std::size_t full = build_region_complex(f, dom).cells.size();
  REQUIRE(full == 37);

  BuildLimits small;
  small.max_cells = 5;
  const auto cut = build_region_complex(f, dom, small);
  CHECK(cut.status == BuildStatus::CellLimit);

  BuildLimits exact;
  exact.max_cells = full;
  const auto ok = build_region_complex(f, dom, exact);
  CHECK(ok.status == BuildStatus::Complete);
  CHECK(ok.cells.size() == full);

  // One below the true count must not report a complete complex with more cells than allowed.
  BuildLimits tight;
  tight.max_cells = full - 1;
  const auto t = build_region_complex(f, dom, tight);
  CHECK(t.status == BuildStatus::CellLimit);
  if (t.status == BuildStatus::Complete) CHECK(t.cells.size() <= tight.max_cells);

  for (std::size_t lines : {std::size_t(0), std::size_t(64)}) {
    CheckOptions opt;
    opt.refuter_lines = lines;
    opt.method = tiers::Method::RegionComplex;  // the build limits are under test
    opt.limits.max_cells = 5;
    const CheckResult r = check_convexity(f, dom, opt);
    CHECK(r.verdict == Verdict::Unknown);
    CHECK(!r.unknown_reason.empty());
    CHECK(!r.witness.has_value());
  }

  BuildLimits instant;
  instant.time_limit_seconds = 1e-9;
  CHECK(build_region_complex(f, dom, instant).status == BuildStatus::TimeLimit);
  CheckOptions opt;
  opt.refuter_lines = 0;
  opt.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
  opt.limits.time_limit_seconds = 1e-9;
  CHECK(check_convexity(f, dom, opt).verdict == Verdict::Unknown);
}

TEST_CASE("limits: a complex reported complete never has more cells than max_cells") {
  // Sweep every max_cells below the true count on small arrangements (R^1 single breakpoint,
  // lines in R^2): the build must stop with CellLimit rather than return a complete complex
  // that exceeds the limit.
  std::mt19937_64 rng(404);
  std::vector<std::pair<Network, Domain>> cases;
  cases.emplace_back(one_layer(1, {{Vector{Rational(1)}, Rational(0)}}), Domain::whole_space(1));
  cases.emplace_back(one_layer(1, {{Vector{Rational(1)}, Rational(0)}, {Vector{Rational(1)}, Rational(-1)}}), Domain::whole_space(1));
  for (std::size_t n = 2; n <= 5; ++n) cases.emplace_back(one_layer(2, general_lines(n, rng)), Domain::whole_space(2));
  for (const auto& [f, dom] : cases) {
    const std::size_t full = build_region_complex(f, dom).cells.size();
    for (std::size_t m = 1; m < full; ++m) {
      BuildLimits lim;
      lim.max_cells = m;
      const auto cx = build_region_complex(f, dom, lim);
      CAPTURE(full);
      CAPTURE(m);
      CHECK(cx.status == BuildStatus::CellLimit);
      if (cx.status == BuildStatus::Complete) CHECK(cx.cells.size() <= m);
    }
  }
}

TEST_CASE("skip terms from earlier layers: residual nets build, agree with the forward pass, and bend where they should") {
  // h1 = relu(x), h2 = relu(x - 1), h3 = relu(h2 - 2 + h1)   (h1 reaches layer 3 by a skip),
  // f = h3 - h1/2 on R^1. Breakpoints: x = 0, x = 1 and where h2 + h1 = 2, i.e. 2x - 1 = 2: x = 3/2.
  Layer l1{matrix({{"1"}}), vec({"0"}), {}, true, {}};
  Layer l2{matrix({{"1"}}), vec({"-1"}), {}, true, {}};
  Layer l3{matrix({{"1"}}), vec({"-2"}), {}, true, {LayerSkip{1, matrix({{"1"}})}}};
  Layer out{matrix({{"1"}}), vec({"0"}), {}, false, {LayerSkip{1, matrix({{"-1/2"}})}}};
  const Network net(1, {l1, l2, l3, out});
  CHECK(net.has_layer_skips());
  CHECK(net.value(vec({"2"})) == q("0"));  // h1 = 2, h2 = 1, h3 = relu(1 - 2 + 2) = 1: f = 1 - 1
  const RegionComplex rc = build_region_complex(net, Domain::whole_space(1));
  REQUIRE(rc.status == BuildStatus::Complete);
  CHECK(rc.cells.size() == 4);  // the builder checks every piece against the forward pass
  std::set<Rational> slopes;
  for (const Cell& c : rc.cells) slopes.insert(c.gradient[0]);
  // slopes: x<0: 0; 0<x<1: -1/2; 1<x<3/2: -1/2; x>3/2: 2 - 1/2 = 3/2
  CHECK(slopes == std::set<Rational>{q("0"), q("-1/2"), q("3/2")});
  // A skip from a later or the same layer is refused.
  Layer bad{matrix({{"1"}}), vec({"0"}), {}, true, {LayerSkip{2, matrix({{"1"}})}}};
  CHECK_THROWS_AS(Network(1, {l1, bad}), std::invalid_argument);
}

TEST_CASE("threads: the complex (cells, rows, points, patterns, pairs, order) is identical for 1, 2 and 3 threads") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> w(-4, 4);
  for (int rep = 0; rep < 3; ++rep) {
    const std::size_t d = 3, n1 = 6, n2 = 4;
    Layer L1, L2, L3;
    for (std::size_t i = 0; i < n1; ++i) {
      Vector r;
      for (std::size_t j = 0; j < d; ++j) r.push_back(frac(w(rng), 3));
      L1.W.push_back(r);
      L1.b.push_back(frac(w(rng), 2));
    }
    for (std::size_t i = 0; i < n2; ++i) {
      Vector r;
      for (std::size_t j = 0; j < n1; ++j) r.push_back(frac(w(rng), 5));
      L2.W.push_back(r);
      L2.b.push_back(frac(w(rng), 7));
    }
    L3.W = {Vector(n2, Rational(1))};
    L3.b = {Rational(0)};
    L3.relu = false;
    const Network f(d, {L1, L2, L3});
    const Domain dom = Domain::box(Vector(d, Rational(-3)), Vector(d, Rational(3)));
    CAPTURE(rep);
    BuildLimits one;
    const RegionComplex ref = build_region_complex(f, dom, one);
    REQUIRE(ref.status == BuildStatus::Complete);
    CHECK(ref.cells.size() > 20);
    for (unsigned t : {2u, 3u}) {
      BuildLimits lim;
      lim.threads = t;
      const RegionComplex cx = build_region_complex(f, dom, lim);
      CAPTURE(t);
      REQUIRE(cx.cells.size() == ref.cells.size());
      REQUIRE(cx.adjacencies.size() == ref.adjacencies.size());
      for (std::size_t i = 0; i < cx.cells.size(); ++i) {
        CHECK(cx.cells[i].rows == ref.cells[i].rows);
        CHECK(cx.cells[i].point == ref.cells[i].point);
        CHECK(cx.cells[i].pattern == ref.cells[i].pattern);
        CHECK(cx.cells[i].gradient == ref.cells[i].gradient);
        CHECK(cx.cells[i].offset == ref.cells[i].offset);
        CHECK(cx.cells[i].adjacencies == ref.cells[i].adjacencies);
      }
      for (std::size_t e = 0; e < cx.adjacencies.size(); ++e) {
        CHECK(cx.adjacencies[e].lower == ref.adjacencies[e].lower);
        CHECK(cx.adjacencies[e].upper == ref.adjacencies[e].upper);
        CHECK(cx.adjacencies[e].facet == ref.adjacencies[e].facet);
        CHECK(cx.adjacencies[e].point == ref.adjacencies[e].point);
      }
    }
  }
}

TEST_CASE("jump test with threads: the first violating pair, whatever the thread count") {
  // A synthetic complex on the line: cells 0..n-1 in order, pair i between cells i and i+1
  // (normal +1 from lower i to upper i+1); the jump is g[i+1] - g[i], so pair i violates
  // convexity exactly when the slope decreases there.
  const std::size_t n = 20000;
  RegionComplex cx;
  cx.dim = 1;
  cx.cells.resize(n);
  for (std::size_t i = 0; i < n; ++i) cx.cells[i].gradient = Vector{Rational(static_cast<long>(i))};
  for (std::size_t i = 0; i + 1 < n; ++i) {
    Adjacency adj;
    adj.lower = i;
    adj.upper = i + 1;
    adj.facet = make_halfspace(Vector{Rational(1)}, Rational(0), RowOrigin{});
    cx.adjacencies.push_back(adj);
  }
  for (unsigned t : {1u, 2u, 3u}) CHECK_FALSE(find_violating_adjacency(cx, t).has_value());
  // Decreases at cells 15001 and 12000 (pairs 15000 and 11999): the first one is pair 11999,
  // in the second half, so a two-thread run must not stop at the first range's answer alone.
  cx.cells[15001].gradient[0] = -1;
  cx.cells[12000].gradient[0] = -1;
  for (unsigned t : {1u, 2u, 3u, 8u}) {
    CAPTURE(t);
    const auto e = find_violating_adjacency(cx, t);
    REQUIRE(e.has_value());
    CHECK(*e == 11999);
  }
  cx.cells[12000].gradient[0] = 12000;
  cx.cells[2].gradient[0] = -5;  // now pair 1 (slope 1 on cell 1, -5 on cell 2) comes first
  for (unsigned t : {1u, 2u, 3u}) CHECK(find_violating_adjacency(cx, t) == std::optional<std::size_t>(1));
  // A jump not parallel to the facet normal is an internal error in any thread.
  RegionComplex plane;
  plane.dim = 2;
  plane.cells.resize(n);
  for (std::size_t i = 0; i < n; ++i) plane.cells[i].gradient = Vector{Rational(static_cast<long>(i)), Rational(0)};
  for (std::size_t i = 0; i + 1 < n; ++i) {
    Adjacency adj;
    adj.lower = i;
    adj.upper = i + 1;
    adj.facet = make_halfspace(Vector{Rational(1), Rational(0)}, Rational(0), RowOrigin{});
    plane.adjacencies.push_back(adj);
  }
  plane.cells[n - 10].gradient[1] = 1;  // a jump with a component along the facet
  for (unsigned t : {1u, 2u}) CHECK_THROWS_AS(find_violating_adjacency(plane, t), std::logic_error);
}

TEST_CASE("jump test: rational gradients, jumps lambda * a with a non-unit normal, exact") {
  // Two cells, normal a = (2, -3) from lower to upper; g_upper = g_lower + lambda a.
  auto two_cells = [](const Vector& gl, const Vector& gu) {
    RegionComplex cx;
    cx.dim = 2;
    cx.cells.resize(2);
    cx.cells[0].gradient = gl;
    cx.cells[1].gradient = gu;
    Adjacency adj;
    adj.lower = 0;
    adj.upper = 1;
    adj.facet = make_halfspace(Vector{Rational(2), Rational(-3)}, Rational(1, 2), RowOrigin{});
    cx.adjacencies.push_back(adj);
    return cx;
  };
  const Vector gl{Rational(1, 3), Rational(-7, 5)};
  for (const Rational& lambda : {Rational(5, 11), Rational(-2, 7), Rational(0), Rational(-1, 1000000007)}) {
    CAPTURE(lambda.get_str());
    const Vector gu{gl[0] + 2 * lambda, gl[1] - 3 * lambda};
    CHECK(find_violating_adjacency(two_cells(gl, gu)).has_value() == (sgn(lambda) < 0));
    // The same jump swapped (normal reversed by swapping the cells' roles): the sign flips.
    CHECK(find_violating_adjacency(two_cells(gu, gl)).has_value() == (sgn(lambda) > 0));
  }
  // Off the normal by 1/10^9 in one coordinate: not a jump of a continuous function.
  const Vector bent{gl[0] + 2 * Rational(5, 11), gl[1] - 3 * Rational(5, 11) + Rational(1, 1000000000)};
  CHECK_THROWS_AS(find_violating_adjacency(two_cells(gl, bent)), std::logic_error);
}

TEST_CASE("vertex guides (d = 3): the same complex as the LPs alone, on degenerate and deep nets, box, R^3 and a polytope") {
  // The guides only propose (a vertex's rows for a Motzkin check, vertex means for points): with
  // them on and off, every complex must pass the invariants and have the same cells (by pattern),
  // the same pairs (by the patterns of their cells) and the same pieces. Small integer weights
  // make coincident planes and planes through vertices (a vertex on the cut goes to both sides).
  struct GuideGuard {
    ~GuideGuard() { set_vertex_guides_enabled(true); }
  } guard;
  auto patterns = [](const RegionComplex& cx) {
    std::multiset<std::string> cells;
    std::multiset<std::pair<std::string, std::string>> pairs;
    for (const Cell& c : cx.cells) cells.insert(cx.pattern_string(c));
    for (const Adjacency& a : cx.adjacencies) {
      std::string p = cx.pattern_string(cx.cells[a.lower]), q = cx.pattern_string(cx.cells[a.upper]);
      if (q < p) std::swap(p, q);
      pairs.insert({p, q});
    }
    return std::make_pair(cells, pairs);
  };
  std::mt19937_64 rng(23);
  unsigned long long questions_on = 0, questions_off = 0;
  std::size_t builds = 0;
  for (int rep = 0; rep < 8; ++rep) {
    const std::size_t d = 3, depth = 2 + rep % 3, width = rep < 4 ? 4 : 5;
    std::uniform_int_distribution<int> w(rep % 2 ? -1 : -3, rep % 2 ? 1 : 3);
    std::vector<Layer> layers;
    std::size_t fan = d;
    for (std::size_t l = 0; l <= depth; ++l) {
      Layer L;
      const std::size_t out = l == depth ? 1 : width;
      for (std::size_t i = 0; i < out; ++i) {
        Vector r;
        for (std::size_t j = 0; j < fan; ++j) r.push_back(frac(w(rng), 2));
        L.W.push_back(r);
        L.b.push_back(frac(w(rng), 3));
      }
      L.relu = l < depth;
      layers.push_back(L);
      fan = out;
    }
    const Network f(d, layers);
    CAPTURE(rep);
    for (int where = 0; where < 3; ++where) {
      CAPTURE(where);
      RegionComplex on, off;
      PolytopeDomain poly;
      if (where < 2) {
        const Domain dom = where == 0 ? Domain::box(Vector(d, Rational(-2)), Vector(d, Rational(3, 2))) : Domain::whole_space(d);
        set_vertex_guides_enabled(true);
        on = build_region_complex(f, dom);
        set_vertex_guides_enabled(false);
        off = build_region_complex(f, dom);
      } else {  // the octahedron |x| + |y| + |z| <= 2 (not simple: four facets at each vertex)
        for (int s = 0; s < 8; ++s)
          poly.rows.push_back(make_halfspace(Vector{Rational(s & 1 ? 1 : -1), Rational(s & 2 ? 1 : -1), Rational(s & 4 ? 1 : -1)},
                                             Rational(2), RowOrigin{}));
        poly.interior = Vector(d, Rational(1, 7));
        set_vertex_guides_enabled(true);
        on = build_region_complex_in(f, poly);
        set_vertex_guides_enabled(false);
        off = build_region_complex_in(f, poly);
      }
      check_invariants(f, on, 200 + rep, where == 2 ? &poly.rows : nullptr);
      REQUIRE(off.status == BuildStatus::Complete);
      CHECK(on.cells.size() == off.cells.size());
      CHECK(on.adjacencies.size() == off.adjacencies.size());
      CHECK(on.distinct_affine_pieces() == off.distinct_affine_pieces());
      CHECK(patterns(on) == patterns(off));
      if (where == 0) {  // a box: simple bounded cells, where the guides have all vertices
        questions_on += on.lp_questions;
        questions_off += off.lp_questions;
      }
      ++builds;
    }
  }
  CHECK(builds == 24);
  // On the boxes the guides answer more than half of the LP questions (the rest are mostly the
  // pairs' facet points, which the guides do not answer): they are used, and they work.
  CHECK(2 * questions_on < questions_off);
}
