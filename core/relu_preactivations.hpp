#pragma once
// The ReLU neurons' pre-activations at a point, exactly, and their signs.
#include <vector>

#include "core/network.hpp"
#include "core/sign.hpp"

namespace relucert {

// Exact pre-activation z_m(x) of every ReLU neuron, in topological order (the order of
// RegionComplex::neurons). Input skips, skips from hidden layers and linear hidden layers are
// honoured.
Vector relu_preactivations(const Network& net, const Vector& x);

// The sign of every ReLU pre-activation at x, in the same order: the integer pass when the net has
// one (Network::relu_signs), else the signs of relu_preactivations.
std::vector<Sign> relu_signs_at(const Network& net, const Vector& x);

}  // namespace relucert
