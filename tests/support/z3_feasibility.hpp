#pragma once
// z3's exact verdict on a strict system {x : a_i.x < b_i} (and h.x = h.b when given): an
// oracle independent of relucert's LP, shared by the LP tests.
#include <doctest/doctest.h>
#include <z3++.h>

#include <string>
#include <vector>

#include "geometry/halfspace.hpp"

namespace relucert::test {

inline bool z3_feasible(const std::vector<Halfspace>& rows, std::size_t dim, const Halfspace* eq = nullptr) {
  z3::context ctx;
  z3::solver s(ctx);
  std::vector<z3::expr> x;
  for (std::size_t j = 0; j < dim; ++j) x.push_back(ctx.real_const(("x" + std::to_string(j)).c_str()));
  auto lhs = [&](const Halfspace& h) {
    z3::expr e = ctx.real_val(0);
    for (std::size_t j = 0; j < dim; ++j) e = e + ctx.real_val(h.a()[j].get_str().c_str()) * x[j];
    return e;
  };
  for (const auto& r : rows) s.add(lhs(r) < ctx.real_val(r.b().get_str().c_str()));
  if (eq) s.add(lhs(*eq) == ctx.real_val(eq->b().get_str().c_str()));
  const auto res = s.check();
  REQUIRE(res != z3::unknown);
  return res == z3::sat;
}

}  // namespace relucert::test
