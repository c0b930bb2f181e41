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
  const std::size_t k = b.size();
  const std::size_t cols = k ? b[0].size() : 0;
  Matrix r = zeros(a.size(), cols);
  static thread_local Rational prod;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != k) throw std::logic_error("mat_mul: size mismatch");
    for (std::size_t t = 0; t < k; ++t) {
      if (sgn(a[i][t]) == 0) continue;
      for (std::size_t j = 0; j < cols; ++j) {
        if (sgn(b[t][j]) == 0) continue;  // (rows of inactive neurons are zero)
        mpq_mul(prod.get_mpq_t(), a[i][t].get_mpq_t(), b[t][j].get_mpq_t());
        r[i][j] += prod;
      }
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
