#pragma once
// Tier 2, bounded path-lifting (issue #14; THEORY.md §2.2). Across a facet F where neuron m
// switches, the gradient jumps by a nonnegative multiple of c_m(D⁺) summed over the switching
// neurons (★), where D⁺ is the downstream pattern of the cell on one side and F lies in
// {z_m = 0} ∩ domain. So f is convex when, for every m, c_m(D) >= 0 for every pattern D that
// can occur next to m's zero set. Those patterns are over-approximated without the complex:
// a downstream neuron whose interval bound on {z_m = 0} ∩ domain is strictly positive (negative)
// has the bit 1 (0) there; the others are free. Then a lower bound of c_m over the free bits
// comes from interval arithmetic (or, with at most 8 free bits, the exact minimum). A neuron
// whose bound on the whole domain is strictly signed has an empty zero set and no condition.
//
// Layered nets only (input skips allowed): every hidden layer with ReLU, the last layer affine.
#include <optional>
#include <string>
#include <vector>

#include "analysis/tiers/layer_bounds.hpp"
#include "analysis/tiers/tier.hpp"

namespace relucert::tiers {

// How one neuron's condition was settled, in the order it is tried (cheapest first).
enum class PathLiftScope { NeverZero, Domain, ZeroSet };

struct NeuronPathLift {
  NeuronId neuron;
  PathLiftScope scope = PathLiftScope::NeverZero;
  std::string bits;         // downstream hidden neurons, layer by layer: '+' bit 1, '-' bit 0, '*' free
  bool enumerated = false;  // lower is the exact minimum over the free bits (else an interval bound)
  Rational lower;           // a lower bound of c_m over the admitted patterns
};

struct PathLiftAnalysis {
  std::vector<NeuronPathLift> neurons;  // topological order; complete only when proves_convex
  bool proves_convex = false;
  std::string blocker;  // when not: the first neuron whose bound stays negative, or why the tier does not apply
  std::string blocking_neuron;  // that neuron's name ("L2:N7"), when a neuron is the obstacle
};

// Stops at the first neuron that fails (neurons are tried from the last hidden layer back,
// where failures are likeliest), so a non-convex net costs little.
PathLiftAnalysis analyse_bounded_pathlift(const Network& net, const Domain& domain);

// The "neuron ..." lines of a path-lifting certificate (docs/certificate.md §9).
std::string pathlift_lines(const PathLiftAnalysis& a);
std::optional<TierProof> prove_bounded_pathlift(const Network& net, const Domain& domain);
TierProof pathlift_proof(const PathLiftAnalysis& a, const Domain& domain);  // needs a.proves_convex
std::string pathlift_summary(const PathLiftAnalysis& a);

}  // namespace relucert::tiers
