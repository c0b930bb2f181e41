#pragma once
// Strict feasibility, the one LP question the engine asks: is the open polyhedron
// {x : a_i.x < b_i for all i} nonempty, and if so, give an exact point in it.
// Decided exactly (CGAL's exact LP solver over GMP integers); a returned point is
// re-checked exactly before it is returned, so a solver bug cannot produce a wrong point.
#include <optional>
#include <vector>

#include "geometry/halfspace.hpp"

namespace relucert {

// Statistics of LP use, for reports and benchmarks.
struct LpCounters {
  unsigned long long solves = 0;
};
LpCounters& lp_counters();

// A point x with a_i.x < b_i for every row, or nullopt if none exists.
// The point is chosen deep inside: it maximises the margin t with a_i.x + t*|a_i|_1 <= b_i
// (capped at t <= 1), which keeps later ray tests and witnesses well away from the boundary.
std::optional<Vector> find_strict_point(const std::vector<Halfspace>& rows, std::size_t dim);

// A point x with h.a.x = h.b and every row strict, or nullopt. Rows describing the same
// hyperplane as h (either side) must not be passed.
std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<Halfspace>& rows, std::size_t dim);

}  // namespace relucert
