#include "core/rational.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace relucert {
namespace {

// Exponents beyond this would build numbers with more digits than any real network
// needs; refusing them keeps hostile input from exhausting memory.
constexpr long kMaxDecimalExponent = 100000;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool fail(std::string* why, std::string msg) {
  if (why) *why = std::move(msg);
  return false;
}

Integer pow10(unsigned long e) {
  Integer r;
  mpz_ui_pow_ui(r.get_mpz_t(), 10, e);
  return r;
}

bool parse_exponent(std::string_view s, long* out, std::string* why) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!all_digits(s)) return fail(why, "malformed exponent");
  if (s.size() > 9) return fail(why, "exponent too large");
  long e = std::stol(std::string(s));
  *out = neg ? -e : e;
  return true;
}

// Decimal with optional fraction and exponent, no sign.
bool parse_decimal(std::string_view s, Rational* out, std::string* why) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-')
      return fail(why, "not a number (expected an integer, p/q, a decimal such as 0.1 or 1e-30, or a hex float)");
  std::string_view mant = s, exp_part;
  if (auto p = s.find_first_of("eE"); p != std::string_view::npos) {
    mant = s.substr(0, p);
    exp_part = s.substr(p + 1);
    if (exp_part.empty()) return fail(why, "missing exponent digits");
  }
  std::string_view ip = mant, fp;
  if (auto p = mant.find('.'); p != std::string_view::npos) {
    ip = mant.substr(0, p);
    fp = mant.substr(p + 1);
    if (ip.empty() && fp.empty()) return fail(why, "no digits");
    if (!ip.empty() && !all_digits(ip)) return fail(why, "malformed digits");
    if (!fp.empty() && !all_digits(fp)) return fail(why, "malformed digits after the decimal point");
  } else if (!all_digits(ip)) {
    return fail(why, "not a number");
  }
  long e = 0;
  if (!exp_part.empty() && !parse_exponent(exp_part, &e, why)) return false;
  e -= static_cast<long>(fp.size());
  if (e > kMaxDecimalExponent || e < -kMaxDecimalExponent) return fail(why, "exponent too large");
  std::string digits = std::string(ip) + std::string(fp);
  if (digits.empty()) digits = "0";
  Integer num(digits, 10);
  Rational r(num);
  if (e >= 0) r *= Rational(pow10(static_cast<unsigned long>(e)));
  else r /= Rational(pow10(static_cast<unsigned long>(-e)));
  r.canonicalize();
  *out = r;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// C99 hex float without sign: 0x<hex>[.<hex>]p<exp>
bool parse_hex_float(std::string_view s, Rational* out, std::string* why) {
  s.remove_prefix(2);
  auto p = s.find_first_of("pP");
  if (p == std::string_view::npos) return fail(why, "hex float needs a 'p' exponent");
  std::string_view mant = s.substr(0, p);
  long e = 0;
  if (!parse_exponent(s.substr(p + 1), &e, why)) return false;
  std::string digits;
  bool seen_dot = false;
  for (char c : mant) {
    if (c == '.') {
      if (seen_dot) return fail(why, "two points in hex float");
      seen_dot = true;
      continue;
    }
    if (hex_value(c) < 0) return fail(why, "malformed hex digits");
    digits += c;
    if (seen_dot) e -= 4;
  }
  if (digits.empty()) return fail(why, "no hex digits");
  Integer num(digits, 16);  // one conversion: linear in the digits, not quadratic
  if (e > 4 * kMaxDecimalExponent || e < -4 * kMaxDecimalExponent) return fail(why, "exponent too large");
  Rational r(num);
  Integer two_pow;
  mpz_ui_pow_ui(two_pow.get_mpz_t(), 2, static_cast<unsigned long>(e >= 0 ? e : -e));
  if (e >= 0) r *= Rational(two_pow);
  else r /= Rational(two_pow);
  r.canonicalize();
  *out = r;
  return true;
}

}  // namespace

std::optional<Rational> parse_rational(std::string_view text, std::string* why) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) {
    fail(why, "empty number");
    return std::nullopt;
  }
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    fail(why, "non-finite number '" + std::string(text) + "'");
    return std::nullopt;
  }
  Rational r;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view p = s.substr(0, slash), q = s.substr(slash + 1);
    if (!all_digits(p) || !all_digits(q)) {
      fail(why, "malformed fraction '" + std::string(text) + "' (expected p/q with integer p, q)");
      return std::nullopt;
    }
    Integer den(std::string(q), 10);
    if (den == 0) {
      fail(why, "zero denominator in '" + std::string(text) + "'");
      return std::nullopt;
    }
    r = Rational(Integer(std::string(p), 10), den);
    r.canonicalize();
  } else if (lower.size() > 2 && lower[0] == '0' && lower[1] == 'x') {
    if (!parse_hex_float(s, &r, why)) return std::nullopt;
  } else {
    std::string inner_why;
    if (!parse_decimal(s, &r, &inner_why)) {
      fail(why, inner_why + " in '" + std::string(text) + "'");
      return std::nullopt;
    }
  }
  if (neg) r = -r;
  return r;
}

Rational rational_from_double(double v) {
  if (!std::isfinite(v)) throw std::invalid_argument("rational_from_double: non-finite value");
  Rational r(v);  // mpq_set_d is exact for finite doubles
  r.canonicalize();
  return r;
}

Rational rational_from_float(float v) { return rational_from_double(static_cast<double>(v)); }

std::string to_string(const Rational& q) { return q.get_str(10); }

double approx(const Rational& q) { return q.get_d(); }

}  // namespace relucert

namespace relucert {
namespace {
// Floor of a rational as an integer.
Integer floor_of(const Rational& q) {
  Integer r;
  mpz_fdiv_q(r.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return r;
}
// Simplest rational in the open interval (lo, hi), 0 <= lo < hi, by continued fractions.
Rational simplest_nonneg(const Rational& lo, const Rational& hi) {
  Integer fl = floor_of(lo);
  if (Rational(fl + 1) < hi) return Rational(fl + 1);
  // Both in [fl, fl+1]; lo may equal fl.
  if (Rational(fl) == lo) {
    // (fl, hi) with hi <= fl+1: fl + 1/(simplest above 1/(hi-fl))
    Rational t = 1 / (hi - Rational(fl));
    Integer n = floor_of(t) + 1;
    return Rational(fl) + Rational(1) / Rational(n);
  }
  Rational inner = simplest_nonneg(1 / (hi - Rational(fl)), 1 / (lo - Rational(fl)));
  Rational r = Rational(fl) + 1 / inner;
  r.canonicalize();
  return r;
}
}  // namespace

Rational simplest_between(const Rational& lo, const Rational& hi) {
  if (!(lo < hi)) throw std::invalid_argument("simplest_between: empty interval");
  if (sgn(lo) < 0 && sgn(hi) > 0) return Rational(0);
  if (sgn(hi) <= 0) return -simplest_nonneg(-hi, -lo);
  return simplest_nonneg(lo, hi);
}
// A fraction p/q with small q near the simplest rational of (lo, hi), found by the continued
// fraction of the interval in double arithmetic. Nothing relies on it being exactly in (lo, hi):
// the point it goes into is checked exactly. False when the terms grow too large.
static bool simple_fraction(double lo, double hi, long long* num, long long* den) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) return false;
  if (lo < 0 && hi > 0) {
    *num = 0;
    *den = 1;
    return true;
  }
  const bool neg = hi <= 0;
  if (neg) {
    const double t = lo;
    lo = -hi;
    hi = -t;
  }
  constexpr double kBig = 0x1p40;
  // Convergents h/k of the continued fraction built so far.
  double h1 = 1, h2 = 0, k1 = 0, k2 = 1;
  for (int depth = 0; depth < 60; ++depth) {
    const double a = std::floor(lo);
    if (a + 1 < hi) {
      const double h = (a + 1) * h1 + h2, k = (a + 1) * k1 + k2;
      if (!(h < kBig && k < kBig)) return false;
      *num = static_cast<long long>(neg ? -h : h);
      *den = static_cast<long long>(k);
      return true;
    }
    const double h = a * h1 + h2, k = a * k1 + k2;
    if (!(h < kBig && k < kBig)) return false;
    h2 = h1;
    h1 = h;
    k2 = k1;
    k1 = k;
    const double nlo = 1 / (hi - a);
    const double nhi = lo > a ? 1 / (lo - a) : HUGE_VAL;
    if (!(nlo < nhi)) return false;
    lo = nlo;
    hi = nhi;
  }
  return false;
}

Rational short_rational_near(double x, double r) {
  long long p = 0, q = 1;
  if (simple_fraction(x - r, x + r, &p, &q)) {
    Rational v(Integer(static_cast<long>(p)), Integer(static_cast<long>(q)));
    v.canonicalize();
    return v;
  }
  return rational_from_double(x);
}

Rational short_dyadic_near(double x, double r) {
  if (!(r > 0) || !std::isfinite(x) || !std::isfinite(r)) return rational_from_double(x);
  // The grid 2^-k first has a point in [x - r, x + r] once 2^-k <= 2r; a coarser one may already.
  for (int k = 0; k <= 1074; ++k) {
    const double scaled = std::ldexp(x, k);  // exact (scaling by a power of two, no overflow: |x| 2^k < 2^62 below)
    if (!(std::fabs(scaled) < 0x1p62)) break;
    const double m = std::nearbyint(scaled);
    if (std::fabs(std::ldexp(m, -k) - x) <= r) {
      Rational v(Integer(static_cast<long>(m)), Integer(1) << static_cast<mp_bitcnt_t>(k));
      v.canonicalize();  // (m even: fewer bits)
      return v;
    }
  }
  return rational_from_double(x);
}

void add_in_place(Rational& x, const Rational& b) {
  const long ex = power_of_two_exponent(x.get_den()), eb = power_of_two_exponent(b.get_den());
  if (ex < 0 || eb < 0 || sgn(b) == 0 || sgn(x) == 0) {
    x += b;
    return;
  }
  // x = p / 2^ex, b = q / 2^eb: over 2^E (E the larger), the sum's numerator is p 2^(E-ex) + q 2^(E-eb).
  const long E = std::max(ex, eb);
  mpz_ptr p = x.get_num_mpz_t();
  if (E > ex) mpz_mul_2exp(p, p, static_cast<mp_bitcnt_t>(E - ex));
  if (E > eb) {
    Integer q;
    mpz_mul_2exp(q.get_mpz_t(), b.get_num_mpz_t(), static_cast<mp_bitcnt_t>(E - eb));
    mpz_add(p, p, q.get_mpz_t());
  } else {
    mpz_add(p, p, b.get_num_mpz_t());
  }
  set_dyadic(x, x.get_num(), static_cast<unsigned long>(E));  // (in place: GMP allows the aliasing)
}

void set_dyadic(Rational& q, const Integer& num, unsigned long e) {
  if (sgn(num) == 0) {
    mpz_set_ui(q.get_num_mpz_t(), 0);
    mpz_set_ui(q.get_den_mpz_t(), 1);
    return;
  }
  const mp_bitcnt_t t = std::min<mp_bitcnt_t>(e, mpz_scan1(num.get_mpz_t(), 0));
  mpz_tdiv_q_2exp(q.get_num_mpz_t(), num.get_mpz_t(), t);  // exact: t low zero bits
  mpz_set_ui(q.get_den_mpz_t(), 0);
  mpz_setbit(q.get_den_mpz_t(), e - t);
}

}  // namespace relucert
