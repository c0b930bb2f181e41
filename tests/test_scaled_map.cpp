// core/scaled_map: the builder's layer maps over column denominators equal the rational maps
// (compose, then the bias), entry by entry, for dyadic and other weights, with masked rows.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "core/network.hpp"
#include "core/rational.hpp"
#include "core/scaled_map.hpp"
#include "geometry/halfspace.hpp"

using namespace relucert;

namespace {

// A random entry: zero, a dyadic (a float32 weight's kind) or, when `any`, any small fraction.
Rational draw(std::mt19937_64& rng, bool any) {
  const int kind = static_cast<int>(rng() % 5);
  if (kind == 0) return Rational(0);
  Integer n(std::to_string(rng() % (1u << 24)));
  if (rng() % 2) n = -n;
  Integer d = any && kind == 1 ? Integer(std::to_string(rng() % 97 + 1)) : Integer(1) << static_cast<mp_bitcnt_t>(rng() % 40);
  Rational q(n, d);
  q.canonicalize();
  return q;
}

void check_same(const ScaledAffineMap& s, const AffineMap& ref) {
  REQUIRE(s.outputs() == ref.A.size());
  REQUIRE(s.dim() == (ref.A.empty() ? 0 : ref.A[0].size()));
  for (std::size_t i = 0; i < s.outputs(); ++i) {
    CHECK(s.gradient(i) == ref.A[i]);
    CHECK(s.constant(i) == ref.c[i]);
    CHECK(s.gradient_is_zero(i) == is_zero(ref.A[i]));
    CHECK(s.constant_sign(i) == sign_of(ref.c[i]));
    for (std::size_t j = 0; j <= s.dim(); ++j) {
      const Rational& v = j < s.dim() ? ref.A[i][j] : ref.c[i];
      const Rational e = s.entry(i, j);
      CHECK(e == v);
      Rational c = e;
      c.canonicalize();
      CHECK(mpz_cmp(c.get_den_mpz_t(), e.get_den_mpz_t()) == 0);  // entries come out canonical
      // The double beside it: to_double's accuracy (relative error below 2^-52).
      const double a = s.approx_row(i)[j];
      if (std::isnormal(a)) CHECK(abs(rational_from_double(a) - v) < abs(v) / Rational(Integer(1) << 52));
      else CHECK(a == to_double(v));
    }
    // The row {A_i x + c_i <= 0} as integers: a positive multiple of (A_i, -c_i).
    if (!s.gradient_is_zero(i)) {
      std::vector<Integer> a;
      Integer b;
      s.integer_row(i, a, b);
      const Halfspace h = make_unreduced_halfspace(a, b, RowOrigin{});
      const Halfspace canonical = make_halfspace(ref.A[i], -ref.c[i], RowOrigin{});
      CHECK(make_halfspace(h.a(), h.b(), RowOrigin{}) == canonical);
    }
  }
  // The columns are reduced: no common factor of a column's numerators and its denominator.
  for (std::size_t j = 0; j < s.m.cols; ++j) {
    Integer g = s.m.den[j];
    for (std::size_t t = 0; t < s.m.rows; ++t) mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), s.m.num[t * s.m.cols + j].get_mpz_t());
    CHECK(g == 1);
  }
}

}  // namespace

namespace {

Matrix random_matrix(std::mt19937_64& rng, std::size_t rows, std::size_t cols, bool any) {
  Matrix m(rows, Vector(cols));
  for (auto& row : m)
    for (auto& v : row) v = draw(rng, any);
  return m;
}

// W masked(h) + b term by term, canonical rationals: the reference.
AffineMap reference_compose(const Layer& L, const AffineMap& h, const std::vector<char>* zero_rows) {
  const std::size_t d = h.A.empty() ? 0 : h.A[0].size();
  AffineMap out;
  out.A.assign(L.width(), Vector(d, Rational(0)));
  out.c = L.b;
  for (std::size_t i = 0; i < L.width(); ++i)
    for (std::size_t t = 0; t < h.A.size(); ++t) {
      if (zero_rows && (*zero_rows)[t]) continue;
      for (std::size_t j = 0; j < d; ++j) out.A[i][j] += L.W[i][t] * h.A[t][j];
      out.c[i] += L.W[i][t] * h.c[t];
    }
  return out;
}

Layer random_layer(std::mt19937_64& rng, std::size_t width, std::size_t fan_in, bool any) {
  Layer L;
  L.W = random_matrix(rng, width, fan_in, any);
  L.b = random_matrix(rng, 1, width, any)[0];
  L.relu = true;
  return L;
}

}  // namespace

TEST_CASE("compose_layer equals the rational compose plus the bias, masked rows read as zero") {
  std::mt19937_64 rng(17);
  for (int rep = 0; rep < 300; ++rep) {
    const bool any = rep % 3 == 0;  // non-dyadic weights in a third of the cases
    const std::size_t d = 1 + rep % 6, r = 1 + rep % 5, k = 1 + (rep / 5) % 6, k2 = 1 + (rep / 7) % 4;
    AffineMap h;
    h.A = random_matrix(rng, r, d, any);
    h.c = random_matrix(rng, 1, r, any)[0];
    const Layer L = random_layer(rng, k, r, any), L2 = random_layer(rng, k2, k, any);
    const Network net(r, {L, L2});
    const Network::IntegerLayer *I = net.integer_layer(0), *I2 = net.integer_layer(1);
    REQUIRE(I);
    REQUIRE(I2);
    std::vector<char> zero_rows(r, 0);
    for (auto& z : zero_rows) z = static_cast<char>(rng() % 3 == 0);
    const ScaledAffineMap sh = scaled_affine(h);
    check_same(sh, h);
    CHECK(sh.to_affine().A == h.A);
    CHECK(sh.to_affine().c == h.c);
    const AffineMap ref = reference_compose(L, h, &zero_rows);
    const ScaledAffineMap z = compose_layer(*I, sh, &zero_rows);
    check_same(z, ref);
    // Two layers deep: the scaled form feeds the next compose as it is.
    check_same(compose_layer(*I2, z, nullptr), reference_compose(L2, ref, nullptr));
  }
}

TEST_CASE("compose_layer rejects mismatched sizes") {
  Layer L;
  L.W = {{Rational(1), Rational(2)}};
  L.b = {Rational(0)};
  const Network net(2, {L});
  AffineMap h;
  h.A = {{Rational(1)}};  // one output where the layer reads two
  h.c = {Rational(0)};
  CHECK_THROWS_AS(compose_layer(*net.integer_layer(0), scaled_affine(h), nullptr), std::logic_error);
}

TEST_CASE("a network's integer and double forms: W = W_num / W_den with W_den the lcm of the denominators; the doubles are get_d") {
  // Both ways of deriving them (shifts when every denominator is a power of two, lcm and division
  // otherwise), on fresh nets and on nets made by with_first_layer (the streamed check's folds).
  auto ratio = [](const Integer& n, const Integer& d) {
    Rational q(n, d);
    q.canonicalize();  // (the two-integer constructor does not)
    return q;
  };
  std::mt19937_64 rng(23);
  for (int rep = 0; rep < 200; ++rep) {
    const bool any = rep % 2 == 0;
    const std::size_t d = 1 + rep % 4, k = 1 + rep % 5, k2 = 1 + (rep / 5) % 4;
    const Network base(d, {random_layer(rng, k, d, any), random_layer(rng, k2, k, !any)});
    const Network net = rep % 3 == 0 ? base.with_first_layer(d, random_layer(rng, k, d, rep % 4 == 0)) : base;
    if (rep % 3 == 0) {  // with_first_layer keeps the later layers as they are
      REQUIRE(net.layers().size() == base.layers().size());
      CHECK(net.layers()[1].W == base.layers()[1].W);
      CHECK(net.layers()[1].b == base.layers()[1].b);
      CHECK(net.integer_layer(1) == base.integer_layer(1));  // shared, not recomputed
    }
    for (std::size_t l = 0; l < net.layers().size(); ++l) {
      CAPTURE(l);
      const Layer& L = net.layers()[l];
      const Network::IntegerLayer* I = net.integer_layer(l);
      REQUIRE(I);
      Integer lcm_W = 1, lcm_b = 1;
      for (const auto& row : L.W)
        for (const auto& v : row) mpz_lcm(lcm_W.get_mpz_t(), lcm_W.get_mpz_t(), v.get_den_mpz_t());
      for (const auto& v : L.b) mpz_lcm(lcm_b.get_mpz_t(), lcm_b.get_mpz_t(), v.get_den_mpz_t());
      CHECK(I->W_den == lcm_W);
      CHECK(I->b_den == lcm_b);
      const auto& F = net.double_layers().at(l);
      for (std::size_t i = 0; i < L.W.size(); ++i)
        for (std::size_t j = 0; j < L.W[i].size(); ++j) {
          CHECK(ratio(I->W_num[i][j], I->W_den) == L.W[i][j]);
          CHECK(F.W[i * L.W[i].size() + j] == L.W[i][j].get_d());
        }
      for (std::size_t i = 0; i < L.b.size(); ++i) {
        CHECK(ratio(I->b_num[i], I->b_den) == L.b[i]);
        CHECK(F.b[i] == L.b[i].get_d());
      }
    }
  }
}
