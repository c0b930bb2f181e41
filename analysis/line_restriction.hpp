#pragma once
// Exact restriction of f to a line s -> p + s u (THEORY.md §6 uses it for breakpoints):
// a piecewise-affine function of s, computed by walking the activation changes in order.
// On a line the question "convex?" is decided completely by the slope sequence.
#include <cstdint>
#include <optional>
#include <vector>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert {

struct LineRestriction {
  Vector p, u;
  std::optional<Rational> s_begin, s_end;  // nullopt: unbounded that way
  // Pattern changes strictly inside (s_begin, s_end), increasing; slopes[i] is the slope of
  // s -> f(p + s u) between pattern change i-1 and i (slopes.size() == changes.size() + 1).
  std::vector<Rational> changes;
  std::vector<Rational> slopes;
  // Only the changes where the slope really changes (kinks of f along the line).
  std::vector<Rational> kinks() const;
};

// Restricts f to the part of the line inside the domain. u must be nonzero; for a box, p
// must lie in it.
LineRestriction restrict_to_line(const Network& net, const Domain& domain, const Vector& p, const Vector& u);

// A verified witness from the first slope decrease along the line, if any.
std::optional<Witness> witness_on_line(const Network& net, const Domain& domain, const LineRestriction& line);

}  // namespace relucert
