#pragma once
// Shared pieces of the _relucert extension (python/src/*.cpp). Numbers cross the boundary as
// exact text ("p/q", "0x1.8p-3", "0.1" = 1/10) parsed by core/rational.hpp, so nothing between
// Python and the engine is ever rounded; the package (python/relucert) turns them into Fractions.
#include <pybind11/pybind11.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/network_loader.hpp"

namespace relucert::python {

namespace py = pybind11;

// The Python-visible network: the exact network, its default domain (.nnet) and its name.
// Immutable once built, so a check can run on it with the GIL released.
using NetworkHandle = std::shared_ptr<LoadedNetwork>;  // never modified after construction

void bind_network(py::module_& m);
void bind_check(py::module_& m);
void bind_pathlift(py::module_& m);

// The domain of a call: box = one (lo, hi) of exact text per input, or the network's default
// domain (.nnet) / R^d when absent. InputError naming box[i] on bad bounds.
using Interval = std::pair<std::string, std::string>;
Domain domain_of(const LoadedNetwork& n, const std::optional<std::vector<Interval>>& box);

// BuildLimits::time_limit_seconds from a Python time_limit, as the CLI: 0 = none, and a positive
// limit too small for a double still means "stop at once".
inline double time_limit_seconds(double time_limit) { return time_limit > 0 ? std::max(time_limit, 1e-9) : 0; }

}  // namespace relucert::python
