// Hand-made degenerate networks (THEORY.md §1 "Fine points", §2.2 table of failures of (G)).
// Every verdict below is derived by hand: the closed form of f is written in a comment, and
// for every non-convex case a hand witness (x, y) with 2 f((x+y)/2) > f(x) + f(y) is given
// and re-checked here by the exact forward pass alone. Convex expectations are sanity-checked
// by exact midpoint tests on a grid (a necessary condition only). The engine is then run with
// the default options and with refuter_lines = 0 (so the region complex decides).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/convexity.hpp"
#include "analysis/witness.hpp"
#include "core/network_json.hpp"
#include "core/rational.hpp"
#include "support/exact.hpp"

using namespace relucert;
using namespace relucert::test;

namespace {





Network json(const std::string& text) { return parse_network_json(text, "test_degenerate"); }

Domain Rd(std::size_t d) { return Domain::whole_space(d); }
Domain cube(std::size_t d, const char* lo, const char* hi) { return Domain::box(Vector(d, q(lo)), Vector(d, q(hi))); }
Domain box(std::initializer_list<const char*> lo, std::initializer_list<const char*> hi) { return Domain::box(vec(lo), vec(hi)); }

Vector midpoint(const Vector& x, const Vector& y) {
  Vector m(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) m[i] = (x[i] + y[i]) / 2;
  return m;
}

// 2 f(m) - f(x) - f(y), computed here from Network::value only.
Rational gap_by_hand(const Network& f, const Vector& x, const Vector& y) {
  return 2 * f.value(midpoint(x, y)) - f.value(x) - f.value(y);
}

// Grid of exact sample points: inside the box, or a fixed spread of values on R^d.
std::vector<Vector> grid(const Domain& dom) {
  const std::size_t d = dom.dim;
  const std::size_t per_axis = d <= 2 ? 7 : 4;
  std::vector<Vector> axis(d);
  for (std::size_t i = 0; i < d; ++i) {
    if (dom.is_box) {
      for (std::size_t k = 0; k < per_axis; ++k) {
        Rational t(static_cast<long>(k), static_cast<long>(per_axis - 1));
        t.canonicalize();  // mpq_class(p, q) does not reduce
        axis[i].push_back(dom.lo[i] + (dom.hi[i] - dom.lo[i]) * t);
      }
    } else if (per_axis == 7) {
      axis[i] = vec({"-7", "-2", "-1/2", "0", "1/3", "3/2", "6"});
    } else {
      axis[i] = vec({"-5", "-1/2", "1/3", "4"});
    }
  }
  std::vector<Vector> pts{Vector{}};
  for (std::size_t i = 0; i < d; ++i) {
    std::vector<Vector> next;
    for (const auto& p : pts)
      for (const auto& v : axis[i]) {
        Vector e = p;
        e.push_back(v);
        next.push_back(std::move(e));
      }
    pts = std::move(next);
  }
  return pts;
}

using HandWitness = std::pair<Vector, Vector>;

// Checks one (net, domain) against the hand verdict, with and without the line refuter.
void expect_verdict(const std::string& label, const Network& f, const Domain& dom, Verdict want,
                    const std::optional<HandWitness>& hand = std::nullopt) {
  INFO("case ", label, " on ", dom.describe(), ", expected ", std::string(verdict_name(want)));
  // 1. The hand derivation itself, checked by the forward pass.
  if (want == Verdict::NotConvex) {
    REQUIRE_MESSAGE(hand.has_value(), "a non-convex case needs a hand witness");
    CHECK(dom.contains(hand->first));
    CHECK(dom.contains(hand->second));
    CHECK(sgn(gap_by_hand(f, hand->first, hand->second)) > 0);
  } else if (want == Verdict::Convex) {
    const auto pts = grid(dom);
    bool ok = true;
    for (std::size_t i = 0; i < pts.size() && ok; ++i)
      for (std::size_t j = i + 1; j < pts.size() && ok; ++j)
        if (sgn(gap_by_hand(f, pts[i], pts[j])) > 0) {
          ok = false;
          FAIL_CHECK("hand claim 'convex' contradicted by grid pair ", to_string(pts[i]), " / ", to_string(pts[j]));
        }
  }
  // 2. The engine, with the line refuter first and with the region complex alone.
  for (std::size_t lines : {std::size_t(64), std::size_t(0)}) {
    INFO("refuter_lines = ", lines);
    CheckOptions opt;
    opt.refuter_lines = lines;
    if (lines == 0) opt.method = tiers::Method::RegionComplex;  // the complex decides
    const CheckResult r = check_convexity(f, dom, opt);
    CHECK(std::string(verdict_name(r.verdict)) == std::string(verdict_name(want)));
    if (lines == 0) CHECK(r.method == "region-complex");
    if (r.verdict == Verdict::NotConvex) {
      CHECK(r.violation.has_value());
      REQUIRE(r.witness.has_value());
      const Witness& w = *r.witness;
      CHECK(verify_witness(f, dom, w));
      CHECK(dom.contains(w.x));
      CHECK(dom.contains(w.y));
      const Rational g = gap_by_hand(f, w.x, w.y);
      CHECK(sgn(g) > 0);
      CHECK(g == w.gap);
      CHECK(2 * f.value(midpoint(w.x, w.y)) > f.value(w.x) + f.value(w.y));
    }
  }
}

// Convex on R^d implies convex on every box (the converse direction is impossible to break).
void expect_convex_everywhere(const std::string& label, const Network& f) {
  const std::size_t d = f.input_dim();
  expect_verdict(label, f, Rd(d), Verdict::Convex);
  expect_verdict(label, f, cube(d, "-1", "1"), Verdict::Convex);
  expect_verdict(label, f, cube(d, "-100", "100"), Verdict::Convex);
  expect_verdict(label, f, cube(d, "1/3", "7/2"), Verdict::Convex);
  expect_verdict(label, f, cube(d, "-9/2", "-1/7"), Verdict::Convex);
}

HandWitness W(Vector x, Vector y) { return {std::move(x), std::move(y)}; }

const std::string kOnePlusTiny = "1.000000000000000000000000000001";  // 1 + 1e-30

}  // namespace

// ------------------------------------------------------------------------------------------
// d = 1
// ------------------------------------------------------------------------------------------

TEST_CASE("d=1: duplicated neurons on one breakpoint, jumps combining to convex or concave") {
  // a1 = a2 = relu(x). f = 2 a1 - a2 = relu(x): convex.
  expect_convex_everywhere("dup convex", Network(1, {layer({{"1"}, {"1"}}, {"0", "0"}), layer({{"2", "-1"}}, {"0"}, false)}));
  // f = a1 - 2 a2 = -relu(x): concave fold at 0.
  const Network concave(1, {layer({{"1"}, {"1"}}, {"0", "0"}), layer({{"1", "-2"}}, {"0"}, false)});
  // f(-1) = 0, f(1) = -1, f(0) = 0: gap 1.
  expect_verdict("dup concave", concave, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("dup concave", concave, cube(1, "-1", "1"), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("dup concave", concave, cube(1, "1/2", "3"), Verdict::Convex);   // f = -x
  expect_verdict("dup concave", concave, cube(1, "-3", "-1/2"), Verdict::Convex); // f = 0
  expect_verdict("dup concave", concave, cube(1, "0", "1"), Verdict::Convex);     // fold on the boundary
  expect_verdict("dup concave", concave, cube(1, "-1", "0"), Verdict::Convex);
  // Three copies cancelling exactly: relu(x) + relu(x) - 2 relu(x) = 0.
  expect_convex_everywhere("dup cancel", Network(1, {layer({{"1"}, {"1"}, {"1"}}, {"0", "0", "0"}), layer({{"1", "1", "-2"}}, {"0"}, false)}));
}

TEST_CASE("d=1: scaled duplicates") {
  // a1 = relu(x), a2 = relu(2x) = 2 relu(x), a3 = relu(x/2) = relu(x)/2.
  // f = 3 a1 - a2 - a3 = (3 - 2 - 1/2) relu(x) = relu(x)/2: convex.
  expect_convex_everywhere("scaled dup convex",
                           Network(1, {layer({{"1"}, {"2"}, {"1/2"}}, {"0", "0", "0"}), layer({{"3", "-1", "-1"}}, {"0"}, false)}));
  // f = a1 - a2 + 5 a3 = (1 - 2 + 5/2) relu(x): convex; f = a1 - a2 = -relu(x): not.
  expect_convex_everywhere("scaled dup convex 2",
                           Network(1, {layer({{"1"}, {"2"}, {"1/2"}}, {"0", "0", "0"}), layer({{"1", "-1", "5"}}, {"0"}, false)}));
  const Network bad(1, {layer({{"1"}, {"2"}, {"1/2"}}, {"0", "0", "0"}), layer({{"1", "-1", "0"}}, {"0"}, false)});
  expect_verdict("scaled dup concave", bad, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("scaled dup concave", bad, cube(1, "-1/3", "1/5"), Verdict::NotConvex, W(vec({"-1/5"}), vec({"1/5"})));
}

TEST_CASE("d=1: opposite neurons") {
  // relu(x) - relu(-x) = x: linear.
  expect_convex_everywhere("opposite linear", Network(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "-1"}}, {"0"}, false)}));
  // relu(3x) - 3 relu(-x) = 3x: linear (scaled).
  expect_convex_everywhere("opposite linear scaled", Network(1, {layer({{"3"}, {"-1"}}, {"0", "0"}), layer({{"1", "-3"}}, {"0"}, false)}));
  // relu(x) + relu(-x) = |x|: convex.
  expect_convex_everywhere("abs", Network(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "1"}}, {"0"}, false)}));
  // 2 relu(-x) - relu(x) = relu(-x) - x: convex despite a negative output weight.
  expect_convex_everywhere("opposite convex", Network(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"-1", "2"}}, {"0"}, false)}));
  // relu(x) - 2 relu(-x) = x - relu(-x) = min(x, 2x): concave.  f(-1) = -2, f(1) = 1, f(0) = 0: gap 1.
  const Network bad(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "-2"}}, {"0"}, false)});
  expect_verdict("opposite concave", bad, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("opposite concave", bad, cube(1, "-1", "1"), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("opposite concave", bad, cube(1, "0", "1"), Verdict::Convex);  // f = x
  // -relu(x) - relu(-x) = -|x|.
  const Network negabs(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"-1", "-1"}}, {"0"}, false)});
  expect_verdict("-|x|", negabs, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
}

TEST_CASE("d=1: neurons dead or always active on the box, alive on R") {
  // f = -relu(x - 5): zero on [-1,1], concave fold at 5.  f(4) = 0, f(6) = -1, f(5) = 0: gap 1.
  const Network dead(1, {layer({{"1"}}, {"-5"}), layer({{"-1"}}, {"0"}, false)});
  expect_verdict("dead on box", dead, cube(1, "-1", "1"), Verdict::Convex);
  expect_verdict("dead on box", dead, cube(1, "-100", "5"), Verdict::Convex);  // fold exactly on the boundary
  expect_verdict("dead on box", dead, Rd(1), Verdict::NotConvex, W(vec({"4"}), vec({"6"})));
  expect_verdict("dead on box", dead, cube(1, "4", "6"), Verdict::NotConvex, W(vec({"4"}), vec({"6"})));
  // f = -relu(x + 5): equal to -(x + 5) on [-1,1], concave fold at -5.  f(-6) = 0, f(-4) = -1, f(-5) = 0.
  const Network active(1, {layer({{"1"}}, {"5"}), layer({{"-1"}}, {"0"}, false)});
  expect_verdict("always active on box", active, cube(1, "-1", "1"), Verdict::Convex);
  expect_verdict("always active on box", active, Rd(1), Verdict::NotConvex, W(vec({"-6"}), vec({"-4"})));
}

TEST_CASE("d=1: pre-activations identically zero on an open set") {
  // Layer 1: a1 = a2 = relu(x).  Layer 2: n = relu(a1 - a2) (pre-activation == 0 on all of R),
  // p = relu(a1) = relu(x).  f = -7 n + p = relu(x): convex.
  expect_convex_everywhere("relu(relu(x)-relu(x))",
                           Network(1, {layer({{"1"}, {"1"}}, {"0", "0"}), layer({{"1", "-1"}, {"1", "0"}}, {"0", "0"}),
                                       layer({{"-7", "1"}}, {"0"}, false)}));
  // Layer 2: n1 = relu(a1) = relu(x), n2 = relu(-a1) (pre-activation == 0 on x < 0, < 0 on x > 0, so n2 = 0).
  // f = n1 - 5 n2 = relu(x): convex.  f = -n1 + 5 n2 = -relu(x): not convex.
  expect_convex_everywhere("zero on half-line",
                           Network(1, {layer({{"1"}}, {"0"}), layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "-5"}}, {"0"}, false)}));
  const Network bad(1, {layer({{"1"}}, {"0"}), layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"-1", "5"}}, {"0"}, false)});
  expect_verdict("zero on half-line, concave", bad, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  // Layer-2 neuron fed by neurons dead on the box: a1 = relu(x - 5), a2 = relu(-x - 5), a3 = relu(x);
  // n = relu(a1 + a2) (pre-activation == 0 on (-5, 5)), p = relu(a3).
  // f = p - n = relu(x) - relu(x - 5) - relu(-x - 5): convex on [-5,5], concave folds at +-5 on R.
  // f(4) = 4, f(6) = 5, f(5) = 5: gap 1.
  const Network fed(1, {layer({{"1"}, {"-1"}, {"1"}}, {"-5", "-5", "0"}), layer({{"1", "1", "0"}, {"0", "0", "1"}}, {"0", "0"}),
                        layer({{"-1", "1"}}, {"0"}, false)});
  expect_verdict("fed by dead neurons", fed, cube(1, "-1", "1"), Verdict::Convex);
  expect_verdict("fed by dead neurons", fed, cube(1, "-5", "5"), Verdict::Convex);
  expect_verdict("fed by dead neurons", fed, Rd(1), Verdict::NotConvex, W(vec({"4"}), vec({"6"})));
  expect_verdict("fed by dead neurons", fed, cube(1, "-1", "7"), Verdict::NotConvex, W(vec({"4"}), vec({"6"})));
}

TEST_CASE("d=1: folds of size 1e-30") {
  // a1 = a2 = relu(x).  f = (1 + 1e-30) a1 - a2 = 1e-30 relu(x): convex.
  expect_convex_everywhere("tiny convex", Network(1, {layer({{"1"}, {"1"}}, {"0", "0"}), layer({{kOnePlusTiny, "-1"}}, {"0"}, false)}));
  // f = a1 - (1 + 1e-30) a2 = -1e-30 relu(x).  f(-1) = 0, f(1) = -1e-30, f(0) = 0: gap 1e-30.
  const Network bad(1, {layer({{"1"}, {"1"}}, {"0", "0"}), layer({{"1", "-" + kOnePlusTiny}}, {"0"}, false)});
  expect_verdict("tiny concave", bad, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("tiny concave", bad, cube(1, "-1", "1"), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  CHECK(gap_by_hand(bad, vec({"-1"}), vec({"1"})) == q("1e-30"));
  // The tiny factor in layer 1: a2 = relu((1 + 1e-30) x).  f = a1 - a2 = -1e-30 relu(x); f = a2 - a1 convex.
  const Network bad2(1, {layer({{"1"}, {kOnePlusTiny}}, {"0", "0"}), layer({{"1", "-1"}}, {"0"}, false)});
  expect_verdict("tiny concave (layer 1)", bad2, cube(1, "-1", "1"), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_convex_everywhere("tiny convex (layer 1)", Network(1, {layer({{"1"}, {kOnePlusTiny}}, {"0", "0"}), layer({{"-1", "1"}}, {"0"}, false)}));
}

TEST_CASE("d=1: several breakpoints, box containing only some folds") {
  // f = relu(x) - relu(x - 1) + relu(x - 2): slopes 0, 1, 0, 1; concave fold at 1 only.
  const Network f(1, {layer({{"1"}, {"1"}, {"1"}}, {"0", "-1", "-2"}), layer({{"1", "-1", "1"}}, {"0"}, false)});
  // f(1/2) = 1/2, f(3/2) = 1, f(1) = 1: gap 1/2.
  expect_verdict("slopes 0101", f, Rd(1), Verdict::NotConvex, W(vec({"1/2"}), vec({"3/2"})));
  expect_verdict("slopes 0101", f, cube(1, "1/2", "3/2"), Verdict::NotConvex, W(vec({"1/2"}), vec({"3/2"})));
  expect_verdict("slopes 0101", f, cube(1, "-1", "1/2"), Verdict::Convex);
  expect_verdict("slopes 0101", f, cube(1, "-1", "1"), Verdict::Convex);
  expect_verdict("slopes 0101", f, cube(1, "1", "5"), Verdict::Convex);
  expect_verdict("slopes 0101", f, cube(1, "3/2", "5"), Verdict::Convex);
}

TEST_CASE("d=1: relu after the last layer") {
  // f = relu(1 - relu(x)): 1 on x <= 0, 1 - x on [0,1], 0 on x >= 1: concave fold at 0.
  // f(-1) = 1, f(1) = 0, f(0) = 1: gap 1.
  const Network f(1, {layer({{"1"}}, {"0"}), layer({{"-1"}}, {"1"}, true)});
  expect_verdict("relu(1-relu(x))", f, Rd(1), Verdict::NotConvex, W(vec({"-1"}), vec({"1"})));
  expect_verdict("relu(1-relu(x))", f, cube(1, "1/2", "3"), Verdict::Convex);  // relu(1 - x)
  expect_verdict("relu(1-relu(x))", f, cube(1, "-3", "-1"), Verdict::Convex);  // 1
  // f = relu(relu(x) - 1) = relu(x - 1): convex.
  expect_convex_everywhere("relu(relu(x)-1)", Network(1, {layer({{"1"}}, {"0"}), layer({{"1"}}, {"-1"}, true)}));
}

TEST_CASE("d=1: relu_after false in a middle layer") {
  // L1 relu: a1 = relu(x), a2 = relu(-x).  L2 linear: y1 = a1 - a2 = x, y2 = a1 + a2 = |x|.
  // L3 relu: n1 = relu(y1 - 1) = relu(x - 1), n2 = relu(y2 - 1) = relu(|x| - 1).
  // L3: W = identity, b = [-1, -1]; output W = [c1, c2].
  const std::string net = R"({"input_dim": 1, "layers": [
      {"W": [[1], [-1]], "b": [0, 0]},
      {"W": [[1, -1], [1, 1]], "b": [0, 0]},
      {"W": [[1, 0], [0, 1]], "b": [-1, -1]},
      {"W": [[%1, %2]], "b": [0]}], "relu_after": [true, false, true, false]})";
  auto make = [&](const char* c1, const char* c2) {
    std::string t = net;
    t.replace(t.find("%1"), 2, c1);
    t.replace(t.find("%2"), 2, c2);
    return json(t);
  };
  // f = n1 + n2 = relu(x - 1) + relu(|x| - 1): convex.
  expect_convex_everywhere("middle linear, convex", make("1", "1"));
  // f = n2 - n1 = relu(-x - 1): convex (the two folds at x = 1 cancel).
  expect_convex_everywhere("middle linear, cancel", make("-1", "1"));
  // f = n1 - 2 n2: for x > 1 equals -(x - 1): concave fold at 1.  f(0) = 0, f(2) = 1 - 2 = -1, f(1) = 0: gap 1.
  const Network bad = make("1", "-2");
  expect_verdict("middle linear, concave", bad, Rd(1), Verdict::NotConvex, W(vec({"0"}), vec({"2"})));
  expect_verdict("middle linear, concave", bad, cube(1, "-1", "1"), Verdict::Convex);  // f = 0 on [-1,1]
  // First layer linear: u = 2x, v = -x; L2 relu(u), relu(v); f = relu(u) - relu(v) = 2 relu(x) - relu(-x):
  // x < 0: f = x (slope 1); x > 0: f = 2x (slope 2): convex.
  expect_convex_everywhere("first layer linear",
                           Network(1, {layer({{"2"}, {"-1"}}, {"0", "0"}, false), layer({{"1", "0"}, {"0", "1"}}, {"0", "0"}),
                                       layer({{"1", "-1"}}, {"0"}, false)}));
}

TEST_CASE("d=1: input-skip connections") {
  // L1: a1 = relu(x), a2 = relu(x - 1).  L2: z = relu(a1 + a2 - 2x + 1) (U = [-2], W >= 0):
  // x < 0: 1 - 2x;  [0,1]: relu(1 - x) = 1 - x;  x >= 1: relu(0) = 0 (pre-activation == 0 on (1, inf)).
  // f = 3 z + x (output skip U = [1]): slopes -5, -2, 1: convex (an ICNN with skips).
  const Network icnn = json(R"({"input_dim": 1, "layers": [
      {"W": [[1], [1]], "b": [0, -1]},
      {"W": [[1, 1]], "b": [1], "U": [[-2]]},
      {"W": [[3]], "b": [0], "U": [[1]]}]})");
  expect_convex_everywhere("skip icnn", icnn);
  // Same with W2 = [1, -2], U2 = [0]: z = relu(a1 - 2 a2) = tent (0, x, 2 - x, 0); f = z + 5x.
  // f(0) = 0, f(2) = 10, f(1) = 6: gap 2.
  const Network tent = json(R"({"input_dim": 1, "layers": [
      {"W": [[1], [1]], "b": [0, -1]},
      {"W": [[1, -2]], "b": [0], "U": [["0"]]},
      {"W": [[1]], "b": [0], "U": [[5]]}]})");
  expect_verdict("skip tent", tent, Rd(1), Verdict::NotConvex, W(vec({"0"}), vec({"2"})));
  expect_verdict("skip tent", tent, cube(1, "-1", "1/2"), Verdict::Convex);  // slopes 5, 6
}

// ------------------------------------------------------------------------------------------
// d = 2
// ------------------------------------------------------------------------------------------

TEST_CASE("d=2: duplicated neurons on one line") {
  // deg_duplicate_neurons: f = 2 relu(x1 - 1/2) - relu(x1 - 1/2) + relu(x2) = relu(x1 - 1/2) + relu(x2).
  expect_convex_everywhere("deg_duplicate_neurons", json(R"({"input_dim": 2, "layers": [
      {"W": [["1", "0"], ["1", "0"], ["0", "1"]], "b": ["-1/2", "-1/2", "0"]},
      {"W": [["2", "-1", "1"]], "b": ["0"]}], "relu_after": [true, false]})"));
  // f = relu(x1 - 1/2) - 2 relu(x1 - 1/2) + relu(x2) = -relu(x1 - 1/2) + relu(x2).
  // f(0,0) = 0, f(1,0) = -1/2, f(1/2,0) = 0: gap 1/2.
  const Network bad(2, {layer({{"1", "0"}, {"1", "0"}, {"0", "1"}}, {"-1/2", "-1/2", "0"}), layer({{"1", "-2", "1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"0", "0"}), vec({"1", "0"}));
  expect_verdict("dup concave", bad, Rd(2), Verdict::NotConvex, w);
  expect_verdict("dup concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, w);
  expect_verdict("dup concave", bad, box({"-1", "-1"}, {"1/2", "1"}), Verdict::Convex);  // fold on the boundary
  expect_verdict("dup concave", bad, box({"1", "-1"}, {"2", "1"}), Verdict::Convex);     // -(x1 - 1/2) + relu(x2)
  // Three neurons on x1 + x2 = 0 with both orientations: s = x1 + x2,
  // relu(s) + relu(-s) - relu(2s) = |s| - 2 relu(s) = -s: linear.
  expect_convex_everywhere("three on a line, linear",
                           Network(2, {layer({{"1", "1"}, {"-1", "-1"}, {"2", "2"}}, {"0", "0", "0"}), layer({{"1", "1", "-1"}}, {"0"}, false)}));
  // relu(s) + relu(-s) - relu(3s) = -relu(s) - s.  f(-1,0) = 1, f(1,0) = -2, f(0,0) = 0: gap 1.
  const Network bad3(2, {layer({{"1", "1"}, {"-1", "-1"}, {"3", "3"}}, {"0", "0", "0"}), layer({{"1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("three on a line, concave", bad3, Rd(2), Verdict::NotConvex, W(vec({"-1", "0"}), vec({"1", "0"})));
  expect_verdict("three on a line, concave", bad3, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"-1", "0"}), vec({"1", "0"})));
}

TEST_CASE("d=2: opposite neurons (c1_linear_pair)") {
  // relu(x1) - relu(-x1) + relu(x2) = x1 + relu(x2).
  expect_convex_everywhere("c1_linear_pair",
                           Network(2, {layer({{"1", "0"}, {"-1", "0"}, {"0", "1"}}, {"0", "0", "0"}), layer({{"1", "-1", "1"}}, {"0"}, false)}));
}

TEST_CASE("d=2: scaled duplicates in layer 1 with downstream path-liftings of opposite signs") {
  // L1: a1 = relu(x1), a2 = relu(2 x1) = 2 relu(x1), a3 = relu(x2).
  // L2: n1 = relu(a1 + a3) = relu(x1) + relu(x2), n2 = relu(a2 + a3) = 2 relu(x1) + relu(x2).
  // f = 2 n1 - n2 = relu(x2): convex (c(a1) = 2 > 0, c(a2) = -1 < 0, output weight of n2 < 0).
  const Layer L1 = layer({{"1", "0"}, {"2", "0"}, {"0", "1"}}, {"0", "0", "0"});
  const Layer L2 = layer({{"1", "0", "1"}, {"0", "1", "1"}}, {"0", "0"});
  expect_convex_everywhere("scaled dup, two paths", Network(2, {L1, L2, layer({{"2", "-1"}}, {"0"}, false)}));
  // f = n1 - n2 = -relu(x1).  f(-1,0) = 0, f(1,0) = -1, f(0,0) = 0: gap 1.
  const Network bad(2, {L1, L2, layer({{"1", "-1"}}, {"0"}, false)});
  expect_verdict("scaled dup, two paths, concave", bad, Rd(2), Verdict::NotConvex, W(vec({"-1", "0"}), vec({"1", "0"})));
  expect_verdict("scaled dup, two paths, concave", bad, box({"-1", "-1"}, {"1", "1"}), Verdict::NotConvex,
                 W(vec({"-1", "0"}), vec({"1", "0"})));
  // One downstream neuron: n = relu(3 a1 - a2 + a3) = relu(relu(x1) + relu(x2)) = relu(x1) + relu(x2).
  expect_convex_everywhere("scaled dup, one path",
                           Network(2, {L1, layer({{"3", "-1", "1"}}, {"0"}), layer({{"1"}}, {"0"}, false)}));
  // n = relu(a1 - a2 + a3) = relu(relu(x2) - relu(x1)).  f(-1,1) = 1, f(1,1) = 0, f(0,1) = 1: gap 1.
  const Network bad1(2, {L1, layer({{"1", "-1", "1"}}, {"0"}), layer({{"1"}}, {"0"}, false)});
  expect_verdict("scaled dup, one path, concave", bad1, Rd(2), Verdict::NotConvex, W(vec({"-1", "1"}), vec({"1", "1"})));
  expect_verdict("scaled dup, one path, concave", bad1, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"-1", "1"}), vec({"1", "1"})));
  expect_verdict("scaled dup, one path, concave", bad1, box({"-1", "-1"}, {"1", "0"}), Verdict::Convex);  // relu(-relu(x1)) = 0
}

TEST_CASE("d=2: neurons dead or always active on the box, alive on R^2") {
  // f = relu(x1) + relu(x2) - relu(x1 + x2 - 10): on [-1,1]^2 the third neuron is dead.
  // f(5,4) = 9, f(5,6) = 10, f(5,5) = 10: gap 1.
  const Network dead(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "1"}}, {"0", "0", "-10"}), layer({{"1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("dead on box", dead, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("dead on box", dead, cube(2, "-5", "5"), Verdict::Convex);  // line touches the corner (5,5) only
  expect_verdict("dead on box", dead, Rd(2), Verdict::NotConvex, W(vec({"5", "4"}), vec({"5", "6"})));
  expect_verdict("dead on box", dead, cube(2, "-6", "6"), Verdict::NotConvex, W(vec({"5", "4"}), vec({"5", "6"})));
  // f = relu(x1) - relu(x2 + 3): on [-1,1]^2 equal to relu(x1) - x2 - 3.
  // f(0,-4) = 0, f(0,-2) = -1, f(0,-3) = 0: gap 1.
  const Network active(2, {layer({{"1", "0"}, {"0", "1"}}, {"0", "3"}), layer({{"1", "-1"}}, {"0"}, false)});
  expect_verdict("always active on box", active, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("always active on box", active, Rd(2), Verdict::NotConvex, W(vec({"0", "-4"}), vec({"0", "-2"})));
  // deg_dead_on_box from nets/: f = relu(x1) - 5 relu(x1 + x2 - 3): dead on [-1,1]^2.
  // f(2,0) = 2, f(2,2) = 2 - 5 = -3, f(2,1) = 2: gap 5.
  const Network shared(2, {layer({{"1", "0"}, {"1", "1"}}, {"0", "-3"}), layer({{"1", "-5"}}, {"0"}, false)});
  expect_verdict("deg_dead_on_box", shared, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("deg_dead_on_box", shared, Rd(2), Verdict::NotConvex, W(vec({"2", "0"}), vec({"2", "2"})));
}

TEST_CASE("d=2: pre-activations identically zero on an open set") {
  // L1: a1 = a2 = relu(x1), a3 = relu(x2).  L2: n = relu(a1 - a2) == relu(0) (zero on all of R^2), p = relu(a3).
  // f = p - n = relu(x2): convex.
  expect_convex_everywhere("relu(relu(x1)-relu(x1))",
                           Network(2, {layer({{"1", "0"}, {"1", "0"}, {"0", "1"}}, {"0", "0", "0"}),
                                       layer({{"1", "-1", "0"}, {"0", "0", "1"}}, {"0", "0"}), layer({{"-1", "1"}}, {"0"}, false)}));
  // Layer-2 neuron fed by neurons dead on [-1,1]^2: a1 = relu(x1 - 3), a2 = relu(x2 - 3), a3 = relu(x1), a4 = relu(x2);
  // n = relu(a1 + a2) (pre-activation == 0 on {x1 < 3, x2 < 3}), p = relu(a3 + a4) = relu(x1) + relu(x2).
  // f = p - n = relu(x1) + relu(x2) - relu(x1 - 3) - relu(x2 - 3).  f(2,0) = 2, f(4,0) = 3, f(3,0) = 3: gap 1.
  const Network fed(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "0"}, {"0", "1"}}, {"-3", "-3", "0", "0"}),
                        layer({{"1", "1", "0", "0"}, {"0", "0", "1", "1"}}, {"0", "0"}), layer({{"-1", "1"}}, {"0"}, false)});
  expect_verdict("fed by dead neurons", fed, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("fed by dead neurons", fed, cube(2, "-3", "3"), Verdict::Convex);
  expect_verdict("fed by dead neurons", fed, Rd(2), Verdict::NotConvex, W(vec({"2", "0"}), vec({"4", "0"})));
  expect_verdict("fed by dead neurons", fed, cube(2, "-4", "4"), Verdict::NotConvex, W(vec({"2", "0"}), vec({"4", "0"})));
}

TEST_CASE("d=2: zero set that is a single point") {
  // L1: a1 = relu(x1), a2 = relu(-x1), a3 = relu(x2), a4 = relu(-x2).
  // L2: n = relu(-(a1 + a2 + a3 + a4)) = relu(-|x1| - |x2|) = 0 (pre-activation zero only at the origin),
  //     p = relu(a1) = relu(x1), m = relu(a1 + a2 + a3 + a4) = |x1| + |x2|.
  const Layer L1 = layer({{"1", "0"}, {"-1", "0"}, {"0", "1"}, {"0", "-1"}}, {"0", "0", "0", "0"});
  const Layer L2 = layer({{"-1", "-1", "-1", "-1"}, {"1", "0", "0", "0"}, {"1", "1", "1", "1"}}, {"0", "0", "0"});
  // f = -4 n + p = relu(x1): convex.
  expect_convex_everywhere("point zero set", Network(2, {L1, L2, layer({{"-4", "1", "0"}}, {"0"}, false)}));
  // f = 3 n + m = |x1| + |x2|: convex.
  expect_convex_everywhere("point zero set, abs", Network(2, {L1, L2, layer({{"3", "0", "1"}}, {"0"}, false)}));
  // f = p - m = -relu(-x1) - |x2|.  f(0,-1) = -1, f(0,1) = -1, f(0,0) = 0: gap 2.
  const Network bad(2, {L1, L2, layer({{"0", "1", "-1"}}, {"0"}, false)});
  expect_verdict("point zero set, concave", bad, Rd(2), Verdict::NotConvex, W(vec({"0", "-1"}), vec({"0", "1"})));
  expect_verdict("point zero set, concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"0", "-1"}), vec({"0", "1"})));
}

TEST_CASE("d=2: several lines through one point") {
  const Layer L1 = layer({{"1", "0"}, {"0", "1"}, {"1", "1"}, {"1", "-1"}}, {"0", "0", "0", "0"});
  // f = relu(x1) + relu(x2) + relu(x1 + x2) + relu(x1 - x2): convex.
  expect_convex_everywhere("4 lines, convex", Network(2, {L1, layer({{"1", "1", "1", "1"}}, {"0"}, false)}));
  // f = relu(x1) + relu(x2) + relu(x1 + x2) - relu(x1 - x2): concave fold on x1 = x2 (away from the origin).
  // f(1/2,3/2) = 4, f(3/2,1/2) = 3, f(1,1) = 4: gap 1.
  const Network bad(2, {L1, layer({{"1", "1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("4 lines, concave", bad, Rd(2), Verdict::NotConvex, W(vec({"1/2", "3/2"}), vec({"3/2", "1/2"})));
  // Homogeneous: scaled by 1/2 the same witness lies in [-1,1]^2 (gap 1/2).
  expect_verdict("4 lines, concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"1/4", "3/4"}), vec({"3/4", "1/4"})));
  // The box [-1,1] x [0,1] ... still crosses x1 = x2; the box [0,1] x [-1,-1/2] misses it: there
  // x1 > x2 everywhere, f = x1 + 0 + relu(x1 + x2) - (x1 - x2) = relu(x1 + x2) + x2: convex.
  expect_verdict("4 lines, concave", bad, box({"0", "-1"}, {"1", "-1/2"}), Verdict::Convex);
  // Six neurons on three lines through the origin, with cancellation:
  // relu(x1) + relu(x2) + [relu(x1+x2) - relu(-x1-x2)] + [relu(x2-x1) - relu(x1-x2)] = relu(x1) + relu(x2) + 2 x2.
  expect_convex_everywhere(
      "6 neurons, 3 lines, cancel",
      Network(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "1"}, {"-1", "-1"}, {"-1", "1"}, {"1", "-1"}}, {"0", "0", "0", "0", "0", "0"}),
                  layer({{"1", "1", "1", "-1", "1", "-1"}}, {"0"}, false)}));
  // deg_concurrent_lines_nonconvex: relu(x1) + relu(x2) - relu(x1 + x2).  f(-1,1) = 1, f(1,-1) = 1, f(0,0) = 0... that pair
  // has gap -2; across x1 + x2 = 0 at (1,-1): f(1/2,-3/2) = 1/2, f(3/2,-1/2) = 3/2 - 1 = 1/2, f(1,-1) = 1: gap 1.
  const Network conc(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "1"}}, {"0", "0", "0"}), layer({{"1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("deg_concurrent_lines_nonconvex", conc, Rd(2), Verdict::NotConvex, W(vec({"1/2", "-3/2"}), vec({"3/2", "-1/2"})));
  expect_verdict("deg_concurrent_lines_nonconvex", conc, cube(2, "-1", "1"), Verdict::NotConvex,
                 W(vec({"1/4", "-3/4"}), vec({"3/4", "-1/4"})));
}

TEST_CASE("d=2: a layer-2 bent line running along a layer-1 line") {
  // L1: a1 = relu(x1), a2 = relu(-x1), a3 = relu(x2).  L2: n = relu(a1 - a2 + a3) = relu(x1 + relu(x2)),
  // whose zero set is x1 = 0 for x2 <= 0 (on top of the zero sets of a1 and a2) and x1 = -x2 for x2 >= 0;
  // p1 = relu(a1), p2 = relu(a2).
  const Layer L1 = layer({{"1", "0"}, {"-1", "0"}, {"0", "1"}}, {"0", "0", "0"});
  const Layer L2 = layer({{"1", "-1", "1"}, {"1", "0", "0"}, {"0", "1", "0"}}, {"0", "0", "0"});
  // f = n - p1 + p2 = relu(x1 + relu(x2)) - x1: relu of a convex function, plus linear: convex.
  expect_convex_everywhere("bent along layer 1", Network(2, {L1, L2, layer({{"1", "-1", "1"}}, {"0"}, false)}));
  // f = n - 2 p1 + p2 = relu(x1 + relu(x2)) - relu(x1) - x1: concave fold on {x1 = 0, x2 > 0};
  // on x2 <= 0 it is -x1.  f(-1/2,1) = 1, f(1/2,1) = 1/2, f(0,1) = 1: gap 1/2.
  const Network bad(2, {L1, L2, layer({{"1", "-2", "1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"-1/2", "1"}), vec({"1/2", "1"}));
  expect_verdict("bent along layer 1, concave", bad, Rd(2), Verdict::NotConvex, w);
  expect_verdict("bent along layer 1, concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, w);
  expect_verdict("bent along layer 1, concave", bad, box({"-1", "-1"}, {"1", "0"}), Verdict::Convex);
  expect_verdict("bent along layer 1, concave", bad, box({"-1", "-1"}, {"1", "-1/2"}), Verdict::Convex);
}

TEST_CASE("d=2: folds of size 1e-30") {
  // a1 = relu(x1 + x2), a2 = relu((1 + 1e-30)(x1 + x2)).  f = a2 - a1 = 1e-30 relu(x1 + x2): convex.
  const Layer L1 = layer({{"1", "1"}, {kOnePlusTiny, kOnePlusTiny}}, {"0", "0"});
  expect_convex_everywhere("tiny convex", Network(2, {L1, layer({{"-1", "1"}}, {"0"}, false)}));
  // f = a1 - a2 = -1e-30 relu(x1 + x2).  f(-1/2,0) = 0, f(1/2,0) = -5e-31, f(0,0) = 0: gap 5e-31.
  const Network bad(2, {L1, layer({{"1", "-1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"-1/2", "0"}), vec({"1/2", "0"}));
  CHECK(gap_by_hand(bad, w.first, w.second) == q("5e-31"));
  expect_verdict("tiny concave", bad, Rd(2), Verdict::NotConvex, w);
  expect_verdict("tiny concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, w);
  // Through a second layer: L1 b1 = b2 = relu(x1), b3 = relu(x2);
  // L2 n = relu(b3 + 1) = relu(x2) + 1 (always active), m1 = relu(b1) = relu(x1), m2 = relu(b2) = relu(x1);
  // output [1, 1, -(1 + 1e-30)].
  const Network deep(2, {layer({{"1", "0"}, {"1", "0"}, {"0", "1"}}, {"0", "0", "0"}),
                         layer({{"0", "0", "1"}, {"1", "0", "0"}, {"0", "1", "0"}}, {"1", "0", "0"}),
                         layer({{"1", "1", "-" + kOnePlusTiny}}, {"0"}, false)});
  // f = relu(x2) + 1 + relu(x1) - (1 + 1e-30) relu(x1) = relu(x2) + 1 - 1e-30 relu(x1).  f(-1,0) = 1, f(1,0) = 1 - 1e-30, f(0,0) = 1.
  expect_verdict("tiny concave, deep", deep, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"-1", "0"}), vec({"1", "0"})));
}

TEST_CASE("d=2: parallel lines, no vertices on R^2; the only concave fold outside the box") {
  // f = relu(x1) + relu(x1 - 1) - relu(x1 - 2): slopes along x1 0, 1, 2, 1: concave at x1 = 2.
  // f(3/2,0) = 2, f(5/2,0) = 7/2, f(2,0) = 3: gap 1/2.
  const Network par(2, {layer({{"1", "0"}, {"1", "0"}, {"1", "0"}}, {"0", "-1", "-2"}), layer({{"1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("parallel", par, Rd(2), Verdict::NotConvex, W(vec({"3/2", "0"}), vec({"5/2", "0"})));
  expect_verdict("parallel", par, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("parallel", par, cube(2, "-2", "2"), Verdict::Convex);  // fold on the boundary
  expect_verdict("parallel", par, cube(2, "-3", "3"), Verdict::NotConvex, W(vec({"3/2", "0"}), vec({"5/2", "0"})));
  // Far away, oblique: f = relu(x1 + x2 - 1000) - relu(x1 + x2 - 1001): slopes 0, 1, 0 in s = x1 + x2.
  // Convex on the heuristic box [-100,100]^2, not on R^2.  f(1000,0) = 0, f(1002,0) = 1, f(1001,0) = 1: gap 1.
  const Network far(2, {layer({{"1", "1"}, {"1", "1"}}, {"-1000", "-1001"}), layer({{"1", "-1"}}, {"0"}, false)});
  expect_verdict("far parallel", far, cube(2, "-100", "100"), Verdict::Convex);
  expect_verdict("far parallel", far, Rd(2), Verdict::NotConvex, W(vec({"1000", "0"}), vec({"1002", "0"})));
  // Parallel, opposite orientations, all weights positive: relu(x1) + relu(1 - x1) + relu(x1 - 3): convex.
  expect_convex_everywhere("parallel convex",
                           Network(2, {layer({{"1", "0"}, {"-1", "0"}, {"1", "0"}}, {"0", "1", "-3"}), layer({{"1", "1", "1"}}, {"0"}, false)}));
  // f = relu(x1) + relu(x2) - relu(x1 + x2 - 3): the concave fold x1 + x2 = 3 misses [-1,1]^2, touches
  // [-3/2,3/2]^2 only at a corner, and crosses [-2,2]^2.  f(1,1) = 2, f(2,2) = 3, f(3/2,3/2) = 3: gap 1.
  const Network corner(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "1"}}, {"0", "0", "-3"}), layer({{"1", "1", "-1"}}, {"0"}, false)});
  expect_verdict("fold outside box", corner, cube(2, "-1", "1"), Verdict::Convex);
  expect_verdict("fold outside box", corner, cube(2, "-3/2", "3/2"), Verdict::Convex);
  expect_verdict("fold outside box", corner, cube(2, "-2", "2"), Verdict::NotConvex, W(vec({"1", "1"}), vec({"2", "2"})));
  expect_verdict("fold outside box", corner, Rd(2), Verdict::NotConvex, W(vec({"1", "1"}), vec({"2", "2"})));
}

TEST_CASE("d=2: zero weight rows, all-zero network") {
  // L1 rows: relu(0x + 3) = 3, relu(0x - 2) = 0, relu(x1), relu(x2 - 1); output [-5, 7, 1, 1], bias 2:
  // f = -15 + 0 + relu(x1) + relu(x2 - 1) + 2: convex.
  const Layer L1 = layer({{"0", "0"}, {"0", "0"}, {"1", "0"}, {"0", "1"}}, {"3", "-2", "0", "-1"});
  expect_convex_everywhere("zero rows", Network(2, {L1, layer({{"-5", "7", "1", "1"}}, {"2"}, false)}));
  // Zero row in layer 2: n1 = relu(0 a - 1) = 0, n2 = relu(a1 + a2 + a3 + a4) = 3 + relu(x1) + relu(x2 - 1).
  const Layer L2 = layer({{"0", "0", "0", "0"}, {"1", "1", "1", "1"}}, {"-1", "0"});
  expect_convex_everywhere("zero row layer 2", Network(2, {L1, L2, layer({{"-9", "1"}}, {"0"}, false)}));
  // f = -n2 = -3 - relu(x1) - relu(x2 - 1).  f(-1,0) = -3, f(1,0) = -4, f(0,0) = -3: gap 1.
  const Network bad(2, {L1, L2, layer({{"-9", "-1"}}, {"0"}, false)});
  expect_verdict("zero row layer 2, concave", bad, Rd(2), Verdict::NotConvex, W(vec({"-1", "0"}), vec({"1", "0"})));
  // Zero output weights on a concave part: relu(x1) - 0 * relu(x2).
  expect_convex_everywhere("zero output weight",
                           Network(2, {layer({{"1", "0"}, {"0", "1"}}, {"0", "0"}), layer({{"1", "0"}}, {"0"}, false)}));
  // All-zero network, with and without relu after the last layer: f = 0.
  for (bool last_relu : {false, true}) {
    expect_convex_everywhere("all zero",
                             Network(2, {layer({{"0", "0"}, {"0", "0"}}, {"0", "0"}), layer({{"0", "0"}}, {"0"}, last_relu)}));
  }
  expect_convex_everywhere("all zero d=1", Network(1, {layer({{"0"}}, {"0"}), layer({{"0"}}, {"0"}, false)}));
}

TEST_CASE("d=2: relu after the last layer") {
  // f = relu(x1 - relu(x2)).  f(1,-1) = 1, f(1,1) = 0, f(1,0) = 1: gap 1.
  const Network bad(2, {layer({{"1", "0"}, {"-1", "0"}, {"0", "1"}}, {"0", "0", "0"}), layer({{"1", "-1", "-1"}}, {"0"}, true)});
  expect_verdict("relu(x1 - relu(x2))", bad, Rd(2), Verdict::NotConvex, W(vec({"1", "-1"}), vec({"1", "1"})));
  expect_verdict("relu(x1 - relu(x2))", bad, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"1", "-1"}), vec({"1", "1"})));
  expect_verdict("relu(x1 - relu(x2))", bad, box({"-1", "-1"}, {"1", "0"}), Verdict::Convex);  // relu(x1)
  // f = relu(relu(x1) + relu(x2) - 1): ICNN with a relu on the output: convex.
  expect_convex_everywhere("relu on output", Network(2, {layer({{"1", "0"}, {"0", "1"}}, {"0", "0"}), layer({{"1", "1"}}, {"-1"}, true)}));
}

TEST_CASE("d=2: input-skip connections (ICNN with skips)") {
  // L1 free: a1 = relu(x1), a2 = relu(1 - x2), a3 = relu(x1 + x2).
  // L2: W2 >= 0, U2 free: z = relu(W2 a + U2 x + b2).  Output: W3 >= 0, U3 free.  Convex by induction.
  const Network icnn = json(R"({"input_dim": 2, "layers": [
      {"W": [[1, 0], [0, -1], [1, 1]], "b": [0, 1, 0]},
      {"W": [[1, 0, 2], [0, 3, 1]], "b": [-1, 2], "U": [[-3, 1], [2, -5]]},
      {"W": [[2, 1]], "b": [1], "U": [[-4, 7]]}]})");
  expect_convex_everywhere("icnn with skips", icnn);
  // L1: a1 = relu(x1), a2 = relu(x1 - 1).  L2: n = relu(a1 - 2 a2 + x2) (U2 = [0, 1]), f = n + 5 x1 - x2.
  // On x2 = 0: n = tent(x1) (0, x1, 2 - x1, 0).  f(0,0) = 0, f(2,0) = 10, f(1,0) = 6: gap 2.
  const Network tent = json(R"({"input_dim": 2, "layers": [
      {"W": [[1, 0], [1, 0]], "b": [0, -1]},
      {"W": [[1, -2]], "b": [0], "U": [[0, 1]]},
      {"W": [[1]], "b": [0], "U": [[5, -1]]}]})");
  expect_verdict("skip tent", tent, Rd(2), Verdict::NotConvex, W(vec({"0", "0"}), vec({"2", "0"})));
  expect_verdict("skip tent", tent, cube(2, "-2", "2"), Verdict::NotConvex, W(vec({"0", "0"}), vec({"2", "0"})));
}

TEST_CASE("d=2: relu_after false in a middle layer") {
  // L1 relu: a = (relu(x1), relu(-x1), relu(x2), relu(-x2)).
  // L2 linear: y1 = a1 - a2 = x1, y2 = a3 + a4 = |x2|, y3 = a1 + a2 = |x1|.
  // L3 relu: n1 = relu(y2 + y3 - 1) = relu(|x1| + |x2| - 1), n2 = relu(y1) = relu(x1).
  const std::string text = R"({"input_dim": 2, "layers": [
      {"W": [[1, 0], [-1, 0], [0, 1], [0, -1]], "b": [0, 0, 0, 0]},
      {"W": [[1, -1, 0, 0], [0, 0, 1, 1], [1, 1, 0, 0]], "b": [0, 0, 0]},
      {"W": [[0, 1, 1], [1, 0, 0]], "b": [-1, 0]},
      {"W": [[1, C]], "b": [0]}], "relu_after": [true, false, true, false]})";
  auto make = [&](const char* c) {
    std::string t = text;
    t.replace(t.find('C'), 1, c);
    return json(t);
  };
  // f = n1 + n2: convex.
  expect_convex_everywhere("middle linear", make("1"));
  // f = n1 - n2: near the origin f = -relu(x1).  f(-1/2,0) = 0, f(1/2,0) = -1/2, f(0,0) = 0: gap 1/2.
  const Network bad = make("-1");
  expect_verdict("middle linear, concave", bad, Rd(2), Verdict::NotConvex, W(vec({"-1/2", "0"}), vec({"1/2", "0"})));
  expect_verdict("middle linear, concave", bad, cube(2, "-1", "1"), Verdict::NotConvex, W(vec({"-1/2", "0"}), vec({"1/2", "0"})));
  // First layer linear: u = x1 + x2, v = x1 - x2; L2 relu(u), relu(v), relu(-u); f = relu(u) + relu(v) - relu(-u) = u + relu(v).
  expect_convex_everywhere("first layer linear",
                           Network(2, {layer({{"1", "1"}, {"1", "-1"}}, {"0", "0"}, false),
                                       layer({{"1", "0"}, {"0", "1"}, {"-1", "0"}}, {"0", "0", "0"}), layer({{"1", "1", "-1"}}, {"0"}, false)}));
}

// ------------------------------------------------------------------------------------------
// d = 3
// ------------------------------------------------------------------------------------------

TEST_CASE("d=3: duplicated planes") {
  // a1 = a2 = relu(x3), a3 = relu(x1 + x2 + x3).  f = 2 a1 - a2 + a3 = relu(x3) + relu(x1 + x2 + x3): convex.
  const Layer L1 = layer({{"0", "0", "1"}, {"0", "0", "1"}, {"1", "1", "1"}}, {"0", "0", "0"});
  expect_convex_everywhere("dup planes", Network(3, {L1, layer({{"2", "-1", "1"}}, {"0"}, false)}));
  // f = a1 - 2 a2 + a3 = -relu(x3) + relu(x1 + x2 + x3).
  // f(-1/2,-1/2,-1/2) = 0, f(-1/2,-1/2,1/2) = -1/2, f(-1/2,-1/2,0) = 0: gap 1/2.
  const Network bad(3, {L1, layer({{"1", "-2", "1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"-1/2", "-1/2", "-1/2"}), vec({"-1/2", "-1/2", "1/2"}));
  expect_verdict("dup planes, concave", bad, Rd(3), Verdict::NotConvex, w);
  expect_verdict("dup planes, concave", bad, cube(3, "-1", "1"), Verdict::NotConvex, w);
  expect_verdict("dup planes, concave", bad, box({"-1", "-1", "-1"}, {"1", "1", "0"}), Verdict::Convex);  // relu(x1+x2+x3)
}

TEST_CASE("d=3: several planes through one line and through one point") {
  // Planes through the x3-axis: x1 = 0, x2 = 0, x1 + x2 = 0, x1 - 2 x2 = 0.
  const Layer L1 = layer({{"1", "0", "0"}, {"0", "1", "0"}, {"1", "1", "0"}, {"1", "-2", "0"}}, {"0", "0", "0", "0"});
  expect_convex_everywhere("4 planes through a line", Network(3, {L1, layer({{"1", "1", "1", "1"}}, {"0"}, false)}));
  // Weight -1 on x1 - 2 x2: concave fold there.  Across it at p = (1/2, 1/4, 0) with normal (1,-2,0)/20:
  // f(9/20,7/20,0) = 8/5, f(11/20,3/20,0) = 23/20, f(1/2,1/4,0) = 3/2: gap 1/4.
  const Network bad(3, {L1, layer({{"1", "1", "1", "-1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"9/20", "7/20", "0"}), vec({"11/20", "3/20", "0"}));
  expect_verdict("4 planes through a line, concave", bad, Rd(3), Verdict::NotConvex, w);
  expect_verdict("4 planes through a line, concave", bad, cube(3, "-1", "1"), Verdict::NotConvex, w);
  // Cancellation through the line: relu(x1 + x2) - relu(-x1 - x2) + relu(x1) + relu(x2) = x1 + x2 + relu(x1) + relu(x2).
  expect_convex_everywhere("through a line, cancel",
                           Network(3, {layer({{"1", "1", "0"}, {"-1", "-1", "0"}, {"1", "0", "0"}, {"0", "1", "0"}}, {"0", "0", "0", "0"}),
                                       layer({{"1", "-1", "1", "1"}}, {"0"}, false)}));
  // Planes through the origin: x1, x2, x3, x1 + x2 + x3, and -(x1 + x2 + x3) with weight -1:
  // relu(x1) + relu(x2) + relu(x3) + relu(s) - relu(-s) = relu(x1) + relu(x2) + relu(x3) + s: convex.
  const Layer P = layer({{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}, {"1", "1", "1"}, {"-1", "-1", "-1"}}, {"0", "0", "0", "0", "0"});
  expect_convex_everywhere("5 planes through a point", Network(3, {P, layer({{"1", "1", "1", "1", "-1"}}, {"0"}, false)}));
  // relu(x1) + relu(x2) - relu(x3) + ...: concave fold on x3 = 0.  At (1,1,0) with s = 2 > 0:
  // f(1,1,-1/2) = 1 + 1 - 0 + 3/2 = 7/2, f(1,1,1/2) = 2 - 1/2 + 5/2 = 4, f(1,1,0) = 2 + 2 = 4: gap 1/2.
  const Network badp(3, {P, layer({{"1", "1", "-1", "1", "0"}}, {"0"}, false)});
  expect_verdict("5 planes through a point, concave", badp, Rd(3), Verdict::NotConvex, W(vec({"1", "1", "-1/2"}), vec({"1", "1", "1/2"})));
  expect_verdict("5 planes through a point, concave", badp, cube(3, "-1", "1"), Verdict::NotConvex,
                 W(vec({"1", "1", "-1/2"}), vec({"1", "1", "1/2"})));
}

TEST_CASE("d=3: parallel planes and a box containing only the convex fold") {
  // s = x1 + x2 + x3; f = relu(s) - relu(s - 1) + relu(s - 2): slopes 0, 1, 0, 1 in s: concave at s = 1.
  // s = 1/2: f = 1/2; s = 3/2: f = 1; s = 1: f = 1: gap 1/2.
  const Network f(3, {layer({{"1", "1", "1"}, {"1", "1", "1"}, {"1", "1", "1"}}, {"0", "-1", "-2"}), layer({{"1", "-1", "1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"1/4", "1/4", "0"}), vec({"3/4", "3/4", "0"}));  // same s values
  expect_verdict("parallel planes", f, Rd(3), Verdict::NotConvex, w);
  expect_verdict("parallel planes", f, cube(3, "-1", "1"), Verdict::NotConvex, w);
  expect_verdict("parallel planes", f, cube(3, "-1/4", "1/4"), Verdict::Convex);  // s in [-3/4, 3/4]
  expect_verdict("parallel planes", f, cube(3, "-1", "1/3"), Verdict::Convex);    // s <= 1, touches at a corner
  // Dead on the box: f = relu(x1) - relu(x1 + x2 + x3 - 4): on [-1,1]^3, s - 4 <= -1.
  // f(0,3,0) = 0, f(0,5,0) = -1, f(0,4,0) = 0: gap 1.
  const Network dead(3, {layer({{"1", "0", "0"}, {"1", "1", "1"}}, {"0", "-4"}), layer({{"1", "-1"}}, {"0"}, false)});
  expect_verdict("dead on box", dead, cube(3, "-1", "1"), Verdict::Convex);
  expect_verdict("dead on box", dead, Rd(3), Verdict::NotConvex, W(vec({"0", "3", "0"}), vec({"0", "5", "0"})));
}

TEST_CASE("d=3: bent layer-2 plane along a layer-1 plane; 1e-30 fold; zero net; relu on output") {
  // L1: a1 = relu(x1), a2 = relu(-x1), a3 = relu(x2), a4 = relu(x3).
  // L2: n = relu(a1 - a2 + a3 + a4) = relu(x1 + relu(x2) + relu(x3)), p1 = relu(a1), p2 = relu(a2).
  const Layer L1 = layer({{"1", "0", "0"}, {"-1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}}, {"0", "0", "0", "0"});
  const Layer L2 = layer({{"1", "-1", "1", "1"}, {"1", "0", "0", "0"}, {"0", "1", "0", "0"}}, {"0", "0", "0"});
  // f = n - p1 + p2 = relu(x1 + relu(x2) + relu(x3)) - x1: convex.
  expect_convex_everywhere("bent 3d", Network(3, {L1, L2, layer({{"1", "-1", "1"}}, {"0"}, false)}));
  // f = n - 2 p1 + p2 = relu(x1 + relu(x2) + relu(x3)) - relu(x1) - x1: concave on {x1 = 0, x2 > 0}.
  // f(-1/2,1,0) = 1, f(1/2,1,0) = 1/2, f(0,1,0) = 1: gap 1/2.  On x2, x3 <= 0 it is -x1.
  const Network bad(3, {L1, L2, layer({{"1", "-2", "1"}}, {"0"}, false)});
  const HandWitness w = W(vec({"-1/2", "1", "0"}), vec({"1/2", "1", "0"}));
  expect_verdict("bent 3d, concave", bad, Rd(3), Verdict::NotConvex, w);
  expect_verdict("bent 3d, concave", bad, cube(3, "-1", "1"), Verdict::NotConvex, w);
  expect_verdict("bent 3d, concave", bad, box({"-1", "-1", "-1"}, {"1", "0", "0"}), Verdict::Convex);

  // a1 = relu(s), a2 = relu((1 + 1e-30) s), s = x1 + x2 + x3.  f = a1 - a2 = -1e-30 relu(s).
  // f(-1/2,0,0) = 0, f(1/2,0,0) = -5e-31, f(0,0,0) = 0: gap 5e-31.  f = a2 - a1: convex.
  const Layer T = layer({{"1", "1", "1"}, {kOnePlusTiny, kOnePlusTiny, kOnePlusTiny}}, {"0", "0"});
  expect_verdict("tiny 3d", Network(3, {T, layer({{"1", "-1"}}, {"0"}, false)}), cube(3, "-1", "1"), Verdict::NotConvex,
                 W(vec({"-1/2", "0", "0"}), vec({"1/2", "0", "0"})));
  expect_convex_everywhere("tiny 3d convex", Network(3, {T, layer({{"-1", "1"}}, {"0"}, false)}));

  // All-zero 3-layer network: f = 0.
  expect_convex_everywhere("zero 3d", Network(3, {layer({{"0", "0", "0"}, {"0", "0", "0"}}, {"0", "0"}),
                                                   layer({{"0", "0"}}, {"0"}), layer({{"0"}}, {"0"}, false)}));
  // Zero pre-activation on an open set in 3D: relu(relu(x1) - relu(x1)) with weight -1 plus relu(x3).
  expect_convex_everywhere("relu(relu-relu) 3d",
                           Network(3, {layer({{"1", "0", "0"}, {"1", "0", "0"}, {"0", "0", "1"}}, {"0", "0", "0"}),
                                       layer({{"1", "-1", "0"}, {"0", "0", "1"}}, {"0", "0"}), layer({{"-1", "1"}}, {"0"}, false)}));
  // relu after the last layer: f = relu(x1 - relu(x2) - relu(x3)).  f(1,-1,0) = 1, f(1,1,0) = 0, f(1,0,0) = 1: gap 1.
  const Network lastrelu(3, {layer({{"1", "0", "0"}, {"-1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}}, {"0", "0", "0", "0"}),
                             layer({{"1", "-1", "-1", "-1"}}, {"0"}, true)});
  expect_verdict("relu on output 3d", lastrelu, cube(3, "-1", "1"), Verdict::NotConvex, W(vec({"1", "-1", "0"}), vec({"1", "1", "0"})));
  expect_verdict("relu on output 3d", lastrelu, box({"-1", "-1", "-1"}, {"1", "0", "0"}), Verdict::Convex);  // relu(x1)
}
