#pragma once
// The region builder's layer maps: an exact affine map x -> A x + c (R^d -> R^k) kept as
// integers over one positive denominator per column (A's d columns, then c as column d), with a
// double copy of every entry.
//
// Why not canonical rationals: the next layer's compose wants exactly this form (its integer
// products over common denominators), and building k (d + 1) canonical mpq per cell and layer,
// only to convert them back for the next compose, cost more than the products themselves (d = 3
// depth 6: a quarter of the instructions). The doubles serve the vertex guides and the float
// filters without a GMP conversion per question. Rationals are made only where one is read
// (entry, gradient, constant): at a split's observer, the finished cell's piece.
#include <cstddef>
#include <vector>

#include "core/linear.hpp"
#include "core/network.hpp"
#include "core/sign.hpp"

namespace relucert {

struct ScaledAffineMap {
  // m.rows outputs, m.cols = d + 1; entry (i, j) = m.num[i * m.cols + j] / m.den[j]. Each column
  // is reduced (no common factor of its numerators and denominator), so the form is unique.
  ColumnScaledMatrix m;
  std::vector<double> approx;  // entry (i, j) in double, row-major as m.num: relative error below 2^-52

  std::size_t dim() const { return m.cols ? m.cols - 1 : 0; }
  std::size_t outputs() const { return m.rows; }
  Rational entry(std::size_t i, std::size_t j) const;  // canonical
  Vector gradient(std::size_t i) const;                // row i of A, canonical
  Rational constant(std::size_t i) const { return entry(i, dim()); }
  bool gradient_is_zero(std::size_t i) const;
  Sign constant_sign(std::size_t i) const { return sign_of(m.num[i * m.cols + dim()]); }
  const double* approx_row(std::size_t i) const { return approx.data() + i * m.cols; }  // d + 1 doubles
  AffineMap to_affine() const;
  // Integers a, b with {x : A_i x + c_i <= 0} = {x : a.x <= b}: row i over the lcm L of the
  // denominators (a = L A_i, b = -L c_i; L a power of two when the denominators are).
  void integer_row(std::size_t i, std::vector<Integer>& a, Integer& b) const;
};

// The same map as h.
ScaledAffineMap scaled_affine(const AffineMap& h);

// x -> W relu-masked(h(x)) + b for the layer W = W_num / W_den, b = b_num / b_den: rows t of h
// with (*zero_rows)[t] set are read as zero (the inactive neurons of the layer before).
ScaledAffineMap compose_layer(const Network::IntegerLayer& layer, const ScaledAffineMap& h, const std::vector<char>* zero_rows);

}  // namespace relucert
