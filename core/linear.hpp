#pragma once
// Dense exact vectors and matrices: the sizes involved are small (input dimension,
// layer widths), so plain row-major std::vector storage is the clearest choice.
#include "core/rational.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace relucert {

using Vector = std::vector<Rational>;
using Matrix = std::vector<Vector>;  // row-major; every row has the same length

Rational dot(const Vector& a, const Vector& b);
Vector add(const Vector& a, const Vector& b);
Vector sub(const Vector& a, const Vector& b);
Vector scale(const Rational& s, const Vector& a);
Vector mat_vec(const Matrix& m, const Vector& v);
Matrix mat_mul(const Matrix& a, const Matrix& b);  // a: r x k, b: k x c
Matrix zeros(std::size_t rows, std::size_t cols);
bool is_zero(const Vector& v);

// Affine map x -> A x + c from R^d to R^rows.
struct AffineMap {
  Matrix A;
  Vector c;
  Vector apply(const Vector& x) const { return add(mat_vec(A, x), c); }
};

// A rational matrix as integer rows over one positive denominator per row (num[i] / den[i]):
// converted once, for repeated exact products (a layer's weights times each cell's map).
struct RowScaledMatrix {
  std::vector<std::vector<Integer>> num;
  std::vector<Integer> den;
  std::size_t cols = 0;
};
RowScaledMatrix row_scaled(const Matrix& m);
// A rational matrix by columns over one positive denominator per column (num[t * cols + j] /
// den[j]); for an affine map, the columns of A and then c. Converted once when many products
// share the map (a layer's output map on every piece of a group).
struct ColumnScaledMatrix {
  std::vector<Integer> num;
  std::vector<Integer> den;
  std::size_t rows = 0, cols = 0;
};
ColumnScaledMatrix column_scaled(const AffineMap& h);
// The affine map x -> W (h.A x + h.c), exact. Rows k of h with (*zero_rows)[k] != 0 are taken
// as zero (a ReLU's inactive neurons) without a masked copy of h.
AffineMap compose(const RowScaledMatrix& W, const AffineMap& h, const std::vector<char>* zero_rows = nullptr);
AffineMap compose(const RowScaledMatrix& W, const ColumnScaledMatrix& h, const std::vector<char>* zero_rows = nullptr);

std::string to_string(const Vector& v);  // "(p1, p2, ...)"

}  // namespace relucert
