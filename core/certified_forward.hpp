#pragma once
// A forward pass in double with a proven error bound on every pre-activation: a filter in front
// of the exact passes of core/relu_preactivations.hpp and core/one_sided_derivative.hpp. It
// answers only what its bounds certify and says "don't know" (nullopt) otherwise, so the caller's
// exact pass decides the rest; no answer of it depends on a rounding that went the wrong way.
//
// Error analysis (per neuron z = b + sum_j w_j a_j of n terms; u = 2^-53). Weights and inputs
// are converted with to_double (core/rational.hpp: relative error below 2u); every nonzero one
// must lie in [2^-500, 2^500], and every computed pre-activation below 2^600 in magnitude, so
// nothing overflows. With a~_j known within e_j of the exact a_j, and M = |b~| + sum |w~_j a~_j|,
// E = sum |w~_j| e_j, the exact z is within
//   e_z = (E + (n + 4) 2u M) (1 + (n + 4) 4u) + (n + 2) 2^-1070
// of the computed z~: (1 + 4u) E covers the inputs' errors through the weights, 2u M the
// weights' conversion, (n + 2) u M (1 + ..) the rounded products and sums, the factor the
// rounding of E and M themselves, and the last term products that underflow (an activation can
// be arbitrarily small after cancellation). A ReLU is 1-Lipschitz, so its output is within e_z
// too. A sign is certified when |z~| > e_z.
#include <optional>
#include <vector>

#include "core/network.hpp"
#include "core/sign.hpp"

namespace relucert {

// A value known to lie in [value - error, value + error].
struct CertifiedDouble {
  double value = 0, error = 0;
  // The sign, when the interval certifies it.
  std::optional<Sign> sign() const;
};

// The weights of a network without skip terms, converted once. usable() is false when some
// weight is out of the filter's range or the net has skip terms; every query then says nullopt.
class CertifiedForward {
 public:
  explicit CertifiedForward(const Network& net);
  bool usable() const { return usable_; }

  // The exact sign of every ReLU pre-activation at x (topological order), when the bounds
  // certify every neuron after the first layer; the first layer's uncertain neurons (a point on
  // one of their hyperplanes, say) are decided exactly, from the row and x. nullopt: use
  // relu_signs_at.
  // on_first_layer_plane: a first-layer neuron whose pre-activation the caller knows to be
  // exactly 0 at x (x was built on its hyperplane); it is then not evaluated.
  std::optional<std::vector<Sign>> relu_signs(const Vector& x, std::optional<std::size_t> on_first_layer_plane = std::nullopt) const;

  // f'(x; u) within a proven error, from the exact ReLU signs at x (core/one_sided_derivative.hpp);
  // nullopt when a neuron that is zero at x has a derivative along u the bounds do not sign.
  std::optional<CertifiedDouble> one_sided_slope(const std::vector<Sign>& signs_at_x, const Vector& u) const;

  // f'(x; u) + f'(x; -u), the kink of f at x along u (>= 0 where f is convex around x), within a
  // proven error, from the exact ReLU signs at x. Exactly {0, 0} when no neuron that is zero at x
  // passes a nonzero change on to the output (an inactive kink): certified zero, not merely
  // small. nullopt as for one_sided_slope (a zero neuron's slope sign not certified, either way).
  std::optional<CertifiedDouble> slope_jump(const std::vector<Sign>& signs_at_x, const Vector& u) const;

 private:
  struct DoubleLayer {
    std::vector<double> W;  // width x fan_in, row-major
    std::vector<double> b;
    std::size_t fan_in = 0;
    bool relu = true;
  };
  const Network& net_;
  std::vector<DoubleLayer> layers_;
  bool usable_ = false;
};

// sum_j a_j b_j within a proven error (the bound above, b = 0 and exact inputs); nullopt when an
// entry is out of range.
std::optional<CertifiedDouble> certified_dot(const Vector& a, const Vector& b);

// a - b, within the sum of their errors and the subtraction's rounding.
CertifiedDouble certified_difference(const CertifiedDouble& a, const CertifiedDouble& b);

}  // namespace relucert
