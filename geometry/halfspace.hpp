#pragma once
// A closed halfspace a.x <= b with a primitive integer normal: the canonical form of every
// positive multiple, so two rows describe the same halfspace iff they are equal, and the
// same hyperplane with the other side iff they are negatives of each other. Rows remember
// where they come from (a neuron's zero set or a face of the domain).
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "core/filtered_sign.hpp"
#include "core/linear.hpp"
#include "core/sign.hpp"

namespace relucert {

struct RowOrigin {
  enum class Kind : unsigned char { Domain, Neuron };
  Kind kind = Kind::Domain;
  std::size_t index = 0;  // neuron: global ReLU index in topological order; domain: 2*axis (+1 for the upper face)
};

struct Halfspace {
  std::vector<Integer> a;
  Integer b;
  RowOrigin origin;
  // Double approximations of a and b (to_double of each entry), stored inline (no pointer chasing
  // into GMP limbs): the float LP's proposals and the error-bounded filter of slack_sign read
  // them. Set by make_halfspace and flipped() when dim() <= kApproxDim; approx_dim is 0 otherwise
  // (then the filter converts a and b itself). Invariant: a and b are never modified after
  // make_halfspace/flipped (nothing in relucert does; build a new row instead), or the filter
  // would certify signs of a row that no longer exists.
  static constexpr std::size_t kApproxDim = 8;
  std::array<double, kApproxDim> approx_a{};
  double approx_b = 0;
  unsigned char approx_dim = 0;

  std::size_t dim() const { return a.size(); }
  // b - a.x, exact: positive strictly inside, zero on the hyperplane.
  Rational slack(const Vector& x) const;
  Sign slack_sign(const FilterPoint& x) const;  // sign of b - a.x, exact (filtered with the inline doubles)
  Rational normal_dot(const Vector& v) const;  // a.v
  Vector normal() const;                        // a as rationals
  bool same_hyperplane_as(const Halfspace& o) const;  // equal or opposite
  bool operator==(const Halfspace& o) const { return b == o.b && a == o.a; }
  Halfspace flipped() const;  // the closed other side, -a.x <= -b
  std::string to_string() const;
};

// The canonical halfspace {x : a.x <= b} for rational a (not all zero) and b.
Halfspace make_halfspace(const Vector& a, const Rational& b, RowOrigin origin);
// Same, from integer data that may share a common factor.
Halfspace make_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);

// True iff x satisfies every row strictly.
bool strictly_inside(const std::vector<Halfspace>& rows, const Vector& x);

}  // namespace relucert
