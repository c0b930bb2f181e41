// Exact linear feasibility (see exact_lp.hpp). CGAL's QP solver stays inside this file.
#include "geometry/exact_lp.hpp"

#include <CGAL/Gmpz.h>
#include <CGAL/QP_functions.h>
#include <CGAL/QP_models.h>

#include <stdexcept>

namespace relucert {
namespace {

using ExactInt = CGAL::Gmpz;
using Program = CGAL::Quadratic_program<ExactInt>;

ExactInt to_cgal(const Integer& z) { return ExactInt(z.get_mpz_t()); }
Integer from_cgal_int(const ExactInt& z) { return Integer(z.mpz()); }

Rational from_cgal(const CGAL::Quotient<ExactInt>& q) {
  Rational r(from_cgal_int(q.numerator()), from_cgal_int(q.denominator()));
  r.canonicalize();
  return r;
}

Integer lcm_of_denominators(const Vector& v, const Integer& start = 1) {
  Integer l = start;
  for (const auto& q : v) mpz_lcm(l.get_mpz_t(), l.get_mpz_t(), q.get_den_mpz_t());
  return l;
}

// x is an integer multiple of the rational q (i.e. q * s is an integer).
Integer integral(const Rational& q) {
  if (q.get_den() != 1) throw std::logic_error("exact_lp: expected an integer after scaling");
  return q.get_num();
}

CGAL::Comparison_result relation_of(Relation r) {
  switch (r) {
    case Relation::LessEqual: return CGAL::SMALLER;
    case Relation::Equal: return CGAL::EQUAL;
    case Relation::GreaterEqual: return CGAL::LARGER;
  }
  return CGAL::EQUAL;
}

void check_sizes(const FeasibilityProblem& p) {
  for (const auto& r : p.rows)
    if (r.a.size() != p.vars) throw std::invalid_argument("exact_lp: row length differs from the number of variables");
  if (!p.lower.empty() && p.lower.size() != p.vars) throw std::invalid_argument("exact_lp: lower bounds size");
  if (!p.upper.empty() && p.upper.size() != p.vars) throw std::invalid_argument("exact_lp: upper bounds size");
}

const std::optional<Rational>& bound(const std::vector<std::optional<Rational>>& v, std::size_t j) {
  static const std::optional<Rational> none;
  return v.empty() ? none : v[j];
}

}  // namespace

bool satisfies(const FeasibilityProblem& p, const Vector& x) {
  check_sizes(p);
  if (x.size() != p.vars) return false;
  for (std::size_t j = 0; j < p.vars; ++j) {
    if (const auto& l = bound(p.lower, j); l && x[j] < *l) return false;
    if (const auto& u = bound(p.upper, j); u && x[j] > *u) return false;
  }
  for (const auto& r : p.rows) {
    const int s = cmp(dot(r.a, x), r.b);
    if (r.rel == Relation::LessEqual && s > 0) return false;
    if (r.rel == Relation::GreaterEqual && s < 0) return false;
    if (r.rel == Relation::Equal && s != 0) return false;
  }
  return true;
}

bool is_farkas_certificate(const FeasibilityProblem& p, const Vector& y) {
  check_sizes(p);
  if (y.size() != p.rows.size()) return false;
  Vector c(p.vars, Rational(0));
  Rational yb = 0;
  for (std::size_t i = 0; i < p.rows.size(); ++i) {
    const int s = sgn(y[i]);
    if (p.rows[i].rel == Relation::LessEqual && s < 0) return false;
    if (p.rows[i].rel == Relation::GreaterEqual && s > 0) return false;
    if (s == 0) continue;
    for (std::size_t j = 0; j < p.vars; ++j) c[j] += y[i] * p.rows[i].a[j];
    yb += y[i] * p.rows[i].b;
  }
  // Lower bound of c.x over the box of variable bounds; it must be finite.
  Rational lowest = 0;
  for (std::size_t j = 0; j < p.vars; ++j) {
    const int s = sgn(c[j]);
    if (s == 0) continue;
    const auto& bnd = s > 0 ? bound(p.lower, j) : bound(p.upper, j);
    if (!bnd) return false;
    lowest += c[j] * *bnd;
  }
  return yb < lowest;
}

FeasibilityAnswer solve_feasibility(const FeasibilityProblem& p) {
  check_sizes(p);
  const std::size_t n = p.vars, m = p.rows.size();
  FeasibilityAnswer ans;
  if (n == 0) {  // every row reads 0 (rel) b: a violated row is its own certificate
    for (std::size_t i = 0; i < m; ++i) {
      const int s = sgn(p.rows[i].b);
      const Relation rel = p.rows[i].rel;
      const bool ok = rel == Relation::Equal ? s == 0 : (rel == Relation::LessEqual ? s >= 0 : s <= 0);
      if (ok) continue;
      ans.farkas.assign(m, Rational(0));
      ans.farkas[i] = -s;  // y_i b_i = -|b_i| < 0 = lowest, with the sign y_i needs
      if (!is_farkas_certificate(p, ans.farkas)) throw std::logic_error("exact_lp: trivial certificate fails");
      return ans;
    }
    ans.feasible = true;
    return ans;
  }
  // Variables are rescaled, x_j = y_j / D_j, so that every bound of y_j is an integer; rows are
  // then multiplied by positive integers s_i so that every coefficient is an integer.
  std::vector<Integer> D(n, Integer(1));
  for (std::size_t j = 0; j < n; ++j) {
    Vector bs;
    if (const auto& l = bound(p.lower, j)) bs.push_back(*l);
    if (const auto& u = bound(p.upper, j)) bs.push_back(*u);
    D[j] = lcm_of_denominators(bs);
  }
  Program lp(CGAL::EQUAL, false, ExactInt(0), false, ExactInt(0));
  for (std::size_t j = 0; j < n; ++j) {
    const int col = static_cast<int>(j);
    if (const auto& l = bound(p.lower, j)) lp.set_l(col, true, to_cgal(integral(*l * D[j])));
    if (const auto& u = bound(p.upper, j)) lp.set_u(col, true, to_cgal(integral(*u * D[j])));
  }
  std::vector<Integer> row_scale(m);
  for (std::size_t i = 0; i < m; ++i) {
    const LinearRow& r = p.rows[i];
    Vector coeffs(n);
    for (std::size_t j = 0; j < n; ++j) {
      coeffs[j] = r.a[j] / D[j];
      coeffs[j].canonicalize();
    }
    Vector all = coeffs;
    all.push_back(r.b);
    row_scale[i] = lcm_of_denominators(all);
    const int row = static_cast<int>(i);
    for (std::size_t j = 0; j < n; ++j)
      if (sgn(coeffs[j]) != 0) lp.set_a(static_cast<int>(j), row, to_cgal(integral(coeffs[j] * row_scale[i])));
    lp.set_b(row, to_cgal(integral(r.b * row_scale[i])));
    lp.set_r(row, relation_of(r.rel));
  }
  // A zero objective: any feasible basic solution, or an infeasibility certificate.
  const auto sol = CGAL::solve_linear_program(lp, ExactInt());
  if (sol.is_infeasible()) {
    ans.feasible = false;
    ans.farkas.assign(m, Rational(0));
    auto it = sol.infeasibility_certificate_begin();
    for (std::size_t i = 0; i < m; ++i, ++it) ans.farkas[i] = Rational(from_cgal_int(*it) * row_scale[i]);
    if (!is_farkas_certificate(p, ans.farkas))
      throw std::logic_error("exact_lp: the solver's infeasibility certificate fails the exact check");
    return ans;
  }
  if (!sol.is_optimal()) throw std::logic_error("exact_lp: a zero objective cannot be unbounded");
  ans.feasible = true;
  ans.point.resize(n);
  auto it = sol.variable_values_begin();
  for (std::size_t j = 0; j < n; ++j, ++it) {
    ans.point[j] = from_cgal(*it) / D[j];
    ans.point[j].canonicalize();
  }
  if (!satisfies(p, ans.point)) throw std::logic_error("exact_lp: the solver's point fails the exact check");
  return ans;
}

}  // namespace relucert
