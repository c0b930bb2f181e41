#pragma once
// A closed halfspace a.x <= b with a primitive integer normal: the canonical form of every
// positive multiple, so two rows describe the same halfspace iff they are equal, and the
// same hyperplane with the other side iff they are negatives of each other. Rows remember
// where they come from (a neuron's zero set or a face of the domain).
#include <array>
#include <cstddef>
#include <memory>
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

class Halfspace {
 public:
  static constexpr std::size_t kApproxDim = 8;

  Halfspace() = default;  // an empty row (no normal): a placeholder to be assigned

  RowOrigin origin;

  // The data is immutable and shared: a copy of a row (a cell's rows go to both halves of a
  // split, a facet to its pairs, the domain's faces to every cell) costs one reference count,
  // not d + 2 GMP allocations, and every copy has the same normal's limbs. Build a new row with
  // make_halfspace or flipped(); nothing can modify a row in place.
  const std::vector<Integer>& a() const { return data_ ? data_->a : empty().a; }
  const Integer& b() const { return data_ ? data_->b : empty().b; }
  // Double approximations of a and b (to_double of each entry), next to them in the shared data
  // (no pointer chasing into GMP limbs): the float LP's proposals and the error-bounded filter of
  // slack_sign read them. Set when dim() <= kApproxDim; approx_dim() is 0 otherwise (then the
  // filter converts a and b itself).
  const double* approx_a() const { return data_ ? data_->approx_a.data() : empty().approx_a.data(); }
  double approx_b() const { return data_ ? data_->approx_b : 0.0; }
  std::size_t approx_dim() const { return data_ ? data_->approx_dim : 0; }
  // The sum of |approx_a()[j]| (when approx_dim() > 0), for rooms in the max-norm: made once.
  double approx_norm1() const { return data_ ? data_->approx_norm1 : 0.0; }

  std::size_t dim() const { return a().size(); }
  // b - a.x, exact: positive strictly inside, zero on the hyperplane.
  Rational slack(const Vector& x) const;
  Sign slack_sign(const FilterPoint& x) const;  // sign of b - a.x, exact (filtered with the doubles)
  Rational normal_dot(const Vector& v) const;  // a.v
  Vector normal() const;                        // a as rationals
  bool same_hyperplane_as(const Halfspace& o) const;  // equal or opposite
  bool operator==(const Halfspace& o) const { return data_ == o.data_ || (b() == o.b() && a() == o.a()); }
  Halfspace flipped() const;  // the closed other side, -a.x <= -b
  std::string to_string() const;

 private:
  struct Data {
    std::vector<Integer> a;
    Integer b;
    std::array<double, kApproxDim> approx_a{};
    double approx_b = 0;
    unsigned char approx_dim = 0;
    bool approx_in_range = false;  // every nonzero approximation in the filter's safe range (core/filter_range.hpp)
    double approx_norm1 = 0;
  };
  static const Data& empty();
  // The one constructor of a row with data: a and b canonical (make_halfspace's job).
  Halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);
  friend Halfspace make_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);
  friend Halfspace make_unreduced_halfspace(const Vector& a, const Rational& b, RowOrigin origin);
  friend Halfspace make_unreduced_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);

  std::shared_ptr<const Data> data_;
};

// The canonical halfspace {x : a.x <= b} for rational a (not all zero) and b.
Halfspace make_halfspace(const Vector& a, const Rational& b, RowOrigin origin);
// Same, from integer data that may share a common factor.
Halfspace make_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);

// The same halfspace as make_halfspace(a, b) without dividing out the normal's content (no gcd,
// the dearest part of a canonical row): a positive multiple of the canonical row, with the same
// slack signs. Only for a row that answers a sign or certificate question and is then dropped:
// equality and same_hyperplane_as need the canonical form, so it must never join a cell.
Halfspace make_unreduced_halfspace(const Vector& a, const Rational& b, RowOrigin origin);
// Same, from integers (a not all zero): the row a.x <= b itself, with no common factor removed.
Halfspace make_unreduced_halfspace(std::vector<Integer> a, Integer b, RowOrigin origin);

// True iff x satisfies every row strictly.
bool strictly_inside(const std::vector<Halfspace>& rows, const Vector& x);

}  // namespace relucert
