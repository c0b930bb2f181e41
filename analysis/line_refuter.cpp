#include "analysis/line_refuter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/float_line_walk.hpp"
#include "analysis/line_restriction.hpp"
#include "core/rational.hpp"

namespace relucert {

LineRefuter::LineRefuter(const Network& net, const Domain& domain, std::uint64_t seed, LineBudget budget)
    : net_(net), domain_(domain), budget_(budget), rng_(seed) {
  for (const Layer& L : net.layers()) weights_ += L.width() * (L.W.empty() ? 0 : L.W[0].size());
}

std::optional<Witness> LineRefuter::next() {
  const std::size_t n = lines_++;
  const std::size_t d = net_.input_dim();
  auto uniform = [&](long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng_); };
  Vector p(d), u(d);
  for (std::size_t i = 0; i < d; ++i) {
    // The simplest rational in a random window of 1/32 of the range: spread out, yet short.
    const Rational lo = domain_.is_box ? domain_.lo[i] : Rational(-8);
    const Rational width = domain_.is_box ? domain_.hi[i] - domain_.lo[i] : Rational(16);
    const long k = uniform(0, 31);
    Rational a(k, 32), b(k + 1, 32);
    a.canonicalize();  // gmpxx does not reduce (p, q) constructions; GMP needs reduced operands
    b.canonicalize();
    p[i] = simplest_between(lo + width * a, lo + width * b);
  }
  // Axis directions first (cheap and often decisive), then random small integer directions.
  if (n < d) {
    u.assign(d, Rational(0));
    u[n] = 1;
  } else {
    do {
      for (std::size_t i = 0; i < d; ++i) u[i] = Rational(uniform(-4, 4));
    } while (is_zero(u));
  }
  // Small nets: the exact walk alone (complete on the line, and cheap). Larger nets: a float
  // walk first, which proposes kinks, each checked exactly by forward passes.
  const unsigned long long weights = weights_;
  std::size_t events = 0;
  const bool float_ok = !net_.double_layers().empty() && weights > budget_.small_net_weights;
  if (!float_ok && weights > budget_.small_net_weights && !budget_.exact_fallback) return std::nullopt;
  if (float_ok) {
    std::vector<double> pd(d), ud(d);
    for (std::size_t i = 0; i < d; ++i) {
      pd[i] = p[i].get_d();
      ud[i] = u[i].get_d();
    }
    double s0 = -1e6, s1 = 1e6;  // on R^d: a long stretch of the line
    if (domain_.is_box) {
      s0 = -std::numeric_limits<double>::infinity();
      s1 = std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < d; ++i) {
        if (sgn(u[i]) == 0) continue;
        double t1 = Rational((domain_.lo[i] - p[i]) / u[i]).get_d(), t2 = Rational((domain_.hi[i] - p[i]) / u[i]).get_d();
        if (t1 > t2) std::swap(t1, t2);
        s0 = std::max(s0, t1);
        s1 = std::min(s1, t2);
      }
    }
    const std::vector<FloatKink> kinks = float_concave_kinks(net_, pd, ud, s0, s1, &events, budget_.events_per_neuron);
    // A float event updates about one layer width of sums (0.6-1 us at widths 64-128, against
    // 0.3-0.4 us for one exact unit), plus one pass over the weights to start the line.
    work_ += weights + (events + 1) * std::max<unsigned long long>(1, static_cast<unsigned long long>(std::sqrt(double(weights)) / 32));
    for (std::size_t i = 0; i < kinks.size() && i < 3; ++i)
      if (auto w = witness_from_float_kink(net_, domain_, p, u, kinks[i])) return w;
  }
  // The exact walk when the float walk was not used, or when it is still cheap: about
  // (weights) x (pattern changes) exact operations.
  if (!float_ok || weights * (events + 1) <= 200000) {
    const LineRestriction line = restrict_to_line(net_, domain_, p, u);
    work_ += weights * (line.changes.size() + 1);
    if (auto w = witness_on_line(net_, domain_, line)) return w;
  }
  return std::nullopt;
}

std::optional<Witness> refute_on_random_lines(const Network& net, const Domain& domain, std::size_t lines, std::uint64_t seed,
                                              const LineBudget& budget) {
  LineRefuter r(net, domain, seed, budget);
  while (r.lines_walked() < lines)
    if (auto w = r.next()) return w;
  return std::nullopt;
}

}  // namespace relucert
