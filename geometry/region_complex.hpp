#pragma once
// The affine-region complex of a ReLU network on a domain (THEORY.md §1, "Computing cells
// exactly"), in any input dimension, together with every adjacent pair of cells.
//
// Cells are split neuron by neuron in topological order: on a cell, each neuron's
// pre-activation is affine, because the activation pattern of all earlier neurons is fixed
// there. Only full-dimensional cells are kept. Adjacent pairs (dim(C_i ∩ C_j) = d-1, also
// when the shared piece is only part of a facet) are maintained through every split, each
// with an exact point in the relative interior of the shared piece.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/scaled_map.hpp"
#include "geometry/approx_vertices.hpp"
#include "geometry/halfspace.hpp"

namespace relucert {

class WorkShare;  // geometry/work_share.hpp

struct Cell {
  Cell() = default;
  Cell(const Cell&) = default;
  Cell& operator=(const Cell&) = default;
  // noexcept (Rational's move is not declared so), so growing the cell vector moves, not copies.
  Cell(Cell&&) noexcept = default;
  Cell& operator=(Cell&&) noexcept = default;

  std::vector<Halfspace> rows;  // the cell is {x : every row holds}; includes domain faces
  Vector point;                 // exact point strictly inside every row
  // One entry per ReLU neuron processed so far (topological order): Positive = active,
  // Negative = inactive, Zero = pre-activation identically zero on the cell (inactive).
  std::vector<Sign> pattern;
  Vector gradient;              // f = gradient.x + offset on the cell (set when the build completes)
  Rational offset;
  std::vector<std::size_t> adjacencies;  // indices into RegionComplex::adjacencies
  // Working state during the build: the affine map of the current layer's input, and the
  // current layer's pre-activations. Shared, never modified in place: the two halves of a split
  // have the same maps until the layer is done, so a split copies a pointer, not the matrices.
  // Both as integers over column denominators with doubles beside them (core/scaled_map.hpp):
  // the form the next layer's compose and the float filters read.
  std::shared_ptr<const ScaledAffineMap> layer_input;
  std::shared_ptr<const ScaledAffineMap> preactivation;
  // Outputs of earlier layers that a later layer takes as a skip term (index = layer - 1;
  // empty for layers nobody skips from).
  std::shared_ptr<const std::vector<AffineMap>> skip_sources;
};

// Two cells whose intersection is (d-1)-dimensional.
struct Adjacency {
  std::size_t lower = 0;  // the cell on the side facet.a.x <= facet.b
  std::size_t upper = 0;  // the cell on the side facet.a.x >= facet.b
  Halfspace facet;        // facet.a is the normal pointing from `lower` into `upper`
  Vector point;           // exact point of the relative interior of lower ∩ upper
};

// A cell touching a followed facet of a polytope domain (PolytopeContact) in dimension d-1.
struct BoundaryContact {
  std::size_t cell = 0;  // index into RegionComplex::cells
  std::size_t tag = 0;   // the PolytopeContact's tag
  Vector point;          // in the relative interior of (cell ∩ the contact's facet)
};

// How the sides of the contacts of cells that split were decided (a side the contact's own point
// is on needs nothing): by the walk in double, verified exactly (a point, or a Motzkin certificate
// that the side is empty), or by the LP where the walk settled nothing.
struct ContactCounts {
  unsigned long long walk_points = 0, walk_empty = 0;
  unsigned long long lp_points = 0, lp_empty = 0;
};

// Tests and measurements: how those sides are decided. Walk (the default): the walk, then the LP
// where it settles nothing. Lp: the LP alone. Checked: as Walk, and the LP is asked too wherever
// the walk answered; a disagreement throws std::logic_error. The complex is the same in all three
// (contact points aside).
enum class ContactWalkMode { Walk, Lp, Checked };
void set_contact_walk_mode(ContactWalkMode mode);
ContactWalkMode contact_walk_mode();

// Vertex guides (geometry/approx_vertices.hpp) for the builder's questions in low dimension: on
// by default. Off, every question goes to the LPs (tests compare: the same complex, points aside).
void set_vertex_guides_enabled(bool enabled);
bool vertex_guides_enabled();

// Where a build stands, for progress reports (BuildLimits::progress).
struct BuildProgress {
  std::size_t cells = 0;          // cells so far
  std::size_t pairs = 0;          // adjacent pairs so far
  std::size_t neurons_done = 0;   // ReLU neurons whose pass over the cells is complete
  std::size_t neurons_total = 0;
  double seconds = 0;             // since the build started
  unsigned long long lp_questions = 0;  // strict-feasibility questions so far (set for between_passes)
};

struct BuildLimits {
  std::size_t max_cells = 0;      // 0 = no limit
  double time_limit_seconds = 0;  // 0 = no limit
  // Threads for the independent questions of one neuron's pass over the cells (1 = the calling
  // thread only). The complex, its cell and pair order, and every stored point are identical for
  // any value: workers only answer questions about the state before the pass, and the answers are
  // applied sequentially in cell and pair order.
  unsigned threads = 1;
  // When set, called on the building thread after each neuron's pass (and at most every 0.2 s
  // within a long pass); for progress bars only.
  std::function<void(const BuildProgress&)> progress;
  std::size_t max_memory_mb = 0;  // 0 = no limit; resident memory of the process (core/memory_usage.hpp)
  // When set, called on the building thread after each neuron's pass, with counts that depend on
  // the net and the domain only (not on threads or timing), so what the caller does there is
  // reproducible; returning false stops the build (BuildStatus::Stopped). check_convexity walks
  // its refuter lines here, in step with the build's work.
  std::function<bool(const BuildProgress&)> between_passes;
  // When set (relucert-mpi; not owned), the build is collective: every rank of the share calls
  // build_region_complex with the same net, domain and limits, each answers its share of every
  // pass's questions, and all end with the complex one process builds (geometry/work_share.hpp).
  // The time and memory limits are then decided together: a rank that reaches one stops answering,
  // and at the next exchange every rank stops with the same status. Null: this process alone.
  WorkShare* share = nullptr;
};

enum class BuildStatus { Complete, CellLimit, TimeLimit, MemoryLimit, Stopped };

// "cell limit reached (--max-cells)" etc.: the reason printed with a verdict unknown.
inline const char* limit_reason(BuildStatus s) {
  switch (s) {
    case BuildStatus::CellLimit: return "cell limit reached (--max-cells)";
    case BuildStatus::TimeLimit: return "time limit reached (--time-limit)";
    case BuildStatus::MemoryLimit: return "memory limit reached (--memory-limit)";
    case BuildStatus::Stopped: return "stopped by the caller";
    case BuildStatus::Complete: break;
  }
  return "complete";
}

// Optional listener for the split tree (CaDiCaL tracer style; used by the certificate writer,
// analysis/certificate.*). Events arrive in build order; cell indices are those of
// RegionComplex::cells at the time of the event. Every event has a no-op default.
struct BuildObserver {
  virtual ~BuildObserver() = default;
  // Neuron `neuron` (global ReLU index) was settled on cell `cell` without a split; on the cell its
  // pre-activation is z = w.x + w0 and has sign `sign` (Zero only when w = 0 and w0 = 0).
  virtual void on_nosplit(std::size_t /*cell*/, std::size_t /*neuron*/, const Vector& /*w*/, const Rational& /*w0*/,
                          Sign /*sign*/) {}
  // Cell `cell` was split by z = w.x + w0 of `neuron`: it keeps the side z >= 0 (new point p_pos)
  // and the new cell `neg_cell` is the side z <= 0 (point p_neg).
  virtual void on_split(std::size_t /*cell*/, std::size_t /*neg_cell*/, std::size_t /*neuron*/, const Vector& /*w*/,
                        const Rational& /*w0*/, const Vector& /*p_pos*/, const Vector& /*p_neg*/) {}
};

struct RegionComplex {
  std::size_t dim = 0;
  Domain domain;
  std::vector<NeuronId> neurons;  // ReLU neurons in topological order
  std::vector<Cell> cells;
  std::vector<Adjacency> adjacencies;
  std::vector<BoundaryContact> contacts;  // build_region_complex_in with PolytopeDomain::contacts only
  // Per cell when vertex guides were used (d = 3): its vertices in double with their rows
  // (indices into the cell's rows), or empty. A guess (geometry/approx_vertices.hpp), never an
  // answer: the streamed check hands a coarse cell's to its part (PolytopeDomain::guide).
  std::vector<ApproxVertices> guides;
  ContactCounts contact_counts;           // likewise: how the contacts' splits were decided
  BuildStatus status = BuildStatus::Complete;
  // Strict-feasibility questions asked while building: all of them, and those the float
  // filter could not settle, which went to the exact LP solver.
  unsigned long long lp_questions = 0;
  unsigned long long lp_exact_solves = 0;

  std::size_t distinct_affine_pieces() const;
  std::string pattern_string(const Cell& c) const;  // "+-0+..." in neuron order
};

RegionComplex build_region_complex(const Network& net, const Domain& domain, const BuildLimits& limits = {},
                                   BuildObserver* observer = nullptr);

// A full-dimensional polytope {x : every row holds} with a point strictly inside every row: the
// domain of a partial build (the streamed check, analysis/streamed_check.hpp, builds each cell of
// the first layer's arrangement, and each facet between two of them, as one such polytope). The
// rows are kept in every cell as domain faces (RowOrigin::Kind::Domain, their index = position).
// Optionally, contacts: facets of the polytope to follow through the build. Each is one of the
// rows (the polytope on its side), a point of the facet's relative interior (strictly inside
// every other row) and a caller's tag; the complex then lists, for every cell touching that facet
// in dimension d-1, one BoundaryContact with a point of the relative interior of the contact.
struct PolytopeContact {
  Halfspace facet;
  Vector point;
  std::size_t tag = 0;
};

struct PolytopeDomain {
  std::vector<Halfspace> rows;
  Vector interior;
  std::vector<PolytopeContact> contacts;
  // Optional: the polytope's vertices in double, labelled by indices into rows (as
  // RegionComplex::guides). Used as the starting cell's vertex guide instead of enumerating it
  // again; a wrong guide only costs the exact fallbacks it would have spared.
  ApproxVertices guide;
};


// The complex of `net` on the polytope; RegionComplex::domain is R^d (the rows bound the cells).
// Never takes the planar path. Throws std::invalid_argument when `interior` is not strictly
// inside every row or its dimension differs from the net's input.
RegionComplex build_region_complex_in(const Network& net, const PolytopeDomain& polytope, const BuildLimits& limits = {});

}  // namespace relucert
