#pragma once
// The convexity check without the whole complex in memory (issue #13, streaming).
//
// The first layer's arrangement (the complex of layer 1 alone, small) cuts the domain into
// coarse cells G; on each, the first layer is affine and folds into the second
// (core/network_restriction.hpp), so the cells of f inside G are the complex of that folded net on
// the polytope G (geometry/region_complex.hpp, build_region_complex_in). Every adjacent pair of
// f's complex is either inside one G — a pair of G's complex — or across the facet G ∩ G' of two
// adjacent coarse cells, on their hyperplane H. On H the two sides have the same first-layer
// output (the switching neurons are 0 there), so both see one downstream arrangement on H and the
// pairs across G ∩ G' are the cells of the lower side G that touch it, one pair each; the builder
// follows the facet through G's build (PolytopeContact), and the jump at a contact's point x is
// f'(x; n) - g.n (core/one_sided_derivative.hpp). Each coarse cell is built, tested and dropped
// on its own: memory is the coarse complex plus one part at a time (per thread).
//
// The cells, pairs and distinct affine pieces are those of build_region_complex (each is
// canonical: a cell is a full-dimensional activation region, a pair two cells meeting in
// dimension d-1), so the counts are the same; the first violation is the first in part order
// (a part's own pairs, then the pairs across the facets it follows), with its witness from
// witness_across_kink, verified.
#include <functional>
#include <optional>
#include <string>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

// Why the streamed check does not apply to this net and domain (nullopt: it does): it needs
// d >= 3, at least two ReLU layers, a ReLU after the first layer and no skips from hidden layers.
std::optional<std::string> streamed_check_unsupported(const Network& net, const Domain& domain);

// The net whose region complex is the streamed check's coarse complex: layer 1 alone (its input
// skip terms dropped) under a zero scalar head; only the complex's cells and pairs are used.
Network first_layer_net(const Network& net);

struct StreamedCheck {
  BuildStatus status = BuildStatus::Complete;
  bool convex = false;            // meaningful when status == Complete
  std::size_t cells = 0, pairs = 0, pieces = 0;
  std::size_t coarse_cells = 0, coarse_pairs = 0;  // the parts
  std::size_t largest_part_cells = 0;               // the most cells held at once by one part
  unsigned long long lp_questions = 0, lp_exact_solves = 0;
  std::optional<Witness> witness;       // when not convex (verified)
  std::optional<std::string> violation;  // "x1 + x2 <= 0 (zero set of L2:N3)"
  bool declined = false;    // fewer parts than min_parts: nothing was decided
  // Status Stopped: the counts passed to the between_passes call that said stop.
  std::optional<BuildProgress> stopped_at;
};

// Runs the parts in other processes (distributed/, relucert-mpi). deal() must call compute(i)
// exactly once for every part i in [0, n), in any process (every process holds the same coarse
// complex: it is built deterministically from the net and the domain), and, on one process only
// (the root), merge(i, bytes of compute(i)) for i = 0, 1, ... in order, until merge returns false
// (then the remaining parts may be skipped). Returns whether this process was the root. The
// bytes are those of encode_part (analysis/streamed_part.hpp). share() then gives every process
// the root's bytes (the final result, encode_check), so every process ends with the same result.
struct PartDealer {
  virtual ~PartDealer() = default;
  virtual bool deal(std::size_t n, const std::function<std::string(std::size_t)>& compute,
                    const std::function<bool(std::size_t, std::string&&)>& merge) = 0;
  virtual void share(std::string& bytes) = 0;
  // Whether `mine` holds in every process (MPI: a logical-and reduction). Every process builds
  // the coarse complex under its own time and memory limits, so they agree on its completion
  // before any part is dealt: a process without the complex cannot compute parts.
  virtual bool everywhere(bool mine) { return mine; }
};

// limits: max_cells bounds the total of cells, time and memory the whole run; threads work on
// different parts (the result does not depend on it); between_passes is called after each part
// with the cumulative counts (returning false stops: BuildStatus::Stopped); progress likewise.
// With a dealer the parts run where it sends them (one thread each) and every process gets the
// root's result; between_passes runs on the root as parts are merged, and once more on the other
// processes with the counts at which the root stopped (so a line refuter walked in step finds the
// same witness everywhere).
// min_parts: when the first layer's arrangement has fewer cells, nothing else is built and the
// result says `declined` (check_convexity then builds the whole complex).
StreamedCheck streamed_check(const Network& net, const Domain& domain, const BuildLimits& limits = {},
                             PartDealer* dealer = nullptr, std::size_t min_parts = 0);

}  // namespace relucert
