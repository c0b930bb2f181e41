// geometry/approx_vertices: the float vertex guides of the builder, against polytopes whose
// vertices are known (cube, simplex, a cube cut by a plane), on unbounded and too-large cases,
// and the clip against a fresh enumeration of the cut polytope.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "geometry/approx_vertices.hpp"
#include "geometry/halfspace.hpp"

using namespace relucert;

namespace {

Halfspace row(std::vector<long> a, long b) {
  Vector v;
  for (long x : a) v.push_back(Rational(x));
  return make_halfspace(v, Rational(b), RowOrigin{});
}

// [-1, 1]^3: rows 2j (x_j <= 1) and 2j + 1 (-x_j <= 1).
std::vector<Halfspace> cube() {
  std::vector<Halfspace> rows;
  for (int j = 0; j < 3; ++j) {
    std::vector<long> e(3, 0);
    e[j] = 1;
    rows.push_back(row(e, 1));
    e[j] = -1;
    rows.push_back(row(e, 1));
  }
  return rows;
}

// Every vertex is on its rows (up to rounding) and satisfies all rows; the rows are increasing.
void check_consistent(const ApproxVertices& V, const std::vector<Halfspace>& rows) {
  const std::size_t d = V.dim;
  for (std::size_t v = 0; v < V.size(); ++v) {
    CAPTURE(v);
    for (std::size_t j = 0; j + 1 < d; ++j) CHECK(V.rows[v * d + j] < V.rows[v * d + j + 1]);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      double s = rows[i].approx_b();
      for (std::size_t j = 0; j < d; ++j) s -= rows[i].approx_a()[j] * V.coords[v * d + j];
      const bool on = std::count(&V.rows[v * d], &V.rows[v * d] + d, i) == 1;
      if (on) CHECK(std::fabs(s) < 1e-9);
      else CHECK(s > -1e-9);
    }
  }
}

std::set<std::vector<long>> rounded_points(const ApproxVertices& V) {
  std::set<std::vector<long>> out;
  for (std::size_t v = 0; v < V.size(); ++v) {
    std::vector<long> p;
    for (std::size_t j = 0; j < V.dim; ++j) p.push_back(std::lround(V.coords[v * V.dim + j] * 1e6));
    out.insert(p);
  }
  return out;
}

}  // namespace

TEST_CASE("approx_vertices: the cube's 8 vertices on their 3 faces each, the simplex's 4") {
  const auto rows = cube();
  const ApproxVertices V = approx_vertices(rows, 3, 64);
  REQUIRE(V.size() == 8);
  check_consistent(V, rows);
  std::set<std::vector<long>> want;
  for (int s = 0; s < 8; ++s) want.insert({s & 1 ? 1000000 : -1000000, s & 2 ? 1000000 : -1000000, s & 4 ? 1000000 : -1000000});
  CHECK(rounded_points(V) == want);
  // x, y, z >= 0 and x + y + z <= 1.
  const std::vector<Halfspace> simplex{row({-1, 0, 0}, 0), row({0, -1, 0}, 0), row({0, 0, -1}, 0), row({1, 1, 1}, 1)};
  const ApproxVertices S = approx_vertices(simplex, 3, 64);
  REQUIRE(S.size() == 4);
  check_consistent(S, simplex);
  CHECK(rounded_points(S) == std::set<std::vector<long>>{{0, 0, 0}, {1000000, 0, 0}, {0, 1000000, 0}, {0, 0, 1000000}});
}

TEST_CASE("approx_vertices: nothing for an unbounded polyhedron, too many vertices, or too high a dimension") {
  CHECK(approx_vertices({row({-1, 0, 0}, 0), row({0, -1, 0}, 0), row({0, 0, -1}, 0)}, 3, 64).empty());  // the orthant
  CHECK(approx_vertices(cube(), 3, 7).empty());
  CHECK(approx_vertices(cube(), 3, 8).size() == 8);
  std::vector<Halfspace> big;
  for (std::size_t j = 0; j < 9; ++j) {
    std::vector<long> e(9, 0);
    e[j] = 1;
    big.push_back(row(e, 1));
  }
  CHECK(approx_vertices(big, 9, 1000).empty());  // beyond Halfspace::kApproxDim
}

TEST_CASE("clip_vertices: the cube cut by x + y + z = 1/2 into 10 + 10 vertices, and random cuts as fresh enumerations") {
  const auto rows = cube();
  const ApproxVertices V = approx_vertices(rows, 3, 64);
  Vector n{Rational(1), Rational(1), Rational(1)};
  const Halfspace cut = make_halfspace(n, Rational(1, 2), RowOrigin{});
  ApproxVertices neg, pos;
  REQUIRE(clip_vertices(V, cut, 6, &neg, &pos, 64));
  // Corners with sum -3, -1 (x3) below, 1 (x3), 3 above; each of the 6 edges from a -1 corner to
  // a +1 corner crosses the plane.
  CHECK(neg.size() == 4 + 6);
  CHECK(pos.size() == 4 + 6);
  std::vector<Halfspace> below = rows, above = rows;
  below.push_back(cut);
  above.push_back(cut.flipped());
  check_consistent(neg, below);
  check_consistent(pos, above);
  CHECK(rounded_points(neg) == rounded_points(approx_vertices(below, 3, 64)));
  CHECK(rounded_points(pos) == rounded_points(approx_vertices(above, 3, 64)));
  ApproxVertices small;
  CHECK_FALSE(clip_vertices(V, cut, 6, &small, nullptr, 9));  // a side over the limit

  // Random cuts of random polytopes (a cube cut three times).
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<long> c(-5, 5);
  for (int rep = 0; rep < 40; ++rep) {
    std::vector<Halfspace> P = rows;
    ApproxVertices W = V;
    for (int k = 0; k < 3; ++k) {
      std::vector<long> a{c(rng), c(rng), c(rng)};
      if (a == std::vector<long>{0, 0, 0}) a[0] = 1;
      const Halfspace h = row(a, c(rng) / 2);
      ApproxVertices below_h;
      if (!clip_vertices(W, h, static_cast<std::uint32_t>(P.size()), &below_h, nullptr, 64)) break;
      if (below_h.empty()) break;
      P.push_back(h);
      W = below_h;
      CAPTURE(rep);
      CAPTURE(k);
      check_consistent(W, P);
      CHECK(rounded_points(W) == rounded_points(approx_vertices(P, 3, 64)));
    }
  }
}

TEST_CASE("clip_vertices: a cut through a vertex puts it on both sides; renumber_rows closes up the rows") {
  const auto rows = cube();
  const ApproxVertices V = approx_vertices(rows, 3, 64);
  const Halfspace through = row({1, 1, 1}, 3);  // through the corner (1, 1, 1) only: nothing above
  ApproxVertices neg, pos;
  REQUIRE(clip_vertices(V, through, 6, &neg, &pos, 64));
  CHECK(neg.size() == 8);
  CHECK(pos.size() == 1);
  const Halfspace diagonal = row({1, -1, 0}, 0);  // through four cube edges' ends: x = y
  REQUIRE(clip_vertices(V, diagonal, 6, &neg, &pos, 64));
  CHECK(neg.size() == 6);
  CHECK(pos.size() == 6);

  ApproxVertices W = V;
  // Row 0 (x <= 1) is on vertices: no renumbering.
  std::vector<char> keep(6, 1);
  keep[0] = 0;
  CHECK_FALSE(renumber_rows(W, keep));
  CHECK(W.rows == V.rows);
  // An extra redundant row 6 removed: rows 0..5 keep their numbers; a row below them removed
  // shifts them.
  std::vector<char> keep7(7, 1);
  keep7[6] = 0;
  CHECK(renumber_rows(W, keep7));
  CHECK(W.rows == V.rows);
  const std::vector<double> m = vertex_mean(V);  // (the corners carry the far box's rounding)
  for (double x : m) CHECK(std::fabs(x) < 1e-9);
}
