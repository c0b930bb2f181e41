#pragma once
// Choosing which output of a multi-output network is analysed: relucert decides convexity of
// a scalar function, so a network with m outputs is analysed one output at a time.
#include <cstddef>

#include "core/network.hpp"

namespace relucert {

// The network computing output k (0-based) of `net`: every layer is kept except that the last
// one keeps only row k of W, b (and U when present). Exact: f_k(x) = net.forward(x)[k].
// Throws std::out_of_range when k >= net.output_dim().
Network select_output(const Network& net, std::size_t k);

}  // namespace relucert
