#include "core/linear.hpp"

#include <algorithm>
#include <stdexcept>

namespace relucert {

Rational dot(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) throw std::logic_error("dot: size mismatch");
  // Power-of-two denominators throughout (float weights, dyadic points: the usual case): the
  // products' numerators summed over the largest denominator 2^E with shifts, and one
  // canonicalisation by trailing zeros at the end, instead of a gcd per term.
  {
    long E = 0;
    bool dyadic = true;
    for (std::size_t i = 0; i < a.size() && dyadic; ++i) {
      if (sgn(a[i]) == 0 || sgn(b[i]) == 0) continue;
      const long ea = power_of_two_exponent(a[i].get_den()), eb = power_of_two_exponent(b[i].get_den());
      dyadic = ea >= 0 && eb >= 0;
      E = std::max(E, ea + eb);
    }
    if (dyadic) {
      static thread_local Integer sum, t;
      sum = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (sgn(a[i]) == 0 || sgn(b[i]) == 0) continue;
        const long e = power_of_two_exponent(a[i].get_den()) + power_of_two_exponent(b[i].get_den());
        if (e == E) {
          mpz_addmul(sum.get_mpz_t(), a[i].get_num_mpz_t(), b[i].get_num_mpz_t());
          continue;
        }
        mpz_mul(t.get_mpz_t(), a[i].get_num_mpz_t(), b[i].get_num_mpz_t());
        mpz_mul_2exp(t.get_mpz_t(), t.get_mpz_t(), static_cast<mp_bitcnt_t>(E - e));
        sum += t;
      }
      Rational s;
      set_dyadic(s, sum, static_cast<unsigned long>(E));
      return s;
    }
  }
  Rational s = 0;
  static thread_local Rational t;  // the product, without a temporary's allocation per term
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (sgn(a[i]) == 0 || sgn(b[i]) == 0) continue;
    mpq_mul(t.get_mpq_t(), a[i].get_mpq_t(), b[i].get_mpq_t());
    s += t;
  }
  return s;
}

Vector add(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) throw std::logic_error("add: size mismatch");
  Vector r(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) r[i] = a[i] + b[i];
  return r;
}

Vector sub(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) throw std::logic_error("sub: size mismatch");
  Vector r(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) r[i] = a[i] - b[i];
  return r;
}

Vector scale(const Rational& s, const Vector& a) {
  Vector r(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) r[i] = s * a[i];
  return r;
}

Vector mat_vec(const Matrix& m, const Vector& v) {
  Vector r(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) r[i] = dot(m[i], v);
  return r;
}

RowScaledMatrix row_scaled(const Matrix& m) {
  RowScaledMatrix r;
  r.cols = m.empty() ? 0 : m[0].size();
  r.num.resize(m.size());
  r.den.assign(m.size(), Integer(1));
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i].size() != r.cols) throw std::logic_error("row_scaled: rows of different lengths");
    for (const Rational& v : m[i])
      if (sgn(v) != 0) mpz_lcm(r.den[i].get_mpz_t(), r.den[i].get_mpz_t(), v.get_den_mpz_t());
    r.num[i].resize(r.cols);
    for (std::size_t t = 0; t < r.cols; ++t) {
      if (sgn(m[i][t]) == 0) continue;
      mpz_divexact(r.num[i][t].get_mpz_t(), r.den[i].get_mpz_t(), m[i][t].get_den_mpz_t());
      r.num[i][t] *= m[i][t].get_num();
    }
  }
  return r;
}

namespace {

// The k x n matrix b(t, j) by columns over common denominators: column j is (integers B_tj) / M_j.
template <class Entry>
ColumnScaledMatrix scale_columns(std::size_t k, std::size_t n, Entry b) {
  ColumnScaledMatrix s;
  s.rows = k;
  s.cols = n;
  s.den.assign(n, Integer(1));
  s.num.resize(k * n);
  // Dyadic columns first (the usual case): the lcm is the largest power of two, and each entry's
  // factor den_j / den a power of two: shifts, no lcm or division. The same integers.
  std::vector<long> top(n, 0);
  bool dyadic = true;
  for (std::size_t t = 0; t < k && dyadic; ++t)
    for (std::size_t j = 0; j < n && dyadic; ++j) {
      const Rational& v = b(t, j);
      if (sgn(v) == 0) continue;
      const long e = power_of_two_exponent(v.get_den());
      dyadic = e >= 0;
      top[j] = std::max(top[j], e);
    }
  if (dyadic) {
    for (std::size_t j = 0; j < n; ++j) {
      s.den[j] = 0;
      mpz_setbit(s.den[j].get_mpz_t(), static_cast<mp_bitcnt_t>(top[j]));  // 2^top
    }
    for (std::size_t t = 0; t < k; ++t)
      for (std::size_t j = 0; j < n; ++j) {
        const Rational& v = b(t, j);
        if (sgn(v) == 0) continue;
        mpz_mul_2exp(s.num[t * n + j].get_mpz_t(), v.get_num_mpz_t(),
                     static_cast<mp_bitcnt_t>(top[j] - power_of_two_exponent(v.get_den())));
      }
    return s;
  }
  for (std::size_t t = 0; t < k; ++t)
    for (std::size_t j = 0; j < n; ++j) {
      const Rational& v = b(t, j);
      if (sgn(v) != 0) mpz_lcm(s.den[j].get_mpz_t(), s.den[j].get_mpz_t(), v.get_den_mpz_t());
    }
  for (std::size_t t = 0; t < k; ++t)
    for (std::size_t j = 0; j < n; ++j) {
      const Rational& v = b(t, j);
      if (sgn(v) == 0) continue;  // (rows of inactive neurons are zero)
      Integer& e = s.num[t * n + j];
      mpz_divexact(e.get_mpz_t(), s.den[j].get_mpz_t(), v.get_den_mpz_t());
      e *= v.get_num();
    }
  return s;
}

// a times b, over common denominators: (a b)_ij = (sum_t A_it B_tj) / (L_i M_j) with L_i the
// row's denominator. One gcd per entry instead of one rational product and sum (two or three
// gcds) per term. Rows t of b with (*zero_rows)[t] set are skipped (read as zero).
Matrix scaled_product(const RowScaledMatrix& a, const ColumnScaledMatrix& b, const std::vector<char>* zero_rows) {
  const std::size_t k = a.cols, n = b.cols;
  Matrix r = zeros(a.num.size(), n);
  std::vector<Integer> sum(n);
  // Power-of-two denominators (float weights, dyadic points: the usual case) are canonicalised
  // by shifting out the numerator's trailing zeros instead of a gcd: the same canonical value.
  std::vector<long> eb(n);
  for (std::size_t j = 0; j < n; ++j) eb[j] = power_of_two_exponent(b.den[j]);
  for (std::size_t i = 0; i < a.num.size(); ++i) {
    const long ea = power_of_two_exponent(a.den[i]);
    for (auto& v : sum) v = 0;
    for (std::size_t t = 0; t < k; ++t) {
      const Integer& w = a.num[i][t];
      if (sgn(w) == 0 || (zero_rows && (*zero_rows)[t])) continue;
      for (std::size_t j = 0; j < n; ++j)
        if (sgn(b.num[t * n + j]) != 0) mpz_addmul(sum[j].get_mpz_t(), w.get_mpz_t(), b.num[t * n + j].get_mpz_t());
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (sgn(sum[j]) == 0) continue;
      if (ea >= 0 && eb[j] >= 0) {
        set_dyadic(r[i][j], sum[j], static_cast<unsigned long>(ea + eb[j]));
        continue;
      }
      mpz_set(r[i][j].get_num_mpz_t(), sum[j].get_mpz_t());
      mpz_mul(r[i][j].get_den_mpz_t(), a.den[i].get_mpz_t(), b.den[j].get_mpz_t());
      r[i][j].canonicalize();
    }
  }
  return r;
}

}  // namespace

Matrix mat_mul(const Matrix& a, const Matrix& b) {
  const std::size_t k = b.size(), n = k ? b[0].size() : 0;
  for (const Vector& row : a)
    if (row.size() != k) throw std::logic_error("mat_mul: size mismatch");
  RowScaledMatrix as = row_scaled(a);
  as.cols = k;
  return scaled_product(as, scale_columns(k, n, [&](std::size_t t, std::size_t j) -> const Rational& { return b[t][j]; }), nullptr);
}

ColumnScaledMatrix column_scaled(const AffineMap& h) {
  // The columns of A and c together (c as column d).
  const std::size_t k = h.A.size(), d = k ? h.A[0].size() : 0;
  if (h.c.size() != k) throw std::logic_error("column_scaled: size mismatch");
  return scale_columns(k, d + 1, [&](std::size_t t, std::size_t j) -> const Rational& { return j < d ? h.A[t][j] : h.c[t]; });
}

AffineMap compose(const RowScaledMatrix& W, const ColumnScaledMatrix& h, const std::vector<char>* zero_rows) {
  // W (A x + c): the columns of A and c go through one product (c as column d).
  if (W.cols != h.rows || h.cols == 0 || (zero_rows && zero_rows->size() != h.rows))
    throw std::logic_error("compose: size mismatch");
  const std::size_t d = h.cols - 1;
  Matrix P = scaled_product(W, h, zero_rows);
  AffineMap out;
  out.A.resize(P.size());
  out.c.resize(P.size());
  for (std::size_t i = 0; i < P.size(); ++i) {
    out.c[i] = std::move(P[i][d]);
    P[i].pop_back();
    out.A[i] = std::move(P[i]);
  }
  return out;
}

AffineMap compose(const RowScaledMatrix& W, const AffineMap& h, const std::vector<char>* zero_rows) {
  return compose(W, column_scaled(h), zero_rows);
}

Matrix zeros(std::size_t rows, std::size_t cols) { return Matrix(rows, Vector(cols, Rational(0))); }

bool is_zero(const Vector& v) {
  for (const auto& x : v)
    if (sgn(x) != 0) return false;
  return true;
}

std::string to_string(const Vector& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += to_string(v[i]);
  }
  return s + ")";
}

}  // namespace relucert
