#pragma once
// The one-sided directional derivative f'(x; u) = lim_{t -> 0+} (f(x + t u) - f(x)) / t of a ReLU
// network, exactly. Only the signs of the pre-activations at x matter, plus, where one is zero,
// the sign of its derivative along u: a ReLU is active iff (z, dz) > 0 lexicographically
// (z > 0, or z = 0 and dz > 0). So one forward pass gives the signs at x and a second one, in
// the weights and u only (no x: short denominators), carries dz. For the piecewise-affine f
// this is the slope along u of the affine piece that x + t u is in for all small t > 0, so for a
// point x of a facet's relative interior and the facet normal n, f'(x; n) + f'(x; -n) =
// lambda |n|^2 is the gradient jump across the facet (THEORY.md §1): >= 0 iff f is convex there.
#include <vector>

#include "core/network.hpp"
#include "core/relu_preactivations.hpp"
#include "core/sign.hpp"

namespace relucert {

// f'(x; u), where signs_at_x = relu_signs_at(net, x) (core/relu_preactivations.hpp).
Rational one_sided_derivative(const Network& net, const std::vector<Sign>& signs_at_x, const Vector& u);

inline Rational one_sided_derivative(const Network& net, const Vector& x, const Vector& u) {
  return one_sided_derivative(net, relu_signs_at(net, x), u);
}

}  // namespace relucert
