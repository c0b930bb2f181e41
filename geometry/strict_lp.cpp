// The only file that includes CGAL's LP solver (compile cost stays here).
#include "geometry/strict_lp.hpp"

#include <CGAL/Gmpz.h>
#include <CGAL/QP_functions.h>
#include <CGAL/QP_models.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "core/arithmetic_mode.hpp"
#include "core/filtered_sign.hpp"
#include "geometry/cramer_filter.hpp"
#include "geometry/float_bound.hpp"
#include "geometry/float_lp.hpp"

namespace relucert {
namespace {

std::atomic<bool> g_float_filter{true};

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
  // From the row's doubles when it has them (to_double is zero only for zero): they sit beside the
  // row's other data, while the normal's limbs would be one more cache miss per row and question.
  if (r.approx_dim() == r.dim()) {
    for (std::size_t j = 0; j < r.dim(); ++j)
      if (r.approx_a()[j] != 0) return false;
    return true;
  }
  for (const auto& v : r.a())
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
      const Integer& v = rows[i]->a()[j];
      if (sgn(v) == 0) continue;
      lp.set_a(static_cast<int>(j), static_cast<int>(i), to_cgal(v));
      norm1 += abs(v);
    }
    lp.set_a(static_cast<int>(dim), static_cast<int>(i), to_cgal(norm1));
    lp.set_b(static_cast<int>(i), to_cgal(rows[i]->b()));
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

// When a hyperplane a.x = b is given, x_k is eliminated: x_k = (b - sum_{j != k} a_j y_j) / a_k,
// with a_k the nonzero entry of least size.
struct Elimination {
  const Halfspace* h = nullptr;
  std::size_t k = 0;

  Elimination(const Halfspace* hyperplane, std::size_t dim) : h(hyperplane) {
    if (!h) return;
    k = dim;
    for (std::size_t j = 0; j < dim; ++j)
      if (sgn(h->a()[j]) != 0 && (k == dim || abs(h->a()[j]) < abs(h->a()[k]))) k = j;
    if (k == dim) throw std::logic_error("strict LP: zero hyperplane normal");
  }
  std::size_t free_dim(std::size_t dim) const { return h ? dim - 1 : dim; }
  Vector lift(const Vector& y, std::size_t dim) const {
    if (!h) return y;
    Vector x(dim);
    Rational rest = Rational(h->b());
    for (std::size_t j = 0, t = 0; j < dim; ++j) {
      if (j == k) continue;
      x[j] = y[t++];
      if (sgn(h->a()[j]) != 0) rest -= h->a()[j] * x[j];
    }
    x[k] = rest / Rational(h->a()[k]);
    return x;
  }
};

// Entry j of a row's normal as to_double gives it (core/rational.hpp): the row's inline
// approximation when it has one (set by to_double itself, geometry/halfspace.hpp: the same
// double, without reading the GMP limbs), else converted here.
double entry_double(const Halfspace& h, std::size_t j, std::size_t dim) {
  return h.approx_dim() == dim ? h.approx_a()[j] : to_double(h.a()[j]);
}

// The columns of a matrix (the normals of rows cols[0..k), each of length dim) that are unit
// vectors +-e_i (at most one per axis), and the axes and columns left when they are taken out.
// One per thread, rebuilt per certificate: its vectors keep their capacity (no allocations).
struct UnitColumns {
  std::vector<std::size_t> unit_axis;  // per column: its axis when it is a unit column, else dim
  std::vector<std::size_t> red_rows;   // axes without a unit column
  std::vector<std::size_t> red_cols;   // columns that are not unit columns
  std::vector<std::size_t> unit_cols;  // the unit columns, ascending
  std::vector<std::size_t> axis_unit;  // scratch: per axis, its unit column, else k
  // (Out of line, like motzkin_by_signs and exact_null_vector: once per certificate, and a
  // profile then shows each part of the verification by name.)
  [[gnu::noinline]] void build(const Halfspace* const* cols, std::size_t k, std::size_t dim) {
    unit_axis.assign(k, dim);
    axis_unit.assign(dim, k);
    red_rows.clear();
    red_cols.clear();
    unit_cols.clear();
    for (std::size_t c = 0; c < k; ++c) {
      std::size_t axis = dim;
      bool unit = true;
      // From the doubles: to_double(v) is 0 iff v = 0, and +-1 iff v = +-1 (a one-limb integer
      // >= 2 converts to >= 2, a longer one to >= 2^64), so this is the exact test.
      for (std::size_t j = 0; j < dim && unit; ++j) {
        const double v = entry_double(*cols[c], j, dim);
        if (v == 0) continue;
        unit = axis == dim && std::fabs(v) == 1.0;
        axis = j;
      }
      if (unit && axis < dim && axis_unit[axis] == k) {
        unit_axis[c] = axis;
        axis_unit[axis] = c;
      }
    }
    for (std::size_t j = 0; j < dim; ++j)
      if (axis_unit[j] == k) red_rows.push_back(j);
    for (std::size_t c = 0; c < k; ++c) (unit_axis[c] == dim ? red_cols : unit_cols).push_back(c);
  }
};

// The elimination of exact_null_vector (below) on the axes `axes[0..rows)` (a subset of
// units.red_rows) only; sets *one_dim to whether those axes leave a one-dimensional null space
// (when false, nothing else is decided). When true, the rest is final: the vector's signs are
// checked, then sum_c v_c cols[c] = 0 exactly on every axis (also those not eliminated).
std::optional<std::vector<Integer>> null_vector_on_axes(const Halfspace* const* cols, std::size_t k, const UnitColumns& units,
                                                        const std::size_t* axes, std::size_t rows, std::size_t signed_cols,
                                                        std::size_t dim, bool* one_dim) {
  *one_dim = false;
  static thread_local Integer tmp;
  auto col = [&](std::size_t c) -> const std::vector<Integer>& { return cols[c]->a(); };
  const std::vector<std::size_t>& unit_axis = units.unit_axis;
  const std::vector<std::size_t>& red_cols = units.red_cols;
  const std::size_t kr = red_cols.size();
  if (kr == 0) return std::nullopt;  // distinct unit vectors are independent
  static thread_local std::vector<Integer> M;  // rows x kr, row-major; reused to avoid allocations
  if (M.size() < rows * kr) M.resize(rows * kr);
  auto at = [&](std::size_t i, std::size_t j) -> Integer& { return M[i * kr + j]; };
  for (std::size_t c = 0; c < kr; ++c)
    for (std::size_t i = 0; i < rows; ++i) at(i, c) = col(red_cols[c])[axes[i]];
  std::vector<std::size_t> pivot_col;
  std::vector<char> is_pivot(kr, 0);  // pivot columns are never read again: not updated
  Integer prev = 1;
  std::size_t r = 0;
  for (std::size_t c = 0; c < kr && r < rows; ++c) {
    std::size_t p = r;
    while (p < rows && sgn(at(p, c)) == 0) ++p;
    if (p == rows) continue;
    if (p != r)
      for (std::size_t j = 0; j < kr; ++j) mpz_swap(at(p, j).get_mpz_t(), at(r, j).get_mpz_t());
    // References, not copies: row r and column c are not written in the loop below (the inner
    // loop skips column c; M[i][c] is cleared after its row is done).
    const Integer& piv = at(r, c);
    for (std::size_t i = 0; i < rows; ++i) {
      if (i == r) continue;
      const Integer& f = at(i, c);
      for (std::size_t j = 0; j < kr; ++j) {
        if (j == c || is_pivot[j]) continue;
        // M[i][j] = (piv M[i][j] - f M[r][j]) / prev, exact (Bareiss).
        mpz_mul(tmp.get_mpz_t(), piv.get_mpz_t(), at(i, j).get_mpz_t());
        mpz_submul(tmp.get_mpz_t(), f.get_mpz_t(), at(r, j).get_mpz_t());
        mpz_divexact(at(i, j).get_mpz_t(), tmp.get_mpz_t(), prev.get_mpz_t());
      }
      at(i, c) = 0;
    }
    prev = piv;
    is_pivot[c] = 1;
    pivot_col.push_back(c);
    ++r;
  }
  if (kr - pivot_col.size() != 1) return std::nullopt;
  *one_dim = true;
  std::size_t free_col = 0;
  for (std::size_t c = 0, p = 0; c < kr; ++c) {
    if (p < pivot_col.size() && pivot_col[p] == c) {
      ++p;
      continue;
    }
    free_col = c;
  }
  // Row i now reads  prev * x_{pivot_col[i]} + M[i][free] * x_free = 0  (pivot rows are scaled to
  // the last pivot); with no pivot yet, prev = 1 and the free column alone is the null vector.
  std::vector<Integer> vi(k, Integer(0));
  vi[red_cols[free_col]] = prev;
  for (std::size_t i = 0; i < pivot_col.size(); ++i) vi[red_cols[pivot_col[i]]] = -at(i, free_col);
  // A unit column u = s e_i: v_u s + sum of the other columns' axis-i entries = 0, and s = 1/s.
  for (std::size_t u = 0; u < k; ++u) {
    if (unit_axis[u] == dim) continue;
    const std::size_t i = unit_axis[u];
    tmp = 0;
    for (std::size_t c : red_cols) mpz_addmul(tmp.get_mpz_t(), vi[c].get_mpz_t(), col(c)[i].get_mpz_t());
    vi[u] = sgn(col(u)[i]) > 0 ? Integer(-tmp) : tmp;
  }
  bool any_pos = false, any_neg = false;
  for (std::size_t c = 0; c < signed_cols; ++c) {
    any_pos = any_pos || sgn(vi[c]) > 0;
    any_neg = any_neg || sgn(vi[c]) < 0;
  }
  if (any_pos == any_neg) return std::nullopt;  // mixed signs, or zero on the signed part
  // The check that makes the elimination untrusted: sum_c v_c cols[c] = 0 exactly.
  for (std::size_t j = 0; j < dim; ++j) {
    tmp = 0;
    for (std::size_t c = 0; c < k; ++c) mpz_addmul(tmp.get_mpz_t(), vi[c].get_mpz_t(), col(c)[j].get_mpz_t());
    if (sgn(tmp) != 0) return std::nullopt;
  }
  if (any_neg)
    for (auto& x : vi) x = -x;
  return vi;
}

// Axes of units.red_rows whose rows (restricted to units.red_cols) look independent, kr - 1 of
// them (kr = red_cols.size()), chosen in double by Gaussian elimination with complete pivoting
// on row-scaled entries. A guess only: false when it finds no such set (or an entry is not
// finite); exact_null_vector trusts nothing of it (see there).
bool independent_axes(const Halfspace* const* cols, const UnitColumns& units, std::size_t dim, std::vector<std::size_t>* out) {
  const std::size_t rows = units.red_rows.size(), kr = units.red_cols.size();
  static thread_local std::vector<double> B;
  static thread_local std::vector<char> row_used, col_used;
  B.resize(rows * kr);
  row_used.assign(rows, 0);
  col_used.assign(kr, 0);
  for (std::size_t i = 0; i < rows; ++i) {
    double scale = 0;
    for (std::size_t c = 0; c < kr; ++c) {
      const double v = entry_double(*cols[units.red_cols[c]], units.red_rows[i], dim);
      if (!std::isfinite(v)) return false;
      B[i * kr + c] = v;
      scale = std::max(scale, std::fabs(v));
    }
    if (scale == 0) row_used[i] = 1;  // a zero row: never chosen
    else
      for (std::size_t c = 0; c < kr; ++c) B[i * kr + c] /= scale;
  }
  out->clear();
  for (std::size_t step = 0; step + 1 < kr; ++step) {
    std::size_t pi = rows, pj = kr;
    double best = 1e-9;
    for (std::size_t i = 0; i < rows; ++i) {
      if (row_used[i]) continue;
      for (std::size_t j = 0; j < kr; ++j)
        if (!col_used[j] && std::fabs(B[i * kr + j]) > best) {
          best = std::fabs(B[i * kr + j]);
          pi = i;
          pj = j;
        }
    }
    if (pi == rows) return false;
    row_used[pi] = col_used[pj] = 1;
    out->push_back(units.red_rows[pi]);
    for (std::size_t i = 0; i < rows; ++i) {
      if (row_used[i]) continue;
      const double f = B[i * kr + pj] / B[pi * kr + pj];
      for (std::size_t j = 0; j < kr; ++j)
        if (!col_used[j]) B[i * kr + j] -= f * B[pi * kr + j];
    }
  }
  std::sort(out->begin(), out->end());
  return true;
}

// A nonzero null vector v of the matrix whose columns are the normals of cols[0..k) (each of
// length dim), if the null space is one-dimensional and v restricted to the first `signed_cols`
// columns is sign-definite; oriented so that part is >= 0. Later columns have free sign.
// Columns that are unit vectors +-e_i (domain faces of a box: most certificates have one or two)
// are taken out first: axis i's equation then gives their entry from the others, so only the
// remaining axes and columns go through fraction-free Gauss-Jordan elimination over the integers
// (Bareiss: no rationals, no gcds). The vector found is checked exactly (M v = 0) before it is
// returned, so the elimination is not trusted.
// With more remaining axes than kr - 1 (a certificate in a subspace: a third of d = 6's), the
// elimination first runs on kr - 1 axes that look independent in double (fewer rows to update,
// most of which would only become zero). That changes no answer: if those axes leave a
// one-dimensional null space, it contains the full matrix's null space, which is then either
// the same line (v passes the exact check on every axis) or {0} (v fails it, and the full
// elimination would have found no null vector either); the sign test is the same for every
// nonzero multiple of v. Otherwise (the guess was wrong) the full elimination decides.
[[gnu::noinline]] std::optional<std::vector<Integer>> exact_null_vector(const Halfspace* const* cols, std::size_t k, const UnitColumns& units,
                                                                         std::size_t signed_cols, std::size_t dim,
                                                                         bool full_elimination = false) {
  const std::size_t rows = units.red_rows.size(), kr = units.red_cols.size();
  bool one_dim = false;
  if (!full_elimination && kr >= 2 && rows > kr - 1) {
    static thread_local std::vector<std::size_t> axes;
    if (independent_axes(cols, units, dim, &axes)) {
      auto v = null_vector_on_axes(cols, k, units, axes.data(), axes.size(), signed_cols, dim, &one_dim);
      if (one_dim) return v;
    }
  }
  return null_vector_on_axes(cols, k, units, units.red_rows.data(), rows, signed_cols, dim, &one_dim);
}

// True when the Motzkin certificate on the rows cols[0..k) (their normals as columns, their b as
// the b-values) is proven by signs alone: the first signed_cols must get multipliers of one sign,
// the rest are free. With the unit columns taken out, the remaining r axes x (r + 1) columns have
// the Cramer null vector y (geometry/cramer_filter.hpp), each unit column u = s e_i gets
// -s (row i . y), and sum_c y_c b_c = b'.y with b'_c = b_c - sum_u s_u b_u (row i_u)_c. When the
// filter certifies every signed multiplier nonzero with one sign sigma and sigma * b'.y < 0, the
// certificate holds exactly. False means "not proven here" (the exact elimination decides).
// The filter gets to_double of every entry, as cramer_signs would convert them: the rows' inline
// approximations (entry_double), and for b' (exact integers, computed with GMP) to_double itself;
// when a column has no unit-column terms, b'_c = b_c and its double is the row's approx_b().
// Per-thread buffers: no allocations once warm.
[[gnu::noinline]] bool motzkin_by_signs(const Halfspace* const* cols, std::size_t k, const UnitColumns& units, std::size_t signed_cols,
                      std::size_t dim) {
  const std::size_t r = units.red_rows.size(), n = units.red_cols.size();
  if (n != r + 1 || r > kMaxCramerRows) return false;
  const std::size_t nu = units.unit_cols.size();
  std::array<double, kMaxCramerRows * (kMaxCramerRows + 1)> R;
  for (std::size_t c = 0; c < n; ++c) {
    const Halfspace& h = *cols[units.red_cols[c]];
    for (std::size_t i = 0; i < r; ++i) R[i * n + c] = entry_double(h, units.red_rows[i], dim);
  }
  // X: one row per unit column (the column entries on its axis), then b'.
  static thread_local std::vector<double> X;
  static thread_local std::vector<Sign> dots, y;
  static thread_local std::array<Integer, kMaxCramerRows + 1> bprime;
  if (X.size() < (nu + 1) * n) X.resize((nu + 1) * n);
  if (dots.size() < nu + 1) dots.resize(nu + 1);
  for (std::size_t t = 0; t < nu; ++t) {
    const std::size_t axis = units.unit_axis[units.unit_cols[t]];
    for (std::size_t c = 0; c < n; ++c) X[t * n + c] = entry_double(*cols[units.red_cols[c]], axis, dim);
  }
  for (std::size_t c = 0; c < n; ++c) {
    const Halfspace& h = *cols[units.red_cols[c]];
    bool plain = true;  // b'_c = b_c: no unit column's axis meets this column
    for (std::size_t t = 0; t < nu; ++t) {
      if (X[t * n + c] == 0) continue;  // the entry is 0 (to_double is zero only for zero)
      const std::size_t u = units.unit_cols[t];
      const Integer& entry = h.a()[units.unit_axis[u]];
      if (plain) {
        bprime[c] = h.b();
        plain = false;
      }
      const int s_u = sgn(cols[u]->a()[units.unit_axis[u]]);
      if (s_u > 0) mpz_submul(bprime[c].get_mpz_t(), cols[u]->b().get_mpz_t(), entry.get_mpz_t());
      else mpz_addmul(bprime[c].get_mpz_t(), cols[u]->b().get_mpz_t(), entry.get_mpz_t());
    }
    X[nu * n + c] = plain ? (h.approx_dim() == dim ? h.approx_b() : to_double(h.b())) : to_double(bprime[c]);
  }
  std::array<Sign, kMaxCramerRows + 1> ys;
  if (!cramer_signs_from_doubles(R.data(), r, X.data(), nu + 1, ys.data(), dots.data())) return false;
  y.assign(k, Sign::Zero);
  for (std::size_t c = 0; c < n; ++c) y[units.red_cols[c]] = ys[c];
  for (std::size_t t = 0; t < nu; ++t) {
    const std::size_t u = units.unit_cols[t];
    const Sign dot = dots[t];  // row i_u . y;  y_u = -s_u dot
    y[u] = sgn(cols[u]->a()[units.unit_axis[u]]) > 0 ? opposite(dot) : dot;
  }
  const Sign sigma = signed_cols > 0 ? y[0] : Sign::Zero;
  if (sigma == Sign::Zero) return false;
  for (std::size_t c = 0; c < signed_cols; ++c)
    if (y[c] != sigma) return false;
  return dots[nu] == opposite(sigma);
}

// The exact part of an emptiness answer: {x : a_i.x < b_i for the first signed_cols rows of
// cols[0..k), a.x = b for the rest (a hyperplane, free sign)} is empty iff some y >= 0, y != 0
// and mu have sum y_i a_i + sum mu_j a_j = 0 and sum y_i b_i + sum mu_j b_j <= 0 (Motzkin). The
// multipliers are the columns' null vector, signed by the Cramer filter (motzkin_by_signs) or
// found by the exact elimination and checked. False: not proven on these rows.
bool motzkin_certifies_empty(const Halfspace* const* cols, std::size_t k, std::size_t signed_cols, std::size_t dim) {
  static thread_local UnitColumns units;
  units.build(cols, k, dim);
  if (motzkin_by_signs(cols, k, units, signed_cols, dim)) return true;
  auto v = exact_null_vector(cols, k, units, signed_cols, dim);
  if (!v) return false;
  Integer vb = 0;  // in integers: v and b are
  for (std::size_t c = 0; c < k; ++c) mpz_addmul(vb.get_mpz_t(), (*v)[c].get_mpz_t(), cols[c]->b().get_mpz_t());
  return sgn(vb) <= 0;
}

enum class FilterAnswer { Point, Empty, Undecided };

bool strictly_inside_all(const std::vector<const Halfspace*>& rows, const Vector& x) {
  const FilterPoint fx(x);
  for (const Halfspace* r : rows)
    if (r->slack_sign(fx) != Sign::Positive) return false;
  return true;
}

// The margin LP's data in double (geometry/float_lp.hpp), in reused per-thread buffers: each
// row over the free variables of `elim`, divided by its largest entry (moderate magnitudes for
// the simplex's tolerances), and s = the scaled row's 1-norm. Rows that reduce to constants are
// left out (the exact checks see them); index maps an LP row to its row in `rows`.
struct ScaledRows {
  std::vector<double> A, b, s, row, hyper_a;
  std::vector<std::size_t> index;
  std::size_t m = 0;

  // False when some entry is not finite.
  bool build(const std::vector<const Halfspace*>& rows, std::size_t dim, const Elimination& elim) {
    const std::size_t n = elim.free_dim(dim);
    // The buffers only grow: sized for every row, m counts the rows kept.
    if (A.size() < rows.size() * n) A.resize(rows.size() * n);
    if (b.size() < rows.size()) {
      b.resize(rows.size());
      s.resize(rows.size());
      index.resize(rows.size());
    }
    row.resize(dim);
    m = 0;
    double hyper_b = 0, hyper_ak = 1;
    if (elim.h) {
      hyper_a.resize(dim);
      const double* ha = approx_row(*elim.h, dim, hyper_a.data(), &hyper_b);
      if (ha != hyper_a.data()) std::copy(ha, ha + dim, hyper_a.begin());
      hyper_ak = hyper_a[elim.k];
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      double rhs;
      const double* a = approx_row(*rows[i], dim, row.data(), &rhs);
      double* out = A.data() + m * n;
      const double* reduced = a;  // the row over the free variables, before scaling
      double scale = 0;           // max |v|, blind to NaN (std::max drops it): see below
      if (elim.h) {
        const double rk = a[elim.k];
        for (std::size_t j = 0, t = 0; j < dim; ++j) {
          if (j == elim.k) continue;
          const double v = a[j] - rk * hyper_a[j] / hyper_ak;
          out[t++] = v;
          scale = std::max(scale, std::fabs(v));
        }
        rhs -= rk * hyper_b / hyper_ak;
        reduced = out;
      } else {
        for (std::size_t j = 0; j < dim; ++j) scale = std::max(scale, std::fabs(a[j]));
      }
      if (!std::isfinite(rhs)) return false;
      if (scale == 0) {  // all zero, unless NaN hid from the max
        for (std::size_t t = 0; t < n; ++t)
          if (reduced[t] != 0) return false;
        continue;
      }
      double norm1 = 0;
      for (std::size_t t = 0; t < n; ++t) {
        out[t] = reduced[t] / scale;
        norm1 += std::fabs(out[t]);
      }
      // A non-finite entry makes the norm NaN: NaN / scale, or inf / inf when it set the scale.
      if (!std::isfinite(norm1)) return false;
      b[m] = rhs / scale;
      s[m] = norm1;
      index[m] = i;
      ++m;
    }
    return true;
  }

  // a's approximation (dim entries) and, in *b, b's: the row's inline approximations when it
  // has them (no reads of GMP limbs, no copy), else converted into buf.
  static const double* approx_row(const Halfspace& r, std::size_t dim, double* buf, double* b) {
    if (r.approx_dim() == dim) {
      *b = r.approx_b();
      return r.approx_a();
    }
    for (std::size_t j = 0; j < dim; ++j) buf[j] = to_double(r.a()[j]);
    *b = to_double(r.b());
    return buf;
  }
};

// Emptiness of {x : a_i.x < b_i for every row} by the rigorous double bound
// (geometry/float_bound.hpp) instead of an exact Motzkin certificate: when the rows bound every
// coordinate by unit rows (the domain's faces, which every cell of a box keeps), the row s of
// the largest float multiplier is shown to hold the wrong way, b_s - a_s.x < 0, at every x of
// the box where the other rows of the support hold; a point of the system would be such an x.
// Tens of flops where the exact certificate costs an elimination over the integers.
bool float_bound_certifies_empty(const std::vector<const Halfspace*>& rows, const std::vector<const Halfspace*>& support,
                                 const std::vector<double>& dual, double ymax, std::size_t dim) {
  constexpr std::size_t D = Halfspace::kApproxDim;
  if (dim > D) return false;
  std::array<double, D> bound{};
  if (!axis_bound_in_double(rows.data(), rows.size(), dim, bound.data())) return false;
  // The support in `support`'s order is the dual's rows above 1e-9 ymax; s is the largest.
  std::size_t s = 0, at = 0;
  double best = -1;
  for (std::size_t i = 0; i < dual.size(); ++i) {
    if (!(dual[i] > 1e-9 * ymax)) continue;
    if (dual[i] > best) best = dual[i], s = at;
    ++at;
  }
  if (at != support.size()) return false;
  const Halfspace& side = *support[s];
  if (side.approx_dim() != dim) return false;
  std::array<const Halfspace*, D> others{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < support.size(); ++i)
    if (i != s) others[count++] = support[i];
  if (count == 0 || count > dim) return false;
  std::array<double, D> w{};
  for (std::size_t j = 0; j < dim; ++j) w[j] = -side.approx_a()[j];  // exact negations of to_double
  return negative_on_box_by_float_bound(others.data(), count, w.data(), side.approx_b(), bound.data(), dim);
}

FilterAnswer float_filter(const std::vector<const Halfspace*>& rows, std::size_t dim, const Elimination& elim, Vector* point) {
  const std::size_t n = elim.free_dim(dim);
  static thread_local ScaledRows data;  // reused per thread: no allocations per question
  if (!data.build(rows, dim, elim)) return FilterAnswer::Undecided;
  const std::vector<std::size_t>& index = data.index;
  static thread_local FloatMarginLp lp;  // its vectors are reused too
  solve_margin_lp_float(data.A.data(), data.b.data(), data.s.data(), data.m, n, &lp);
  if (!lp.solved) return FilterAnswer::Undecided;
  if (arithmetic_mode() == ArithmeticMode::FloatOnly) {
    // Measurement only (core/arithmetic_mode.hpp): trust the double answer, verify nothing.
    if (!(lp.margin > 1e-12)) return FilterAnswer::Empty;
    Vector y(n);
    for (std::size_t j = 0; j < n; ++j) {
      if (!std::isfinite(lp.x[j])) return FilterAnswer::Undecided;
      y[j] = rational_from_double(lp.x[j]);
    }
    *point = elim.lift(y, dim);
    return FilterAnswer::Point;
  }
  if (lp.margin > 1e-12) {
    // Any point within margin/2 (max-norm) of y is strictly inside if the float answer is
    // accurate: try the shortest dyadic such point first, then y itself. Both are checked exactly.
    const double r = std::min(lp.margin, 1.0) / 4;
    if (!(r > 0)) return FilterAnswer::Undecided;
    Vector cand(n);
    for (std::size_t j = 0; j < n; ++j) {
      if (!std::isfinite(lp.x[j])) return FilterAnswer::Undecided;
      cand[j] = short_dyadic_near(lp.x[j], r);
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (attempt == 1)  // the double point itself, exactly (dyadic)
        for (std::size_t j = 0; j < n; ++j) cand[j] = rational_from_double(lp.x[j]);
      if (!elim.h) {  // no lift: the candidate itself (not a copy)
        if (strictly_inside_all(rows, cand)) {
          *point = std::move(cand);
          return FilterAnswer::Point;
        }
        continue;
      }
      Vector x = elim.lift(cand, dim);
      if (strictly_inside_all(rows, x)) {
        *point = std::move(x);
        return FilterAnswer::Point;
      }
    }
    return FilterAnswer::Undecided;
  }
  // Motzkin: {x : a.x = b, a_i.x < b_i} is empty iff some y >= 0, y != 0 and mu have
  // sum y_i a_i + mu a = 0 and sum y_i b_i + mu b <= 0. Rebuild (y, mu) exactly on the float
  // dual's support and check it.
  double ymax = 0;
  for (double v : lp.dual) ymax = std::max(ymax, v);
  if (!(ymax > 0)) return FilterAnswer::Undecided;
  // The support's rows, then the hyperplane's: the certificate's columns (per-thread buffers).
  static thread_local std::vector<const Halfspace*> cols;
  cols.clear();
  for (std::size_t i = 0; i < lp.dual.size(); ++i)
    if (lp.dual[i] > 1e-9 * ymax) cols.push_back(rows[index[i]]);
  const std::size_t support = cols.size();
  if (support > n + 1) return FilterAnswer::Undecided;
  if (!elim.h && support >= 2 && float_bound_certifies_empty(rows, cols, lp.dual, ymax, dim)) return FilterAnswer::Empty;
  if (elim.h) cols.push_back(elim.h);
  return motzkin_certifies_empty(cols.data(), cols.size(), support, dim) ? FilterAnswer::Empty : FilterAnswer::Undecided;
}

// ---- Exact path ------------------------------------------------------------------------------

// The rows in the free variables of `elim`, exactly; nullopt when a row becomes a violated
// constant (then the system is empty).
std::optional<std::vector<Halfspace>> reduce_exactly(const std::vector<const Halfspace*>& rows, std::size_t dim,
                                                     const Elimination& elim) {
  std::vector<Halfspace> out;
  out.reserve(rows.size());
  for (const Halfspace* r : rows) {
    if (!elim.h) {
      out.push_back(*r);
      continue;
    }
    // r.x < beta  becomes  sum_{j != k} (r_j |a_k| - s r_k a_j) y_j < beta |a_k| - s r_k b.
    const Halfspace& h = *elim.h;
    const Integer ak_abs = abs(h.a()[elim.k]);
    const int sk = sgn(h.a()[elim.k]);
    std::vector<Integer> a(dim - 1);
    bool nonzero = false;
    for (std::size_t j = 0, t = 0; j < dim; ++j) {
      if (j == elim.k) continue;
      a[t] = r->a()[j] * ak_abs - sk * r->a()[elim.k] * h.a()[j];
      nonzero = nonzero || sgn(a[t]) != 0;
      ++t;
    }
    Integer beta = r->b() * ak_abs - sk * r->a()[elim.k] * h.b();
    if (!nonzero) {
      if (sgn(beta) <= 0) return std::nullopt;
      continue;
    }
    out.push_back(make_halfspace(std::move(a), std::move(beta), r->origin));
  }
  return out;
}

std::optional<Vector> solve_strict(const std::vector<const Halfspace*>& rows, std::size_t dim, const Halfspace* hyperplane) {
  if (hyperplane)
    for (const Halfspace* r : rows)
      if (r->same_hyperplane_as(*hyperplane)) throw std::logic_error("strict LP: a row lies on the hyperplane itself");
  const Elimination elim(hyperplane, dim);
  const std::size_t n = elim.free_dim(dim);
  // Cheap exact answers first: a violated constant row, or a point that already works.
  std::vector<const Halfspace*> live;
  live.reserve(rows.size());
  for (const Halfspace* r : rows) {
    if (!zero_normal(*r)) {
      live.push_back(r);
      continue;
    }
    if (sgn(r->b()) <= 0) {  // 0 < b fails everywhere
      ++lp_counters().trivial;
      return std::nullopt;
    }
  }
  if (!hyperplane) {  // (on a hyperplane the lifted origin almost never works: measured, not asked)
    // The origin is strictly inside iff every b > 0 (its slack b - a.0): asked without building it.
    bool origin_inside = true;
    for (const Halfspace* r : live) origin_inside = origin_inside && sgn(r->b()) > 0;
    if (origin_inside) {
      ++lp_counters().trivial;
      return Vector(n, Rational(0));
    }
  }
  if (g_float_filter) {
    Vector filtered;
    switch (float_filter(live, dim, elim, &filtered)) {
      case FilterAnswer::Point: ++lp_counters().filtered_points; return filtered;
      case FilterAnswer::Empty: ++lp_counters().filtered_empty; return std::nullopt;
      case FilterAnswer::Undecided: break;
    }
  }
  const auto reduced = reduce_exactly(live, dim, elim);
  if (!reduced) {
    ++lp_counters().trivial;
    return std::nullopt;
  }
  std::vector<const Halfspace*> ptrs;
  for (const auto& r : *reduced) ptrs.push_back(&r);
  std::optional<Vector> y;
  if (ptrs.empty()) {
    y = Vector(n, Rational(0));
  } else {
    y = solve_margin_lp(ptrs, n);
  }
  if (!y) return std::nullopt;
  Vector x = elim.lift(*y, dim);
  if (arithmetic_mode() == ArithmeticMode::FloatOnly) return x;
  if (!strictly_inside_all(rows, x) || (hyperplane && sgn(hyperplane->slack(x)) != 0))
    throw std::logic_error("strict LP: solver point fails the exact check");
  return x;
}

// Motzkin on the given rows and the hyperplane h (free sign): the exact part of float_filter's
// emptiness answer, on a support the caller proposes.
bool motzkin_on_support(const std::vector<const Halfspace*>& support, const Halfspace& h, std::size_t dim) {
  if (support.empty() || support.size() > dim) return false;
  for (const Halfspace* r : support)
    if (r->dim() != dim || r->same_hyperplane_as(h)) return false;
  static thread_local std::vector<const Halfspace*> cols;
  cols.assign(support.begin(), support.end());
  cols.push_back(&h);
  return motzkin_certifies_empty(cols.data(), cols.size(), support.size(), dim);
}

}  // namespace

bool empty_on_hyperplane_by_certificate(const Halfspace& h, const std::vector<const Halfspace*>& support, std::size_t dim) {
  if (h.dim() != dim) return false;
  return motzkin_on_support(support, h, dim);
}

bool strict_side_empty_by_certificate(const Halfspace* const* support, std::size_t count, const Halfspace& side, std::size_t dim) {
  if (count == 0 || count > dim || side.dim() != dim) return false;
  static thread_local std::vector<const Halfspace*> cols;
  cols.assign(support, support + count);
  cols.push_back(&side);
  for (const Halfspace* r : cols)
    if (r->dim() != dim) return false;
  return motzkin_certifies_empty(cols.data(), cols.size(), cols.size(), dim);
}

void set_float_filter_enabled(bool enabled) { g_float_filter = enabled; }
bool float_filter_enabled() { return g_float_filter; }

std::optional<std::vector<Integer>> motzkin_null_vector_for_test(const std::vector<const Halfspace*>& rows,
                                                                 std::size_t signed_cols, std::size_t dim,
                                                                 bool full_elimination) {
  UnitColumns units;
  units.build(rows.data(), rows.size(), dim);
  return exact_null_vector(rows.data(), rows.size(), units, signed_cols, dim, full_elimination);
}

LpCounters& lp_counters() {
  static thread_local LpCounters counters;
  return counters;
}

std::optional<Vector> find_strict_point(const std::vector<const Halfspace*>& rows, std::size_t dim) {
  return solve_strict(rows, dim, nullptr);
}

std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<const Halfspace*>& rows,
                                                      std::size_t dim) {
  return solve_strict(rows, dim, &h);
}

std::optional<Vector> find_strict_point(const std::vector<Halfspace>& rows, std::size_t dim) {
  std::vector<const Halfspace*> p;
  for (const auto& r : rows) p.push_back(&r);
  return solve_strict(p, dim, nullptr);
}

std::optional<Vector> find_strict_point_on_hyperplane(const Halfspace& h, const std::vector<Halfspace>& rows, std::size_t dim) {
  std::vector<const Halfspace*> p;
  for (const auto& r : rows) p.push_back(&r);
  return solve_strict(p, dim, &h);
}

}  // namespace relucert
