#pragma once
// The domain Omega on which convexity is decided: all of R^d or a box prod [lo_i, hi_i]
// with lo_i < hi_i (a closed convex set with nonempty interior, THEORY.md §0).
#include <string>

#include "core/linear.hpp"

namespace relucert {

struct Domain {
  std::size_t dim = 0;
  bool is_box = false;  // false: all of R^d
  Vector lo, hi;        // only when is_box

  static Domain whole_space(std::size_t d) { return Domain{d, false, {}, {}}; }
  static Domain box(Vector lo, Vector hi);  // throws std::invalid_argument unless lo < hi
  bool contains(const Vector& x) const;
  Vector center() const;  // an interior point
  std::string describe() const;  // "R^2" or "[-1, 1] x [0, 3]"
};

// Parses the CLI form "LO:HI" (same interval on every axis) or "LO1:HI1,...,LOd:HId".
// Throws InputError naming "--box" on malformed text, wrong count or empty intervals.
Domain parse_box_spec(const std::string& spec, std::size_t dim);

}  // namespace relucert
