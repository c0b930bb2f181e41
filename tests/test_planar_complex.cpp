// The planar builder (geometry/planar_complex.*) against the general builder on random and
// deliberately degenerate d = 2 nets: same cells (as activation patterns), same pieces, same
// number of adjacent pairs, same verdict; and on the planar complex itself: every cell point
// strictly inside its rows, f = gradient.x + offset there equal to the exact forward pass,
// every adjacency point on the facet, strictly inside every other row of both cells.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../bench/paper_stats_lib.hpp"
#include "analysis/convexity.hpp"
#include "core/arithmetic_mode.hpp"
#include "analysis/path_lifting.hpp"
#include "analysis/witness.hpp"
#include "geometry/planar_complex.hpp"
#include "geometry/planar_compact_rows.hpp"
#include "geometry/planar_hilbert.hpp"
#include "geometry/planar_radix_sort.hpp"
#include "geometry/planar_ring.hpp"
#include "geometry/region_complex.hpp"
#include "support/random_nets.hpp"

using namespace relucert;

namespace {

struct GeneralOnly {  // the general builder, with the planar hook switched off for the scope
  GeneralOnly() { set_planar_builder_enabled(false); }
  ~GeneralOnly() { set_planar_builder_enabled(true); }
};

std::multiset<std::string> patterns(const RegionComplex& cx) {
  std::multiset<std::string> s;
  for (const Cell& c : cx.cells) s.insert(cx.pattern_string(c));
  return s;
}

void check_planar_invariants(const Network& net, const RegionComplex& cx) {
  for (const Cell& c : cx.cells) {
    REQUIRE(strictly_inside(c.rows, c.point));
    REQUIRE(cx.domain.contains(c.point));
    REQUIRE(dot(c.gradient, c.point) + c.offset == net.value(c.point));
  }
  std::set<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t e = 0; e < cx.adjacencies.size(); ++e) {
    const Adjacency& adj = cx.adjacencies[e];
    REQUIRE(adj.lower != adj.upper);
    REQUIRE(pairs.emplace(std::min(adj.lower, adj.upper), std::max(adj.lower, adj.upper)).second);
    REQUIRE(sgn(adj.facet.slack(adj.point)) == 0);
    for (std::size_t side : {adj.lower, adj.upper}) {
      const Cell& c = cx.cells[side];
      bool has_facet = false;
      for (const Halfspace& r : c.rows) {
        if (r.same_hyperplane_as(adj.facet)) {
          has_facet = true;
          continue;
        }
        REQUIRE(sgn(r.slack(adj.point)) > 0);
      }
      REQUIRE(has_facet);
      REQUIRE(std::find(c.adjacencies.begin(), c.adjacencies.end(), e) != c.adjacencies.end());
    }
    // lower is on the side facet.a.x <= facet.b: its interior point is strictly below.
    REQUIRE(sgn(adj.facet.slack(cx.cells[adj.lower].point)) > 0);
    REQUIRE(sgn(adj.facet.slack(cx.cells[adj.upper].point)) < 0);
  }
}

// Returns false when the planar builder declined.
bool cross_check(const Network& net, const Domain& box, const std::string& what) {
  CAPTURE(what);
  auto planar = build_planar_complex(net, box);
  if (!planar) return false;
  RegionComplex general;
  {
    GeneralOnly off;
    general = build_region_complex(net, box);
  }
  REQUIRE(planar->status == BuildStatus::Complete);
  CHECK(planar->cells.size() == general.cells.size());
  CHECK(patterns(*planar) == patterns(general));
  CHECK(planar->distinct_affine_pieces() == general.distinct_affine_pieces());
  CHECK(planar->adjacencies.size() == general.adjacencies.size());
  const bool convex = !find_violating_adjacency(general);
  CHECK(!find_violating_adjacency(*planar) == convex);
  check_planar_invariants(net, *planar);
  const auto v = planar_convexity(net, box);
  REQUIRE(v);
  CHECK(v->convex == convex);
  CHECK(v->cells == general.cells.size());
  CHECK(v->pairs == general.adjacencies.size());
  CHECK(v->pieces == general.distinct_affine_pieces());
  // A concave edge comes with a point and a normal that give a witness without the complex: the
  // edge's point lies on the neuron's zero set (its exact pre-activation vanishes there), and the
  // witness verifies by exact forward passes.
  CHECK(v->kink_point.has_value() == !convex);
  if (!convex) {
    REQUIRE(v->kink_normal.has_value());
    const auto w = witness_across_kink(net, box, *v->kink_point, *v->kink_normal);
    REQUIRE(w.has_value());
    CHECK(verify_witness(net, box, *w));
    CHECK(scale(Rational(1, 2), add(w->x, w->y)) == *v->kink_point);
    CHECK(box.contains(*v->kink_point));
    // The reported neuron's pre-activation vanishes at the kink point (the edge is on its zero set).
    if (v->kink_neuron) {
      std::size_t global = 0;
      for (std::size_t l = 0; l + 1 < v->kink_neuron->layer; ++l)
        if (net.layers()[l].relu) global += net.layers()[l].width();
      global += v->kink_neuron->index - 1;
      const Vector z = relu_preactivations(net, *v->kink_point);
      REQUIRE(global < z.size());
      CHECK(sgn(z[global]) == 0);
    }
  }
  return true;
}

Rational q(long p, long d = 1) {
  Rational r(p, d);
  r.canonicalize();
  return r;
}

Layer layer(Matrix W, Vector b, bool relu = true) {
  Layer L;
  L.W = std::move(W);
  L.b = std::move(b);
  L.relu = relu;
  return L;
}

}  // namespace

TEST_CASE("planar builder agrees with the general builder on random d = 2 nets") {
  testing::RandomNetGenerator gen(20261124);
  int tried = 0, planar_used = 0;
  for (int i = 0; tried < 400 && i < 20000; ++i) {
    testing::RandomCase rc = (i % 3 == 0) ? gen.icnn() : gen.general();
    if (rc.net.input_dim() != 2) continue;
    ++tried;
    if (cross_check(rc.net, rc.box, rc.recipe)) ++planar_used;
  }
  MESSAGE("random d=2 nets: " << tried << ", planar path taken on " << planar_used);
  CHECK(tried == 400);
  CHECK(planar_used >= 380);  // the rest: denominators beyond the fixed-point range
}

TEST_CASE("planar builder agrees on float32 PyTorch-init nets on a large box") {
  using namespace relucert::paper_stats;
  for (std::size_t width : {3, 6, 10}) {
    for (std::size_t index = 0; index < 4; ++index) {
      const Arch a{2, width, 2};
      Network net = draw_network(a, net_seed(7, a, index));
      const Domain box = Domain::box({-100, -100}, {100, 100});
      REQUIRE(cross_check(net, box, a.name() + " #" + std::to_string(index)));
    }
  }
  // Larger ICNN-style nets (absolute values after the first layer): convex, nothing refutes
  // them early, every piece is built.
  for (std::size_t index = 0; index < 2; ++index) {
    const Arch a{2, 16, 2};
    std::vector<Layer> Ls = draw_network(a, net_seed(11, a, index)).layers();
    for (std::size_t l = 1; l < Ls.size(); ++l)
      for (auto& row : Ls[l].W)
        for (auto& v : row) v = abs(v);
    const Network net(2, std::move(Ls));
    REQUIRE(cross_check(net, Domain::box({-100, -100}, {100, 100}), "icnn " + a.name() + " #" + std::to_string(index)));
  }
}

TEST_CASE("planar builder on hand-made degenerate nets") {
  const Domain box = Domain::box({-1, -1}, {1, 1});
  // Lines through the box corners and through one common point, parallel lines, a line along a
  // box side, duplicated / opposite / zero neurons, then a second layer whose bent line passes
  // through first-layer vertices and coincides with a first-layer line.
  Matrix W1 = {{1, 1}, {1, -1}, {2, 2}, {-1, -1}, {1, 0}, {1, 0}, {0, 0}, {0, 1}, {1, 2}};
  Vector b1 = {0, 0, 0, 0, 1, q(-1, 2), 3, -1, q(1, 4)};
  Matrix W2 = {{1, 1, 0, 0, -1, 0, 0, 0, 0},
               {0, 0, 0, 0, 1, 0, 0, 0, 0},   // equals neuron 5 (x + 1) on the box: coincident bent line
               {1, -1, 1, 1, 0, 0, 1, 0, -1},
               {0, 0, 0, 0, 0, 0, 0, 0, 0}};  // zero row: constant 0 everywhere
  Vector b2 = {q(-1, 2), 0, 0, 0};
  Matrix W3 = {{1, -1, 1, 1}};
  Network net(2, {layer(W1, b1), layer(W2, b2), layer(W3, {0}, false)});
  REQUIRE(cross_check(net, box, "degenerate"));
  // Same with negative output weights (not convex) and with an input skip and a layer skip.
  Matrix W3b = {{-1, 1, 2, 0}};
  Network net2(2, {layer(W1, b1), layer(W2, b2), layer(W3b, {1}, false)});
  REQUIRE(cross_check(net2, box, "degenerate, signs"));
  std::vector<Layer> Ls = {layer(W1, b1), layer(W2, b2), layer(W3b, {1}, false)};
  Ls[1].U = {{1, 0}, {0, 1}, {1, 1}, {0, 0}};
  LayerSkip sk;
  sk.from = 1;
  sk.M = {{1, 0, 0, 0, 0, 0, 0, 0, -1}};
  Ls[2].skips.push_back(sk);
  Network net3(2, std::move(Ls));
  REQUIRE(cross_check(net3, box, "degenerate, skips"));
}

TEST_CASE("planar builder declines what it does not handle") {
  const Network net(2, {layer({{1, 1}}, {0}), layer({{1}}, {0}, false)});
  CHECK(!build_planar_complex(net, Domain::whole_space(2)));
  const Network net3(3, {layer({{1, 1, 1}}, {0}), layer({{1}}, {0}, false)});
  CHECK(!build_planar_complex(net3, Domain::box({-1, -1, -1}, {1, 1, 1})));
  BuildObserver obs;
  CHECK(!build_planar_complex(net, Domain::box({-1, -1}, {1, 1}), {}, &obs));
  CHECK(build_planar_complex(net, Domain::box({-1, -1}, {1, 1})));
}

TEST_CASE("planar builder honours the cell limit") {
  const Network net(2, {layer({{1, 0}, {0, 1}, {1, 1}}, {0, 0, 0}), layer({{1, 1, 1}}, {0}, false)});
  BuildLimits lim;
  lim.max_cells = 3;
  const auto cx = build_planar_complex(net, Domain::box({-1, -1}, {1, 1}), lim);
  REQUIRE(cx);
  CHECK(cx->status == BuildStatus::CellLimit);
}

namespace {

// FNV-1a over a text rendering of everything the planar builder outputs, in order: cells
// (pattern, rows with their origins, point, gradient, offset, adjacency list), adjacencies
// (lower, upper, facet, point) and the streaming verdict (counts, kink point, normal, neuron).
// Pins the order too: check_convexity's witness is the first violating pair in this order.
std::uint64_t fingerprint(const Network& net, const Domain& box) {
  std::string s;
  auto add = [&](const std::string& t) { s += t, s += ';'; };
  auto vec = [&](const Vector& v) {
    for (const Rational& x : v) add(to_string(x));
  };
  auto row = [&](const Halfspace& h) {
    for (const Integer& a : h.a()) add(a.get_str());
    add(h.b().get_str());
    add(std::to_string(static_cast<int>(h.origin.kind)) + ":" + std::to_string(h.origin.index));
  };
  const auto cx = build_planar_complex(net, box);
  REQUIRE(cx);
  for (const Cell& c : cx->cells) {
    add(cx->pattern_string(c));
    for (const Halfspace& h : c.rows) row(h);
    vec(c.point);
    vec(c.gradient);
    add(to_string(c.offset));
    for (std::size_t a : c.adjacencies) add(std::to_string(a));
  }
  for (const Adjacency& a : cx->adjacencies) {
    add(std::to_string(a.lower) + "," + std::to_string(a.upper));
    row(a.facet);
    vec(a.point);
  }
  const auto v = planar_convexity(net, box);
  REQUIRE(v);
  add(std::to_string(v->cells) + "," + std::to_string(v->pairs) + "," + std::to_string(v->pieces) + "," +
      std::to_string(v->convex));
  if (v->kink_point) vec(*v->kink_point);
  if (v->kink_normal) vec(*v->kink_normal);
  if (v->kink_neuron) add(std::to_string(v->kink_neuron->layer) + ":" + std::to_string(v->kink_neuron->index));
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

// FNV-1a over the same output as `fingerprint`, but blind to order and to the points chosen:
// the sorted cells (pattern, rows with their origins, gradient, offset), the sorted
// adjacencies (the two cells' patterns and the facet) and the verdict's counts, convexity and
// kink neuron. Two builders that differ only in the order they visit cells (hence in cell
// numbers and in which exact point stands for a cell, an edge or the kink) agree on it.
std::uint64_t unordered_fingerprint(const Network& net, const Domain& box) {
  auto row = [](const Halfspace& h) {
    std::string t;
    for (const Integer& a : h.a()) t += a.get_str() + ",";
    return t + h.b().get_str() + "@" + std::to_string(static_cast<int>(h.origin.kind)) + ":" + std::to_string(h.origin.index);
  };
  const auto cx = build_planar_complex(net, box);
  REQUIRE(cx);
  std::vector<std::string> cells, pairs;
  for (const Cell& c : cx->cells) {
    std::vector<std::string> rows;
    for (const Halfspace& h : c.rows) rows.push_back(row(h));
    std::sort(rows.begin(), rows.end());
    std::string t = cx->pattern_string(c) + ";";
    for (const auto& r : rows) t += r + ";";
    for (const Rational& g : c.gradient) t += to_string(g) + ";";
    cells.push_back(t + to_string(c.offset));
  }
  for (const Adjacency& a : cx->adjacencies) {
    std::string lo = cx->pattern_string(cx->cells[a.lower]), up = cx->pattern_string(cx->cells[a.upper]);
    pairs.push_back(lo + "|" + up + "|" + row(a.facet));
  }
  std::sort(cells.begin(), cells.end());
  std::sort(pairs.begin(), pairs.end());
  std::string s;
  for (const auto& t : cells) s += t + "#";
  for (const auto& t : pairs) s += t + "#";
  const auto v = planar_convexity(net, box);
  REQUIRE(v);
  s += std::to_string(v->cells) + "," + std::to_string(v->pairs) + "," + std::to_string(v->pieces) + "," + std::to_string(v->convex);
  if (v->kink_neuron) s += ";" + std::to_string(v->kink_neuron->layer) + ":" + std::to_string(v->kink_neuron->index);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

// `fp` over the random generator's first 60 degenerate d = 2 nets that the planar builder
// takes, on their small boxes, combined into one value (and a check that there are 60).
std::uint64_t over_random_planar_nets(std::uint64_t (*fp)(const Network&, const Domain&)) {
  testing::RandomNetGenerator gen(20261206);
  std::uint64_t all = 0;
  int used = 0;
  for (int i = 0; used < 60 && i < 5000; ++i) {
    testing::RandomCase rc = (i % 3 == 0) ? gen.icnn() : gen.general();
    if (rc.net.input_dim() != 2 || !build_planar_complex(rc.net, rc.box)) continue;
    all = all * 1000003 + fp(rc.net, rc.box);
    ++used;
  }
  CHECK(used == 60);
  return all;
}

// A wide net of small integer weights (on a box of integer side): zero lines through common
// points and box corners, parallel and coincident lines, dead and constant neurons, bent
// lines along earlier edges: degenerate walks in every layer, and the lazy rows of
// geometry/planar_maps.hpp (widths >= 16) in every hidden layer after the first.
Network small_int_net(std::size_t width, std::size_t depth, std::uint64_t seed) {
  std::uint64_t x = seed;
  auto draw = [&](long lo, long hi) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<long>((x >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  std::vector<Layer> Ls;
  std::size_t fan = 2;
  for (std::size_t l = 0; l <= depth; ++l) {
    const std::size_t w = l == depth ? 1 : width;
    Matrix W(w, Vector(fan));
    Vector b(w);
    for (std::size_t k = 0; k < w; ++k) {
      for (std::size_t i = 0; i < fan; ++i) W[k][i] = Rational(draw(-2, 2));
      b[k] = Rational(draw(-3, 3));
    }
    if (l > 0 && w > 3) {
      W[1] = W[0];                               // a duplicate
      b[1] = b[0];
      for (auto& v : W[2]) v = 0;                // constant: dead or always active
      b[2] = Rational(draw(-1, 1));
    }
    Ls.push_back(layer(std::move(W), std::move(b), l < depth));
    fan = w;
  }
  return Network(2, std::move(Ls));
}

}  // namespace

TEST_CASE("planar builder agrees on wide degenerate and deeper nets (lazy rows)") {
  using namespace relucert::paper_stats;
  const Domain box = Domain::box({-3, -3}, {3, 3});
  REQUIRE(cross_check(small_int_net(16, 2, 1), box, "small int 16x2"));
  REQUIRE(cross_check(small_int_net(16, 3, 2), box, "small int 16x3"));
  REQUIRE(cross_check(small_int_net(18, 4, 3), box, "small int 18x4"));
  const Arch a{2, 16, 3};
  REQUIRE(cross_check(draw_network(a, net_seed(9, a, 0)), Domain::box({-100, -100}, {100, 100}), a.name()));
}

// The values were first recorded with the builder of commit 6fb6e22 (before the box filter, the
// packed patterns and the two-pass group split), and kept through every change since but one: a
// faster builder must make the same cells, edges and witness in the same order. A mismatch
// prints the new value; never update it without showing that the old output was wrong, or, for
// a change of the order on purpose, that the output is the same up to order (the next test).
// Updated for the Hilbert order of the groups (geometry/planar_hilbert.hpp) and the cells
// renumbered in that order before each pass: the next test's values, recorded with the
// depth-first builder before both, hold for the new one.
TEST_CASE("planar builder output is pinned: same cells, pairs and witness, in the same order") {
  using namespace relucert::paper_stats;
  const Domain box = Domain::box({-100, -100}, {100, 100});
  struct Pin {
    Arch a;
    std::size_t index;
    std::uint64_t expected;
  };
  const Pin pins[] = {
      {{2, 12, 2}, 0, 5300500899881516667ULL}, {{2, 24, 2}, 1, 17626964013737215236ULL},
      {{2, 40, 2}, 2, 15104655294016469325ULL},  {{2, 8, 3}, 0, 7659745021322183778ULL},
      {{2, 6, 4}, 1, 18435953978392122062ULL},   {{2, 64, 2}, 0, 2434468838126057140ULL},
  };
  for (const Pin& p : pins) {
    CAPTURE(p.a.name());
    CAPTURE(p.index);
    const std::uint64_t got = fingerprint(draw_network(p.a, net_seed(5, p.a, p.index)), box);
    CHECK(got == p.expected);
  }
  // Wider and deeper float32 nets (lazy rows in every hidden layer after the first).
  const Pin deep[] = {{{2, 16, 3}, 0, 14990148526545505897ULL},
                      {{2, 24, 3}, 1, 15041635825832940258ULL},
                      {{2, 16, 4}, 0, 14053107084692843561ULL}};
  for (const Pin& p : deep) {
    CAPTURE(p.a.name());
    const std::uint64_t got = fingerprint(draw_network(p.a, net_seed(5, p.a, p.index)), box);
    CHECK(got == p.expected);
  }
  // Small integer weights: degenerate walks everywhere.
  struct IntPin {
    std::size_t width, depth;
    std::uint64_t seed, expected;
  };
  const IntPin ints[] = {{16, 2, 1, 11082247726225220358ULL},
                         {16, 3, 2, 11888248961314310227ULL},
                         {18, 4, 3, 15634573378627462329ULL},
                         {48, 2, 4, 5638395864996330552ULL},
                         {32, 3, 5, 4703828485200509744ULL}};
  for (const IntPin& p : ints) {
    CAPTURE(p.width);
    CAPTURE(p.depth);
    const std::uint64_t got = fingerprint(small_int_net(p.width, p.depth, p.seed), Domain::box({-3, -3}, {3, 3}));
    CHECK(got == p.expected);
  }
  // The random generator's degenerate d = 2 nets, on their small boxes, all in one value.
  CHECK(over_random_planar_nets(fingerprint) == 698181801699467355ULL);
}

// Recorded with the builder of commit fa2e589 (groups in depth-first order, before the Hilbert
// order of geometry/planar_hilbert.hpp): the same complex up to the order of its cells and the
// points chosen, on the nets of the pinned test above. Never update a value without showing
// that the old output was wrong.
TEST_CASE("planar builder output up to order is pinned: the same cells, pieces, facets and verdict") {
  using namespace relucert::paper_stats;
  const Domain box = Domain::box({-100, -100}, {100, 100});
  struct Pin {
    Arch a;
    std::size_t index;
    std::uint64_t expected;
  };
  const Pin pins[] = {
      {{2, 12, 2}, 0, 12327395682481015627ULL}, {{2, 24, 2}, 1, 15494067484192278027ULL},
      {{2, 40, 2}, 2, 10802162490795499095ULL}, {{2, 8, 3}, 0, 11148056690318450567ULL},
      {{2, 6, 4}, 1, 8055240311749554711ULL}, {{2, 64, 2}, 0, 15113143438075212903ULL},
      {{2, 16, 3}, 0, 14735433157071155043ULL}, {{2, 24, 3}, 1, 10449945819923827065ULL},
      {{2, 16, 4}, 0, 17866931415587472264ULL},
  };
  for (const Pin& p : pins) {
    CAPTURE(p.a.name());
    CAPTURE(p.index);
    CHECK(unordered_fingerprint(draw_network(p.a, net_seed(5, p.a, p.index)), box) == p.expected);
  }
  struct IntPin {
    std::size_t width, depth;
    std::uint64_t seed, expected;
  };
  const IntPin ints[] = {{16, 2, 1, 15650735621429111472ULL}, {16, 3, 2, 8602987935018611083ULL}, {18, 4, 3, 16180407767697224990ULL}, {48, 2, 4, 9218969674739050576ULL}, {32, 3, 5, 12481582536045711891ULL}};
  for (const IntPin& p : ints) {
    CAPTURE(p.width);
    CAPTURE(p.depth);
    CHECK(unordered_fingerprint(small_int_net(p.width, p.depth, p.seed), Domain::box({-3, -3}, {3, 3})) == p.expected);
  }
  CHECK(over_random_planar_nets(unordered_fingerprint) == 12057222525330805443ULL);
}

TEST_CASE("the Hilbert curve of the group order visits every grid cell once, each next to the one before") {
  for (int bits : {1, 2, 3, 5, 7}) {
    const std::uint32_t n = std::uint32_t{1} << bits;
    std::vector<std::pair<int, int>> at(std::size_t{n} * n, {-1, -1});
    for (std::uint32_t x = 0; x < n; ++x)
      for (std::uint32_t y = 0; y < n; ++y) {
        const std::uint64_t d = planar::hilbert_index(x, y, bits);
        REQUIRE(d < at.size());
        CHECK(at[d].first == -1);  // a bijection
        at[d] = {static_cast<int>(x), static_cast<int>(y)};
      }
    CAPTURE(bits);
    CHECK(at.front() == std::pair{0, 0});
    for (std::size_t d = 1; d < at.size(); ++d)
      CHECK(std::abs(at[d].first - at[d - 1].first) + std::abs(at[d].second - at[d - 1].second) == 1);
  }
  CHECK(planar::hilbert_grid(0.0, -1.0, 1.0, 4) == 7);
  CHECK(planar::hilbert_grid(-5.0, -1.0, 1.0, 4) == 0);
  CHECK(planar::hilbert_grid(5.0, -1.0, 1.0, 4) == 15);
  CHECK(planar::hilbert_grid(std::nan(""), -1.0, 1.0, 4) == 0);
  CHECK(planar::hilbert_grid(HUGE_VAL, -1.0, 1.0, 4) == 0);
  CHECK(planar::hilbert_grid(0.5, 1.0, 1.0, 4) == 0);  // an empty range
}

TEST_CASE("the builder's radix sort orders by key and keeps the order of equal keys") {
  std::mt19937_64 rng(11);
  for (const std::size_t n : {0u, 1u, 2u, 7u, 300u, 5000u}) {
    for (const int kind : {0, 1, 2, 3}) {
      std::vector<std::pair<std::uint64_t, int>> v(n);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t k = rng();
        if (kind == 1) k %= 5;                                  // many ties
        if (kind == 2) k = (k & 0xff00ff0000ULL) | 0xf0000000000000ULL;  // shared and constant bits
        if (kind == 3) k = ~std::uint64_t{0} - (k % 3);         // top bits set everywhere
        v[i] = {k, static_cast<int>(rng() % 1000)};             // payloads in no order
      }
      auto expected = v;
      std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      planar::radix_sort_by_key(v);
      CAPTURE(n);
      CAPTURE(kind);
      CHECK(v == expected);
    }
  }
}

TEST_CASE("a cell's boundary ring keeps its vertices and edges in step through inserts, growth and moves") {
  using planar::Ring;
  auto lists = [](const Ring& r) {
    return std::pair{std::vector<int>(r.verts().begin(), r.verts().end()), std::vector<int>(r.edges().begin(), r.edges().end())};
  };
  Ring r;
  CHECK(r.size() == 0);
  const std::vector<int> v{10, 11, 12}, e{20, 21, 22};
  r.assign(v, e);
  CHECK(lists(r) == std::pair{v, e});
  // Inserts at the front, the middle and the end, past the first block's capacity (3 + 2).
  r.insert(0, 9, 19);
  r.insert(2, 105, 205);
  r.insert(r.size(), 13, 23);
  r.insert(3, 115, 215);
  CHECK(lists(r) == std::pair{std::vector<int>{9, 10, 105, 115, 11, 12, 13}, std::vector<int>{19, 20, 205, 215, 21, 22, 23}});
  r.edges()[1] = 99;
  CHECK(r.edges()[1] == 99);
  CHECK(r.verts()[1] == 10);
  // A shorter assign reuses the block; a move leaves the source empty.
  r.assign(std::vector<int>{1, 2}, std::vector<int>{3, 4});
  CHECK(lists(r) == std::pair{std::vector<int>{1, 2}, std::vector<int>{3, 4}});
  Ring s = std::move(r);
  CHECK(s.size() == 2);
  CHECK(r.size() == 0);
  CHECK_THROWS(s.assign(std::vector<int>{1, 2, 3}, std::vector<int>{1}));
}

TEST_CASE("compact rows come back exactly, narrow or wide, including the 128-bit sentinel value") {
  using planar::CompactRows;
  using planar::Row;
  auto z = [](const char* s) { return *Int256::from_mpz(mpz_class(s)); };
  const Row narrow{z("-123456789012345678901234567890"), z("42"), z("0")};
  const Row wide{z("340282366920938463463374607431768211456"), z("-1"), z("7")};  // a = 2^128
  const Row sentinel{z("-170141183460469231731687303715884105728"), z("1"), z("2")};  // a = -2^127
  const Row top{z("170141183460469231731687303715884105727"), z("-170141183460469231731687303715884105727"), z("3")};
  CompactRows rows;
  for (int i = 0; i < 5; ++i) rows.push_zero();
  rows.set(0, narrow);
  rows.set(1, wide);
  rows.set(2, sentinel);
  rows.set(3, top);
  auto same = [](const Row& x, const Row& y) { return x.a == y.a && x.b == y.b && x.c == y.c; };
  CHECK(same(rows.get(0), narrow));
  CHECK(same(rows.get(1), wide));
  CHECK(same(rows.get(2), sentinel));
  CHECK(same(rows.get(3), top));
  CHECK(same(rows.get(4), Row{}));
  rows.set(1, narrow);  // a wide row overwritten by a narrow one
  CHECK(same(rows.get(1), narrow));
  CHECK(rows.size() == 5);
}
