#pragma once
// Exact linear feasibility with rational data: is {x : a_i.x (<=, =, >=) b_i, l_j <= x_j <= u_j}
// nonempty? Decided by CGAL's exact LP solver over GMP integers (only inside exact_lp.cpp),
// and the answer is re-checked here in exact rational arithmetic before it is returned:
//   feasible   -> the returned point satisfies every row and bound exactly;
//   infeasible -> the returned Farkas multipliers y satisfy the lemma below exactly.
//
// Farkas lemma used (all variables carry their bounds; a missing bound is infinite):
//   let y_i >= 0 on "<=" rows, y_i <= 0 on ">=" rows, y_i free on "=" rows, and c = y^T A.
//   For every feasible x, y^T A x <= y^T b (row by row), and
//   c.x >= sum_{c_j > 0} c_j l_j + sum_{c_j < 0} c_j u_j  (needs l_j finite where c_j > 0 and
//   u_j finite where c_j < 0). So if y^T b < that sum, no feasible x exists.
#include <cstddef>
#include <optional>
#include <vector>

#include "core/linear.hpp"

namespace relucert {

enum class Relation { LessEqual, Equal, GreaterEqual };

struct LinearRow {
  Vector a;  // one coefficient per variable
  Relation rel = Relation::Equal;
  Rational b;
};

struct FeasibilityProblem {
  std::size_t vars = 0;
  std::vector<LinearRow> rows;
  std::vector<std::optional<Rational>> lower, upper;  // size vars each, or empty = all free
};

struct FeasibilityAnswer {
  bool feasible = false;
  Vector point;   // when feasible: a basic solution of the simplex method, checked exactly
  Vector farkas;  // when infeasible: one multiplier per row, checked exactly (lemma above)
};

// Throws std::invalid_argument on malformed sizes, std::logic_error if the solver's answer
// fails the exact re-check (never returns an unchecked answer).
FeasibilityAnswer solve_feasibility(const FeasibilityProblem& problem);

// The exact checks, exposed for tests.
bool satisfies(const FeasibilityProblem& problem, const Vector& x);
bool is_farkas_certificate(const FeasibilityProblem& problem, const Vector& y);

}  // namespace relucert
