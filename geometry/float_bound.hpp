#pragma once
// A rigorous upper bound, in double, of an affine function on a bounded cell: the cheap proof
// that a neuron keeps one sign there. With multipliers lambda >= 0 on a few of the cell's rows
// (found in double: any nonnegative numbers are valid), for every x of the cell
//     w.x + w0 = sum_i lambda_i (a_i.x - b_i) + sum_i lambda_i b_i + w0 + r.x,
//     r = w - sum_i lambda_i a_i,
// and the first sum is <= 0, so w.x + w0 <= sum_i lambda_i b_i + w0 + sum_j |r_j| R_j when
// |x_j| <= R_j on the cell (Neumaier and Shcherbina's safe bound of an LP, here for a guessed
// optimal basis). Every quantity is evaluated in double with its conversion and rounding errors
// bounded (see the .cpp): a returned `true` is a proof; `false` proves nothing. This replaces an
// exact Motzkin certificate (GMP Cramer rules) where the cell is bounded by a known box: tens of
// flops instead of a few hundred GMP operations.
#include <cstddef>
#include <optional>
#include <vector>

#include "geometry/halfspace.hpp"

namespace relucert {

// True when w.x + w0 < 0 at every x with |x_j| <= bound[j] (j < dim) and a_i.x <= b_i for the
// `count` rows of support (count <= dim), proven as above. w[j] and w0 are to_double of the exact
// coefficients (core/rational.hpp: relative error below 2^-52; the bound accounts for it); the
// rows' approx_a/approx_b are used the same way. bound[j] must be >= the exact bound.
bool negative_on_box_by_float_bound(const Halfspace* const* support, std::size_t count, const double* w, double w0,
                                    const double* bound, std::size_t dim);

// A box |x_j| <= R_j containing {x : r.a.x <= r.b for every row}, read from the rows that bound
// one coordinate (normal +-k e_j) through their inline doubles alone (no GMP; rows with
// approx_dim() != dim are skipped): R_j a double at least the exact bound, into bound[0..dim).
// False when some coordinate has no such row above or below (the rows may still bound it: then
// no box is used), or dim exceeds Halfspace::kApproxDim.
bool axis_bound_in_double(const Halfspace* const* rows, std::size_t count, std::size_t dim, double* bound);
// The same for a cell's rows; nullopt where axis_bound_in_double is false.
std::optional<std::vector<double>> axis_bound_of(const std::vector<Halfspace>& rows, std::size_t dim);

}  // namespace relucert
