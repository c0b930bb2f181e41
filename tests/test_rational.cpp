// Exact number parsing: every accepted form means exactly one rational.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "core/linear.hpp"
#include "core/rational.hpp"

using namespace relucert;

static Integer ceil_of(const Rational& x) {
  Integer c;
  mpz_cdiv_q(c.get_mpz_t(), x.get_num_mpz_t(), x.get_den_mpz_t());
  return c;
}

static Rational q(const char* s) {
  auto r = parse_rational(s);
  REQUIRE_MESSAGE(r.has_value(), s);
  return *r;
}

TEST_CASE("integers, fractions, decimals and exponents are exact") {
  CHECK(q("7") == Rational(7));
  CHECK(q("-15/2") == Rational(-15, 2));
  CHECK(q("+3/6") == Rational(1, 2));
  CHECK(q("0.1") == Rational(1, 10));
  CHECK(q("-0.125") == Rational(-1, 8));
  CHECK(q(".5") == Rational(1, 2));
  CHECK(q("5.") == Rational(5));
  CHECK(q("1e-30") == Rational(Integer(1), Integer("1000000000000000000000000000000")));
  CHECK(q("2.5E+3") == Rational(2500));
  CHECK(q("12e2") == Rational(1200));
  CHECK(q(" 42 ") == Rational(42));
}

TEST_CASE("hex floats are their exact binary value") {
  CHECK(q("0x1.8p-3") == Rational(3, 16));
  CHECK(q("-0x1p+2") == Rational(-4));
  // float32(0.1) = 0x1.99999ap-4 = 13421773 / 2^27
  CHECK(q("0x1.99999ap-4") == Rational(13421773, 134217728));
}

TEST_CASE("exact values of binary floats") {
  CHECK(rational_from_float(0.1f) == Rational(13421773, 134217728));
  CHECK(rational_from_double(0.1) != Rational(1, 10));
  CHECK(rational_from_double(0.5) == Rational(1, 2));
  CHECK_THROWS(rational_from_double(1.0 / 0.0));
}

TEST_CASE("to_double of dyadic and other rationals: GMP's truncated value, relative error below 2^-52") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 4000; ++i) {
    // Numerators of 1..300 bits over 2^e (e up to 1200: past the normal range too) or over an odd number.
    Integer n;
    const unsigned bits = 1 + static_cast<unsigned>(rng() % 300);
    n = 0;
    for (unsigned b = 0; b < bits; b += 60) n = (n << 60) + Integer(std::to_string(rng() >> 4));
    if (rng() % 2) n = -n;
    Integer d = 1;
    if (rng() % 4) d <<= static_cast<mp_bitcnt_t>(rng() % 1200);
    else d = Integer(std::to_string((rng() % 1000000) * 2 + 3));
    Rational x(n, d);
    x.canonicalize();
    const double v = to_double(x);
    // Numerators past 2^53 over 2^e take the shift path, which truncates as GMP does.
    if (power_of_two_exponent(x.get_den()) >= 0 && mpz_sizeinbase(x.get_num_mpz_t(), 2) > 53) CHECK(v == x.get_d());
    if (std::isnormal(v)) CHECK(abs(rational_from_double(v) - x) < abs(x) / Rational(Integer(1) << 52));
    else CHECK(v == x.get_d());  // zero, subnormal or out of range: GMP's own value
  }
  CHECK(to_double(Rational(3, 4)) == 0.75);
  CHECK(to_double(Rational(-1, Integer(1) << 1100)) == Rational(-1, Integer(1) << 1100).get_d());
}

TEST_CASE("short_dyadic_near: a power-of-two denominator, within r, on the coarsest grid that has a point there") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int i = 0; i < 5000; ++i) {
    const double x = u(rng) * std::ldexp(1.0, static_cast<int>(rng() % 40) - 20);
    const double r = std::ldexp(1.0 + u(rng) / 2, -static_cast<int>(rng() % 45));
    const Rational v = short_dyadic_near(x, r);
    const long k = power_of_two_exponent(v.get_den());
    REQUIRE(k >= 0);
    const Rational X = rational_from_double(x), R = rational_from_double(r);
    CHECK(abs(v - X) <= R);
    if (k > 0) {  // the grid 2^-(k-1) has no point within r of x
      const Rational step(1, Integer(1) << static_cast<mp_bitcnt_t>(k - 1));
      Rational lo = X - R;
      Integer m = ceil_of(lo / step);
      CHECK(Rational(m) * step > X + R);
    }
  }
  CHECK(short_dyadic_near(0.3, 0.25) == Rational(1, 2));
  CHECK(short_dyadic_near(0.3, 0.31) == 0);
  CHECK(short_dyadic_near(-2.7, 0.1) == Rational(-11, 4));
  CHECK(short_dyadic_near(1e300, 1.0) == rational_from_double(1e300));  // m past 62 bits: x itself
}

TEST_CASE("dot is the exact canonical sum of products, dyadic or not") {
  std::mt19937_64 rng(13);
  auto draw = [&](bool dyadic) {
    Integer n(std::to_string(rng() % 5000000));
    if (rng() % 2) n = -n;
    if (rng() % 6 == 0) n = 0;
    Integer d = dyadic || rng() % 3 ? Integer(1) << static_cast<mp_bitcnt_t>(rng() % 70) : Integer(std::to_string(rng() % 99 + 1));
    Rational r(n, d);
    r.canonicalize();
    return r;
  };
  for (int i = 0; i < 5000; ++i) {
    const bool dyadic = rng() % 2;
    const std::size_t n = rng() % 7;
    Vector a(n), b(n);
    for (std::size_t j = 0; j < n; ++j) a[j] = draw(dyadic), b[j] = draw(dyadic);
    Rational expected = 0;
    for (std::size_t j = 0; j < n; ++j) expected += a[j] * b[j];
    const Rational got = dot(a, b);
    CHECK(got == expected);
    Rational c = got;
    c.canonicalize();
    CHECK(mpz_cmp(c.get_den_mpz_t(), got.get_den_mpz_t()) == 0);  // canonical
    CHECK(mpz_cmp(c.get_num_mpz_t(), got.get_num_mpz_t()) == 0);
  }
  CHECK_THROWS(dot(Vector(2), Vector(3)));
}

TEST_CASE("add_in_place is the exact canonical sum, by shifts for power-of-two denominators") {
  std::mt19937_64 rng(11);
  auto draw = [&] {
    Integer n(std::to_string(rng() % 2000000));
    if (rng() % 2) n = -n;
    if (rng() % 8 == 0) n = 0;
    Integer d = rng() % 5 ? Integer(1) << static_cast<mp_bitcnt_t>(rng() % 90) : Integer(std::to_string(rng() % 1000 + 1));
    Rational r(n, d);
    r.canonicalize();
    return r;
  };
  for (int i = 0; i < 20000; ++i) {
    Rational x = draw();
    const Rational b = draw(), expected = x + b;
    add_in_place(x, b);
    CHECK(x == expected);  // mpq equality compares canonical forms
    Rational c = x;
    c.canonicalize();
    CHECK(mpq_equal(c.get_mpq_t(), x.get_mpq_t()));
    CHECK(mpz_cmp(c.get_den_mpz_t(), x.get_den_mpz_t()) == 0);  // x was already canonical
  }
  Rational x(3, 4);
  add_in_place(x, Rational(1, 4));
  CHECK(x.get_den() == 1);
  CHECK(x.get_num() == 1);
  add_in_place(x, Rational(-1));
  CHECK(x.get_den() == 1);
  CHECK(sgn(x) == 0);
}

TEST_CASE("malformed and non-finite numbers are rejected with a reason") {
  for (const char* bad : {"", "abc", "1/0", "1//2", "1/-2", "inf", "-Infinity", "NaN", "1e", "1e+", "0x1.8", "1.2.3", "--1", "1e999999999999"}) {
    std::string why;
    CHECK_MESSAGE(!parse_rational(bad, &why).has_value(), bad);
    CHECK_MESSAGE(!why.empty(), bad);
  }
}

TEST_CASE("to_string round-trips") {
  for (const char* s : {"0", "-15/2", "1/1000000000000000000000000000000", "123456789012345678901234567890"}) CHECK(to_string(q(s)) == s);
}

TEST_CASE("simplest_between returns the simplest rational strictly inside") {
  CHECK(simplest_between(Rational(0), Rational(1)) == Rational(1, 2));
  CHECK(simplest_between(Rational(0), Rational(2, 3)) == Rational(1, 2));
  CHECK(simplest_between(Rational(1, 3), Rational(1, 2)) == Rational(2, 5));
  CHECK(simplest_between(Rational(-1), Rational(1)) == Rational(0));
  CHECK(simplest_between(Rational(-5, 2), Rational(-2)) == Rational(-7, 3));
  CHECK(simplest_between(Rational(3), Rational(7)) == Rational(4));
  // Brute-force check: nothing with a smaller denominator lies strictly inside.
  for (int a = -7; a <= 7; ++a)
    for (int b = 1; b <= 6; ++b)
      for (int c = 1; c <= 9; ++c) {
        Rational lo(a, b), hi = Rational(a, b) + Rational(1, c);
        lo.canonicalize();
        hi.canonicalize();
        Rational s = simplest_between(lo, hi);
        CHECK(lo < s);
        CHECK(s < hi);
        for (long den = 1; den < s.get_den().get_si(); ++den) {
          // no k/den strictly between lo and hi
          Rational k_lo = lo * den;
          Integer f;
          mpz_fdiv_q(f.get_mpz_t(), k_lo.get_num_mpz_t(), k_lo.get_den_mpz_t());
          Rational cand(f + 1, den);
          cand.canonicalize();
          CHECK_FALSE(cand < hi);
        }
      }
}

TEST_CASE("mat_mul and compose over common denominators equal the term-by-term rational sums") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> num(-50, 50), den(1, 64), zero(0, 3);
  auto entry = [&] { return zero(rng) == 0 ? Rational(0) : Rational(num(rng), den(rng)); };  // (canonicalised below)
  for (int rep = 0; rep < 50; ++rep) {
    const std::size_t r = 1 + rep % 4, k = 1 + rep % 5, n = 1 + rep % 3;
    Matrix a(r, Vector(k)), b(k, Vector(n));
    Vector c(k);
    for (auto& row : a)
      for (auto& v : row) (v = entry()).canonicalize();
    for (auto& row : b)
      for (auto& v : row) (v = entry()).canonicalize();
    for (auto& v : c) (v = entry()).canonicalize();
    Matrix naive = zeros(r, n);
    Vector naive_c(r, Rational(0));
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t t = 0; t < k; ++t) {
        for (std::size_t j = 0; j < n; ++j) naive[i][j] += a[i][t] * b[t][j];
        naive_c[i] += a[i][t] * c[t];
      }
    CHECK(mat_mul(a, b) == naive);
    const AffineMap h{b, c};
    const AffineMap z = compose(row_scaled(a), h);
    CHECK(z.A == naive);
    CHECK(z.c == naive_c);
    for (const auto& row : z.A)  // canonical: equal values compare equal, denominators positive
      for (const auto& v : row) CHECK(v.get_den() > 0);
    // Rows of h read as zero (a ReLU's inactive neurons) equal composing with a masked copy.
    std::vector<char> zero_rows(k);
    AffineMap masked = h;
    for (std::size_t t = 0; t < k; ++t)
      if ((zero_rows[t] = static_cast<char>(zero(rng) < 2))) {
        masked.A[t].assign(n, Rational(0));
        masked.c[t] = 0;
      }
    const AffineMap zm = compose(row_scaled(a), h, &zero_rows), ref = compose(row_scaled(a), masked);
    CHECK(zm.A == ref.A);
    CHECK(zm.c == ref.c);
  }
  CHECK_THROWS_AS(mat_mul(Matrix{Vector(2)}, Matrix{Vector(1)}), std::logic_error);
}
