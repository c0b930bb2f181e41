#pragma once
// The convexity decision (THEORY.md §1, Theorem A): f is convex on the domain iff across
// every adjacent pair of cells the gradient jumps by lambda * n with lambda >= 0.
// A cheap exact refuter on random lines runs first and alongside (analysis/refuter_schedule.hpp);
// a verdict is never decided by a float.
#include <cstdint>
#include <optional>
#include <string>

#include "analysis/tiers/tier.hpp"
#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

enum class Verdict { Convex, NotConvex, Unknown };
const char* verdict_name(Verdict v);  // "convex" | "not_convex" | "unknown"

struct PartDealer;  // analysis/streamed_check.hpp

struct CheckOptions {
  std::size_t refuter_lines = 24;  // 0 disables the line refuter
  std::uint64_t seed = 1;
  // limits.share (geometry/work_share.hpp; relucert-mpi) makes the check collective: the region
  // complex is built by all ranks together, and the jump test is split over them (each scans a
  // contiguous share of the pairs; the smallest violating index over all shares is the one of a
  // single process). Everything else (refuter lines, tiers) runs on every rank, identically.
  BuildLimits limits;
  // Which provers run (issue #14): auto tries the tiers cheapest first, then the line refuter,
  // branch and bound on a box, and the region complex; a forced tier 1-2 that finds no proof
  // gives unknown (they never refute); branch and bound decides both ways with part complexes.
  tiers::Method method = tiers::Method::Auto;
  std::size_t branch_parts = 0;  // branch-and-bound part limit; 0: 4096 when forced, 64 in auto
  // Whether the region-complex step streams (analysis/streamed_check.hpp: part by part, never
  // the whole complex in memory). Auto streams wherever it applies (d >= 3, two or more ReLU
  // layers) and the first layer cuts the domain into at least kStreamFromParts cells: the
  // streamed check is the cheaper of the two on every bench shape measured, d = 3..6, depth 2..6
  // (about 2x less CPU at d = 6 [10,10] and d = 3 [8]x6, the same at d = 3 [4,4]), besides
  // never holding the complex (d = 5 [16,16,16]: 113 MB streamed, 1.8 GB whole). Same verdict
  // and counts either way; the witness may differ (both verified).
  enum class Stream { Auto, Always, Never };
  Stream stream = Stream::Auto;  // `relucert check --stream` / `--whole-complex`
  static constexpr std::size_t kStreamFromParts = 1;
  // When set, the streamed check's parts run where it sends them (distributed/, relucert-mpi);
  // not owned. Every process gets the same CheckResult.
  PartDealer* dealer = nullptr;
};

struct CheckResult {
  Verdict verdict = Verdict::Unknown;
  std::optional<Witness> witness;
  std::string method;        // "line-refuter" | "region-complex" | a tier_name()
  std::optional<tiers::TierProof> proof;  // convex by a tier: its certificate and summary
  std::string unknown_reason;
  // Where the non-convexity was found, in the user's vocabulary, e.g.
  // "x1 + x2 <= 0 (zero set of L1:N3)" for a concave fold across that facet.
  std::optional<std::string> violation;
  std::size_t cells = 0, pairs = 0, pieces = 0;
  // When the region complex was streamed (analysis/streamed_check.hpp): its parts (cells of the
  // first layer), the facets between them, and the most cells one part held at once.
  struct Streamed {
    std::size_t coarse_cells = 0, coarse_facets = 0, largest_part_cells = 0;
  };
  std::optional<Streamed> streamed;
  // Branch and bound (method "branch-and-bound"): parts proved by bounded path-lifting and parts
  // answered by their own complexes (cells then counts the cells of those complexes).
  std::size_t pathlift_parts = 0, complex_parts = 0;
  unsigned long long lp_questions = 0, lp_exact_solves = 0;
  // The full refuter's lines walked and their work (LineRefuter::work units; the two quick lines
  // before the tiers are not counted): deterministic, so tests can bound what the lines cost.
  std::size_t refuter_lines = 0;
  unsigned long long refuter_work = 0;
  double seconds = 0;
  // Wall-clock seconds per phase (for reports and bench/; never part of a verdict):
  // the line refuter (including its witness check), the region complex with its adjacent pairs,
  // the jump test (with the count of distinct affine pieces), the witness from a violating pair.
  struct Phases {
    double tiers = 0, refuter = 0, complex = 0, jumps = 0, witness = 0;
  } phases;
};

// The jump test on a complete complex: index of an adjacency with lambda < 0, if any.
// Also asserts that every jump is parallel to its facet normal (continuity; THEORY.md §1).
// `threads` only splits the work: the answer (the first such pair) is the same for any value.
std::optional<std::size_t> find_violating_adjacency(const RegionComplex& complex, unsigned threads = 1);

CheckResult check_convexity(const Network& net, const Domain& domain, const CheckOptions& options = {});

// "x1 + x2 <= 0 (zero set of L1:N3)" for a facet row of the complex.
std::string describe_facet(const RegionComplex& complex, const Halfspace& facet);

}  // namespace relucert
