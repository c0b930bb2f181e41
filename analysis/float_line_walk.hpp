#pragma once
// A float walk along a line: proposes the places where f's slope seems to drop. A filter only —
// every proposal becomes a witness solely through witness_from_float_kink's exact forward pass.
#include <cstddef>
#include <optional>
#include <vector>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert {

// A place on the line where the slope of f seems to drop, in double, with the free room on
// each side (to the neighbouring pattern changes or the ends of the domain).
struct FloatKink {
  double t = 0, room = 0, drop = 0;
};

// Walks s -> f(p + s u) over [s0, s1] in double, updating only what a flip changes. Returns
// candidate concave kinks, best (largest room * drop) first, and sets *events to the number of
// pattern changes seen (at most events_per_neuron per ReLU neuron). Empty when the network has
// skip terms.
std::vector<FloatKink> float_concave_kinks(const Network& net, const std::vector<double>& p, const std::vector<double>& u,
                                           double s0, double s1, std::size_t* events, std::size_t events_per_neuron);

// A witness from a float candidate, checked exactly by the forward pass; nullopt when the exact
// gap is not positive or the points leave the domain.
std::optional<Witness> witness_from_float_kink(const Network& net, const Domain& domain, const Vector& p, const Vector& u,
                                               const FloatKink& k);

}  // namespace relucert
