#pragma once
// Strict feasibility, the one LP question the engine asks: is the open polyhedron
// {x : a_i.x < b_i for all i} nonempty, and if so, give an exact point in it.
// Decided exactly: a double-precision simplex proposes a point or a Farkas vector, which is
// verified in exact arithmetic; when it cannot be verified, CGAL's exact LP solver over GMP
// integers decides. A returned point is always re-checked exactly.
#include <optional>
#include <vector>

#include "geometry/halfspace.hpp"

namespace relucert {

// Statistics of LP use, for reports and benchmarks.
struct LpCounters {
  unsigned long long solves = 0;           // exact LP solves (CGAL)
  unsigned long long filtered_points = 0;  // answered by a float proposal verified exactly: a point
  unsigned long long filtered_empty = 0;   // answered by a float proposal verified exactly: a Farkas vector
  unsigned long long trivial = 0;          // answered without any LP (no rows, a zero row, or the origin)
};
LpCounters& lp_counters();

// The float filter is on by default. Tests switch it off to exercise the exact solver alone
// (the answers must not change, only the time).
void set_float_filter_enabled(bool enabled);
bool float_filter_enabled();

// A point x with a_i.x < b_i for every row, or nullopt if none exists.
// The point is chosen deep inside: it maximises the margin t with a_i.x + t*|a_i|_1 <= b_i
// (capped at t <= 1), which keeps later ray tests and witnesses well away from the boundary.
std::optional<Vector> find_strict_point(const std::vector<const Halfspace*>& rows, std::size_t dim);
std::optional<Vector> find_strict_point(const std::vector<Halfspace>& rows, std::size_t dim);

// A point x with h.a.x = h.b and every row strict, or nullopt. Rows describing the same
// hyperplane as h (either side) must not be passed.
std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<const Halfspace*>& rows,
                                                      std::size_t dim);
std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<Halfspace>& rows, std::size_t dim);

// True when {x : h.a.x = h.b, r.a.x < r.b for every r in support} is proven empty by a Motzkin
// certificate on these rows alone, found and checked exactly (the caller's support is a guess,
// e.g. the rows active at a float optimum; at most dim of them, none on h's hyperplane). Then any
// system that contains these rows is empty on h too. False: not proven (which proves nothing).
// No LP is solved and no LP counter moves.
bool empty_on_hyperplane_by_certificate(const Halfspace& h, const std::vector<const Halfspace*>& support, std::size_t dim);

// True when {x : r.a.x < r.b for the `count` rows of support, side.a.x < side.b} is proven empty
// by a Motzkin certificate on these rows alone (found and checked exactly), so that any system
// containing them has no point strictly inside where `side` holds strictly. The support is the
// caller's guess (e.g. the rows of a float vertex where side's slack is least: at most dim).
// False: not proven (which proves nothing). No LP is solved and no LP counter moves.
bool strict_side_empty_by_certificate(const Halfspace* const* support, std::size_t count, const Halfspace& side, std::size_t dim);

// For tests: the exact null vector behind the Motzkin certificates (geometry/strict_lp.cpp's
// exact_null_vector) of the matrix whose columns are rows[c]'s normals, sign-definite on the
// first signed_cols; with full_elimination, without the elimination on axes chosen in double
// first. The two must agree (both nullopt, or positive multiples of each other).
std::optional<std::vector<Integer>> motzkin_null_vector_for_test(const std::vector<const Halfspace*>& rows,
                                                                 std::size_t signed_cols, std::size_t dim,
                                                                 bool full_elimination);

}  // namespace relucert
