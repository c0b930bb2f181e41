#pragma once
// The numbers the double filters (core/filtered_sign.cpp, core/certified_forward.cpp) accept: a
// nonzero value whose double lies in [2^-500, 2^500] in magnitude, so that the products and sums
// of their error analyses neither overflow nor lose relative accuracy by underflow. Anything
// else is left to the exact path.
#include <cmath>
#include <optional>

#include "core/rational.hpp"

namespace relucert {

inline bool in_filter_range(double v) {
  const double a = std::fabs(v);
  return a >= 0x1p-500 && a <= 0x1p+500;
}

// to_double (relative error below 2^-52), or nullopt when out of range; zero converts to 0.
template <class Number>  // Rational or Integer
std::optional<double> to_filter_double(const Number& q) {
  if (sgn(q) == 0) return 0.0;
  const double v = to_double(q);
  if (!in_filter_range(v)) return std::nullopt;
  return v;
}

}  // namespace relucert
