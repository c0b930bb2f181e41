// One hidden layer (THEORY.md §4): canonical form, convexity verdict and fold witness,
// Theorem D1 (same-width ICNN on a box), Theorem D2 (ICNN on R^d, minimal width), the exact
// equality proof, the exact LP, the JSON writer and the `relucert icnn` command.
//
// Independent checks used here: check_convexity (the region-complex engine) for every verdict,
// exact forward passes at many rational points for every equality, z3 (exact linear real
// arithmetic) for every minimal width and every infeasible zonotope on R^d, and the hand-derived
// examples of THEORY.md §4 with their weights written out.
#include <doctest/doctest.h>
#include <z3++.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/convexity.hpp"
#include "analysis/one_hidden_layer.hpp"
#include "analysis/witness.hpp"
#include "core/network_json.hpp"
#include "core/network_json_writer.hpp"
#include "geometry/exact_lp.hpp"
#include "support/exact.hpp"
#include "support/process.hpp"

using namespace relucert;
using namespace relucert::test;
namespace fs = std::filesystem;

namespace {

const std::string kNets = RELUCERT_SHARED_NETS_DIR;
const std::string kCli = RELUCERT_CLI_PATH;



Matrix mat(std::initializer_list<std::initializer_list<const char*>> rows) {
  Matrix m;
  for (const auto& r : rows) m.push_back(vec(r));
  return m;
}

OneHiddenLayerNet ohl(std::size_t d, Matrix W, Vector b, Vector v, const char* c) {
  OneHiddenLayerNet n;
  n.dim = d;
  n.W = std::move(W);
  n.b = std::move(b);
  n.v = std::move(v);
  n.c = q(c);
  return n;
}

Domain cube(std::size_t d, const char* lo, const char* hi) { return Domain::box(Vector(d, q(lo)), Vector(d, q(hi))); }

OneHiddenLayerNet load_ohl(const std::string& name) {
  const Network net = load_network_json_file(kNets + "/" + name);
  auto o = as_one_hidden_layer(net);
  REQUIRE(o.has_value());
  return *o;
}

// ---- Independent checks --------------------------------------------------------------------

// g and f agree at `count` pseudo-random rational points of the domain (box, or [-R, R]^d).
void check_equal_pointwise(const OneHiddenLayerNet& g, const OneHiddenLayerNet& f, const Domain& dom, std::mt19937_64& rng,
                           int count = 60) {
  const Network gn = g.to_network(), fn = f.to_network();
  auto uni = [&](long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); };
  for (int t = 0; t < count; ++t) {
    Vector x(f.dim);
    for (std::size_t i = 0; i < f.dim; ++i) {
      const long den = uni(1, 17);
      Rational a(uni(0, den), den);
      a.canonicalize();
      if (dom.is_box) x[i] = dom.lo[i] + (dom.hi[i] - dom.lo[i]) * a;
      else x[i] = Rational(uni(-12, 12)) + a;
    }
    if (dom.is_box && t < static_cast<int>(1u << f.dim) && f.dim <= 3)  // the corners too
      for (std::size_t i = 0; i < f.dim; ++i) x[i] = ((t >> i) & 1) ? dom.hi[i] : dom.lo[i];
    REQUIRE_MESSAGE(gn.value(x) == fn.value(x), "g != f at " << to_string(x));
  }
}

z3::expr z3q(z3::context& ctx, const Rational& r) { return ctx.real_val(to_string(r).c_str()); }

// Is there gamma in prod [0, alpha_H] (alpha_H > 0 groups) with sum gamma_H w_H = -A and at
// most `max_fractional` coordinates strictly inside (0, alpha_H)? (z3, exact; nullopt = unknown.)
std::optional<bool> z3_gamma_exists(const CanonicalForm& cf, std::optional<std::size_t> max_fractional) {
  z3::context ctx;
  z3::solver s(ctx);
  std::vector<z3::expr> sums(cf.net.dim, ctx.real_val(0));
  z3::expr count = ctx.int_val(0);
  for (std::size_t i = 0; i < cf.groups.size(); ++i) {
    const auto& H = cf.groups[i];
    if (sgn(H.alpha) <= 0) continue;
    z3::expr g = ctx.real_const(("g" + std::to_string(i)).c_str());
    const z3::expr a = z3q(ctx, H.alpha);
    s.add(g >= 0 && g <= a);
    count = count + z3::ite(g > 0 && g < a, ctx.int_val(1), ctx.int_val(0));
    for (std::size_t j = 0; j < cf.net.dim; ++j) sums[j] = sums[j] + z3q(ctx, H.w[j]) * g;
  }
  for (std::size_t j = 0; j < cf.net.dim; ++j) s.add(sums[j] == z3q(ctx, -cf.A[j]));
  if (max_fractional) s.add(count <= ctx.int_val(static_cast<int>(*max_fractional)));
  switch (s.check()) {
    case z3::sat: return true;
    case z3::unsat: return false;
    default: return std::nullopt;
  }
}

// The D2 result is exact: z3 agrees on feasibility and on the minimal number of fractional
// coordinates; an infeasible zonotope comes with a ray along which f really decreases.
void check_whole_space(const CanonicalForm& cf, const WholeSpaceIcnn& r, std::mt19937_64& rng) {
  const std::size_t n = cf.net.width();
  const auto any = z3_gamma_exists(cf, std::nullopt);
  REQUIRE(any.has_value());
  REQUIRE(*any == r.zonotope_feasible);
  if (!r.zonotope_feasible) {
    CHECK_FALSE(r.icnn.has_value());
    CHECK(r.same_width == std::optional<bool>(false));
    CHECK(sgn(r.recession_slope) < 0);
    // f(s u) for s beyond every breakpoint of the ray {s u} is affine in s with slope f_inf(u).
    const Network f = cf.net.to_network();
    const Vector& u = r.descent_direction;
    Rational beyond = 1;
    for (std::size_t j = 0; j < n; ++j) {
      const Rational rate = dot(cf.net.W[j], u);
      if (sgn(rate) != 0) beyond = std::max(beyond, Rational(abs(cf.net.b[j] / rate) + 1));
    }
    const Rational f1 = f.value(scale(beyond, u)), f2 = f.value(scale(beyond + 1, u));
    CHECK(f2 - f1 == r.recession_slope);
    return;
  }
  REQUIRE(r.search_complete);
  REQUIRE(r.minimal_width.has_value());
  const std::size_t k = cf.positive_groups();
  CHECK(r.k == k);
  const std::size_t m = k == 0 ? 0 : *r.minimal_width - k;
  CHECK(m <= r.rank);
  CHECK(z3_gamma_exists(cf, m) == std::optional<bool>(true));
  if (m > 0) CHECK(z3_gamma_exists(cf, m - 1) == std::optional<bool>(false));
  CHECK(r.same_width == std::optional<bool>(*r.minimal_width <= n));
  REQUIRE(r.icnn.has_value());
  CHECK(is_icnn(*r.icnn));
  CHECK(r.icnn->width() == std::max(n, *r.minimal_width));
  const EqualityProof p = prove_equality(*r.icnn, cf.net, cf.domain);
  REQUIRE(p.status == EqualityProof::Status::Proven);
  CHECK(p.cells >= 1);
  check_equal_pointwise(*r.icnn, cf.net, cf.domain, rng);
}

// ---- Random 1-hidden-layer nets -------------------------------------------------------------

struct RandomOhl {
  OneHiddenLayerNet net;
  Domain box;
  std::string recipe;
};

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  std::mt19937_64 rng;
  long uni(long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); }
  Rational weight(bool dyadic) {
    if (!dyadic) return Rational(uni(-3, 3));
    Rational r(uni(-8, 8), 1L << uni(0, 3));
    r.canonicalize();
    return r;
  }
  Rational nonzero(bool dyadic) {
    Rational r;
    do r = weight(dyadic);
    while (sgn(r) == 0);
    return r;
  }
  Vector row(std::size_t d, bool dyadic) {
    Vector w(d);
    for (auto& x : w) x = uni(0, 3) == 0 ? Rational(0) : weight(dyadic);
    return w;
  }
  Vector nonzero_row(std::size_t d, bool dyadic) {
    Vector w;
    do w = row(d, dyadic);
    while (is_zero(w));
    return w;
  }

  RandomOhl next() {
    RandomOhl c;
    const std::size_t d = static_cast<std::size_t>(uni(1, 3));
    const std::size_t n = static_cast<std::size_t>(uni(1, 6));
    const bool dyadic = uni(0, 1) == 1;
    Vector lo(d), hi(d);
    for (std::size_t i = 0; i < d; ++i) {
      lo[i] = Rational(uni(-4, 0), 2);
      lo[i].canonicalize();
      hi[i] = lo[i] + Rational(uni(1, 6), 2);
      hi[i].canonicalize();
    }
    c.box = Domain::box(lo, hi);
    OneHiddenLayerNet& f = c.net;
    f.dim = d;
    f.c = weight(dyadic);
    const int recipe = static_cast<int>(uni(0, 7));
    const bool constructive = recipe < 3;
    const bool near_icnn = recipe >= 3 && recipe < 5 && d >= 2;
    c.recipe = std::string(constructive ? "convex-construction" : (near_icnn ? "near-icnn" : "random")) + (dyadic ? " dyadic" : " int");
    if (near_icnn) {
      // Single neurons with v > 0 and random orientation, plus one opposite, rescaled copy with
      // a small negative weight (as in c1_width_obstruction_R2): convex, and on R^d the width
      // n = k + 1 is often too small.
      const std::size_t k = static_cast<std::size_t>(uni(2, 5));
      for (std::size_t j = 0; j < k; ++j) {
        f.W.push_back(nonzero_row(d, dyadic));
        f.b.push_back(weight(dyadic));
        f.v.push_back(abs(nonzero(dyadic)));
      }
      const std::size_t i = static_cast<std::size_t>(uni(0, static_cast<long>(k) - 1));
      const Rational s = Rational(uni(1, 2));
      f.W.push_back(scale(-s, f.W[i]));
      f.b.push_back(-s * f.b[i]);
      Rational v = -f.v[i] / (s * uni(2, 4));
      v.canonicalize();
      f.v.push_back(v);
    } else if (constructive) {
      // Hyperplanes with alpha_H >= 0 split over 1-3 neurons of random scale and sign.
      while (f.width() < n) {
        const Vector w = nonzero_row(d, dyadic);
        const Rational b = weight(dyadic);
        const Rational alpha = uni(0, 3) == 0 ? Rational(0) : abs(weight(dyadic));
        const std::size_t parts = std::min<std::size_t>(static_cast<std::size_t>(uni(1, 3)), n - f.width());
        Rational rest = alpha;
        for (std::size_t p = 0; p < parts; ++p) {
          const Rational s = uni(0, 1) ? Rational(uni(1, 2)) : Rational(-uni(1, 2));
          Rational v = p + 1 < parts ? weight(dyadic) : rest / abs(s);
          v.canonicalize();
          rest -= v * abs(s);
          f.W.push_back(scale(s, w));
          f.b.push_back(s * b);
          f.v.push_back(v);
        }
      }
    } else {
      for (std::size_t j = 0; j < n; ++j) {
        f.W.push_back(uni(0, 9) == 0 ? Vector(d, Rational(0)) : nonzero_row(d, dyadic));
        f.b.push_back(weight(dyadic));
        f.v.push_back(uni(0, 9) == 0 ? Rational(0) : weight(dyadic));
      }
      // Degenerate touches: duplicated / opposite neurons, dead or always-active on the box.
      const int degens = static_cast<int>(uni(0, 2));
      for (int t = 0; t < degens; ++t) {
        const std::size_t j = static_cast<std::size_t>(uni(0, static_cast<long>(n) - 1));
        const std::size_t i = static_cast<std::size_t>(uni(0, static_cast<long>(n) - 1));
        switch (uni(0, 3)) {
          case 0:  // copy of another neuron, scaled by +-1 or +-2
          case 1: {
            const Rational s = (uni(0, 1) ? 1 : -1) * Rational(uni(1, 2));
            f.W[j] = scale(s, f.W[i]);
            f.b[j] = s * f.b[i];
            c.recipe += uni(0, 1) ? " dup" : " opp";
            break;
          }
          case 2: {  // dead on the box, touching it: max over the box of w.x + b is 0
            Rational mx = 0;
            for (std::size_t a = 0; a < d; ++a) mx += std::max(f.W[j][a] * c.box.lo[a], f.W[j][a] * c.box.hi[a]);
            f.b[j] = -mx;
            c.recipe += " dead";
            break;
          }
          default: {  // always active, touching: min over the box is 0
            Rational mn = 0;
            for (std::size_t a = 0; a < d; ++a) mn += std::min(f.W[j][a] * c.box.lo[a], f.W[j][a] * c.box.hi[a]);
            f.b[j] = -mn;
            c.recipe += " active";
            break;
          }
        }
      }
    }
    return c;
  }
};

// ---- CLI --------------------------------------------------------------------------------------


}  // namespace

// =============================================================================================

TEST_CASE("exact LP: feasible points and Farkas certificates are checked exactly") {
  // x + y = 1/3, 0 <= x <= 1/7, 0 <= y <= 1/5: 1/3 > 1/7 + 1/5 = 12/35, so... 1/3 = 0.333 < 0.343: feasible.
  FeasibilityProblem p;
  p.vars = 2;
  p.rows.push_back(LinearRow{vec({"1", "1"}), Relation::Equal, q("1/3")});
  p.lower = {q("0"), q("0")};
  p.upper = {q("1/7"), q("1/5")};
  FeasibilityAnswer a = solve_feasibility(p);
  REQUIRE(a.feasible);
  CHECK(satisfies(p, a.point));
  // Raise the target to 12/35 + 1/1000: infeasible.
  p.rows[0].b = q("12/35") + q("1/1000");
  a = solve_feasibility(p);
  REQUIRE_FALSE(a.feasible);
  CHECK(is_farkas_certificate(p, a.farkas));
  CHECK_FALSE(is_farkas_certificate(p, scale(Rational(-1), a.farkas)));
  // Exactly at the boundary: feasible with x = 1/7, y = 1/5.
  p.rows[0].b = q("12/35");
  a = solve_feasibility(p);
  REQUIRE(a.feasible);
  CHECK(a.point == vec({"1/7", "1/5"}));
  // Inequalities, free variables: x - y >= 1, x + y <= -3, y >= -1 -> x >= 0 and x <= -2: infeasible.
  FeasibilityProblem r;
  r.vars = 2;
  r.rows.push_back(LinearRow{vec({"1", "-1"}), Relation::GreaterEqual, q("1")});
  r.rows.push_back(LinearRow{vec({"1", "1"}), Relation::LessEqual, q("-3")});
  r.rows.push_back(LinearRow{vec({"0", "1"}), Relation::GreaterEqual, q("-1")});
  a = solve_feasibility(r);
  REQUIRE_FALSE(a.feasible);
  CHECK(is_farkas_certificate(r, a.farkas));
  r.rows[1].b = q("-1");  // now x = 0, y = -1 works
  a = solve_feasibility(r);
  REQUIRE(a.feasible);
  CHECK(satisfies(r, a.point));
  // No variables at all.
  FeasibilityProblem z;
  z.rows.push_back(LinearRow{{}, Relation::Equal, q("0")});
  CHECK(solve_feasibility(z).feasible);
  z.rows.push_back(LinearRow{{}, Relation::LessEqual, q("-2")});
  a = solve_feasibility(z);
  CHECK_FALSE(a.feasible);
  CHECK(is_farkas_certificate(z, a.farkas));
}

TEST_CASE("network JSON writer round-trips exactly") {
  Gen gen(7);
  for (int t = 0; t < 30; ++t) {
    const Network net = gen.next().net.to_network();
    const Network back = parse_network_json(network_json_text(net), "round-trip");
    REQUIRE(back.input_dim() == net.input_dim());
    REQUIRE(back.layers().size() == net.layers().size());
    for (std::size_t l = 0; l < net.layers().size(); ++l) {
      CHECK(back.layers()[l].W == net.layers()[l].W);
      CHECK(back.layers()[l].b == net.layers()[l].b);
      CHECK(back.layers()[l].relu == net.layers()[l].relu);
    }
  }
  // Input skips are written too.
  Layer l1{mat({{"1", "-1/3"}}), vec({"0"}), mat({{"2", "0"}}), true, {}};
  Layer l2{mat({{"5/7"}}), vec({"-1"}), mat({{"0", "1"}}), false, {}};
  const Network s(2, {l1, l2});
  const Network back = parse_network_json(network_json_text(s), "skip");
  CHECK(back.layers()[0].U == s.layers()[0].U);
  CHECK(back.layers()[1].U == s.layers()[1].U);
}

TEST_CASE("shape: only one hidden layer is accepted") {
  std::string why;
  CHECK_FALSE(as_one_hidden_layer(load_network_json_file(kNets + "/icnn_basic.json"), &why));
  CHECK(contains(why, "3 layers"));
  Layer l1{mat({{"1"}}), vec({"0"}), {}, true, {}};
  Layer out{mat({{"1"}}), vec({"0"}), {}, false, {}};
  Layer out_relu{mat({{"1"}}), vec({"0"}), {}, true, {}};
  Layer out_skip{mat({{"1"}}), vec({"0"}), mat({{"1"}}), false, {}};
  CHECK(as_one_hidden_layer(Network(1, {l1, out})));
  CHECK_FALSE(as_one_hidden_layer(Network(1, {l1, out_relu}), &why));
  CHECK_FALSE(as_one_hidden_layer(Network(1, {out, out}), &why));
  CHECK_FALSE(as_one_hidden_layer(Network(1, {l1, out_skip}), &why));
  CHECK_FALSE(as_one_hidden_layer(Network(1, {l1}), &why));
  // A first-layer skip is folded: relu(x + 2x) = relu(3x).
  Layer l1_skip{mat({{"1"}}), vec({"0"}), mat({{"2"}}), true, {}};
  auto o = as_one_hidden_layer(Network(1, {l1_skip, out}));
  REQUIRE(o);
  CHECK(o->W[0] == vec({"3"}));
}

TEST_CASE("THEORY §4: c1_linear_pair = x1 + relu(x2)") {
  const OneHiddenLayerNet f = load_ohl("c1_linear_pair.json");
  std::mt19937_64 rng(11);
  SUBCASE("on [-1,1]^2: relu(x2) + relu(x1 + 1) - 1") {
    const CanonicalForm cf = canonical_form(f, cube(2, "-1", "1"));
    REQUIRE(cf.groups.size() == 2);
    CHECK(cf.groups[0].w == vec({"1", "0"}));
    CHECK(cf.groups[0].b == 0);
    CHECK(cf.groups[0].alpha == 0);
    CHECK(cf.groups[0].neurons == std::vector<std::size_t>{0, 1});
    CHECK(cf.groups[1].w == vec({"0", "1"}));
    CHECK(cf.groups[1].alpha == 1);
    CHECK(cf.A == vec({"1", "0"}));
    CHECK(cf.a0 == 0);
    CHECK(cf.convex());
    const OneHiddenLayerNet g = icnn_on_box(cf);
    CHECK(g.W == mat({{"0", "1"}, {"1", "0"}, {"0", "0"}}));
    CHECK(g.b == vec({"0", "1", "0"}));
    CHECK(g.v == vec({"1", "1", "0"}));
    CHECK(g.c == -1);
    const EqualityProof p = prove_equality(g, f, cf.domain);
    CHECK(p.status == EqualityProof::Status::Proven);
    CHECK(p.cells == 4);
    check_equal_pointwise(g, f, cf.domain, rng);
  }
  SUBCASE("on R^2: no 1-hidden-layer ICNN of any width") {
    const CanonicalForm cf = canonical_form(f, Domain::whole_space(2));
    const WholeSpaceIcnn r = icnn_on_whole_space(cf);
    CHECK_FALSE(r.zonotope_feasible);
    CHECK_FALSE(r.minimal_width);
    CHECK(r.descent_direction == vec({"-1", "0"}));
    CHECK(r.recession_slope == -1);
    check_whole_space(cf, r, rng);
  }
}

TEST_CASE("THEORY §4: c1_width_obstruction_R2") {
  const OneHiddenLayerNet f = load_ohl("c1_width_obstruction_R2.json");
  std::mt19937_64 rng(12);
  SUBCASE("on [-1,1]^2: relu(x1)+relu(x2)+relu(x1+2x2)+relu(-3/4 x1 - 1/2 x2 + 5/4) - 5/4") {
    const CanonicalForm cf = canonical_form(f, cube(2, "-1", "1"));
    REQUIRE(cf.groups.size() == 3);
    CHECK(cf.groups[0].w == vec({"1", "0"}));
    CHECK(cf.groups[1].w == vec({"0", "1"}));
    CHECK(cf.groups[2].w == vec({"1", "2"}));
    for (const auto& H : cf.groups) {
      CHECK(H.alpha == 1);
      CHECK(H.b == 0);
    }
    CHECK(cf.A == vec({"-3/4", "-1/2"}));
    CHECK(cf.a0 == 0);
    const OneHiddenLayerNet g = icnn_on_box(cf);
    CHECK(g.W == mat({{"1", "0"}, {"0", "1"}, {"1", "2"}, {"-3/4", "-1/2"}}));
    CHECK(g.b == vec({"0", "0", "0", "5/4"}));
    CHECK(g.v == vec({"1", "1", "1", "1"}));
    CHECK(g.c == q("-5/4"));
    CHECK(prove_equality(g, f, cf.domain).status == EqualityProof::Status::Proven);
    check_equal_pointwise(g, f, cf.domain, rng);
  }
  SUBCASE("on R^2: minimal width 5 > 4") {
    const CanonicalForm cf = canonical_form(f, Domain::whole_space(2));
    const WholeSpaceIcnn r = icnn_on_whole_space(cf);
    CHECK(r.zonotope_feasible);
    CHECK(r.k == 3);
    CHECK(r.rank == 2);
    CHECK(r.minimal_width == std::optional<std::size_t>(5));
    CHECK(r.same_width == std::optional<bool>(false));
    // gamma_1 is fractional in every solution (THEORY §4); this one: (3/4, 1/2, 0).
    CHECK(sgn(r.gamma[0]) > 0);
    CHECK(r.gamma[0] < 1);
    check_whole_space(cf, r, rng);
  }
}

TEST_CASE("THEORY §4: x = relu(x) - relu(-x) has no ICNN of any width on R") {
  const OneHiddenLayerNet f = ohl(1, mat({{"1"}, {"-1"}}), vec({"0", "0"}), vec({"1", "-1"}), "0");
  std::mt19937_64 rng(13);
  const CanonicalForm cf = canonical_form(f, Domain::whole_space(1));
  REQUIRE(cf.groups.size() == 1);
  CHECK(cf.groups[0].alpha == 0);
  CHECK(cf.A == vec({"1"}));
  CHECK(cf.convex());
  const WholeSpaceIcnn r = icnn_on_whole_space(cf);
  CHECK_FALSE(r.zonotope_feasible);
  CHECK(r.recession_slope == -1);  // f_inf(-1) = -1
  check_whole_space(cf, r, rng);
  // On [-1,1] it is relu(x + 1) - 1 (Theorem D1).
  const CanonicalForm cb = canonical_form(f, cube(1, "-1", "1"));
  const OneHiddenLayerNet g = icnn_on_box(cb);
  CHECK(g.W == mat({{"1"}, {"0"}}));
  CHECK(g.b == vec({"1", "0"}));
  CHECK(g.v == vec({"1", "0"}));
  CHECK(g.c == -1);
  CHECK(prove_equality(g, f, cb.domain).status == EqualityProof::Status::Proven);
}

TEST_CASE("THEORY §4: c1_3d_abs = sum |x_i| / 2 with 5 neurons needs width 6 on R^3") {
  // sum relu(x_i) - (x1+x2+x3)/2, the linear part as -1/2 relu(s) + 1/2 relu(-s), s = x1+x2+x3.
  const OneHiddenLayerNet f = ohl(3, mat({{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}, {"1", "1", "1"}, {"-1", "-1", "-1"}}),
                                  vec({"0", "0", "0", "0", "0"}), vec({"1", "1", "1", "-1/2", "1/2"}), "0");
  const Network fn = f.to_network();
  CHECK(fn.value(vec({"-1", "2", "-3"})) == 3);  // (1 + 2 + 3) / 2
  std::mt19937_64 rng(14);
  const CanonicalForm cf = canonical_form(f, Domain::whole_space(3));
  REQUIRE(cf.groups.size() == 4);
  CHECK(cf.groups[3].alpha == 0);
  CHECK(cf.A == vec({"-1/2", "-1/2", "-1/2"}));
  const WholeSpaceIcnn r = icnn_on_whole_space(cf);
  CHECK(r.zonotope_feasible);
  CHECK(r.minimal_width == std::optional<std::size_t>(6));
  CHECK(r.same_width == std::optional<bool>(false));
  CHECK(r.gamma == vec({"1/2", "1/2", "1/2", "0"}));
  check_whole_space(cf, r, rng);
  // On a box, width 5 suffices (Theorem D1).
  const CanonicalForm cb = canonical_form(f, cube(3, "-1", "1"));
  const OneHiddenLayerNet g = icnn_on_box(cb);
  CHECK(g.width() == 5);
  CHECK(is_icnn(g));
  CHECK(prove_equality(g, f, cb.domain).status == EqualityProof::Status::Proven);
  check_equal_pointwise(g, f, cb.domain, rng);
}

TEST_CASE("fold witnesses: concurrent, parallel and dead hyperplanes") {
  std::mt19937_64 rng(15);
  // relu(x1) + relu(x2) - relu(x1 + x2): concave fold on x1 + x2 = 0, through the other lines' crossing.
  const OneHiddenLayerNet f = ohl(2, mat({{"1", "0"}, {"0", "1"}, {"1", "1"}}), vec({"0", "0", "0"}), vec({"1", "1", "-1"}), "0");
  for (const Domain& dom : {Domain::whole_space(2), cube(2, "-1", "1"), Domain::box(vec({"0", "-1"}), vec({"1", "0"}))}) {
    const CanonicalForm cf = canonical_form(f, dom);
    const auto bad = cf.first_negative_group();
    REQUIRE(bad);
    const Witness w = fold_witness(cf, *bad, f.to_network());
    CHECK(verify_witness(f.to_network(), dom, w));
  }
  // Parallel hyperplanes in 1-D and 2-D: relu(x) - relu(x - 1) + relu(x - 2) (concave at 1).
  const OneHiddenLayerNet p = ohl(1, mat({{"1"}, {"2"}, {"-1"}}), vec({"0", "-2", "2"}), vec({"1", "-1/2", "1"}), "0");
  const CanonicalForm cp = canonical_form(p, Domain::whole_space(1));
  REQUIRE(cp.first_negative_group());
  CHECK(verify_witness(p.to_network(), cp.domain, fold_witness(cp, *cp.first_negative_group(), p.to_network())));
  // deg_dead_on_box: convex on the box (the fold lies outside), not on R^2.
  const OneHiddenLayerNet dd = load_ohl("deg_dead_on_box.json");
  const CanonicalForm on_box = canonical_form(dd, cube(2, "-1", "1"));
  CHECK(on_box.convex());
  CHECK(on_box.roles[1] == NeuronRole::Dead);
  const CanonicalForm on_r = canonical_form(dd, Domain::whole_space(2));
  REQUIRE_FALSE(on_r.convex());
  CHECK(verify_witness(dd.to_network(), on_r.domain, fold_witness(on_r, *on_r.first_negative_group(), dd.to_network())));
}

TEST_CASE("random 1-hidden-layer nets: verdicts, witnesses, ICNNs and equality proofs") {
  Gen gen(20250101);
  std::mt19937_64 rng(99);
  int box_convex = 0, box_convex_nontrivial = 0, box_not = 0, r_not = 0, r_none = 0, r_same = 0, r_wider = 0;
  const int kNets = 240;
  for (int t = 0; t < kNets; ++t) {
    const RandomOhl c = gen.next();
    const Network fn = c.net.to_network();
    INFO("net " << t << " (" << c.recipe << "): " << network_json_text(fn));
    for (const Domain& dom : {c.box, Domain::whole_space(c.net.dim)}) {
      INFO("domain " << dom.describe());
      const CanonicalForm cf = canonical_form(c.net, dom);
      const CheckResult engine = check_convexity(fn, dom);
      REQUIRE(engine.verdict != Verdict::Unknown);
      REQUIRE(cf.convex() == (engine.verdict == Verdict::Convex));
      if (!cf.convex()) {
        const Witness w = fold_witness(cf, *cf.first_negative_group(), fn);
        CHECK(verify_witness(fn, dom, w));
        ++(dom.is_box ? box_not : r_not);
        continue;
      }
      if (dom.is_box) {
        const OneHiddenLayerNet g = icnn_on_box(cf);
        CHECK(is_icnn(g));
        CHECK(g.width() == c.net.width());
        const EqualityProof p = prove_equality(g, c.net, dom);
        REQUIRE(p.status == EqualityProof::Status::Proven);
        check_equal_pointwise(g, c.net, dom, rng, 40);
        ++box_convex;
        if (cf.positive_groups() < c.net.width()) ++box_convex_nontrivial;
      } else {
        const WholeSpaceIcnn r = icnn_on_whole_space(cf);
        check_whole_space(cf, r, rng);
        if (!r.zonotope_feasible) ++r_none;
        else if (*r.same_width) ++r_same;
        else ++r_wider;
      }
    }
  }
  MESSAGE("box: " << box_convex << " convex (" << box_convex_nontrivial << " with k < n), " << box_not
                  << " not convex; R^d: " << r_not << " not convex, " << r_none << " convex without ICNN, " << r_same
                  << " same-width ICNN, " << r_wider << " ICNN only wider");
  // The sample exercises every branch.
  CHECK(box_convex_nontrivial >= 40);
  CHECK(box_not >= 20);
  CHECK(r_not >= 20);
  CHECK(r_none >= 5);
  CHECK(r_same >= 20);
  CHECK(r_wider >= 1);
}

TEST_CASE("width search limit: bounds instead of a guess") {
  // c1_width_obstruction_R2 on R^2 with a budget below the first level of the search: the
  // minimal width is only bracketed, by k and by the LP's basic solution (<= rank fractional).
  const OneHiddenLayerNet f = load_ohl("c1_width_obstruction_R2.json");
  const CanonicalForm cf = canonical_form(f, Domain::whole_space(2));
  WholeSpaceSearchLimits lim;
  lim.max_steps = 3;  // level 0 alone costs 2^3 = 8
  const WholeSpaceIcnn r = icnn_on_whole_space(cf, lim);
  CHECK(r.zonotope_feasible);
  CHECK_FALSE(r.search_complete);
  CHECK_FALSE(r.minimal_width);
  CHECK(r.width_lower_bound == 3);
  REQUIRE(r.width_upper_bound);
  CHECK(*r.width_upper_bound == 5);  // >= the true minimum 5, <= k + rank = 5
  CHECK_FALSE(r.same_width.has_value());
  REQUIRE(r.icnn);
  CHECK(prove_equality(*r.icnn, f, cf.domain).status == EqualityProof::Status::Proven);
}

TEST_CASE("relucert icnn: text, JSON, -o / --out, and input errors") {
  const std::string lp = kNets + "/c1_linear_pair.json", wo = kNets + "/c1_width_obstruction_R2.json";
  SUBCASE("box, text and -o") {
    const fs::path out = scratch_dir() / "icnn_lp.json";
    const Run r = run_cli({"icnn", lp, "--box", "-1:1", "-o", out.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "H1: h = x1   alpha = 0"));
    CHECK(contains(r.out, "g = relu(x2) + relu(x1 + 1) - 1"));
    CHECK(contains(r.out, "equality g = f proven on 4 cells"));
    const auto g = as_one_hidden_layer(load_network_json_file(out.string()));
    REQUIRE(g);
    CHECK(g->v == vec({"1", "1", "0"}));
    CHECK(g->c == -1);
  }
  SUBCASE("R^2, JSON and --out") {
    const fs::path out = scratch_dir() / "icnn_wo.json";
    const Run r = run_cli({"icnn", wo, "--json", "--out", out.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["verdict"] == "convex");
    CHECK(j["same_width_icnn"] == false);
    CHECK(j["minimal_width"] == 5);
    CHECK(j["equality_cells"] == 6);
    CHECK(j["groups"].size() == 3);
    CHECK(j["groups"][2]["alpha"] == "1");
    CHECK(j["icnn"]["layers"][0]["W"].size() == 5);
    const auto g = as_one_hidden_layer(load_network_json_file(out.string()));
    REQUIRE(g);
    CHECK(g->width() == 5);
    CHECK(prove_equality(*g, load_ohl("c1_width_obstruction_R2.json"), Domain::whole_space(2)).status ==
          EqualityProof::Status::Proven);
  }
  SUBCASE("R^2 without any ICNN") {
    const Run r = run_cli({"icnn", lp, "--json"});
    CHECK(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["same_width_icnn"] == false);
    CHECK(j["minimal_width"].is_null());
    CHECK(j["icnn"].is_null());
  }
  SUBCASE("not convex: exit 1 with a verified witness") {
    const std::string net = kNets + "/deg_concurrent_lines_nonconvex.json";
    const Run r = run_cli({"icnn", net, "--json"});
    CHECK(r.exit_code == 1);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["verdict"] == "not_convex");
    Witness w;
    for (const auto& s : j["witness"]["x"]) w.x.push_back(q(s.get<std::string>()));
    for (const auto& s : j["witness"]["y"]) w.y.push_back(q(s.get<std::string>()));
    w.gap = q(j["witness"]["gap"].get<std::string>());
    CHECK(verify_witness(load_network_json_file(net), Domain::whole_space(2), w));
  }
  SUBCASE("input errors: exit 2, nothing on stdout") {
    Run r = run_cli({"icnn", kNets + "/icnn_basic.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "one hidden layer"));
    r = run_cli({"icnn", lp, "-o", "a.json", "--out", "b.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    r = run_cli({"icnn", lp, "-o"});
    CHECK(r.exit_code == 2);
    r = run_cli({"icnn", lp, "--box", "-1:1", "-o", (scratch_dir() / "no_such_dir" / "x.json").string()});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    r = run_cli({"icnn", lp, "--search-limit", "x"});
    CHECK(r.exit_code == 2);
  }
  SUBCASE("a cell limit makes the equality proof unknown: exit 3") {
    const Run r = run_cli({"icnn", wo, "--box", "-1:1", "--max-cells", "1"});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.out, "equality g = f: unknown"));
  }
}
