// The exact path-lifting condition PN (THEORY.md §2.2, analysis/path_lifting.*) and `relucert pathlift`.
//
// Every expected c value below is derived by hand in the comment next to it. The convex nets
// that fail PN are the kinds of THEORY.md's table "failure of (G)"; for each, the true verdict
// is confirmed by check_convexity (Theorem A). The soundness property of Theorem B2 (PN passes
// => convex) is tested on seeded random nets.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/convexity.hpp"
#include "analysis/path_lifting.hpp"
#include "core/network_json.hpp"
#include "core/rational.hpp"
#include "support/exact.hpp"
#include "support/process.hpp"
#include "support/random_nets.hpp"

using namespace relucert;
using namespace relucert::test;
namespace fs = std::filesystem;

namespace {

const std::string kSharedNets = RELUCERT_SHARED_NETS_DIR;




Domain Rd(std::size_t d) { return Domain::whole_space(d); }
Domain cube(std::size_t d) { return Domain::box(Vector(d, Rational(-1)), Vector(d, Rational(1))); }

Network shared(const std::string& file) { return load_network_json_file(kSharedNets + "/" + file); }

Verdict true_verdict(const Network& net, const Domain& dom) {
  CheckOptions opt;
  opt.refuter_lines = 0;  // the region complex decides, as PN does
  opt.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
  return check_convexity(net, dom, opt).verdict;
}

const NeuronPathLift& neuron(const PathLiftResult& r, const std::string& name) {
  for (const auto& n : r.neurons)
    if (n.neuron.name() == name) return n;
  FAIL("no neuron " << name);
  throw std::logic_error("unreachable");
}

// Expected outcome of one neuron: status, patterns checked, failing (pattern -> c).
struct Expect {
  std::string name;
  NeuronPnStatus status;
  std::size_t patterns;
  std::map<std::string, std::string> failing;
};

void expect_neurons(const PathLiftResult& r, const std::vector<Expect>& want) {
  REQUIRE(r.neurons.size() == want.size());
  for (const auto& w : want) {
    const NeuronPathLift& n = neuron(r, w.name);
    INFO("neuron ", w.name);
    CHECK(std::string(neuron_pn_status_name(n.status)) == neuron_pn_status_name(w.status));
    CHECK(n.patterns_checked == w.patterns);
    CHECK(n.failing_count == w.failing.size());
    std::map<std::string, std::string> got;
    for (const auto& f : n.failing) got[f.pattern] = to_string(f.c);
    CHECK(got == w.failing);
  }
}

// PN on the box and on R^d, compared with the hand expectation and with the true verdict.
void expect_pn_both_domains(const Network& net, PnVerdict pn, const std::vector<Expect>& neurons, Verdict truth) {
  for (const Domain& dom : {cube(net.input_dim()), Rd(net.input_dim())}) {
    INFO("domain ", dom.describe());
    const PathLiftResult r = check_path_lifting(net, dom);
    CHECK(std::string(pn_verdict_name(r.verdict)) == pn_verdict_name(pn));
    expect_neurons(r, neurons);
    CHECK(std::string(verdict_name(true_verdict(net, dom))) == verdict_name(truth));
  }
}

}  // namespace

TEST_CASE("relu_preactivations: exact forward values with a skip and a linear layer") {
  // z1 = x1 - x2, z2 = 2 x2 + 1 (ReLU); y = a1 - a2 (linear); z3 = 3 y + x1 (ReLU, skip); f = -a3.
  const Network net(2, {layer({{"1", "-1"}, {"0", "2"}}, {"0", "1"}), layer({{"1", "-1"}}, {"0"}, false),
                        layer({{"3"}}, {"0"}, true, {{"1", "0"}}), layer({{"-1"}}, {"0"}, false)});
  // x = (1/2, -1): z1 = 3/2, z2 = -1 -> a = (3/2, 0), y = 3/2, z3 = 9/2 + 1/2 = 5.
  const Vector z = relu_preactivations(net, {Rational(1, 2), Rational(-1)});
  REQUIRE(z.size() == 3);
  CHECK(z[0] == Rational(3, 2));
  CHECK(z[1] == -1);
  CHECK(z[2] == 5);
}

TEST_CASE("path_lifting_value: products of weights along active paths, by hand") {
  // Layer 1: 2 neurons; layer 2: 2 neurons with W2 = [[1, -2], [3, 1/2]]; output W3 = [[-1, 4]].
  const Network net(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "-2"}, {"3", "1/2"}}, {"0", "0"}),
                        layer({{"-1", "4"}}, {"0"}, false)});
  const NeuronId n11{1, 1}, n12{1, 2}, n21{2, 1}, n22{2, 2};
  CHECK(downstream_neurons(net, n11).size() == 2);
  CHECK(downstream_neurons(net, n21).empty());
  // c_(1,1)(D) = -1*D1*1 + 4*D2*3;  c_(1,2)(D) = -1*D1*(-2) + 4*D2*(1/2).
  CHECK(path_lifting_value(net, n11, {true, true}) == 11);
  CHECK(path_lifting_value(net, n11, {true, false}) == -1);
  CHECK(path_lifting_value(net, n11, {false, true}) == 12);
  CHECK(path_lifting_value(net, n11, {false, false}) == 0);
  CHECK(path_lifting_value(net, n12, {true, true}) == 4);
  CHECK(path_lifting_value(net, n12, {true, false}) == 2);
  CHECK(path_lifting_value(net, n21, {}) == -1);  // last ReLU layer: the output weight
  CHECK(path_lifting_value(net, n22, {}) == 4);
  CHECK_THROWS_AS(path_lifting_value(net, n11, {true}), std::invalid_argument);
  CHECK_THROWS_AS(path_lifting_value(net, NeuronId{3, 1}, {}), std::invalid_argument);  // linear output layer

  // A linear hidden layer counts as always active; a ReLU output neuron has c = 1.
  // z1 = relu(x); y = -2 a1 (linear); out = relu(5 y + 1): c_(1,1)(D_out) = D_out * 5 * (-2).
  const Network lin(1, {layer({{"1"}}, {"0"}), layer({{"-2"}}, {"0"}, false), layer({{"5"}}, {"1"}, true)});
  CHECK(path_lifting_value(lin, NeuronId{1, 1}, {true}) == -10);
  CHECK(path_lifting_value(lin, NeuronId{1, 1}, {false}) == 0);
  CHECK(path_lifting_value(lin, NeuronId{3, 1}, {}) == 1);
}

TEST_CASE("ICNNs pass PN, which proves them convex") {
  SUBCASE("shared icnn_basic") {
    const Network net = shared("icnn_basic.json");
    for (const Domain& dom : {cube(2), Rd(2)}) {
      const PathLiftResult r = check_path_lifting(net, dom);
      CHECK(r.verdict == PnVerdict::Pass);
      for (const auto& n : r.neurons) CHECK(n.status != NeuronPnStatus::Fail);
      CHECK(true_verdict(net, dom) == Verdict::Convex);
    }
  }
  SUBCASE("hand-made ICNN with input skips and negative first-layer weights") {
    // h = relu(x1), relu(x2), relu(x1 - x2); g1 = relu(h1 + h2 - 1 - x1) (skip), g2 = relu(2 h3 + h1 - 1/2 + x2);
    // f = g1 + 2 g2. Hidden-to-hidden and output weights >= 0, so every c_m(D) >= 0.
    const Network net(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "-1"}}, {"0", "0", "0"}),
                          layer({{"1", "1", "0"}, {"1", "0", "2"}}, {"-1", "-1/2"}, true, {{"-1", "0"}, {"0", "1"}}),
                          layer({{"1", "2"}}, {"0"}, false)});
    for (const Domain& dom : {cube(2), Rd(2)}) {
      const PathLiftResult r = check_path_lifting(net, dom);
      CHECK(r.verdict == PnVerdict::Pass);
      CHECK(r.pairs > 0);
      CHECK(true_verdict(net, dom) == Verdict::Convex);
    }
  }
}

TEST_CASE("deg_duplicate_neurons: PN fails with c = -1, the net is convex") {
  // f = 2 relu(x1 - 1/2) - relu(x1 - 1/2) + relu(x2). One hidden layer: c_m is the output weight.
  // Both copies of relu(x1 - 1/2) bend on the facets x1 = 1/2; only one pattern (D empty) each.
  expect_pn_both_domains(shared("deg_duplicate_neurons.json"), PnVerdict::Fail,
                         {{"L1:N1", NeuronPnStatus::Pass, 1, {}},
                          {"L1:N2", NeuronPnStatus::Fail, 1, {{"", "-1"}}},
                          {"L1:N3", NeuronPnStatus::Pass, 1, {}}},
                         Verdict::Convex);
}

TEST_CASE("c1_linear_pair: relu(x1) - relu(-x1) + relu(x2) fails PN, convex") {
  expect_pn_both_domains(shared("c1_linear_pair.json"), PnVerdict::Fail,
                         {{"L1:N1", NeuronPnStatus::Pass, 1, {}},
                          {"L1:N2", NeuronPnStatus::Fail, 1, {{"", "-1"}}},
                          {"L1:N3", NeuronPnStatus::Pass, 1, {}}},
                         Verdict::Convex);
}

TEST_CASE("degenerate kind: scaled duplicates in layer 1 with opposite downstream signs (2 layers)") {
  // h1 = relu(x1), h2 = relu(2 x1) (= 2 h1), h3 = relu(x2); g1 = relu(h1 + h3 + 1), g2 = relu(h2 + 1)
  // (both >= 1: always active, never zero); f = 2 g1 - 1/2 g2 = relu(x1) + 2 relu(x2) + 3/2, convex.
  // c_h1 = 2 D_g1, c_h2 = -1/2 D_g2, c_h3 = 2 D_g1; on every facet D = (g1, g2) = "11".
  const Network net(2, {layer({{"1", "0"}, {"2", "0"}, {"0", "1"}}, {"0", "0", "0"}),
                        layer({{"1", "0", "1"}, {"0", "1", "0"}}, {"1", "1"}), layer({{"2", "-1/2"}}, {"0"}, false)});
  expect_pn_both_domains(net, PnVerdict::Fail,
                         {{"L1:N1", NeuronPnStatus::Pass, 1, {}},
                          {"L1:N2", NeuronPnStatus::Fail, 1, {{"11", "-1/2"}}},
                          {"L1:N3", NeuronPnStatus::Pass, 1, {}},
                          {"L2:N1", NeuronPnStatus::NoFacet, 0, {}},
                          {"L2:N2", NeuronPnStatus::NoFacet, 0, {}}},
                         Verdict::Convex);
}

TEST_CASE("degenerate kind: a layer-2 bent hyperplane running along a layer-1 hyperplane") {
  // h1 = relu(x1), h2 = relu(-x1), h3 = relu(-x2); g = relu(h1 - h2 + h3) = relu(x1 + relu(-x2)): its bent
  // zero set is {x1 = 0, x2 >= 0} ∪ {x1 = x2, x2 <= 0}, so on x2 > 0 it runs along h1's and h2's line.
  // p1 = relu(h1 + 1), p2 = relu(h2 + 1) pass h1, h2 through (always active, never zero).
  // f = g - p1 + p2 = relu(x1 + relu(-x2)) - x1: relu(-x1) for x2 >= 0, relu(x1 - x2) - x1 below: convex.
  // With D = (g, p1, p2): c_h1 = D_g - D_p1, c_h2 = -D_g + D_p2, c_h3 = D_g.
  // On {x1 = 0, x2 > 0}: z_g = 0, D in {011, 111}: c_h1 = -1 or 0 (fails), c_h2 = 1 or 0.
  // On {x1 = 0, x2 < 0}: z_g = -x2 > 0, D = 111. On {x2 = 0}: z_g = x1, D = 011 (x1 < 0) or 111 (x1 > 0).
  // In (★) across {x1 = 0, x2 > 0} the h1 and h2 terms compensate: lambda = 1 > 0 from g.
  const Network net(2, {layer({{"1", "0"}, {"-1", "0"}, {"0", "-1"}}, {"0", "0", "0"}),
                        layer({{"1", "-1", "1"}, {"1", "0", "0"}, {"0", "1", "0"}}, {"0", "1", "1"}),
                        layer({{"1", "-1", "1"}}, {"0"}, false)});
  expect_pn_both_domains(net, PnVerdict::Fail,
                         {{"L1:N1", NeuronPnStatus::Fail, 2, {{"011", "-1"}}},
                          {"L1:N2", NeuronPnStatus::Pass, 2, {}},
                          {"L1:N3", NeuronPnStatus::Pass, 2, {}},
                          {"L2:N1", NeuronPnStatus::Pass, 1, {}},
                          {"L2:N2", NeuronPnStatus::NoFacet, 0, {}},
                          {"L2:N3", NeuronPnStatus::NoFacet, 0, {}}},
                         Verdict::Convex);
}

TEST_CASE("degenerate kind: pre-activation identically zero on an open set") {
  SUBCASE("a neuron that is zero on a half-plane and never active") {
    // h1 = relu(x1), h2 = relu(x2); g = relu(-h1) (z_g = -relu(x1) ≡ 0 on x1 <= 0), p1 = relu(h1 + 1),
    // p2 = relu(h2 + 1); f = p1 + p2 - g - 2 = relu(x1) + relu(x2): convex.
    // g: last ReLU layer, c_g = -1, checked on {x1 = 0} (cells Zero | Negative for g) and on
    // {x2 = 0, x1 < 0} (Zero | Zero). c_h1 = D_g + D_p1 in {1, 2}; c_h2 = D_p2 = 1.
    // Patterns (g, p1, p2): h1 on x1 = 0 sees z_g = 0: {011, 111}; h2 on x2 = 0 sees 011 (x1 > 0) and
    // z_g = 0 (x1 < 0): {011, 111}.
    const Network net(2, {layer({{"1", "0"}, {"0", "1"}}, {"0", "0"}),
                          layer({{"-1", "0"}, {"1", "0"}, {"0", "1"}}, {"0", "1", "1"}),
                          layer({{"-1", "1", "1"}}, {"-2"}, false)});
    expect_pn_both_domains(net, PnVerdict::Fail,
                           {{"L1:N1", NeuronPnStatus::Pass, 2, {}},
                            {"L1:N2", NeuronPnStatus::Pass, 2, {}},
                            {"L2:N1", NeuronPnStatus::Fail, 1, {{"", "-1"}}},
                            {"L2:N2", NeuronPnStatus::NoFacet, 0, {}},
                            {"L2:N3", NeuronPnStatus::NoFacet, 0, {}}},
                           Verdict::Convex);
    const PathLiftResult r = check_path_lifting(net, Rd(2));
    CHECK(neuron(r, "L2:N1").faces == 3);  // both halves of x1 = 0, and x2 = 0 with x1 < 0
  }
  SUBCASE("a neuron that is zero everywhere makes the downstream pattern ambiguous") {
    // h1 = relu(x1), h2 = relu(x2), h3 = relu(x1) (a copy); g = relu(h1 - h3) ≡ 0 on R^2;
    // p1 = relu(h1 + 1), p2 = relu(h2 + 1); f = p1 + p2 - 2 g - 2 = relu(x1) + relu(x2): convex.
    // On x1 = 0, z_g = 0 expands D_g to {0, 1}: c_h1 = -2 D_g + D_p1 in {1, -1}, c_h3 = 2 D_g in {0, 2}.
    // g is Zero on every cell, so every facet is on its zero set: c_g = -2.
    const Network net(2, {layer({{"1", "0"}, {"0", "1"}, {"1", "0"}}, {"0", "0", "0"}),
                          layer({{"1", "0", "-1"}, {"1", "0", "0"}, {"0", "1", "0"}}, {"0", "1", "1"}),
                          layer({{"-2", "1", "1"}}, {"-2"}, false)});
    expect_pn_both_domains(net, PnVerdict::Fail,
                           {{"L1:N1", NeuronPnStatus::Fail, 2, {{"111", "-1"}}},
                            {"L1:N2", NeuronPnStatus::Pass, 2, {}},
                            {"L1:N3", NeuronPnStatus::Pass, 2, {}},
                            {"L2:N1", NeuronPnStatus::Fail, 1, {{"", "-2"}}},
                            {"L2:N2", NeuronPnStatus::NoFacet, 0, {}},
                            {"L2:N3", NeuronPnStatus::NoFacet, 0, {}}},
                           Verdict::Convex);
    const PathLiftResult r = check_path_lifting(net, Rd(2));
    CHECK(neuron(r, "L2:N1").faces == r.pairs);
  }
}

TEST_CASE("a tangent neuron (same strict sign on both cells) has no face there") {
  // h1 = relu(x), h2 = relu(-x); g = relu(h1 + h2) = |x| vanishes at x = 0 but is positive on both
  // sides, so it never switches and its c_g = -1 is not checked. p1 = relu(h1 + 1), p2 = relu(h2 + 1);
  // f = 2 p1 + 2 p2 - g - 4 = |x|: convex, and PN proves it. c_h1 = -D_g + 2 D_p1 in {1, 2} (z_g = 0 at 0).
  const Network net(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "1"}, {"1", "0"}, {"0", "1"}}, {"0", "1", "1"}),
                        layer({{"-1", "2", "2"}}, {"-4"}, false)});
  expect_pn_both_domains(net, PnVerdict::Pass,
                         {{"L1:N1", NeuronPnStatus::Pass, 2, {}},
                          {"L1:N2", NeuronPnStatus::Pass, 2, {}},
                          {"L2:N1", NeuronPnStatus::NoFacet, 0, {}},
                          {"L2:N2", NeuronPnStatus::NoFacet, 0, {}},
                          {"L2:N3", NeuronPnStatus::NoFacet, 0, {}}},
                         Verdict::Convex);
}

TEST_CASE("a 1e-30 path-lifting value is decided exactly (float64 rounds it to 0)") {
  // h = relu(x); g1 = relu(h + 1), g2 = relu(-(1 + e) h + 5); f = g1 + g2 = 6 - e relu(x) on [-1, 1].
  // At the facet x = 0 both g's are positive: D = "11", c_h = 1 - (1 + e) = -e.
  const std::string e = "1e-30";
  const Rational eps = q(e);
  auto net_with = [&](const Rational& w) {
    Network n(1, {layer({{"1"}}, {"0"}), layer({{"1"}, {"0"}}, {"1", "5"}), layer({{"1", "1"}}, {"0"}, false)});
    std::vector<Layer> layers = n.layers();
    layers[1].W[1][0] = w;
    return Network(1, std::move(layers));
  };
  const volatile double one = 1.0, tiny = 1e-30;  // volatile: no constant folding in a different precision
  CHECK(one - (one + tiny) == 0.0);              // what a float64 computation of c_h would return

  const Network concave = net_with(-(1 + eps));
  const PathLiftResult r = check_path_lifting(concave, cube(1));
  CHECK(r.verdict == PnVerdict::Fail);
  expect_neurons(r, {{"L1:N1", NeuronPnStatus::Fail, 1, {{"11", to_string(-eps)}}},
                     {"L2:N1", NeuronPnStatus::NoFacet, 0, {}},
                     {"L2:N2", NeuronPnStatus::NoFacet, 0, {}}});
  CHECK(neuron(r, "L1:N1").failing.at(0).c == -eps);
  CHECK(true_verdict(concave, cube(1)) == Verdict::NotConvex);

  // The mirror: c_h = +e > 0 passes exactly, and PN alone proves convexity (on R the zero of g2 at
  // x = 5/(1 - e) is a facet for g2, with c = 1).
  const Network convex = net_with(-(1 - eps));
  for (const Domain& dom : {cube(1), Rd(1)}) {
    CHECK(check_path_lifting(convex, dom).verdict == PnVerdict::Pass);
    CHECK(true_verdict(convex, dom) == Verdict::Convex);
  }
  CHECK(neuron(check_path_lifting(convex, Rd(1)), "L2:N2").status == NeuronPnStatus::Pass);

  // The shared 1-D version gives the same exact value.
  const PathLiftResult s = check_path_lifting(shared("tiny_1d.json"), cube(1));
  REQUIRE(neuron(s, "L1:N1").failing.size() == 1);
  CHECK(neuron(s, "L1:N1").failing[0].c == -eps);
}

TEST_CASE("resource limits give an unknown PN, never a verdict") {
  const Network net = shared("icnn_basic.json");
  PathLiftOptions opt;
  opt.limits.max_cells = 1;
  const PathLiftResult r = check_path_lifting(net, cube(2), opt);
  CHECK(r.verdict == PnVerdict::Unknown);
  CHECK(r.neurons.empty());
  CHECK(r.unknown_reason.find("--max-cells") != std::string::npos);

  PathLiftOptions few;
  few.max_patterns = 2;  // icnn_basic needs 3 distinct patterns for L1:N1 alone
  const PathLiftResult p = check_path_lifting(net, cube(2), few);
  CHECK(p.verdict == PnVerdict::Unknown);
  CHECK(p.unknown_reason.find("--max-patterns") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Soundness (Theorem B2): PN passes => convex, on seeded random small nets.

namespace {

class NetGenerator {
 public:
  explicit NetGenerator(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }

  // An integer or a dyadic k/2, k/4 in [-3, 3].
  Rational weight() {
    Rational w(uniform(-6, 6), chance(50) ? 1 : (chance(50) ? 2 : 4));
    w.canonicalize();
    return w;
  }
  Rational nonnegative_weight() {
    Rational w = weight();
    return sgn(w) < 0 ? Rational(-w) : w;
  }
  // Later (hidden-to-hidden and output) weights: nonnegative with probability `keep`%.
  Rational later_weight(int keep) { return chance(keep) ? nonnegative_weight() : Rational(-nonnegative_weight()); }

  struct Drawn {
    Network net;
    bool icnn = false;  // hidden-to-hidden and output weights all >= 0
    std::string recipe;
  };

  Drawn draw(std::size_t d) {
    const int keep = chance(30) ? 100 : (chance(50) ? 80 : 50);
    const std::size_t hidden = chance(50) ? 1 : 2;
    std::vector<Layer> layers;
    std::size_t prev = d;
    for (std::size_t l = 0; l <= hidden; ++l) {
      const bool out = l == hidden;
      const std::size_t width = out ? 1 : static_cast<std::size_t>(uniform(1, 3));
      Layer L;
      L.relu = !out;
      for (std::size_t k = 0; k < width; ++k) {
        Vector row;
        for (std::size_t i = 0; i < prev; ++i) row.push_back(l == 0 ? weight() : later_weight(keep));
        L.W.push_back(std::move(row));
        L.b.push_back(weight());
      }
      if (l == 0 && width >= 2 && chance(30)) {  // a scaled (possibly negated) duplicate hyperplane
        const Rational s = chance(50) ? Rational(2) : Rational(-1);
        L.W[1] = scale(s, L.W[0]);
        L.b[1] = s * L.b[0];
      }
      if (l == 1 && chance(25)) {  // input skips, free sign
        L.U.assign(width, Vector{});
        for (auto& row : L.U)
          for (std::size_t i = 0; i < d; ++i) row.push_back(weight());
      }
      layers.push_back(std::move(L));
      prev = width;
    }
    Drawn r{Network(d, std::move(layers)), true, ""};
    for (std::size_t l = 1; l < r.net.layers().size(); ++l)
      for (const auto& row : r.net.layers()[l].W)
        for (const auto& w : row) r.icnn = r.icnn && sgn(w) >= 0;
    r.recipe = describe(r.net);
    return r;
  }

 private:
  static std::string describe(const Network& net) {
    std::ostringstream o;
    o << "d=" << net.input_dim();
    for (const auto& L : net.layers()) {
      o << " | W=";
      for (const auto& row : L.W) o << to_string(row);
      o << " b=" << to_string(L.b);
      if (L.has_skip()) {
        o << " U=";
        for (const auto& row : L.U) o << to_string(row);
      }
    }
    return o.str();
  }
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("soundness (Theorem B2): whenever PN passes, check_convexity says convex") {
  NetGenerator gen(20250117);
  int cases = 0, pn_pass = 0, pn_pass_not_icnn = 0, pn_fail_convex = 0, not_convex = 0;
  for (int i = 0; i < 100; ++i) {
    const std::size_t d = static_cast<std::size_t>(1 + i % 3);
    const auto drawn = gen.draw(d);
    const Domain dom = i % 2 ? cube(d) : Rd(d);
    INFO("case ", i, " on ", dom.describe(), ": ", drawn.recipe);
    const PathLiftResult pn = check_path_lifting(drawn.net, dom);
    REQUIRE(pn.verdict != PnVerdict::Unknown);
    const Verdict truth = check_convexity(drawn.net, dom).verdict;
    REQUIRE(truth != Verdict::Unknown);
    ++cases;
    if (drawn.icnn) CHECK(pn.verdict == PnVerdict::Pass);  // every c_m(D) is a sum of products of weights >= 0
    if (pn.verdict == PnVerdict::Pass) {
      CHECK(truth == Verdict::Convex);  // Theorem B2
      ++pn_pass;
      if (!drawn.icnn) ++pn_pass_not_icnn;
    } else if (truth == Verdict::Convex) {
      ++pn_fail_convex;
    }
    if (truth == Verdict::NotConvex) ++not_convex;
  }
  MESSAGE("random nets: ", cases, ", PN pass: ", pn_pass, " (", pn_pass_not_icnn, " not ICNN), PN fail but convex: ",
          pn_fail_convex, ", not convex: ", not_convex);
  // The property is only meaningful if both sides occur, including passes that are not ICNNs.
  CHECK(pn_pass >= 20);
  CHECK(pn_pass_not_icnn >= 3);
  CHECK(not_convex >= 10);
}

// ---------------------------------------------------------------------------------------------
// The CLI on the shared nets.

namespace {

nlohmann::json manifest() {
  std::ifstream in(kSharedNets + "/manifest.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

// The --box spec of a manifest domain, or "" for R^d.
std::string box_spec(const nlohmann::json& d) {
  if (d.is_string()) return "";
  std::string s;
  for (std::size_t i = 0; i < d.at("lo").size(); ++i)
    s += (i ? "," : "") + d.at("lo")[i].get<std::string>() + ":" + d.at("hi")[i].get<std::string>();
  return s;
}

void check_json_shape(const nlohmann::json& j) {
  REQUIRE(j.is_object());
  REQUIRE(j.contains("pn"));
  CHECK((j["pn"] == "pass" || j["pn"] == "fail"));
  CHECK(j.at("cells").is_number_unsigned());
  CHECK(j.at("pairs").is_number_unsigned());
  CHECK(j.at("note").is_string());
  REQUIRE(j.at("neurons").is_array());
  CHECK_FALSE(j["neurons"].empty());
  bool any_fail = false;
  for (const auto& n : j["neurons"]) {
    CHECK(n.at("neuron").is_string());
    const std::string status = n.at("status");
    CHECK((status == "pass" || status == "fail" || status == "no facet on the domain"));
    CHECK(n.at("patterns_checked").is_number_unsigned());
    REQUIRE(n.at("failing").is_array());
    CHECK((status == "fail") == !n["failing"].empty());
    CHECK((status == "no facet on the domain") == (n["patterns_checked"] == 0));
    any_fail = any_fail || status == "fail";
    for (const auto& f : n["failing"]) {
      CHECK(f.at("pattern").is_string());
      const auto c = parse_rational(f.at("c").get<std::string>());
      REQUIRE(c.has_value());
      CHECK(sgn(*c) < 0);
    }
  }
  CHECK((j["pn"] == "fail") == any_fail);
}

}  // namespace

TEST_CASE("CLI: relucert pathlift on every shared net, box and R^d") {
  int runs = 0;
  for (const auto& entry : manifest()) {
    const std::string path = kSharedNets + "/" + entry.at("file").get<std::string>();
    for (const auto& c : entry.at("checks")) {
      const std::string spec = box_spec(c.at("domain"));
      std::vector<std::string> args{"pathlift", path, "--json"};
      if (!spec.empty()) args.insert(args.end(), {"--box", spec});
      INFO(path, " ", spec);
      const Run r = run_cli(args);
      CHECK(r.exit_code == 0);  // a completed analysis, pass or fail
      CHECK(r.err.empty());
      const auto j = nlohmann::json::parse(r.out);
      CHECK(r.out.find('\n') == r.out.size() - 1);  // one line
      check_json_shape(j);
      if (j["pn"] == "pass") CHECK(c.at("expected") == "convex");  // Theorem B2
      ++runs;
    }
  }
  CHECK(runs >= 20);
}

TEST_CASE("CLI: pathlift output details and exit codes") {
  const std::string dup = kSharedNets + "/deg_duplicate_neurons.json";
  SUBCASE("the duplicate neuron is named with its exact c") {
    const Run r = run_cli({"pathlift", dup, "--box", "-1:1", "--json"});
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["pn"] == "fail");
    CHECK(j["domain"] == "[-1, 1] x [-1, 1]");
    CHECK(j["neurons"][1]["neuron"] == "L1:N2");
    CHECK(j["neurons"][1]["status"] == "fail");
    CHECK(j["neurons"][1]["patterns_checked"] == 1);
    CHECK(j["neurons"][1]["failing"] == nlohmann::json::parse(R"([{"pattern":"","c":"-1"}])"));
  }
  SUBCASE("human output states the verdict and the exit-code meaning") {
    const Run fail = run_cli({"pathlift", dup});
    CHECK(fail.exit_code == 0);
    CHECK(fail.out.find("PN: fail (proves nothing; run relucert check)") != std::string::npos);
    CHECK(fail.out.find("L1:N2  fail") != std::string::npos);
    CHECK(fail.out.find("c = -1") != std::string::npos);
    CHECK(fail.out.find("exit code 0") != std::string::npos);
    const Run pass = run_cli({"pathlift", kSharedNets + "/icnn_basic.json", "--box", "-1:1"});
    CHECK(pass.exit_code == 0);
    CHECK(pass.out.find("PN: pass (convexity proven, Theorem B2)") != std::string::npos);
    const Run tiny = run_cli({"pathlift", kSharedNets + "/tiny_1d.json", "--box", "-1:1"});
    CHECK(tiny.out.find("D(L2) = 11  c = -1/1000000000000000000000000000000") != std::string::npos);
  }
  SUBCASE("input errors exit 2 with nothing on stdout") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"pathlift", kSharedNets + "/no_such_net.json"},
                                                                  {"pathlift", dup, "--box", "1:-1"},
                                                                  {"pathlift", dup, "--frobnicate"},
                                                                  {"pathlift", dup, "--max-patterns", "-3"},
                                                                  {"pathlift"}}) {
      const Run r = run_cli(args);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK_FALSE(r.err.empty());
    }
  }
  SUBCASE("a resource limit exits 3 with pn unknown") {
    const Run r = run_cli({"pathlift", kSharedNets + "/icnn_basic.json", "--max-cells", "1", "--json"});
    CHECK(r.exit_code == 3);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["pn"] == "unknown");
    CHECK(j["reason"].get<std::string>().find("--max-cells") != std::string::npos);
    const Run t = run_cli({"pathlift", kSharedNets + "/icnn_basic.json", "--max-cells", "1"});
    CHECK(t.exit_code == 3);
    CHECK(t.out.find("PN: unknown") != std::string::npos);
    CHECK(t.out.find("exit code 3") != std::string::npos);
  }
}

TEST_CASE("Network::relu_signs (the integer pass) agrees with the signs of the rational pre-activations") {
  testing::RandomNetGenerator gen(424242);
  std::mt19937_64 rng(5);
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    testing::RandomCase rc = i % 2 ? gen.general() : gen.icnn();
    const std::size_t d = rc.net.input_dim();
    for (int t = 0; t < 5; ++t) {
      Vector x(d);
      // Small-denominator points hit zero pre-activations often (the degenerate cases matter).
      for (auto& v : x) {
        v = Rational(static_cast<long>(rng() % 9) - 4, static_cast<long>(1 + rng() % 3));
        v.canonicalize();
      }
      const auto fast = rc.net.relu_signs(x);
      if (!fast) continue;  // skip terms: no integer pass
      const Vector z = relu_preactivations(rc.net, x);
      REQUIRE(fast->size() == z.size());
      for (std::size_t g = 0; g < z.size(); ++g) CHECK((*fast)[g] == sign_of(z[g]));
      ++compared;
    }
  }
  CHECK(compared > 500);
}
