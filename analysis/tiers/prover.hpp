#pragma once
// The tiers in the order `relucert check` tries them (issue #14). check_convexity
// (analysis/convexity.cpp) calls these, then the line refuter, then branch and bound, then the
// region complex; each step that proves "convex" ends the run with its own certificate.
#include <optional>
#include <string>

#include "analysis/tiers/branch_and_bound.hpp"
#include "analysis/tiers/tier.hpp"

namespace relucert::tiers {

struct TierAttempt {
  std::optional<TierProof> proof;
  std::string reason;  // when no proof: what stopped each tier tried
};

// Tier 1 then tier 2 (auto), or the one tier `method` names; nothing for other methods.
TierAttempt try_cheap_tiers(const Network& net, const Domain& domain, Method method);

}  // namespace relucert::tiers
