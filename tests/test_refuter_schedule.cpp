// The refuter's schedule (issue #15, analysis/refuter_schedule.hpp): the line refuter runs in
// step with the region complex and never costs more than its allowance, counted in units that
// depend on the net and the domain only; whatever the schedule, the verdict is the complex's,
// every witness verifies exactly, and the answer is the same for any number of threads.
#include <doctest/doctest.h>

#include <random>

#include "analysis/convexity.hpp"
#include "analysis/line_refuter.hpp"
#include "analysis/witness.hpp"

using namespace relucert;

namespace {

// Weights k/8 with |k| <= 8; `nonneg_after_first` makes the hidden-to-hidden and output weights
// >= 0 (an ICNN, convex), and then `flips` of them are made negative again (nearly convex nets,
// whose folds are small and which the first lines often miss).
Network draw_net(std::mt19937_64& rng, std::size_t d, const std::vector<std::size_t>& widths, bool nonneg_after_first,
                 int flips) {
  auto q = [&] { return Rational(static_cast<long>(rng() % 17) - 8, 8); };
  std::vector<Layer> layers;
  std::size_t fan = d;
  for (std::size_t l = 0; l <= widths.size(); ++l) {
    Layer L;
    const std::size_t rows = l == widths.size() ? 1 : widths[l];
    L.relu = l < widths.size();
    for (std::size_t k = 0; k < rows; ++k) {
      Vector w(fan);
      for (auto& v : w) {
        v = q();
        v.canonicalize();
        if (nonneg_after_first && l > 0 && sgn(v) < 0) v = -v;
      }
      L.W.push_back(w);
      Rational b = q();
      b.canonicalize();
      L.b.push_back(b);
    }
    layers.push_back(std::move(L));
    fan = rows;
  }
  for (int f = 0; f < flips; ++f) {
    Layer& L = layers[1 + rng() % widths.size()];
    Rational& v = L.W[rng() % L.W.size()][rng() % L.W[0].size()];
    v = -v / 4;
  }
  return Network(d, std::move(layers));
}

std::size_t weights_of(const Network& net) {
  std::size_t w = 0;
  for (const Layer& L : net.layers()) w += L.width() * (L.W.empty() ? 0 : L.W[0].size());
  return w;
}

}  // namespace

TEST_CASE("LineRefuter: the same lines and the same work for the same seed, and refute_on_random_lines is its prefix") {
  std::mt19937_64 rng(7);
  const Network net = draw_net(rng, 3, {6, 6}, false, 0);
  const Domain dom = Domain::box(Vector(3, Rational(-2)), Vector(3, Rational(2)));
  LineRefuter a(net, dom, 5), b(net, dom, 5);
  std::optional<Witness> wa, wb;
  while (!wa && a.lines_walked() < 24) wa = a.next();
  while (!wb && b.lines_walked() < 24) wb = b.next();
  CHECK(a.lines_walked() == b.lines_walked());
  CHECK(a.work() == b.work());
  CHECK(a.work() >= a.lines_walked() * a.weights());  // every line costs at least one pass over the weights
  REQUIRE(wa.has_value() == wb.has_value());
  const auto wr = refute_on_random_lines(net, dom, a.lines_walked(), 5);
  REQUIRE(wr.has_value() == wa.has_value());
  if (wa) {
    CHECK(wa->x == wr->x);
    CHECK(wa->y == wr->y);
    CHECK(verify_witness(net, dom, *wa));
  }
}

TEST_CASE("the refuter's work stays within its allowance on convex nets, and the verdict is the complex's") {
  std::mt19937_64 rng(2026);
  int truncated = 0;
  for (int n = 0; n < 40; ++n) {
    const std::size_t d = 2 + n % 3;
    const Network net = draw_net(rng, d, {static_cast<std::size_t>(6 + n % 4), 5}, true, 0);
    const Domain dom = n % 2 ? Domain::box(Vector(d, Rational(-3)), Vector(d, Rational(3))) : Domain::whole_space(d);
    CheckOptions opt;
    opt.method = tiers::Method::RegionComplex;
    const CheckResult r = check_convexity(net, dom, opt);
    CAPTURE(n);
    REQUIRE(r.verdict == Verdict::Convex);  // an ICNN
    // The longest single line, walked alone: the schedule may overshoot its allowance by one line.
    LineRefuter probe(net, dom, opt.seed);
    unsigned long long longest = 0;
    while (probe.lines_walked() < opt.refuter_lines) {
      const unsigned long long before = probe.work();
      CHECK_FALSE(probe.next().has_value());
      longest = std::max(longest, probe.work() - before);
    }
    CHECK(r.refuter_work <= 8 * weights_of(net) + r.lp_questions + longest);
    CHECK(r.refuter_lines <= opt.refuter_lines);
    if (r.refuter_lines < opt.refuter_lines) ++truncated;
    CheckOptions off = opt;
    off.refuter_lines = 0;
    const CheckResult r0 = check_convexity(net, dom, off);
    CHECK(r0.verdict == Verdict::Convex);
    CHECK(r0.refuter_lines == 0);
    CHECK(r0.cells == r.cells);
  }
  CHECK(truncated > 0);  // the allowance really binds on some of these small complexes
}

// An ICNN with a concave fold -relu(x1 + ... + xd - c) in a corner of the box [-1, 1]^d: the
// fold is a genuine concave kink (the ICNN part has no kink along that plane), small enough that
// the two quick lines usually miss it, and the ICNN part makes the complex large.
Network icnn_with_corner_fold(std::mt19937_64& rng, std::size_t d, const Rational& c) {
  Network icnn = draw_net(rng, d, {14, 10}, true, 0);
  std::vector<Layer> layers = icnn.layers();
  Vector ones(d, Rational(1));
  layers[0].W.push_back(ones);
  layers[0].b.push_back(-c);
  for (Vector& row : layers[1].W) row.push_back(Rational(0));
  Vector copy(layers[0].W.size(), Rational(0));
  copy.back() = 1;
  layers[1].W.push_back(copy);
  layers[1].b.push_back(Rational(0));
  layers[2].W[0].push_back(Rational(-2));
  return Network(d, std::move(layers));
}

TEST_CASE("a corner fold: lines during the build or the complex, same verdict as the complex alone, same answer for 1 and 2 threads") {
  std::mt19937_64 rng(99);
  int during_build = 0, by_complex = 0;
  for (int n = 0; n < 10; ++n) {
    const std::size_t d = 4;
    const Network net = icnn_with_corner_fold(rng, d, Rational(10 + n, 10));
    const Domain dom = Domain::box(Vector(d, Rational(-1)), Vector(d, Rational(1)));
    CAPTURE(n);
    CheckOptions one, two, off;
    two.limits.threads = 2;
    off.refuter_lines = 0;
    off.method = tiers::Method::RegionComplex;
    const CheckResult r1 = check_convexity(net, dom, one), r2 = check_convexity(net, dom, two);
    const CheckResult r0 = check_convexity(net, dom, off);
    REQUIRE(r0.verdict == Verdict::NotConvex);
    CHECK(r1.verdict == Verdict::NotConvex);
    CHECK(r2.verdict == r1.verdict);
    CHECK(r2.method == r1.method);
    CHECK(r2.refuter_lines == r1.refuter_lines);
    REQUIRE(r1.witness.has_value());
    REQUIRE(r2.witness.has_value());
    CHECK(r1.witness->x == r2.witness->x);
    CHECK(r1.witness->y == r2.witness->y);
    CHECK(verify_witness(net, dom, *r1.witness));
    CHECK(sgn(r1.witness->gap) > 0);
    if (r1.method == "line-refuter" && r1.refuter_lines > 0) ++during_build;
    if (r1.method == "region-complex") ++by_complex;
  }
  MESSAGE("refuted by the full refuter's lines: " << during_build << ", by the complex: " << by_complex);
  CHECK(during_build > 0);
}
