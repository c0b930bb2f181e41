#pragma once
// A small dense simplex in double precision, used only as a filter in front of the exact LP:
// it proposes a point or a Farkas vector, and geometry/strict_lp.cpp verifies the proposal
// exactly. Nothing this file computes is trusted on its own.
#include <cstddef>
#include <vector>

namespace relucert {

struct FloatMarginLp {
  bool solved = false;       // false: iteration limit, non-finite data, numerical trouble
  double margin = 0;         // optimal t of  max t  s.t.  A x + s t <= b,  t <= 1
  std::vector<double> x;     // optimal x
  std::vector<double> dual;  // one multiplier >= 0 per row of A (the t <= 1 row omitted)
};

// A: m rows of length n (row-major, already scaled to moderate magnitude), b: m, s: m (> 0).
// Raw arrays, so a caller may keep buffers longer than m rows. The answer goes to *out, whose
// vectors are reused (a caller asking many small LPs keeps one FloatMarginLp and allocates
// nothing per question); x and dual are valid when out->solved.
void solve_margin_lp_float(const double* A, const double* b, const double* s, std::size_t m, std::size_t n,
                           FloatMarginLp* out);

}  // namespace relucert
