#pragma once
// Interval bounds of every pre-activation of a layered net (input skips allowed, no skips from
// hidden layers), layer by layer, on the domain or on one neuron's zero set in it. The rules are
// the ones docs/certificate.md §9 fixes, so relucert-verify recomputes the same numbers.
#include <optional>
#include <vector>

#include "analysis/tiers/interval.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert::tiers {

using LayerBounds = std::vector<std::vector<Interval>>;  // [layer 0-based][neuron 0-based]: z

// True when the bounds and the path-lifting values apply: no skips from hidden layers, every
// layer but the last with ReLU, the last affine. Otherwise *why says which rule fails.
bool is_layered_mlp(const Network& net, std::string* why = nullptr);

// z bounds on the domain (a box, or R^d: then every input term is unbounded).
LayerBounds domain_bounds(const Network& net, const Domain& domain);

// z bounds on {z_m = 0} ∩ domain for m = (layer, index) 0-based: the layers up to m's keep
// `base`, h_m is [0, 0], and the layers after m are recomputed.
LayerBounds zero_set_bounds(const Network& net, const Domain& domain, const LayerBounds& base,
                            std::size_t layer, std::size_t index);

}  // namespace relucert::tiers
