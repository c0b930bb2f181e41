// The streamed check (analysis/streamed_check.*, issue #13 item 1) against the whole complex:
// the same verdict and the same counts of cells, pairs and distinct affine pieces on hundreds of
// random nets (with the generator's traps: duplicated and opposite neurons, a layer-2 neuron
// vanishing on a layer-1 hyperplane, dead neurons, zero rows), on a box and on R^d, every witness
// verified by an exact forward pass, the same result for 1 and 3 threads; and the exact rewrites it
// rests on (first layer folded, restriction to a hyperplane, one-sided derivatives) checked by
// forward passes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis/convexity.hpp"
#include "analysis/streamed_check.hpp"
#include "analysis/streamed_part.hpp"
#include "core/network_restriction.hpp"
#include "core/one_sided_derivative.hpp"
#include "geometry/region_complex.hpp"
#include "support/random_nets.hpp"

using namespace relucert;
using relucert::testing::frac;
using relucert::testing::network_to_json;
using relucert::testing::RandomNetGenerator;

namespace {

struct Whole {
  bool convex;
  std::size_t cells, pairs, pieces;
};

Whole whole_complex(const Network& net, const Domain& dom) {
  const RegionComplex cx = build_region_complex(net, dom);
  REQUIRE(cx.status == BuildStatus::Complete);
  return Whole{!find_violating_adjacency(cx), cx.cells.size(), cx.adjacencies.size(), cx.distinct_affine_pieces()};
}

Vector random_point(std::mt19937_64& rng, const Domain& dom) {
  Vector x;
  for (std::size_t i = 0; i < dom.dim; ++i) {
    const Rational t = frac(static_cast<long>(rng() % 1001), 1000);
    x.push_back(dom.is_box ? Rational(dom.lo[i] + t * (dom.hi[i] - dom.lo[i])) : Rational(10 * t - 5));
  }
  return x;
}

// Calls fn(net case, seed) on the first `count` random nets (generator seeds 1, 2, ...) that the
// streamed check handles on their box; returns how many it found.
template <class Fn>
std::size_t on_streamable_nets(std::size_t count, Fn fn) {
  std::size_t found = 0;
  for (std::uint64_t seed = 1; found < count && seed < 5000; ++seed) {
    RandomNetGenerator gen(seed);
    auto c = gen.general();
    if (streamed_check_unsupported(c.net, c.box)) continue;
    CAPTURE(seed);
    fn(c, seed);
    ++found;
  }
  return found;
}

// The parts of the streamed check, as analysis/streamed_check.cpp makes them: for each coarse cell
// G of the first layer, the net with layer 1 folded on G's pattern, on the polytope G, following
// the coarse facets where G is the lower cell, with G's vertex guide (d = 3). Calls
// fn(folded net, polytope) on each.
template <class Fn>
void for_each_part(const Network& net, const Domain& dom, Fn fn) {
  const RegionComplex coarse = build_region_complex(first_layer_net(net), dom);
  REQUIRE(coarse.status == BuildStatus::Complete);
  for (std::size_t gi = 0; gi < coarse.cells.size(); ++gi) {
    const Cell& G = coarse.cells[gi];
    PolytopeDomain poly{G.rows, G.point, {}, gi < coarse.guides.size() ? coarse.guides[gi] : ApproxVertices{}};
    for (std::size_t e : G.adjacencies) {
      const Adjacency& adj = coarse.adjacencies[e];
      if (adj.lower != gi) continue;
      for (const Halfspace& h : G.rows)
        if (h.same_hyperplane_as(adj.facet)) {
          poly.contacts.push_back(PolytopeContact{h, adj.point, e});
          break;
        }
    }
    fn(fold_first_layer(net, G.pattern), poly);
  }
}

// A dense net with random dyadic weights: larger than the generator's (d up to 4), so that the
// contacts' walks take several legs and meet corners.
Network dense_net(std::mt19937_64& rng, std::size_t d, const std::vector<std::size_t>& widths) {
  auto w = [&] { return frac(static_cast<long>(rng() % 33) - 16, 1L << (rng() % 4)); };
  std::vector<Layer> layers;
  std::size_t in = d;
  for (std::size_t n : widths) {
    Layer L;
    for (std::size_t k = 0; k < n; ++k) {
      Vector row;
      for (std::size_t j = 0; j < in; ++j) row.push_back(w());
      L.W.push_back(std::move(row));
      L.b.push_back(w());
    }
    layers.push_back(std::move(L));
    in = n;
  }
  Layer out;
  Vector row;
  for (std::size_t j = 0; j < in; ++j) row.push_back(w());
  out.W = {row};
  out.b = {Rational(0)};
  out.relu = false;
  layers.push_back(std::move(out));
  return Network(d, std::move(layers));
}

struct ContactModeGuard {
  ~ContactModeGuard() { set_contact_walk_mode(ContactWalkMode::Walk); }
};

// Every contact point is in the relative interior of its cell's piece of the followed facet,
// exactly: on the facet, strictly inside the cell's other rows.
void check_contact_points(const RegionComplex& cx, const PolytopeDomain& poly) {
  for (const BoundaryContact& bc : cx.contacts) {
    const Halfspace* facet = nullptr;
    for (const PolytopeContact& pc : poly.contacts)
      if (pc.tag == bc.tag) facet = &pc.facet;
    REQUIRE(facet);
    CHECK(sgn(facet->slack(bc.point)) == 0);
    for (const Halfspace& r : cx.cells.at(bc.cell).rows)
      if (!r.same_hyperplane_as(*facet)) CHECK(sgn(r.slack(bc.point)) > 0);
  }
}

}  // namespace

TEST_CASE("contacts: the walk answers every split contact's side as the LP does (random nets, part by part)") {
  // Each part is built three times: the LP alone, the walk (LP where it settles nothing), and the
  // walk with the LP asked beside each of its answers (Checked: a disagreement throws). The
  // contacts (cell, facet) must be the same list, every contact point exactly in relint, and the
  // empty sides as many.
  ContactModeGuard guard;
  ContactCounts total;
  std::size_t parts = 0, nets = 0;
  auto check_net = [&](const Network& net, const Domain& dom) {
    ++nets;
    for_each_part(net, dom, [&](const Network& folded, const PolytopeDomain& poly) {
      set_contact_walk_mode(ContactWalkMode::Lp);
      const RegionComplex lp = build_region_complex_in(folded, poly);
      set_contact_walk_mode(ContactWalkMode::Checked);
      const RegionComplex checked = build_region_complex_in(folded, poly);
      set_contact_walk_mode(ContactWalkMode::Walk);
      const RegionComplex walk = build_region_complex_in(folded, poly);
      REQUIRE(lp.status == BuildStatus::Complete);
      REQUIRE(walk.status == BuildStatus::Complete);
      REQUIRE(checked.status == BuildStatus::Complete);
      CHECK(walk.cells.size() == lp.cells.size());
      CHECK(walk.adjacencies.size() == lp.adjacencies.size());
      REQUIRE(walk.contacts.size() == lp.contacts.size());
      for (std::size_t i = 0; i < walk.contacts.size(); ++i) {
        CHECK(walk.contacts[i].cell == lp.contacts[i].cell);
        CHECK(walk.contacts[i].tag == lp.contacts[i].tag);
      }
      check_contact_points(walk, poly);
      check_contact_points(lp, poly);
      CHECK(lp.contact_counts.walk_points + lp.contact_counts.walk_empty == 0);
      // A side is asked unless the contact's point is on it, and the points differ between the
      // builds, so the points asked for may differ (a point on z = 0 asks both sides); but every
      // empty side is asked exactly once (the point is never on it).
      CHECK(lp.contact_counts.lp_empty == walk.contact_counts.walk_empty + walk.contact_counts.lp_empty);
      CHECK(checked.contact_counts.walk_points == walk.contact_counts.walk_points);
      CHECK(checked.contact_counts.walk_empty == walk.contact_counts.walk_empty);
      CHECK(checked.contact_counts.lp_points == walk.contact_counts.lp_points);
      CHECK(checked.contact_counts.lp_empty == walk.contact_counts.lp_empty);
      total.walk_points += walk.contact_counts.walk_points;
      total.walk_empty += walk.contact_counts.walk_empty;
      total.lp_points += walk.contact_counts.lp_points;
      total.lp_empty += walk.contact_counts.lp_empty;
      ++parts;
    });
  };
  on_streamable_nets(120, [&](const relucert::testing::RandomCase& c, std::uint64_t) {
    CAPTURE(network_to_json(c.net));
    check_net(c.net, c.box);
    check_net(c.net, Domain::whole_space(c.net.input_dim()));
  });
  std::mt19937_64 rng(5);
  for (int i = 0; i < 12; ++i) {
    const std::size_t d = 4 + static_cast<std::size_t>(i % 3);  // 4, 5, 6
    const Network net = dense_net(rng, d, i < 6 ? std::vector<std::size_t>{6, 6} : std::vector<std::size_t>{5, 4, 4});
    CAPTURE(network_to_json(net));
    check_net(net, Domain::box(Vector(d, Rational(-4)), Vector(d, Rational(4))));
  }
  MESSAGE("contacts: " << nets << " nets, " << parts << " parts; walk " << total.walk_points << " points, " << total.walk_empty
                       << " empty; LP " << total.lp_points << " points, " << total.lp_empty << " empty");
  // The walk must have been tested on both kinds of answer, and answer most questions.
  CHECK(total.walk_points >= 5000);
  CHECK(total.walk_empty >= 300);
  CHECK(total.lp_points + total.lp_empty <= (total.walk_points + total.walk_empty) / 10);
}

TEST_CASE("a coarse cell's vertex guide: on its rows, inside the others; its part is the same with or without it") {
  // The coarse complex hands each cell's guide to its part (d = 3) instead of enumerating the
  // vertices again. The guide is only a guess, so the part must not depend on it: same cells,
  // pairs, contacts and pieces either way; and it must be the cell's vertices, or it saves nothing.
  std::size_t guided = 0, parts = 0;
  on_streamable_nets(60, [&](const relucert::testing::RandomCase& c, std::uint64_t) {
    if (c.net.input_dim() != 3) return;
    const RegionComplex coarse = build_region_complex(first_layer_net(c.net), c.box);
    REQUIRE(coarse.status == BuildStatus::Complete);
    for (std::size_t gi = 0; gi < coarse.guides.size(); ++gi) {
      const ApproxVertices& V = coarse.guides[gi];
      const Cell& G = coarse.cells[gi];
      if (V.empty()) continue;
      ++guided;
      for (std::size_t v = 0; v < V.size(); ++v)
        for (std::size_t i = 0; i < G.rows.size(); ++i) {
          double s = G.rows[i].approx_b(), scale = std::fabs(s);
          for (std::size_t j = 0; j < 3; ++j) {
            s -= G.rows[i].approx_a()[j] * V.coords[v * 3 + j];
            scale += std::fabs(G.rows[i].approx_a()[j] * V.coords[v * 3 + j]);
          }
          const bool on = std::count(&V.rows[v * 3], &V.rows[v * 3] + 3, i) == 1;
          if (on) CHECK(std::fabs(s) <= 1e-9 * (1 + scale));
          else CHECK(s >= -1e-9 * (1 + scale));
        }
    }
    for_each_part(c.net, c.box, [&](const Network& folded, const PolytopeDomain& poly) {
      PolytopeDomain bare = poly;
      bare.guide = ApproxVertices{};
      const RegionComplex with = build_region_complex_in(folded, poly), without = build_region_complex_in(folded, bare);
      REQUIRE(with.status == BuildStatus::Complete);
      REQUIRE(without.status == BuildStatus::Complete);
      CHECK(with.cells.size() == without.cells.size());
      CHECK(with.adjacencies.size() == without.adjacencies.size());
      CHECK(with.contacts.size() == without.contacts.size());
      CHECK(with.distinct_affine_pieces() == without.distinct_affine_pieces());
      ++parts;
    });
  });
  CHECK(guided >= 50);
  CHECK(parts >= 50);
}

TEST_CASE("streamed check = whole complex: verdict, cells, pairs, pieces (random nets with traps)") {
  std::size_t tested = 0, non_convex = 0;
  for (std::uint64_t seed = 1; tested < 260 && seed < 20000; ++seed) {
    RandomNetGenerator gen(seed);
    auto c = seed % 4 == 0 ? gen.icnn() : gen.general();
    for (bool box : {true, false}) {
      const Domain dom = box ? c.box : Domain::whole_space(c.net.input_dim());
      if (streamed_check_unsupported(c.net, dom)) continue;
      CAPTURE(seed);
      CAPTURE(c.recipe);
      CAPTURE(network_to_json(c.net));
      CAPTURE(box);
      const Whole w = whole_complex(c.net, dom);
      const StreamedCheck s = streamed_check(c.net, dom);
      REQUIRE(s.status == BuildStatus::Complete);
      CHECK(s.convex == w.convex);
      CHECK(s.cells == w.cells);
      CHECK(s.pairs == w.pairs);
      CHECK(s.pieces == w.pieces);
      if (!s.convex) {
        ++non_convex;
        REQUIRE(s.witness);
        CHECK(verify_witness(c.net, dom, *s.witness));
        CHECK(s.violation);
      }
      if (c.must_be_convex) CHECK(s.convex);
      ++tested;
    }
  }
  CHECK(tested >= 260);
  CHECK(non_convex >= 20);
  MESSAGE("streamed: " << tested << " cases, " << non_convex << " not convex");
}

TEST_CASE("streamed check: a layer-2 neuron that vanishes on a layer-1 hyperplane (the sides' bits differ there)") {
  // z2 = relu(x1) - relu(-x1) ... built so that the layer-2 neuron n = relu(h1) - relu(h2) with
  // h1 = relu(x1), h2 = relu(x1) vanishes wherever x1 <= 0 and equals 0 on x1 = 0: its zero set
  // contains the layer-1 hyperplane x1 = 0 from one side only.
  Layer L1;
  L1.W = {{Rational(1), Rational(0), Rational(0)}, {Rational(0), Rational(1), Rational(0)}, {Rational(0), Rational(0), Rational(1)}};
  L1.b = {Rational(0), Rational(0), Rational(0)};
  Layer L2;
  L2.W = {{Rational(1), Rational(0), Rational(0)}, {Rational(-1), Rational(1), Rational(1)}, {Rational(2), Rational(-1), Rational(0)}};
  L2.b = {Rational(0), frac(-1, 2), frac(1, 3)};
  Layer out;
  out.W = {{Rational(-1), Rational(1), Rational(1)}};
  out.b = {Rational(0)};
  out.relu = false;
  const Network net(3, {L1, L2, out});
  for (bool box : {true, false}) {
    const Domain dom = box ? Domain::box(Vector(3, Rational(-2)), Vector(3, Rational(3))) : Domain::whole_space(3);
    CAPTURE(box);
    const Whole w = whole_complex(net, dom);
    const StreamedCheck s = streamed_check(net, dom);
    REQUIRE(s.status == BuildStatus::Complete);
    CHECK(s.convex == w.convex);
    CHECK(s.cells == w.cells);
    CHECK(s.pairs == w.pairs);
    CHECK(s.pieces == w.pieces);
    if (!s.convex) CHECK(verify_witness(net, dom, *s.witness));
  }
}

TEST_CASE("streamed check: the result does not depend on the thread count") {
  CHECK(on_streamable_nets(40, [](const relucert::testing::RandomCase& c, std::uint64_t) {
    BuildLimits one, three;
    three.threads = 3;
    const StreamedCheck a = streamed_check(c.net, c.box, one), b = streamed_check(c.net, c.box, three);
    CHECK(a.convex == b.convex);
    CHECK(a.cells == b.cells);
    CHECK(a.pairs == b.pairs);
    CHECK(a.pieces == b.pieces);
    CHECK(a.lp_questions == b.lp_questions);
    CHECK(a.witness.has_value() == b.witness.has_value());
    if (a.witness && b.witness) {
      CHECK(a.witness->x == b.witness->x);
      CHECK(a.witness->y == b.witness->y);
    }
  }) == 40);
}

TEST_CASE("streamed check: limits end in a status, never a verdict") {
  for (std::uint64_t seed = 1; seed < 500; ++seed) {
    RandomNetGenerator g(seed);
    auto c = g.general();
    if (streamed_check_unsupported(c.net, c.box)) continue;
    const Whole w = whole_complex(c.net, c.box);
    if (w.cells < 8) continue;
    BuildLimits lim;
    lim.max_cells = w.cells - 1;
    const StreamedCheck one = streamed_check(c.net, c.box, lim);
    CHECK(one.status == BuildStatus::CellLimit);
    BuildLimits lim3 = lim;
    lim3.threads = 3;
    const StreamedCheck three = streamed_check(c.net, c.box, lim3);  // counts at the limit: the same
    CHECK(three.status == BuildStatus::CellLimit);
    CHECK(three.cells == one.cells);
    CHECK(three.lp_questions == one.lp_questions);
    lim.max_cells = w.cells;
    CHECK(streamed_check(c.net, c.box, lim).status == BuildStatus::Complete);
    BuildLimits stop;
    stop.between_passes = [](const BuildProgress&) { return false; };
    CHECK(streamed_check(c.net, c.box, stop).status == BuildStatus::Stopped);
    return;
  }
  FAIL("no suitable net drawn");
}

TEST_CASE("check_convexity --stream agrees with --whole-complex: verdict, cells, pairs, pieces") {
  CHECK(on_streamable_nets(30, [](const relucert::testing::RandomCase& c, std::uint64_t) {
    CheckOptions streamed, whole;
    streamed.method = whole.method = tiers::Method::RegionComplex;
    streamed.refuter_lines = whole.refuter_lines = 0;
    whole.stream = CheckOptions::Stream::Never;
    streamed.stream = CheckOptions::Stream::Always;
    const CheckResult a = check_convexity(c.net, c.box, streamed), b = check_convexity(c.net, c.box, whole);
    CHECK(a.verdict == b.verdict);
    CHECK(a.cells == b.cells);
    CHECK(a.pairs == b.pairs);
    CHECK(a.pieces == b.pieces);
    CHECK(a.streamed);
    CHECK_FALSE(b.streamed);
    if (a.witness) CHECK(verify_witness(c.net, c.box, *a.witness));
  }) == 30);
}

TEST_CASE("exact rewrite: the folded first layer agrees with forward passes") {
  std::mt19937_64 rng(3);
  std::size_t checked = 0, with_skip = 0;
  for (std::uint64_t seed = 1; checked < 300 && seed < 3000; ++seed) {
    RandomNetGenerator gen(seed);
    auto c = gen.general();
    if (restriction_unsupported(c.net)) continue;
    const Vector x = random_point(rng, c.box);
    // The first layer's pattern at x folds into layer 2 without changing f at x.
    std::vector<Sign> pattern;
    {
      const Layer& L1 = c.net.layers()[0];
      for (std::size_t k = 0; k < L1.width(); ++k) {
        Rational z = dot(L1.W[k], x) + L1.b[k];
        if (L1.has_skip()) z += dot(L1.U[k], x);
        pattern.push_back(sign_of(z));
      }
    }
    const Network folded = fold_first_layer(c.net, pattern);
    CHECK(folded.value(x) == c.net.value(x));
    // The layer itself, against the formula W2 D (W1 + U1) + U2, W2 D b1 + b2 in rationals.
    const Layer &L1 = c.net.layers()[0], &L2 = c.net.layers()[1];
    Matrix A = L1.W;
    Vector b1 = L1.b;
    for (std::size_t k = 0; k < A.size(); ++k) {
      if (L1.has_skip()) A[k] = add(A[k], L1.U[k]);
      if (pattern[k] != Sign::Positive) {
        A[k].assign(c.net.input_dim(), Rational(0));
        b1[k] = 0;
      }
    }
    Matrix W = mat_mul(L2.W, A);
    if (L2.has_skip())
      for (std::size_t r = 0; r < W.size(); ++r) W[r] = add(W[r], L2.U[r]);
    CHECK(folded.layers()[0].W == W);
    CHECK(folded.layers()[0].b == add(mat_vec(L2.W, b1), L2.b));
    CHECK(folded.layers().size() + 1 == c.net.layers().size());
    // One folder, many patterns (the streamed check's use): the same nets.
    const FirstLayerFolder folder(c.net);
    std::vector<Sign> flipped = pattern;
    for (auto& s : flipped) s = s == Sign::Positive ? Sign::Negative : Sign::Positive;
    CHECK(folder.fold(flipped).layers()[0].W == fold_first_layer(c.net, flipped).layers()[0].W);
    CHECK(folder.fold(pattern).value(x) == c.net.value(x));
    with_skip += c.net.integer_layer(0) ? 0 : 1;  // input skips somewhere: the folder's rational path
    ++checked;
  }
  CHECK(checked == 300);
  CHECK(with_skip > 0);  // both paths of the folder (rational with input skips, integer from the net's integer forms)
  CHECK(with_skip < checked);
}

TEST_CASE("one-sided derivatives equal exact difference quotients for a small enough step") {
  std::mt19937_64 rng(11);
  std::size_t checked = 0, at_kinks = 0;
  for (std::uint64_t seed = 1; checked < 300 && seed < 3000; ++seed) {
    RandomNetGenerator gen(seed);
    auto c = gen.general();
    if (c.net.output_dim() != 1) continue;
    const std::size_t d = c.net.input_dim();
    Vector x = random_point(rng, c.box), u(d);
    for (auto& v : u) v = frac(static_cast<long>(rng() % 9) - 4, 1 + static_cast<long>(rng() % 3));
    // Half the time, put x on a first-layer neuron's zero set (a kink) along its first nonzero weight.
    const Layer& L1 = c.net.layers()[0];
    if (seed % 2 == 0 && L1.relu && !L1.has_skip()) {
      const std::size_t k = seed % L1.width();
      std::size_t j = 0;
      while (j < d && sgn(L1.W[k][j]) == 0) ++j;
      if (j < d) {
        x[j] = 0;
        x[j] = -(dot(L1.W[k], x) + L1.b[k]) / L1.W[k][j];
        ++at_kinks;
      }
    }
    const Rational t = Rational(1) / (Integer(1) << 200);  // far below any kink distance of these small nets
    const Rational quotient = (c.net.value(add(x, scale(t, u))) - c.net.value(x)) / t;
    CAPTURE(seed);
    CHECK(one_sided_derivative(c.net, x, u) == quotient);
    ++checked;
  }
  CHECK(checked == 300);
  CHECK(at_kinks > 50);
}

namespace {

// A dealer inside one process: parts computed in reverse order (as if elsewhere), their bytes
// merged in part order, as PartDealer requires.
struct ReverseDealer : PartDealer {
  std::size_t computed = 0;
  bool deal(std::size_t n, const std::function<std::string(std::size_t)>& compute,
            const std::function<bool(std::size_t, std::string&&)>& merge) override {
    std::vector<std::string> bytes(n);
    for (std::size_t i = n; i-- > 0;) {
      bytes[i] = compute(i);
      ++computed;
    }
    for (std::size_t i = 0; i < n; ++i)
      if (!merge(i, std::move(bytes[i]))) break;
    return true;
  }
  void share(std::string&) override {}  // the root keeps its own result
};

// A process that computes its share and merges nothing; the root's result reaches it as bytes.
struct BystanderDealer : PartDealer {
  std::string root_bytes;
  bool deal(std::size_t n, const std::function<std::string(std::size_t)>& compute,
            const std::function<bool(std::size_t, std::string&&)>&) override {
    for (std::size_t i = 0; i < n; i += 2) (void)compute(i);
    return false;
  }
  void share(std::string& bytes) override { bytes = root_bytes; }
};

// A dealer whose other processes did not complete the coarse complex (a limit there).
struct DisagreeingDealer : ReverseDealer {
  bool everywhere(bool) override { return false; }
};

}  // namespace

TEST_CASE("a coarse complex not completed in every process: no part is dealt, the result is a limit") {
  CHECK(on_streamable_nets(3, [](const relucert::testing::RandomCase& c, std::uint64_t) {
    DisagreeingDealer dealer;
    const StreamedCheck r = streamed_check(c.net, c.box, {}, &dealer);
    CHECK(dealer.computed == 0);
    CHECK(r.status == BuildStatus::TimeLimit);
    CHECK(r.cells == 0);
    CHECK(!r.witness);
  }) == 3);
}

TEST_CASE("streamed check through a PartDealer: parts as bytes, computed anywhere, the same result") {
  CHECK(on_streamable_nets(40, [](const relucert::testing::RandomCase& c, std::uint64_t) {
    ReverseDealer dealer;
    const StreamedCheck a = streamed_check(c.net, c.box), b = streamed_check(c.net, c.box, {}, &dealer);
    CHECK(dealer.computed == a.coarse_cells);
    CHECK(a.convex == b.convex);
    CHECK(a.cells == b.cells);
    CHECK(a.pairs == b.pairs);
    CHECK(a.pieces == b.pieces);
    CHECK(a.lp_questions == b.lp_questions);
    CHECK(a.violation == b.violation);
    if (a.witness && b.witness) {
      CHECK(a.witness->x == b.witness->x);
      CHECK(a.witness->y == b.witness->y);
    }
    BystanderDealer other;
    other.root_bytes = encode_check(a);
    const StreamedCheck o = streamed_check(c.net, c.box, {}, &other);
    CHECK(o.convex == a.convex);
    CHECK(o.cells == a.cells);
    CHECK(o.pieces == a.pieces);
    CHECK(encode_check(o) == encode_check(a));
  }) == 40);
}

TEST_CASE("a part's bytes read back to the same part; other bytes are rejected") {
  PartResult r;
  r.status = BuildStatus::TimeLimit;
  r.cells = 7;
  r.pairs = 12;
  r.lp_questions = 1234567890123ULL;
  r.pieces = {"1/3 -2 5", "", "0 0 0:7"};
  r.point = Vector{frac(-7, 3), Rational(0), frac(1, 1 << 30)};
  r.normal = Vector{Rational(1), Rational(-2), Rational(3)};
  r.violation = "x1 <= 0 (zero set of L1:N2)";
  const std::string bytes = encode_part(r);
  const PartResult s = decode_part(bytes);
  CHECK(s.status == r.status);
  CHECK(s.cells == r.cells);
  CHECK(s.pairs == r.pairs);
  CHECK(s.lp_questions == r.lp_questions);
  CHECK(s.pieces == r.pieces);
  CHECK(*s.point == *r.point);
  CHECK(*s.normal == *r.normal);
  CHECK(s.violation == r.violation);
  CHECK(encode_part(s) == bytes);
  CHECK_THROWS_AS(decode_part(bytes.substr(0, bytes.size() - 1)), std::runtime_error);
  CHECK_THROWS_AS(decode_part(bytes + "1:0"), std::runtime_error);
  CHECK_THROWS_AS(decode_part("x"), std::runtime_error);
}

TEST_CASE("check_convexity in auto: the streamed check wherever it applies, small or large; the whole complex elsewhere") {
  // d = 3, 40 first-layer neurons: about 10^4 cells of the first layer alone on the box.
  std::mt19937_64 rng(5);
  auto w = [&] { return frac(static_cast<long>(rng() % 2001) - 1000, 997); };
  Layer L1, L2, out;
  for (int k = 0; k < 40; ++k) {
    L1.W.push_back({w(), w(), w()});
    L1.b.push_back(w());
  }
  for (int k = 0; k < 2; ++k) {
    Vector row;
    for (int j = 0; j < 40; ++j) row.push_back(abs(w()));
    L2.W.push_back(row);
    L2.b.push_back(w());
  }
  out.W = {{Rational(1), Rational(1)}};
  out.b = {Rational(0)};
  out.relu = false;
  const Network big(3, {L1, L2, out});
  const Domain box = Domain::box(Vector(3, Rational(-2)), Vector(3, Rational(2)));
  CheckOptions o;
  o.method = tiers::Method::RegionComplex;
  o.refuter_lines = 0;
  const CheckResult r = check_convexity(big, box, o);
  REQUIRE(r.streamed);
  CHECK(r.streamed->coarse_cells >= CheckOptions::kStreamFromParts);
  CHECK(r.verdict == Verdict::Convex);  // an ICNN
  // Small nets stream too (the cheaper check on every bench shape, convexity.hpp); where the
  // streamed check does not apply (d = 2, one ReLU layer), the whole complex.
  std::size_t small_streamed = 0, unsupported_whole = 0;
  for (std::uint64_t seed = 1; seed < 200 && (small_streamed < 3 || unsupported_whole < 3); ++seed) {
    RandomNetGenerator g(seed);
    auto c = g.general();
    const CheckResult s = check_convexity(c.net, c.box, o);
    if (s.verdict == Verdict::Unknown) continue;
    if (streamed_check_unsupported(c.net, c.box)) {
      CHECK_FALSE(s.streamed);
      ++unsupported_whole;
    } else {
      CHECK(s.streamed);
      ++small_streamed;
    }
  }
  CHECK(small_streamed >= 3);
  CHECK(unsupported_whole >= 3);
}

TEST_CASE("the final result's bytes read back to the same result, a stop point included") {
  StreamedCheck c;
  c.status = BuildStatus::Stopped;
  c.cells = 10;
  c.pairs = 20;
  c.pieces = 9;
  c.coarse_cells = 3;
  c.coarse_pairs = 2;
  c.largest_part_cells = 5;
  c.lp_questions = 77;
  c.witness = Witness{Vector{frac(1, 3), Rational(-2)}, Vector{Rational(0), frac(5, 7)}, frac(1, 99)};
  c.violation = "x2 <= 0 (zero set of L1:N1)";
  BuildProgress p;
  p.cells = 4;
  p.neurons_done = 2;
  p.neurons_total = 3;
  p.seconds = 0.125;
  p.lp_questions = 41;
  c.stopped_at = p;
  const StreamedCheck d = decode_check(encode_check(c));
  CHECK(d.status == c.status);
  CHECK(d.cells == 10);
  CHECK(d.pieces == 9);
  CHECK(d.witness->x == c.witness->x);
  CHECK(d.witness->gap == c.witness->gap);
  CHECK(*d.violation == *c.violation);
  REQUIRE(d.stopped_at);
  CHECK(d.stopped_at->lp_questions == 41);
  CHECK(d.stopped_at->seconds == 0.125);
  CHECK(encode_check(d) == encode_check(c));
  CHECK_THROWS_AS(decode_check(encode_check(c) + "x"), std::runtime_error);
}
