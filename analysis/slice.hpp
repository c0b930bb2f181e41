#pragma once
// Slices of a network: some inputs fixed to exact rationals, the others free. The slice is a
// network of the free inputs only, computing exactly f restricted to the affine subspace.
// The fixed inputs are folded into the biases: b_1 += W_1[:, k] c_k for the first layer and
// b_l += U_l[:, k] c_k for every layer with input skips (U), and their columns are dropped.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/network.hpp"

namespace relucert {

// One entry per original input: the fixed value, or nullopt when the input stays free.
using SliceFix = std::vector<std::optional<Rational>>;

// Parses "x3=0,x4=1/2" (1-based input names, exact rationals, each input at most once) for a
// network with `dim` inputs. Throws InputError naming "--slice" on malformed text, an unknown
// or repeated input, or a value that is not a finite rational.
SliceFix parse_slice_spec(const std::string& spec, std::size_t dim);

// Indices (0-based, increasing) of the inputs left free.
std::vector<std::size_t> free_inputs(const SliceFix& fix);

// The network g(y) = f(x) where x_k = fix[k] for fixed inputs and x = y on the free ones, in
// increasing order. Exact. Throws std::invalid_argument if fix has the wrong size or fixes
// every input.
Network slice_network(const Network& net, const SliceFix& fix);

// "x3 = 0, x4 = 1/2" (empty when nothing is fixed).
std::string describe_slice(const SliceFix& fix);

}  // namespace relucert
