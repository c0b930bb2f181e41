#pragma once
// Exact rationals (GMP) and their exact text forms.
#include <gmpxx.h>

#include <cmath>

#include <optional>
#include <string>
#include <string_view>

namespace relucert {

using Rational = mpq_class;
using Integer = mpz_class;

// Parses an exact rational from text. Accepted forms (optional leading sign):
//   "7", "-15/2", "0.1" (= 1/10), "1e-30", "2.5E+3", ".5", and C99 hex floats "0x1.8p-3"
//   (the exact binary value). Returns nullopt and sets *why on failure; "inf"/"nan" are
//   rejected as non-finite.
std::optional<Rational> parse_rational(std::string_view text, std::string* why = nullptr);

// Exact value of a double / float (every finite binary float is a dyadic rational).
Rational rational_from_double(double v);
Rational rational_from_float(float v);

// num / 2^e (num != 0, any integer numerator, not necessarily in lowest terms) in double: its
// leading 53 bits, truncated as mpz_get_d_2exp does (relative error below 2^-52; a common factor
// of two changes no leading bit), scaled by 2^-e. False when the result would not be a normal
// double (then the caller converts another way).
inline bool dyadic_to_double(mpz_srcptr num, long e, double* out) {
  long en = 0;
  const double m = mpz_get_d_2exp(&en, num);
  const long ex = en - e;
  if (!(ex > -1000 && ex < 1000)) return false;
  *out = std::ldexp(m, static_cast<int>(ex));
  return true;
}

// Nearest-or-truncated double of an exact number, with relative error below 2^-52 (the bound
// core/filtered_sign.cpp relies on): one-limb integers and quotients of integers below 2^53 are
// converted without GMP's general routine (which divides); anything else goes through get_d().
inline double to_double(const Integer& z) {
  const mpz_srcptr m = z.get_mpz_t();
  if (m->_mp_size == 1) return static_cast<double>(m->_mp_d[0]);    // rounded to nearest: error <= 2^-53
  if (m->_mp_size == -1) return -static_cast<double>(m->_mp_d[0]);
  if (m->_mp_size == 0) return 0.0;
  return z.get_d();
}
inline double to_double(const Rational& q) {
  const mpz_srcptr n = q.get_num_mpz_t(), d = q.get_den_mpz_t();
  constexpr mp_limb_t kExact = mp_limb_t(1) << 53;  // integers below 2^53 convert exactly
  if (d->_mp_size == 1 && d->_mp_d[0] < kExact && (n->_mp_size == 0 || ((n->_mp_size == 1 || n->_mp_size == -1) && n->_mp_d[0] < kExact))) {
    const double num = n->_mp_size == 0 ? 0.0 : static_cast<double>(n->_mp_d[0]);
    const double v = num / static_cast<double>(d->_mp_d[0]);  // one rounding: error <= 2^-53
    return n->_mp_size < 0 ? -v : v;
  }
  // A power-of-two denominator (float weights, dyadic points): get_d() would divide.
  if (n->_mp_size != 0 && d->_mp_size >= 1) {
    const mp_bitcnt_t low = mpz_scan1(d, 0);
    double v = 0;
    if (low + 1 == mpz_sizeinbase(d, 2) && dyadic_to_double(n, static_cast<long>(low), &v)) return v;
  }
  return q.get_d();
}

// e when the positive integer z is 2^e, else -1. Float weights and the builder's dyadic points
// give power-of-two denominators almost everywhere; arithmetic on them can use shifts instead
// of gcds and lcms (with the same exact results).
inline long power_of_two_exponent(const Integer& z) {
  const mp_bitcnt_t low = mpz_scan1(z.get_mpz_t(), 0);
  return low + 1 == mpz_sizeinbase(z.get_mpz_t(), 2) ? static_cast<long>(low) : -1;
}

// q = num / 2^e in lowest terms, by shifting out the numerator's trailing zeros (no gcd): the
// canonical rational GMP would make. num may be zero (then q = 0).
void set_dyadic(Rational& q, const Integer& num, unsigned long e);

// sum += w x. A one-limb w (a float weight over its layer's denominator, nearly always) goes
// through GMP's single-limb multiply-add, which skips mpz_addmul's general dispatch.
inline void add_product(Integer& sum, const Integer& w, const Integer& x) {
  static_assert(sizeof(unsigned long) >= sizeof(mp_limb_t), "a limb must fit the _ui functions' argument");
  const mpz_srcptr wz = w.get_mpz_t();
  if (wz->_mp_size == 1) mpz_addmul_ui(sum.get_mpz_t(), x.get_mpz_t(), wz->_mp_d[0]);
  else if (wz->_mp_size == -1) mpz_submul_ui(sum.get_mpz_t(), x.get_mpz_t(), wz->_mp_d[0]);
  else mpz_addmul(sum.get_mpz_t(), wz, x.get_mpz_t());
}

// x += b, exactly. Two power-of-two denominators (float weights and biases, dyadic points) are
// added with shifts and the sum canonicalised by its trailing zeros (no gcd); anything else by
// GMP's canonicalising add. The result is the same canonical rational either way.
void add_in_place(Rational& x, const Rational& b);

// Canonical text "p/q" or "p" (q > 1 only when needed).
std::string to_string(const Rational& q);
// Approximate decimal for human-readable output only; never used to decide anything.
double approx(const Rational& q);

}  // namespace relucert

namespace relucert {
// The rational with the smallest denominator (then numerator) strictly between lo and hi
// (lo < hi). Keeps constructed points and witnesses short.
Rational simplest_between(const Rational& lo, const Rational& hi);
// A rational with a small denominator within about r of x (found in double arithmetic by a
// continued fraction; nothing may rely on the distance: callers check the points they build),
// or the exact value of x when the terms grow too large. x must be finite.
Rational short_rational_near(double x, double r);
// The dyadic m / 2^k with the fewest fraction bits k >= 0 within r of x (m nearest x), found in
// double arithmetic, or the exact value of x when m would not fit 62 bits. A point of such
// coordinates has a power-of-two common denominator: exact arithmetic on it is shifts (no gcds),
// and d coordinates share one denominator instead of the product of d continued-fraction ones.
// As for short_rational_near, nothing may rely on the distance. x must be finite, r > 0.
Rational short_dyadic_near(double x, double r);
}  // namespace relucert
