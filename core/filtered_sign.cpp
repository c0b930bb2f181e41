#include "core/filtered_sign.hpp"

#include <cmath>
#include <optional>

#include "core/arithmetic_mode.hpp"
#include "core/filter_range.hpp"

namespace relucert {
namespace {

// Error analysis. Every nonzero input is converted with to_double (core/rational.hpp: relative
// error < 2^-52) and must lie in [2^-500, 2^500], so no product or partial sum
// under- or overflows. With k products, the computed sum s of terms t_j satisfies
//   |s - exact| <= (2 * 2^-52 + 2^-53 + k * 2^-53) * (1 + 2^-50) * sum |t_j|  <  (k + 8) * 2^-52 * sum |t_j|,
// where sum |t_j| is itself computed with relative error below k * 2^-53. The bound used,
// (k + 8) * 2^-51 * mag, covers both with room to spare.

Sign certified(double s, double mag, std::size_t k) {
  const double bound = static_cast<double>(k + 8) * 0x1p-51 * mag;
  if (s > bound) return Sign::Positive;
  if (s < -bound) return Sign::Negative;
  return Sign::Zero;  // uncertain
}

// The filter's answer for a double sum of k terms: certified, or the double's own sign in the
// measurement-only FloatOnly mode.
Sign filter_decision(double sum, double mag, std::size_t k) {
  if (arithmetic_mode() == ArithmeticMode::FloatOnly)  // measurement only: trust the double
    return sum > 0 ? Sign::Positive : sum < 0 ? Sign::Negative : Sign::Zero;
  return certified(sum, mag, k);
}

}  // namespace

namespace {

// The sign of  c0 + s * sum_j c_j p_j  (s = +1 or -1) when the double evaluation certifies
// it; Sign::Zero when it does not (then the caller decides exactly).
template <class Number>
Sign filtered_sign(const Number& c0, const std::vector<Number>& c, const Vector& p, int s) {
  const auto constant = to_filter_double(c0);
  if (!constant) return Sign::Zero;
  double sum = *constant, mag = std::fabs(*constant);
  for (std::size_t j = 0; j < c.size(); ++j) {
    if (sgn(c[j]) == 0) continue;
    const auto x = to_filter_double(c[j]);
    const auto y = to_filter_double(p[j]);
    if (!x || !y) return Sign::Zero;
    const double t = s * (*x * *y);
    sum += t;
    mag += std::fabs(t);
  }
  return filter_decision(sum, mag, c.size() + 1);
}

}  // namespace

Sign sign_of_affine(const Vector& w, const Rational& w0, const Vector& p) {
  const Sign f = filtered_sign(w0, w, p, +1);
  return f != Sign::Zero ? f : sign_of(dot(w, p) + w0);
}

static Sign exact_slack_sign(const std::vector<Integer>& a, const Integer& b, const Vector& p) {
  Rational e = b;
  for (std::size_t j = 0; j < a.size(); ++j)
    if (sgn(a[j]) != 0) e -= a[j] * p[j];
  return sign_of(e);
}

Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const Vector& p) {
  const Sign f = filtered_sign(b, a, p, -1);
  return f != Sign::Zero ? f : exact_slack_sign(a, b, p);
}

FilterPoint::FilterPoint(const Vector& point) : p(point), v(point.size()) {
  for (std::size_t j = 0; j < point.size(); ++j) {
    const auto x = to_filter_double(point[j]);
    v[j] = x ? *x : std::nan("");
    all_in_range = all_in_range && x.has_value();
  }
}

Sign sign_of_slack_in_range(const std::vector<Integer>& a, const Integer& b, const double* approx_a, double approx_b,
                            const FilterPoint& p) {
  // As below with every range test passed: a zero entry adds -(0 * y) = -0, which changes
  // neither sum nor mag, so no entry is skipped and the loop has no branch.
  double sum = approx_b, mag = std::fabs(approx_b);
  const double* y = p.v.data();
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double t = -(approx_a[j] * y[j]);
    sum += t;
    mag += std::fabs(t);
  }
  const Sign f = filter_decision(sum, mag, a.size() + 1);
  return f != Sign::Zero ? f : exact_slack_sign(a, b, p.p);
}

Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const FilterPoint& p) {
  // The same filter as above, with the point's conversions done once and the row's done here (as
  // the overload below requires: to_double of each entry).
  static thread_local std::vector<double> approx;
  approx.resize(a.size());
  for (std::size_t j = 0; j < a.size(); ++j) approx[j] = to_double(a[j]);
  return sign_of_slack(a, b, approx.data(), to_double(b), p);
}

Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const double* approx_a, double approx_b,
                   const FilterPoint& p) {
  // to_double is zero only for zero, so a zero approximation is a zero entry.
  Sign f = Sign::Zero;
  if (approx_b == 0 || in_filter_range(approx_b)) {
    double sum = approx_b, mag = std::fabs(approx_b);
    bool ok = true;
    for (std::size_t j = 0; j < a.size(); ++j) {
      const double x = approx_a[j];
      if (x == 0) continue;
      const double y = p.v[j];
      if (!in_filter_range(x) || std::isnan(y)) {
        ok = false;
        break;
      }
      const double t = -(x * y);
      sum += t;
      mag += std::fabs(t);
    }
    if (ok) f = filter_decision(sum, mag, a.size() + 1);
  }
  return f != Sign::Zero ? f : exact_slack_sign(a, b, p.p);
}

}  // namespace relucert
