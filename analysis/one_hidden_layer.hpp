#pragma once
// One hidden layer, exactly (THEORY.md §4): f(x) = sum_j v_j relu(w_j.x + b_j) + c.
//
//  * canonical_form: on the domain, f = sum_H alpha_H relu(h_H(x)) + A.x + a_0, one term per
//    hyperplane H crossing the interior of the domain, h_H normalised (first nonzero coefficient
//    1); neurons with v_j = 0, with w_j = 0, and (on a box) dead or always-active neurons are
//    folded into the affine part.
//  * convexity: f is convex on the domain iff every alpha_H >= 0; otherwise a fold witness
//    p +- t w_H (THEORY.md §3, §4), verified by the exact forward pass.
//  * Theorem D1 (box): a convex f equals an ICNN of the same width on the box.
//  * Theorem D2 (R^d): a convex f equals a 1-hidden-layer ICNN of width n' iff some
//    gamma in prod_H [0, alpha_H] has sum_H gamma_H w_H = -A and k + #fractional(gamma) <= n'.
//  * prove_equality: two 1-hidden-layer nets agree on the domain, shown on every cell of the
//    region complex of their difference.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

// f(x) = sum_j v[j] relu(W[j].x + b[j]) + c. First-layer input skips U are folded into W.
struct OneHiddenLayerNet {
  std::size_t dim = 0;
  Matrix W;
  Vector b, v;
  Rational c;
  std::size_t width() const { return W.size(); }
  Network to_network() const;
};

// nullopt (and *why) unless `net` has exactly two layers, a ReLU after the first only, and no
// input skip on the output layer.
std::optional<OneHiddenLayerNet> as_one_hidden_layer(const Network& net, std::string* why = nullptr);

enum class NeuronRole {
  Crossing,      // its hyperplane crosses the interior of the domain: part of a group
  ZeroOutput,    // v_j = 0: dropped
  ZeroWeights,   // w_j = 0: the constant v_j relu(b_j), folded into a_0
  Dead,          // box only: w_j.x + b_j <= 0 on the box: contributes 0
  AlwaysActive,  // box only: w_j.x + b_j >= 0 on the box: the affine v_j (w_j.x + b_j)
};
const char* neuron_role_name(NeuronRole r);

struct HyperplaneGroup {
  Vector w;                          // normalised: the first nonzero coefficient is 1
  Rational b;                        // h_H(x) = w.x + b
  Rational alpha;                    // sum over its neurons of v_j |s_j|
  std::vector<std::size_t> neurons;  // 0-based hidden indices, increasing
};

struct CanonicalForm {
  Domain domain;
  OneHiddenLayerNet net;
  std::vector<NeuronRole> roles;       // one per hidden neuron
  std::vector<HyperplaneGroup> groups;  // pairwise distinct hyperplanes, in order of first neuron
  Vector A;
  Rational a0;

  std::size_t positive_groups() const;  // k = #{H : alpha_H > 0}
  bool convex() const;                  // every alpha_H >= 0
  std::optional<std::size_t> first_negative_group() const;
  Rational value(const Vector& x) const;  // the canonical form evaluated exactly (x in the domain)
};

// Throws std::invalid_argument if the domain dimension differs from the net's. The canonical
// form is checked against the forward pass at a few exact points of the domain.
CanonicalForm canonical_form(const OneHiddenLayerNet& net, const Domain& domain);

// "x1 + 2*x2 - 5/4" for w.x + b.
std::string affine_text(const Vector& w, const Rational& b);

// THEORY.md §4 "only if": p on H inside the domain on no other group's hyperplane, and
// x, y = p -+ t w_H with no other hyperplane between them; gap = -alpha_H t |w_H|^2 > 0.
// Verified with verify_witness against `original` (the network the user gave).
// Throws std::logic_error if the construction fails its own exact check.
Witness fold_witness(const CanonicalForm& cf, std::size_t group, const Network& original);

// ---- Equality of two 1-hidden-layer nets on a domain -------------------------------------

struct EqualityProof {
  enum class Status { Proven, Refuted, Incomplete } status = Status::Incomplete;
  std::size_t cells = 0;                 // cells of the common refinement checked
  std::optional<Vector> counterexample;  // when refuted: g(x) != f(x)
  std::string reason;                    // when incomplete: the limit reached
};

// The 1-hidden-layer net g - f: both neuron sets, output weights (v_g, -v_f), bias c_g - c_f.
OneHiddenLayerNet difference_net(const OneHiddenLayerNet& g, const OneHiddenLayerNet& f);

// Builds the region complex of g - f on the domain and checks that on every cell its affine
// piece is identically 0 (gradient 0 and offset 0), and that g and f agree at the cell's
// interior point by the forward pass. The cells cover the domain, so g = f on it.
EqualityProof prove_equality(const OneHiddenLayerNet& g, const OneHiddenLayerNet& f, const Domain& domain,
                             const BuildLimits& limits = {});

// ---- Theorem D1: same-width ICNN on a box ------------------------------------------------

// Precondition: cf.convex() and cf.domain.is_box. Output weights >= 0, width n (the input's).
OneHiddenLayerNet icnn_on_box(const CanonicalForm& cf);

// ---- Theorem D2: ICNN on R^d ----------------------------------------------------------------

struct WholeSpaceSearchLimits {
  unsigned long long max_steps = 1ull << 20;  // gamma candidates tried by the exact width search
};

struct WholeSpaceIcnn {
  std::size_t width = 0;   // n, of the input net
  std::size_t k = 0;       // #{H : alpha_H > 0}
  std::size_t rank = 0;    // rank of {w_H : alpha_H > 0}
  // -A in the zonotope sum_H [0, alpha_H] w_H (exact LP; its point or Farkas vector is checked).
  bool zonotope_feasible = false;
  Vector lp_gamma;         // one entry per group (0 where alpha_H <= 0) when feasible
  Vector farkas;           // one multiplier per coordinate of -A when infeasible
  // When infeasible: u = -farkas is a direction along which f decreases linearly,
  // recession_slope = f_inf(u) = sum_j v_j relu(w_j.u) < 0 (from the input weights), whereas
  // every 1-hidden-layer ICNN has f_inf >= 0.
  Vector descent_direction;
  Rational recession_slope;
  // Exact search over which coordinates of gamma are fractional.
  bool search_complete = false;
  unsigned long long search_steps = 0;
  std::optional<std::size_t> minimal_width;  // exact when the search completed and feasible
  std::size_t width_lower_bound = 0;         // when feasible: minimal width >= this
  std::optional<std::size_t> width_upper_bound;  // when feasible: an ICNN of this width exists
  std::optional<bool> same_width;            // an ICNN of width n exists; nullopt: unknown
  Vector gamma;                              // the gamma used for `icnn` (one entry per group)
  std::optional<OneHiddenLayerNet> icnn;     // width n when same_width, else the smallest found
};

// Precondition: cf.convex() and the domain is R^d. Widths are at least 1 (a network has at
// least one hidden neuron; a zero neuron represents the constant case).
WholeSpaceIcnn icnn_on_whole_space(const CanonicalForm& cf, const WholeSpaceSearchLimits& limits = {});

// The ICNN sum_H (alpha_H - gamma_H) relu(h_H) + gamma_H relu(-h_H) + a_0 + sum gamma_H b_H,
// one neuron per nonzero term, padded with zero neurons to `width` (>= the neurons needed).
OneHiddenLayerNet icnn_from_gamma(const CanonicalForm& cf, const Vector& gamma, std::size_t width);

// Output weights >= 0 (first layer free): an ICNN (THEORY.md §5).
bool is_icnn(const OneHiddenLayerNet& net);

}  // namespace relucert
