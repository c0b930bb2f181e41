#pragma once
// Signs of a Cramer null vector, certified in double precision with a proven error bound (no GMP
// arithmetic), for the Motzkin certificates of empty LPs (geometry/strict_lp.cpp).
//
// For an r x (r+1) integer matrix R, y_c = (-1)^c det(R without column c) satisfies
// sum_c y_c R[i][c] = 0 for every row i exactly (it is the expansion of det([R[i]; R]), a matrix
// with a repeated row), and for any row x, sum_c x_c y_c = det([x; R]). So the signs of y and of
// x.y decide a certificate; the values are never needed.
#include <cstddef>
#include <optional>
#include <vector>

#include "core/rational.hpp"
#include "core/sign.hpp"

namespace relucert {

inline constexpr std::size_t kMaxCramerRows = 8;

struct CramerSigns {
  std::vector<Sign> y;     // sign of y_c, c = 0..r; Zero where the filter cannot certify a sign
  std::vector<Sign> dots;  // sign of x_t . y for each extra row x_t; Zero likewise
};

// R: r rows of r + 1 entries, row-major (r <= kMaxCramerRows); extras: rows of r + 1 entries,
// row-major. nullopt when r is too large or a column's entries (R's and the extras') span more
// than about 2^140 from the largest to the smallest nonzero magnitude: each column is scaled by
// a power of two (exactly, which changes no sign) into the filter's range, where products of
// r + 2 entries stay far from overflow and underflow. A sign that is exactly zero is
// never certified (reported as Zero, like an uncertain one): callers treat Zero as "ask the
// exact path".
std::optional<CramerSigns> cramer_signs(const std::vector<const Integer*>& R, std::size_t r,
                                        const std::vector<const Integer*>& extras);

// The same filter on the entries' doubles, without allocations: R and X (extra_rows rows) hold
// r x (r + 1) and extra_rows x (r + 1) doubles, row-major, each of which MUST be to_double
// (core/rational.hpp) of the integer entry it stands for: bit for bit the value cramer_signs
// above converts itself (a row's approx_a() / approx_b() are exactly that, geometry/halfspace.hpp).
// The filter reads nothing else of an entry (its zero test is v == 0, to_double being zero only
// for zero), so both functions certify the same signs. Writes r + 1 signs to y and extra_rows
// signs to dots; false where cramer_signs returns nullopt.
bool cramer_signs_from_doubles(const double* R, std::size_t r, const double* X, std::size_t extra_rows, Sign* y,
                               Sign* dots);

}  // namespace relucert
