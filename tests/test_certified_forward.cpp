// The double filter of core/certified_forward.hpp against the exact passes: every answer it
// gives must be the exact one (signs) or contain it (slopes, dot products), on the random nets
// with traps, at generic points and at points exactly on first-layer hyperplanes; it must say
// "don't know" where only exact arithmetic can tell.
#include <doctest/doctest.h>

#include <random>

#include "core/certified_forward.hpp"
#include "core/one_sided_derivative.hpp"
#include "core/relu_preactivations.hpp"
#include "support/random_nets.hpp"

using namespace relucert;
using relucert::testing::frac;
using relucert::testing::RandomNetGenerator;

namespace {

bool within(const Rational& exact, const CertifiedDouble& c) {
  const Rational d = exact - rational_from_double(c.value);
  return abs(d) <= rational_from_double(c.error);
}

Vector random_point(const Domain& box, std::mt19937_64& rng) {
  Vector x(box.dim);
  for (std::size_t j = 0; j < box.dim; ++j) {
    const long t = static_cast<long>(rng() % 1001);
    x[j] = box.lo[j] + (box.hi[j] - box.lo[j]) * frac(t, 1000);
  }
  return x;
}

// p moved along the row w onto the hyperplane w.x + b = 0 (exactly).
Vector onto_hyperplane(const Vector& w, const Rational& b, Vector p) {
  const Rational ww = dot(w, w);
  if (sgn(ww) == 0) return p;
  const Rational t = (dot(w, p) + b) / ww;
  for (std::size_t j = 0; j < p.size(); ++j) p[j] -= t * w[j];
  return p;
}

}  // namespace

TEST_CASE("certified forward pass: its signs are the exact ones, its slopes contain the exact ones") {
  std::size_t usable = 0, generic = 0, generic_certified = 0, on_plane = 0, on_plane_certified = 0, slopes = 0;
  std::size_t jumps = 0, exact_zero_jumps = 0, plane_zero_jumps = 0, hinted = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    RandomNetGenerator gen(seed);
    const auto c = seed % 3 == 0 ? gen.icnn() : gen.general();
    CAPTURE(seed);
    CAPTURE(c.recipe);
    const CertifiedForward filter(c.net);
    if (!filter.usable()) {
      CHECK(!filter.relu_signs(Vector(c.net.input_dim(), Rational(0))));
      continue;
    }
    ++usable;
    std::mt19937_64 rng(seed);
    const Layer& L1 = c.net.layers()[0];
    for (int t = 0; t < 6; ++t) {
      const bool plane = t % 2 == 1 && L1.relu;
      Vector x = random_point(c.box, rng);
      std::size_t k = 0;
      if (plane) {
        k = rng() % L1.width();
        x = onto_hyperplane(L1.W[k], L1.b[k], x);
      }
      const std::vector<Sign> exact = relu_signs_at(c.net, x);
      const auto got = filter.relu_signs(x);
      (plane ? on_plane : generic) += 1;
      if (got) {
        CHECK(*got == exact);
        (plane ? on_plane_certified : generic_certified) += 1;
      }
      if (plane && !L1.has_skip()) {  // the caller's word that x is on neuron k's hyperplane
        const auto told = filter.relu_signs(x, k);
        if (told) {
          ++hinted;
          CHECK(*told == exact);
        }
      }
      Vector u(c.net.input_dim());
      for (auto& v : u) v = frac(static_cast<long>(rng() % 7) - 3, 1 + static_cast<long>(rng() % 4));
      if (c.net.output_dim() != 1) continue;
      const Rational slope = one_sided_derivative(c.net, exact, u);
      if (const auto a = filter.one_sided_slope(exact, u)) {
        ++slopes;
        CHECK(within(slope, *a));
      }
      // The kink f'(x; u) + f'(x; -u): contains the exact one; exactly 0 only where it is 0.
      const Vector minus_u = scale(Rational(-1), u);
      const Rational kink = slope + one_sided_derivative(c.net, exact, minus_u);
      if (const auto j = filter.slope_jump(exact, u)) {
        ++jumps;
        CHECK(within(kink, *j));
        if (j->value == 0 && j->error == 0) {
          ++exact_zero_jumps;
          plane_zero_jumps += plane ? 1 : 0;
          CHECK(sgn(kink) == 0);
        }
      }
      const Vector g = random_point(c.box, rng);
      if (const auto d = certified_dot(g, u)) CHECK(within(dot(g, u), *d));
    }
  }
  MESSAGE("usable nets " << usable << ", generic points certified " << generic_certified << "/" << generic
                         << ", on a first-layer hyperplane " << on_plane_certified << "/" << on_plane << ", slopes " << slopes
                         << ", kinks " << jumps << " (exactly 0: " << exact_zero_jumps << ", of them on a hyperplane "
                         << plane_zero_jumps << "), hinted " << hinted);
  // A filter that never answers would pass the checks above: it must settle most points.
  CHECK(usable > 300);
  CHECK(generic_certified * 10 >= generic * 7);  // measured 78% (many nets have exact zeros by construction)
  CHECK(on_plane_certified * 10 >= on_plane * 6);
  CHECK(slopes * 10 >= usable * 6 * 6);
  CHECK(jumps * 10 >= slopes * 8);
  CHECK(exact_zero_jumps > 0);  // at generic points every kink is exactly 0
  CHECK(plane_zero_jumps > 0);  // and on a hyperplane where no active path leaves the neuron
  CHECK(hinted >= on_plane_certified);  // the word saves the exact look, it never loses an answer
}

TEST_CASE("certified forward pass: an exact zero after the first layer is left to the exact pass") {
  // Layer 2 computes relu(x1) - relu(x2), exactly 0 at x1 = x2 = 1/3 although neither double is exact.
  Layer a{{{Rational(1), Rational(0)}, {Rational(0), Rational(1)}}, {Rational(0), Rational(0)}, {}, true, {}};
  Layer b{{{Rational(1), Rational(-1)}}, {Rational(0)}, {}, true, {}};
  Layer out{{{Rational(1)}}, {Rational(0)}, {}, false, {}};
  const Network net(2, {a, b, out});
  const CertifiedForward filter(net);
  REQUIRE(filter.usable());
  CHECK(!filter.relu_signs({frac(1, 3), frac(1, 3)}));
  const Vector near{frac(1, 3), frac(1, 3) + Rational(1) / Rational(mpz_class("1000000000000000000000000000000"))};
  if (const auto s = filter.relu_signs(near)) CHECK(*s == relu_signs_at(net, near));
  // Zero at x in layer 2, decreasing along u: the slope's sign of that neuron must be certified.
  const auto s = relu_signs_at(net, {frac(1, 3), frac(1, 3)});
  CHECK(s[2] == Sign::Zero);
  const auto up = filter.one_sided_slope(s, {Rational(1), Rational(0)}), down = filter.one_sided_slope(s, {Rational(0), Rational(1)});
  REQUIRE(up);
  REQUIRE(down);
  CHECK(within(Rational(1), *up));
  CHECK(within(Rational(0), *down));
  CHECK(!filter.one_sided_slope(s, {Rational(1), Rational(1)}));  // dz = 0 exactly: the exact pass decides
}

TEST_CASE("certified forward pass: weights outside its range make it say nothing") {
  Layer a{{{Rational(1) / Rational(mpz_class(1) << 700), Rational(1)}}, {Rational(0)}, {}, true, {}};
  Layer out{{{Rational(1)}}, {Rational(0)}, {}, false, {}};
  const CertifiedForward filter(Network(2, {a, out}));
  CHECK(!filter.usable());
  CHECK(!filter.relu_signs({Rational(1), Rational(1)}));
  CHECK(!certified_dot({Rational(mpz_class(1) << 700)}, {Rational(1)}));
}
