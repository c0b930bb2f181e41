// Exact number parsing for the checker (its own; the engine's parser is not trusted).
#include <cctype>

#include "checker.hpp"

namespace rcv {
namespace {

bool all_digits(const std::string& s, bool hex = false) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(hex ? std::isxdigit(c) : std::isdigit(c))) return false;
  return true;
}

Q pow_int(long base, long e) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), static_cast<unsigned long>(base), static_cast<unsigned long>(e));
  return Q(r);
}

}  // namespace

std::string str(const Q& q) { return q.get_str(); }

std::optional<Q> parse_number(const std::string& raw, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<Q> {
    if (why) *why = w;
    return std::nullopt;
  };
  std::size_t a = 0, z = raw.size();
  while (a < z && std::isspace(static_cast<unsigned char>(raw[a]))) ++a;
  while (z > a && std::isspace(static_cast<unsigned char>(raw[z - 1]))) --z;
  std::string s = raw.substr(a, z - a);
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.empty()) return fail("empty number");
  Q v;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    const std::size_t p = s.find_first_of("pP");
    if (p == std::string::npos) return fail("hex float without 'p' exponent");
    std::string mant = s.substr(2, p - 2), ex = s.substr(p + 1);
    const std::size_t dot = mant.find('.');
    std::string ip = mant.substr(0, dot), fp = dot == std::string::npos ? "" : mant.substr(dot + 1);
    if (ip.empty() && fp.empty()) return fail("hex float without digits");
    if ((!ip.empty() && !all_digits(ip, true)) || (!fp.empty() && !all_digits(fp, true))) return fail("bad hex digits");
    bool eneg = false;
    if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) eneg = ex[0] == '-', ex.erase(0, 1);
    if (!all_digits(ex) || ex.size() > 9) return fail("bad hex exponent");
    long e = std::stol(ex) * (eneg ? -1 : 1) - 4 * static_cast<long>(fp.size());
    if (e > 400000 || e < -400000 - 4 * static_cast<long>(fp.size())) return fail("exponent too large");
    mpz_class m(ip + fp == "" ? "0" : ip + fp, 16);
    v = Q(m);
    v *= e >= 0 ? pow_int(2, e) : 1 / pow_int(2, -e);
  } else if (s.find('/') != std::string::npos) {
    const std::size_t sl = s.find('/');
    const std::string p = s.substr(0, sl), q = s.substr(sl + 1);
    if (!all_digits(p) || !all_digits(q)) return fail("a fraction needs unsigned integer parts");
    mpz_class den(q, 10);
    if (den == 0) return fail("zero denominator");
    v = Q(mpz_class(p, 10), den);
    v.canonicalize();
  } else {
    std::size_t e = s.find_first_of("eE");
    std::string m = s.substr(0, e), ex = e == std::string::npos ? "" : s.substr(e + 1);
    if (e != std::string::npos && ex.empty()) return fail("empty exponent");
    const std::size_t dot = m.find('.');
    std::string ip = m.substr(0, dot), fp = dot == std::string::npos ? "" : m.substr(dot + 1);
    if (ip.empty() && fp.empty()) return fail("not a number");
    if ((!ip.empty() && !all_digits(ip)) || (!fp.empty() && !all_digits(fp))) return fail("not a number");
    long x = 0;
    if (!ex.empty()) {
      bool eneg = false;
      if (ex[0] == '+' || ex[0] == '-') eneg = ex[0] == '-', ex.erase(0, 1);
      if (!all_digits(ex) || ex.size() > 9) return fail("bad or too large exponent");
      x = std::stol(ex) * (eneg ? -1 : 1);
    }
    x -= static_cast<long>(fp.size());
    if (x > 100000 || x < -100000) return fail("exponent too large");
    v = Q(mpz_class(ip + fp, 10));
    v *= x >= 0 ? pow_int(10, x) : 1 / pow_int(10, -x);
  }
  v.canonicalize();
  if (neg) v = -v;
  return v;
}

}  // namespace rcv
