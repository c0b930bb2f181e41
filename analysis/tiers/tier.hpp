#pragma once
// The tiered prover's common vocabulary (issue #14): each tier is an exact, one-sided test that
// either proves "convex" with a certificate of its own kind (checked by relucert-verify) or says
// "don't know". Tiers 1-2 never say "not convex"; branch and bound does only when it answers a
// part by that part's exact region complex (branch_and_bound.hpp), like the full region complex.
#include <cstddef>
#include <optional>
#include <string>

#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert::tiers {

// Which tier proved a verdict, in the order `relucert check` tries them.
enum class TierKind { Structural, BoundedPathLift, BranchAndBound, RegionComplex };
const char* tier_name(TierKind t);  // "structural" | "bounded-pathlift" | "branch-and-bound" | "region-complex"

// A proof of convexity of f on the domain, found by one tier.
struct TierProof {
  TierKind tier = TierKind::Structural;
  std::string certificate;  // the complete certificate text for relucert-verify (docs/certificate.md)
  std::string summary;      // one line for reports, e.g. "ICNN after 3 rewrites (2 dead, 1 merged)"
};

// What `relucert check --method` asks for: every tier in order (auto), or one of them alone.
enum class Method { Auto, Structural, BoundedPathLift, BranchAndBound, RegionComplex };
std::optional<Method> parse_method(const std::string& name);  // "auto" or a tier_name()

struct TierOptions {
  double time_limit_seconds = 0;  // 0 = no limit; a tier that runs out says "don't know"
  std::size_t max_parts = 4096;   // branch and bound: most domain parts to examine
  // Branch and bound gives up when this many nested parts (each half of the one before) fail on
  // the same neuron: splitting does not move the obstacle, as on most non-convex nets (with part
  // complexes the part goes to its complex instead). 0 = never; check_convexity uses 3.
  std::size_t give_up_after_same_blocker = 0;
  // Branch and bound: a part where path-lifting fails and splitting does not help (the rule
  // above, or the part limit) is answered by its own region complex: Never (the search fails, as
  // a tier-only search), WhenSmall (only if their complexes are estimated smaller than the whole
  // box's: see prove_branch_and_bound for why; check_convexity's auto order), Always
  // (--method branch-and-bound).
  enum class PartComplexes { Never, WhenSmall, Always } part_complexes = PartComplexes::Never;
  std::size_t max_cells = 0;      // cells of all part complexes together; 0 = no limit
  std::size_t max_memory_mb = 0;  // as BuildLimits::max_memory_mb
};

// The certificate line "domain R D" or "domain box D LO1 HI1 ..." (docs/certificate.md §2).
std::string certificate_domain_line(const Domain& domain);

}  // namespace relucert::tiers
