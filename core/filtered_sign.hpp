#pragma once
// Filtered sign of an affine form at a point: evaluate in double with a proven error bound
// and return the sign when the bound certifies it; otherwise evaluate exactly. The answer is
// always the exact sign (CGAL's "filter, then exact" habit, without an epsilon).
#include <vector>

#include "core/linear.hpp"
#include "core/sign.hpp"

namespace relucert {

// sign(w.p + w0), exact.
Sign sign_of_affine(const Vector& w, const Rational& w0, const Vector& p);
// sign(b - a.p), exact: the side of p for the halfspace a.x <= b.
Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const Vector& p);

// A point with its coordinates converted to double once, for many sign_of_slack questions.
struct FilterPoint {
  explicit FilterPoint(const Vector& point);
  const Vector& p;
  std::vector<double> v;  // NaN where the coordinate is outside the filter's safe range
  bool all_in_range = true;  // no NaN in v: every coordinate zero or in the safe range
};
Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const FilterPoint& p);
// The same, with the conversions of a and b given (no reads of GMP limbs on the fast path):
// approx_a[j] must be to_double(a[j]) and approx_b to_double(b) (core/rational.hpp), as
// geometry's Halfspace keeps them; the filter's error bound then holds as it is.
Sign sign_of_slack(const std::vector<Integer>& a, const Integer& b, const double* approx_a, double approx_b,
                   const FilterPoint& p);
// The same when the caller knows that every nonzero approx_a[j] and approx_b lie in the safe range
// and p.all_in_range: the filter's sum without a range test per term (the same bound, the same
// answers).
Sign sign_of_slack_in_range(const std::vector<Integer>& a, const Integer& b, const double* approx_a, double approx_b,
                            const FilterPoint& p);

}  // namespace relucert
