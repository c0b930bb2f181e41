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

// Cheap exact refuter: restrict f to `lines` pseudo-random rational lines through the
// domain (fixed seed, reproducible) and return the first verified witness.
// How much one line may cost. The defaults walk each line far; a quick first pass (before the
// tiers of issue #14) takes {2, 500, false}: it still refutes most random nets, whose concave
// kinks are everywhere, and costs convex nets little.
struct LineBudget {
  std::size_t events_per_neuron = 64;   // float walk: pattern changes per line, per ReLU neuron
  std::size_t small_net_weights = 2000;  // up to this many weights: the exact walk alone
  bool exact_fallback = true;           // larger nets without a float walk (input skips): walk exactly anyway
};
std::optional<Witness> refute_on_random_lines(const Network& net, const Domain& domain, std::size_t lines, std::uint64_t seed,
                                              const LineBudget& budget = {});

}  // namespace relucert
