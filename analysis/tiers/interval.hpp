#pragma once
// Exact intervals with possibly infinite ends, for the bounds the tiers reason with: the range of
// a pre-activation on the domain (or on a neuron's zero set in it). Rational ends, no rounding:
// a bound is either exactly what the interval rules give or absent (infinite).
#include <optional>

#include "core/rational.hpp"

namespace relucert::tiers {

struct Interval {
  std::optional<Rational> lo, hi;  // nullopt: -infinity / +infinity
  static Interval point(const Rational& v) { return {v, v}; }
  // Strictly signed: the value is never 0 on the set the interval bounds.
  bool strictly_positive() const { return lo && sgn(*lo) > 0; }
  bool strictly_negative() const { return hi && sgn(*hi) < 0; }
  bool nonnegative() const { return lo && sgn(*lo) >= 0; }
  bool nonpositive() const { return hi && sgn(*hi) <= 0; }
};

Interval operator+(const Interval& a, const Interval& b);
Interval scaled(const Rational& c, const Interval& a);  // c * a (c = 0 gives [0, 0])
Interval relu(const Interval& a);                        // max(0, a)
Interval hull_with_zero(const Interval& a);              // conv({0} ∪ a)
std::string to_string(const Interval& a);                // "[-1/2, inf]"
using relucert::to_string;  // the rational one stays visible beside it

}  // namespace relucert::tiers
