#pragma once
// A non-convexity witness (THEORY.md §3): points x, y of the domain with
// gap = 2 f((x+y)/2) - f(x) - f(y) > 0. Anyone can check it with an exact forward pass.
#include <optional>
#include <string>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

struct Witness {
  Vector x, y;
  Rational gap;
};

// The exact gap 2 f((x+y)/2) - f(x) - f(y), by the forward pass alone.
Rational midpoint_gap(const Network& net, const Vector& x, const Vector& y);

// True iff x, y lie in the domain and the recomputed gap is positive and equals w.gap.
bool verify_witness(const Network& net, const Domain& domain, const Witness& w);

// A witness across a violating adjacency (lambda < 0), built from the relative-interior point
// of the shared facet and a ratio test along the facet normal; verified before it is returned.
// nullopt if the adjacency does not violate convexity.
std::optional<Witness> witness_from_adjacency(const Network& net, const RegionComplex& complex, std::size_t adjacency);

// A witness at a concave kink known only by a point p of a facet's relative interior and the
// facet normal n pointing into the side whose gradient is smaller along n (the planar builder's
// verdict reports one): x = p - t n, y = p + t n with (x + y)/2 = p, for the largest t = 2^-k
// (n scaled to max |n_i| = 1, k = 0, 1, ...) that an exact forward pass confirms. Once x and y lie
// in the two cells beside the facet the gap is -t (g_+ - g_-).n > 0, so a small enough t always
// works; nullopt only if p, n do not describe a concave kink (within 2^-512).
std::optional<Witness> witness_across_kink(const Network& net, const Domain& domain, const Vector& p, const Vector& n);

}  // namespace relucert
