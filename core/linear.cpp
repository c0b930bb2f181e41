#include "core/linear.hpp"

#include <stdexcept>

namespace relucert {

Rational dot(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) throw std::logic_error("dot: size mismatch");
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

Matrix mat_mul(const Matrix& a, const Matrix& b) {
  // Over common denominators: row i of a is (integers A_it) / L_i, column j of b is
  // (integers B_tj) / M_j, so (a b)_ij = (sum_t A_it B_tj) / (L_i M_j). One gcd per entry
  // instead of one rational product and sum (two or three gcds) per term.
  const std::size_t k = b.size();
  const std::size_t cols = k ? b[0].size() : 0;
  for (const Vector& row : a)
    if (row.size() != k) throw std::logic_error("mat_mul: size mismatch");
  std::vector<Integer> col_den(cols, Integer(1));
  for (const Vector& row : b)
    for (std::size_t j = 0; j < cols; ++j)
      if (sgn(row[j]) != 0) mpz_lcm(col_den[j].get_mpz_t(), col_den[j].get_mpz_t(), row[j].get_den_mpz_t());
  std::vector<Integer> B(k * cols);  // B[t * cols + j]
  for (std::size_t t = 0; t < k; ++t)
    for (std::size_t j = 0; j < cols; ++j) {
      const Rational& v = b[t][j];
      if (sgn(v) == 0) continue;  // (rows of inactive neurons are zero)
      mpz_divexact(B[t * cols + j].get_mpz_t(), col_den[j].get_mpz_t(), v.get_den_mpz_t());
      B[t * cols + j] *= v.get_num();
    }
  Matrix r = zeros(a.size(), cols);
  std::vector<Integer> A(k), sum(cols);
  Integer row_den;
  for (std::size_t i = 0; i < a.size(); ++i) {
    row_den = 1;
    for (std::size_t t = 0; t < k; ++t)
      if (sgn(a[i][t]) != 0) mpz_lcm(row_den.get_mpz_t(), row_den.get_mpz_t(), a[i][t].get_den_mpz_t());
    for (std::size_t t = 0; t < k; ++t) {
      if (sgn(a[i][t]) == 0) continue;
      mpz_divexact(A[t].get_mpz_t(), row_den.get_mpz_t(), a[i][t].get_den_mpz_t());
      A[t] *= a[i][t].get_num();
    }
    for (auto& s : sum) s = 0;
    for (std::size_t t = 0; t < k; ++t) {
      if (sgn(a[i][t]) == 0) continue;
      for (std::size_t j = 0; j < cols; ++j)
        if (sgn(B[t * cols + j]) != 0) mpz_addmul(sum[j].get_mpz_t(), A[t].get_mpz_t(), B[t * cols + j].get_mpz_t());
    }
    for (std::size_t j = 0; j < cols; ++j) {
      if (sgn(sum[j]) == 0) continue;
      mpz_set(r[i][j].get_num_mpz_t(), sum[j].get_mpz_t());
      mpz_mul(r[i][j].get_den_mpz_t(), row_den.get_mpz_t(), col_den[j].get_mpz_t());
      r[i][j].canonicalize();
    }
  }
  return r;
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
