// The only file that includes CGAL's LP solver (compile cost stays here).
#include "geometry/strict_lp.hpp"

#include <CGAL/Gmpz.h>
#include <CGAL/QP_functions.h>
#include <CGAL/QP_models.h>

#include <stdexcept>

namespace relucert {
namespace {

using ExactInt = CGAL::Gmpz;
using Program = CGAL::Quadratic_program<ExactInt>;

ExactInt to_cgal(const Integer& z) { return ExactInt(z.get_mpz_t()); }

Rational from_cgal(const CGAL::Quotient<ExactInt>& q) {
  Integer num(q.numerator().mpz()), den(q.denominator().mpz());
  Rational r(num, den);
  r.canonicalize();
  return r;
}

bool zero_normal(const Halfspace& r) {
  for (const auto& v : r.a)
    if (sgn(v) != 0) return false;
  return true;
}

// max t  s.t.  a_i.x + |a_i|_1 t <= b_i,  t <= 1,  x free.  Optimum t* > 0 iff strictly feasible.
std::optional<Vector> solve_margin_lp(const std::vector<const Halfspace*>& rows, std::size_t dim) {
  ++lp_counters().solves;
  Program lp(CGAL::SMALLER, false, 0, false, 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Integer norm1 = 0;
    for (std::size_t j = 0; j < dim; ++j) {
      const Integer& v = rows[i]->a[j];
      if (sgn(v) == 0) continue;
      lp.set_a(static_cast<int>(j), static_cast<int>(i), to_cgal(v));
      norm1 += abs(v);
    }
    lp.set_a(static_cast<int>(dim), static_cast<int>(i), to_cgal(norm1));
    lp.set_b(static_cast<int>(i), to_cgal(rows[i]->b));
  }
  lp.set_u(static_cast<int>(dim), true, ExactInt(1));
  lp.set_c(static_cast<int>(dim), ExactInt(-1));
  const auto sol = CGAL::solve_linear_program(lp, ExactInt());
  if (!sol.is_optimal()) throw std::logic_error("strict LP: solver did not reach an optimum (it always exists)");
  const Rational neg_t = from_cgal(sol.objective_value());
  if (sgn(neg_t) >= 0) return std::nullopt;
  Vector x(dim);
  auto it = sol.variable_values_begin();
  for (std::size_t j = 0; j < dim; ++j, ++it) x[j] = from_cgal(*it);
  return x;
}

}  // namespace

LpCounters& lp_counters() {
  static thread_local LpCounters counters;
  return counters;
}

std::optional<Vector> find_strict_point(const std::vector<Halfspace>& rows, std::size_t dim) {
  std::vector<const Halfspace*> live;
  live.reserve(rows.size());
  for (const auto& r : rows) {
    if (zero_normal(r)) {
      if (sgn(r.b) <= 0) return std::nullopt;  // 0 < b fails everywhere
      continue;
    }
    live.push_back(&r);
  }
  Vector origin(dim, Rational(0));
  bool origin_ok = true;
  for (const auto* r : live)
    if (sgn(r->b) <= 0) {
      origin_ok = false;
      break;
    }
  if (origin_ok) return origin;
  auto x = solve_margin_lp(live, dim);
  if (x && !strictly_inside(rows, *x)) throw std::logic_error("strict LP: solver point fails the exact check");
  return x;
}

std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<Halfspace>& rows, std::size_t dim) {
  // Eliminate x_k = (b - sum_{j != k} a_j x_j) / a_k, with a_k the nonzero entry of least size.
  std::size_t k = dim;
  for (std::size_t j = 0; j < dim; ++j)
    if (sgn(h.a[j]) != 0 && (k == dim || abs(h.a[j]) < abs(h.a[k]))) k = j;
  if (k == dim) throw std::logic_error("find_strict_point_on_hyperplane: zero normal");
  const Integer ak_abs = abs(h.a[k]);
  const int sk = sgn(h.a[k]);
  // r.x < beta  becomes  sum_{j != k} (r_j |a_k| - s r_k a_j) y_j < beta |a_k| - s r_k b.
  std::vector<Halfspace> reduced;
  reduced.reserve(rows.size());
  for (const auto& r : rows) {
    if (r.same_hyperplane_as(h)) throw std::logic_error("find_strict_point_on_hyperplane: row on the hyperplane itself");
    std::vector<Integer> a(dim - 1);
    bool nonzero = false;
    for (std::size_t j = 0, t = 0; j < dim; ++j) {
      if (j == k) continue;
      a[t] = r.a[j] * ak_abs - sk * r.a[k] * h.a[j];
      nonzero = nonzero || sgn(a[t]) != 0;
      ++t;
    }
    Integer beta = r.b * ak_abs - sk * r.a[k] * h.b;
    if (!nonzero) {
      if (sgn(beta) <= 0) return std::nullopt;
      continue;
    }
    reduced.push_back(make_halfspace(std::move(a), std::move(beta), r.origin));
  }
  auto y = find_strict_point(reduced, dim - 1);
  if (!y) return std::nullopt;
  Vector x(dim);
  Rational rest = Rational(h.b);
  for (std::size_t j = 0, t = 0; j < dim; ++j) {
    if (j == k) continue;
    x[j] = (*y)[t++];
    rest -= h.a[j] * x[j];
  }
  x[k] = rest / Rational(h.a[k]);
  if (sgn(h.slack(x)) != 0 || !strictly_inside(rows, x))
    throw std::logic_error("find_strict_point_on_hyperplane: lifted point fails the exact check");
  return x;
}

}  // namespace relucert
