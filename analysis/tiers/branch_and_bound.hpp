#pragma once
// Tier 3, branch and bound (issue #14): where the bounded path-lifting test is inconclusive on
// the whole box, halve the box and retry on each half; interval bounds tighten on small parts,
// more downstream bits get fixed, and the path-lifting lower bounds rise.
//
// Why path-lifting parts need no gluing: the bounded path-lifting test on a part P shows
// lambda_F >= 0 for every facet F of the domain's complex that meets the closed part P in a
// (d-1)-dimensional piece, also one lying on P's boundary (the bits come from bounds on
// {z_m = 0} ∩ P, which contains that piece). The parts cover the box, so every facet meets some
// part that way, and Theorem A applies to the whole box. (The structural tier proves convexity
// of f on a part, which does not glue; it is not used per part.)
//
// A part on which path-lifting fails and splitting does not help (the give-up rule, or the part
// limit) can be answered by the exact region complex of that part (TierOptions::part_complexes).
// That complex decides both ways: a concave fold inside the part is a witness on the box. Facets
// on a split plane between two complex parts are seen by neither complex; they are glued by
// analysis/tiers/glue.hpp, which may also find the witness. So branch and bound may now end
// "not convex", with a witness verified by an exact forward pass.
#include <optional>
#include <string>

#include "analysis/tiers/tier.hpp"
#include "analysis/witness.hpp"

namespace relucert::tiers {

struct BranchAndBoundResult {
  std::optional<TierProof> proof;
  std::optional<Witness> witness;  // not convex: verified on the box
  std::string violation;           // with a witness: where the concave fold lies
  std::size_t parts = 0;           // leaves examined
  std::size_t pathlift_parts = 0, complex_parts = 0;  // how the leaves were answered
  std::size_t complex_cells = 0;   // cells of all part complexes built
  std::string reason;  // neither proof nor witness: a limit, the give-up rule, or why the tier does not apply
};

// Needs a box domain (R^d cannot be halved into bounded parts).
BranchAndBoundResult prove_branch_and_bound(const Network& net, const Domain& box, const TierOptions& options);

}  // namespace relucert::tiers
