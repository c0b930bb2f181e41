#pragma once
// The per-neuron path-lifting condition PN of THEORY.md §2.2, decided exactly on the facets of
// the region complex. It is a one-sided test:
//   * PN passes  => f is convex on the domain (Theorem B2; the argument is in path_lifting.cpp);
//   * PN fails   => nothing is proven: convex networks fail it whenever the non-degeneracy
//                   condition (G) of Proposition B3 fails (duplicate neurons, opposite neurons,
//                   coinciding bent hyperplanes, pre-activations vanishing on open sets).
// `relucert check` (Theorem A) decides both ways; this module reproduces the paper's per-neuron
// test in exact arithmetic so that its verdicts can be compared with the true ones.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/relu_preactivations.hpp"  // relu_preactivations, relu_signs_at
#include "geometry/region_complex.hpp"

namespace relucert {

// The downstream ReLU neurons of a neuron m = (l, k): every ReLU neuron of layers l+1, ..., in
// topological order. A downstream activation pattern D has one entry per such neuron.
std::vector<NeuronId> downstream_neurons(const Network& net, const NeuronId& m);

// c_m(D) = W^{L+1} D_L W^L ... D_{l+1} W^{l+1} e_k (THEORY.md §0), exactly: the derivative of f
// with respect to m's activation when the downstream neurons are fixed to the pattern D
// (active[i] for downstream_neurons(net, m)[i]). Linear layers count as always active; biases
// and input skips play no role. For the last ReLU layer D is empty and c_m is the output weight.
// Throws std::invalid_argument if active has the wrong size or m is not a ReLU neuron.
// Throws std::invalid_argument when the network has skip terms from earlier layers' outputs:
// PN (THEORY.md §2.2) is stated for layered networks (input skips U are fine).
void require_layered(const Network& net);

Rational path_lifting_value(const Network& net, const NeuronId& m, const std::vector<bool>& active);

struct PathLiftFailure {
  std::string pattern;  // downstream activity, '1' active / '0' not, layers separated by '|'
  Rational c;           // c_m(D) < 0
};

enum class NeuronPnStatus { Pass, Fail, NoFacet };
const char* neuron_pn_status_name(NeuronPnStatus s);  // "pass" | "fail" | "no facet on the domain"

struct NeuronPathLift {
  NeuronId neuron;
  NeuronPnStatus status = NeuronPnStatus::NoFacet;
  std::string downstream_layers;     // "L2|L3": how `pattern` strings are grouped ("" for the last layer)
  std::size_t faces = 0;             // adjacencies of the complex whose facet lies on m's zero set
  std::size_t patterns_checked = 0;  // distinct downstream patterns D (after expansion)
  std::size_t failing_count = 0;     // how many of them have c_m(D) < 0
  std::vector<PathLiftFailure> failing;  // the first `PathLiftOptions::max_failures_listed`, by pattern
  // Every pattern D on m's zero set (after expansion) with its c_m(D), when
  // PathLiftOptions::list_all_patterns is set: the exact (m, D) set of the convexity penalty of
  // relucert.torch (docs/training.md). Bits in downstream_neurons(net, m) order.
  std::vector<std::pair<std::vector<bool>, Rational>> all_patterns;
};

enum class PnVerdict { Pass, Fail, Unknown };
const char* pn_verdict_name(PnVerdict v);  // "pass" | "fail" | "unknown"

struct PathLiftOptions {
  BuildLimits limits;
  // Every 0 of a downstream sign vector doubles the patterns to check; stop (verdict unknown)
  // rather than enumerate more than this many in total. 0 = no limit.
  std::size_t max_patterns = std::size_t(1) << 20;
  std::size_t max_failures_listed = 100;  // per neuron; failing_count is always exact
  bool list_all_patterns = false;         // fill NeuronPathLift::all_patterns
};

struct PathLiftResult {
  PnVerdict verdict = PnVerdict::Unknown;
  std::vector<NeuronPathLift> neurons;  // every ReLU neuron, topological order (empty if unknown)
  std::size_t cells = 0, pairs = 0;
  std::string unknown_reason;           // only when verdict == Unknown
  double seconds = 0;
};

// Builds the region complex of net on domain and decides PN on its facets.
PathLiftResult check_path_lifting(const Network& net, const Domain& domain, const PathLiftOptions& options = {});

// Same on an already built complex (which must be complete, else the verdict is Unknown).
PathLiftResult check_path_lifting(const Network& net, const RegionComplex& complex, const PathLiftOptions& options = {});

}  // namespace relucert
