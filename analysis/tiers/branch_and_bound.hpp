#pragma once
// Tier 3, branch and bound (issue #14): where the bounded path-lifting test is inconclusive on
// the whole box, halve the box and retry on each half; interval bounds tighten on small parts,
// more downstream bits get fixed, and the path-lifting lower bounds rise.
//
// Why the parts need no gluing: the bounded path-lifting test on a part P shows lambda_F >= 0
// for every facet F of the domain's complex that meets P in a relatively open piece (the bits
// come from bounds on {z_m = 0} ∩ P, which contains that piece). The parts cover the box, so
// every facet meets some part that way, and Theorem A applies to the whole box. (The structural
// tier proves convexity of f on a part, which does not glue; it is not used per part.)
#include <string>

#include "analysis/tiers/tier.hpp"

namespace relucert::tiers {

struct BranchAndBoundResult {
  std::optional<TierProof> proof;
  std::size_t parts = 0;  // leaves examined
  std::string reason;     // when no proof: a part limit, the time limit, or why the tier does not apply
};

// Needs a box domain (R^d cannot be halved into bounded parts).
BranchAndBoundResult prove_branch_and_bound(const Network& net, const Domain& box, const TierOptions& options);

}  // namespace relucert::tiers
