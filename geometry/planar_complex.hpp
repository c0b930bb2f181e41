#pragma once
// An exact region-complex builder specialised to d = 2 on a box (THEORY.md §1, "Computing
// cells exactly"), with the same contents as build_region_complex but without any LP.
//
// Each cell is a convex polygon in a planar subdivision (vertices and edges shared between
// cells). Neurons are processed in topological order; a neuron's pre-activation line on a
// cell is an exact 256-bit fixed-point row (the weights' denominators are cleared once, per
// layer), its sign at a vertex is a filtered predicate (double with a proven error bound,
// exact GMP determinant when the bound does not decide), and a polygon is split exactly when
// signs differ. Crossing points are inserted into the neighbouring polygon too, so every
// edge has exactly one cell on each side and adjacencies (also non-face-to-face ones in
// the sense of THEORY.md §1 fine point 2) are read off the edges.
#include <optional>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

// The complex, or nullopt when the planar path does not apply: input dimension other than 2,
// a domain that is not a box, an observer attached (its events are not emitted here), a
// non-scalar output, or weights whose cleared denominators do not fit the fixed-point range.
// In all those cases build_region_complex's general builder is used instead.
std::optional<RegionComplex> build_planar_complex(const Network& net, const Domain& domain, const BuildLimits& limits = {},
                                                  BuildObserver* observer = nullptr);

// Streaming verdict (no RegionComplex): the same complex is built, then the jump test of
// THEORY.md §1 runs on the planar edges in exact fixed-point arithmetic. nullopt: not
// applicable (as above). When a violating pair exists, the first one in edge order is
// reported by an exact point of its edge's relative interior and the edge normal pointing into
// the cell whose gradient is smaller along it, so the caller can build a witness there
// (analysis/witness.hpp, witness_across_kink) without the full complex.
struct PlanarVerdict {
  BuildStatus status = BuildStatus::Complete;
  bool convex = false;  // meaningful only when status == Complete
  std::size_t cells = 0, pairs = 0, pieces = 0;
  std::optional<Vector> kink_point, kink_normal;  // set when complete and not convex
  std::optional<NeuronId> kink_neuron;            // the neuron whose zero set holds the edge
};
std::optional<PlanarVerdict> planar_convexity(const Network& net, const Domain& domain, const BuildLimits& limits = {});

// Test hook: when false, build_region_complex never takes the planar path (so tests can
// compare the planar builder with the general one). Default true.
void set_planar_builder_enabled(bool enabled);
bool planar_builder_enabled();

}  // namespace relucert
