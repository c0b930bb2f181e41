#pragma once
// The progress bar of long builds (`relucert check --progress`, relucert.check(progress=True)):
// a BuildLimits::progress callback that redraws one stderr line with the neurons done, cells,
// pairs, cells/s and a rough ETA. For people watching only; nothing reads it.
#include <functional>

#include "geometry/region_complex.hpp"

namespace relucert {

std::function<void(const BuildProgress&)> progress_printer();

}  // namespace relucert
