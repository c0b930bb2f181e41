#include "geometry/halfspace.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "core/filter_range.hpp"
#include "core/filtered_sign.hpp"

namespace relucert {

const Halfspace::Data& Halfspace::empty() {
  static const Data none;
  return none;
}

Halfspace::Halfspace(std::vector<Integer> a, Integer b, RowOrigin origin) : origin(origin) {
  auto d = std::make_shared<Data>();
  d->a = std::move(a);
  d->b = std::move(b);
  if (d->a.size() <= kApproxDim) {
    bool in_range = true;
    for (std::size_t i = 0; i < d->a.size(); ++i) {
      d->approx_a[i] = to_double(d->a[i]);
      in_range = in_range && (d->approx_a[i] == 0 || in_filter_range(d->approx_a[i]));
      d->approx_norm1 += std::fabs(d->approx_a[i]);
    }
    d->approx_b = to_double(d->b);
    d->approx_dim = static_cast<unsigned char>(d->a.size());
    d->approx_in_range = in_range && (d->approx_b == 0 || in_filter_range(d->approx_b));
  }
  data_ = std::move(d);
}

Rational Halfspace::slack(const Vector& x) const {
  const std::vector<Integer>& a = this->a();
  Rational s = b();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (sgn(a[i]) != 0) s -= a[i] * x[i];
  return s;
}

Sign Halfspace::slack_sign(const FilterPoint& x) const {
  if (data_ && data_->approx_dim == data_->a.size()) {
    if (data_->approx_in_range && x.all_in_range) return sign_of_slack_in_range(data_->a, data_->b, data_->approx_a.data(), data_->approx_b, x);
    return sign_of_slack(data_->a, data_->b, data_->approx_a.data(), data_->approx_b, x);
  }
  return sign_of_slack(a(), b(), x);
}

Rational Halfspace::normal_dot(const Vector& v) const {
  const std::vector<Integer>& a = this->a();
  Rational s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (sgn(a[i]) != 0) s += a[i] * v[i];
  return s;
}

Vector Halfspace::normal() const {
  const std::vector<Integer>& a = this->a();
  Vector v(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) v[i] = Rational(a[i]);
  return v;
}

bool Halfspace::same_hyperplane_as(const Halfspace& o) const {
  // Equal or negated entry by entry, compared by magnitude and sign (no negated temporaries).
  if (data_ == o.data_) return true;
  const std::vector<Integer>& a = this->a();
  const Integer& b = this->b();
  if (a.size() != o.a().size() || mpz_cmpabs(b.get_mpz_t(), o.b().get_mpz_t()) != 0) return false;
  bool same = sgn(b) == sgn(o.b()), opposite = sgn(b) == -sgn(o.b());
  for (std::size_t i = 0; i < a.size() && (same || opposite); ++i) {
    if (mpz_cmpabs(a[i].get_mpz_t(), o.a()[i].get_mpz_t()) != 0) return false;
    same = same && sgn(a[i]) == sgn(o.a()[i]);
    opposite = opposite && sgn(a[i]) == -sgn(o.a()[i]);
  }
  return same || opposite;
}

Halfspace Halfspace::flipped() const {
  // Negation is exact in double too, so the approximations stay to_double of the entries.
  auto d = std::make_shared<Data>(data_ ? *data_ : empty());
  for (auto& v : d->a) mpz_neg(v.get_mpz_t(), v.get_mpz_t());
  mpz_neg(d->b.get_mpz_t(), d->b.get_mpz_t());
  for (std::size_t i = 0; i < d->approx_dim; ++i) d->approx_a[i] = -d->approx_a[i];
  d->approx_b = -d->approx_b;
  Halfspace h;
  h.origin = origin;
  h.data_ = std::move(d);
  return h;
}

std::string Halfspace::to_string() const {
  const std::vector<Integer>& a = this->a();
  std::string s;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (sgn(a[i]) == 0) continue;
    std::string c = a[i].get_str();
    if (!s.empty()) s += (sgn(a[i]) > 0 ? " + " : " - ");
    else if (sgn(a[i]) < 0) s += "-";
    if (c[0] == '-') c = c.substr(1);
    if (c != "1") s += c + "*";
    s += "x" + std::to_string(i + 1);
  }
  return (s.empty() ? "0" : s) + " <= " + b().get_str();
}

Halfspace make_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin) {
  Integer g = 0;
  for (const auto& v : a) {
    mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), v.get_mpz_t());
    if (g == 1) break;  // (the gcd stays 1: the usual case, after two or three entries)
  }
  if (g == 0) throw std::logic_error("make_halfspace: zero normal");
  if (g != 1) mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), b.get_mpz_t());
  if (g != 1) {
    for (auto& v : a) mpz_divexact(v.get_mpz_t(), v.get_mpz_t(), g.get_mpz_t());
    mpz_divexact(b.get_mpz_t(), b.get_mpz_t(), g.get_mpz_t());
  }
  return Halfspace(std::move(a), std::move(b), origin);
}

namespace {

// The integers l*a, l*b for the lcm l of all denominators (a positive factor).
// Dyadic data (float weights, dyadic points: the builder's usual case) first, with shifts: the
// lcm is the largest power, and each quotient l / den a power of two. The same integers.
void integer_row(const Vector& a, const Rational& b, std::vector<Integer>& ai, Integer& bi) {
  ai.resize(a.size());
  {
    long top = power_of_two_exponent(b.get_den());
    std::array<long, Halfspace::kApproxDim> e{};
    bool dyadic = top >= 0 && a.size() <= e.size();
    for (std::size_t i = 0; i < a.size() && dyadic; ++i) {
      e[i] = power_of_two_exponent(a[i].get_den());
      dyadic = e[i] >= 0;
      top = std::max(top, e[i]);
    }
    if (dyadic) {
      for (std::size_t i = 0; i < a.size(); ++i)
        mpz_mul_2exp(ai[i].get_mpz_t(), a[i].get_num_mpz_t(), static_cast<mp_bitcnt_t>(top - e[i]));
      mpz_mul_2exp(bi.get_mpz_t(), b.get_num_mpz_t(), static_cast<mp_bitcnt_t>(top - power_of_two_exponent(b.get_den())));
      return;
    }
  }
  Integer l = b.get_den();
  for (const auto& v : a) mpz_lcm(l.get_mpz_t(), l.get_mpz_t(), v.get_den_mpz_t());
  for (std::size_t i = 0; i < a.size(); ++i) ai[i] = a[i].get_num() * (l / a[i].get_den());
  bi = b.get_num() * (l / b.get_den());
}

}  // namespace

Halfspace make_halfspace(const Vector& a, const Rational& b, RowOrigin origin) {
  std::vector<Integer> ai;
  Integer bi;
  integer_row(a, b, ai, bi);
  return make_halfspace(std::move(ai), std::move(bi), origin);
}

Halfspace make_unreduced_halfspace(const Vector& a, const Rational& b, RowOrigin origin) {
  std::vector<Integer> ai;
  Integer bi;
  integer_row(a, b, ai, bi);
  return make_unreduced_halfspace(std::move(ai), std::move(bi), origin);
}

Halfspace make_unreduced_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin) {
  bool nonzero = false;
  for (const auto& v : a) nonzero = nonzero || sgn(v) != 0;
  if (!nonzero) throw std::logic_error("make_unreduced_halfspace: zero normal");
  return Halfspace(std::move(a), std::move(b), origin);
}

bool strictly_inside(const std::vector<Halfspace>& rows, const Vector& x) {
  for (const auto& r : rows)
    if (sign_of_slack(r.a(), r.b(), x) != Sign::Positive) return false;
  return true;
}

}  // namespace relucert
