#pragma once
// Tier 1, structural (issue #14): f is convex when, after exact rewrites that hold on the domain,
// it is an ICNN-like composition: every ReLU output enters what comes after it with a coefficient
// >= 0 (input terms of any sign), so each ReLU sees a convex argument.
//
// The rewrites, each justified on the domain by an exact argument:
//   dead      z_n <= 0 on the domain (interval bound)        => h_n = 0
//   active    z_n >= 0 on the domain                         => h_n = z_n (folded into what follows)
//   duplicate z_n = alpha z_i exactly, alpha > 0             => h_n = alpha h_i
//   opposite  z_n = -alpha z_i exactly, alpha > 0            => h_n = alpha (h_i - z_i)
// Every pre-activation is kept as an exact linear combination of the inputs, a constant and the
// remaining ReLU outputs ("atoms"), so folded and merged neurons cancel exactly (relu(t) - relu(-t)
// = t is affine). The bounds come from these combinations (symbolic intervals), not from the
// layer-by-layer intervals, which is what lets always-active chains fold.
#include <optional>
#include <string>
#include <vector>

#include "analysis/tiers/interval.hpp"
#include "analysis/tiers/tier.hpp"

namespace relucert::tiers {

enum class NeuronState { Relu, Dead, Active, Duplicate, Opposite };
const char* state_name(NeuronState s);  // "relu" | "dead" | "active" | "duplicate" | "opposite"

// What the structural pass decided for one ReLU neuron (topological order).
struct StructuralStep {
  NeuronId neuron;
  NeuronState state = NeuronState::Relu;
  NeuronId of;     // Duplicate/Opposite: the earlier neuron (state Relu) it is a multiple of
  Rational alpha;  // Duplicate/Opposite: the factor, > 0
  Interval bound;  // the bound of z_n on the domain that the state was decided with
};

// f as an exact combination of inputs, a constant and atoms (canonical ReLU neurons).
struct Combination {
  Vector x;    // coefficients of the inputs (size d)
  Rational c;  // constant
  std::vector<std::pair<std::size_t, Rational>> atoms;  // (atom index, nonzero coefficient), increasing index
};

// The shape of a combination: the lattice the sign check runs on.
enum class Shape { Affine, Convex, Concave, Neither };

struct StructuralAnalysis {
  std::vector<StructuralStep> steps;      // one per ReLU neuron, topological order
  std::vector<NeuronId> atom_neurons;     // atom index -> its neuron
  std::vector<Combination> atom_inputs;   // atom index -> the combination inside its ReLU
  std::vector<Shape> atom_shapes;         // Convex or Neither
  Combination f;                          // the analysed output after the rewrites
  Shape f_shape = Shape::Neither;
  std::string blocker;                    // when f is not Affine/Convex: the first obstacle, in words
  std::size_t dead = 0, active = 0, merged = 0;
  bool proves_convex() const { return f_shape == Shape::Affine || f_shape == Shape::Convex; }
};

StructuralAnalysis analyse_structure(const Network& net, const Domain& domain);

// f(x) computed from the rewritten form (atoms evaluated in order); equals net.value(x) on the
// domain when the rewrites are right (checked by tests at many points).
Rational evaluate_rewritten(const StructuralAnalysis& a, const Vector& x);

// The structural certificate (docs/certificate.md §8) when the analysis proves convexity.
std::optional<TierProof> prove_structural(const Network& net, const Domain& domain);
TierProof structural_proof(const StructuralAnalysis& a, const Domain& domain);  // needs a.proves_convex()

}  // namespace relucert::tiers
