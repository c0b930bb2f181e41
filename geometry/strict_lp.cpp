// The only file that includes CGAL's LP solver (compile cost stays here).
#include "geometry/strict_lp.hpp"

#include <CGAL/Gmpz.h>
#include <CGAL/QP_functions.h>
#include <CGAL/QP_models.h>

#include <atomic>
#include <cmath>
#include <stdexcept>

#include "core/filtered_sign.hpp"
#include "geometry/float_lp.hpp"

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


// ---- Float filter: propose in double, verify exactly --------------------------------------

// A nonzero y >= 0 with sum y_i a_i = 0 exactly, supported on `support`, if the left null
// space of those rows is one-dimensional and has a sign-definite generator.
std::optional<std::vector<Rational>> exact_sign_definite_null_vector(const std::vector<const Halfspace*>& rows,
                                                                     const std::vector<std::size_t>& support,
                                                                     std::size_t dim) {
  const std::size_t k = support.size();
  // M (dim x k): column c is the normal of row support[c]. Reduce to row echelon form.
  std::vector<std::vector<Rational>> M(dim, std::vector<Rational>(k));
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t j = 0; j < dim; ++j) M[j][c] = Rational(rows[support[c]]->a[j]);
  std::vector<std::size_t> pivot_col;
  std::size_t r = 0;
  for (std::size_t c = 0; c < k && r < dim; ++c) {
    std::size_t p = r;
    while (p < dim && sgn(M[p][c]) == 0) ++p;
    if (p == dim) continue;
    std::swap(M[p], M[r]);
    const Rational inv = 1 / M[r][c];
    for (std::size_t j = c; j < k; ++j) M[r][j] *= inv;
    for (std::size_t i = 0; i < dim; ++i) {
      if (i == r || sgn(M[i][c]) == 0) continue;
      const Rational f = M[i][c];
      for (std::size_t j = c; j < k; ++j) M[i][j] -= f * M[r][j];
    }
    pivot_col.push_back(c);
    ++r;
  }
  if (k - pivot_col.size() != 1) return std::nullopt;
  std::size_t free_col = 0;
  for (std::size_t c = 0, p = 0; c < k; ++c) {
    if (p < pivot_col.size() && pivot_col[p] == c) {
      ++p;
      continue;
    }
    free_col = c;
  }
  std::vector<Rational> y(k, Rational(0));
  y[free_col] = 1;
  for (std::size_t i = 0; i < pivot_col.size(); ++i) y[pivot_col[i]] = -M[i][free_col];
  bool any_pos = false, any_neg = false;
  for (const auto& v : y) {
    any_pos = any_pos || sgn(v) > 0;
    any_neg = any_neg || sgn(v) < 0;
  }
  if (any_pos && any_neg) return std::nullopt;
  if (any_neg)
    for (auto& v : y) v = -v;
  return y;
}

enum class FilterAnswer { Point, Empty, Undecided };

FilterAnswer float_filter(const std::vector<const Halfspace*>& rows, std::size_t dim, Vector* point) {
  const std::size_t m = rows.size();
  std::vector<double> A(m * dim), b(m), s(m);
  for (std::size_t i = 0; i < m; ++i) {
    double scale = 0;
    for (std::size_t j = 0; j < dim; ++j) {
      const double v = rows[i]->a[j].get_d();
      if (!std::isfinite(v)) return FilterAnswer::Undecided;
      A[i * dim + j] = v;
      scale = std::max(scale, std::fabs(v));
    }
    double norm1 = 0;
    for (std::size_t j = 0; j < dim; ++j) norm1 += std::fabs(A[i * dim + j] /= scale);
    b[i] = rows[i]->b.get_d() / scale;
    s[i] = norm1;
    if (!std::isfinite(b[i])) return FilterAnswer::Undecided;
  }
  const FloatMarginLp lp = solve_margin_lp_float(A, b, s, dim);
  if (!lp.solved) return FilterAnswer::Undecided;
  if (lp.margin > 1e-12) {
    // Any point within margin/2 (max-norm) of x is strictly inside if the float answer is
    // accurate: try the simplest such point first, then x itself. Both are checked exactly.
    const double r = std::min(lp.margin, 1.0) / 4;
    Vector simple(dim), dyadic(dim);
    for (std::size_t j = 0; j < dim; ++j) {
      dyadic[j] = rational_from_double(lp.x[j]);
      simple[j] = simplest_between(rational_from_double(lp.x[j] - r), rational_from_double(lp.x[j] + r));
    }
    for (Vector* cand : {&simple, &dyadic}) {
      bool ok = true;
      for (const Halfspace* h : rows)
        if (sign_of_slack(h->a, h->b, *cand) != Sign::Positive) {
          ok = false;
          break;
        }
      if (ok) {
        *point = std::move(*cand);
        return FilterAnswer::Point;
      }
    }
    return FilterAnswer::Undecided;
  }
  // Motzkin: the strict system is empty iff some y >= 0, y != 0 has sum y_i a_i = 0 and
  // sum y_i b_i <= 0. Rebuild y exactly on the float dual's support and check it.
  double ymax = 0;
  for (double v : lp.dual) ymax = std::max(ymax, v);
  if (!(ymax > 0)) return FilterAnswer::Undecided;
  std::vector<std::size_t> support;
  for (std::size_t i = 0; i < m; ++i)
    if (lp.dual[i] > 1e-9 * ymax) support.push_back(i);
  if (support.size() > dim + 1) return FilterAnswer::Undecided;
  auto y = exact_sign_definite_null_vector(rows, support, dim);
  if (!y) return FilterAnswer::Undecided;
  Rational yb = 0;
  for (std::size_t c = 0; c < support.size(); ++c) yb += (*y)[c] * Rational(rows[support[c]]->b);
  if (sgn(yb) > 0) return FilterAnswer::Undecided;
  return FilterAnswer::Empty;
}

}  // namespace

namespace {
std::atomic<bool> g_float_filter{true};
}
void set_float_filter_enabled(bool enabled) { g_float_filter = enabled; }
bool float_filter_enabled() { return g_float_filter; }

LpCounters& lp_counters() {
  static thread_local LpCounters counters;
  return counters;
}

std::optional<Vector> find_strict_point(const std::vector<Halfspace>& rows, std::size_t dim) {
  std::vector<const Halfspace*> live;
  live.reserve(rows.size());
  for (const auto& r : rows) {
    if (zero_normal(r)) {
      if (sgn(r.b) <= 0) {  // 0 < b fails everywhere
        ++lp_counters().trivial;
        return std::nullopt;
      }
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
  if (origin_ok) {
    ++lp_counters().trivial;
    return origin;
  }
  Vector filtered;
  switch (g_float_filter ? float_filter(live, dim, &filtered) : FilterAnswer::Undecided) {
    case FilterAnswer::Point: ++lp_counters().filtered_points; return filtered;
    case FilterAnswer::Empty: ++lp_counters().filtered_empty; return std::nullopt;
    case FilterAnswer::Undecided: break;
  }
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
