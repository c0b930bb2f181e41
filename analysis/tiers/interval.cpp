#include "analysis/tiers/interval.hpp"

#include <algorithm>
#include <string>

namespace relucert::tiers {

namespace {
std::optional<Rational> plus(const std::optional<Rational>& a, const std::optional<Rational>& b) {
  if (!a || !b) return std::nullopt;
  return Rational(*a + *b);
}
}  // namespace

Interval operator+(const Interval& a, const Interval& b) { return {plus(a.lo, b.lo), plus(a.hi, b.hi)}; }

Interval scaled(const Rational& c, const Interval& a) {
  const int s = sgn(c);
  if (s == 0) return Interval::point(Rational(0));
  auto times = [&](const std::optional<Rational>& v) -> std::optional<Rational> {
    if (!v) return std::nullopt;
    return Rational(c * *v);
  };
  return s > 0 ? Interval{times(a.lo), times(a.hi)} : Interval{times(a.hi), times(a.lo)};
}

Interval relu(const Interval& a) {
  Interval r;
  r.lo = (a.lo && sgn(*a.lo) > 0) ? *a.lo : Rational(0);
  if (a.hi) r.hi = sgn(*a.hi) > 0 ? *a.hi : Rational(0);
  return r;
}

Interval hull_with_zero(const Interval& a) {
  Interval r;
  if (a.lo) r.lo = sgn(*a.lo) < 0 ? *a.lo : Rational(0);
  if (a.hi) r.hi = sgn(*a.hi) > 0 ? *a.hi : Rational(0);
  return r;
}

std::string to_string(const Interval& a) {
  return "[" + (a.lo ? relucert::to_string(*a.lo) : std::string("-inf")) + ", " +
         (a.hi ? relucert::to_string(*a.hi) : std::string("inf")) + "]";
}

}  // namespace relucert::tiers
