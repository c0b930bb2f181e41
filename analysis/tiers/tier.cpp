#include "analysis/tiers/tier.hpp"

namespace relucert::tiers {

const char* tier_name(TierKind t) {
  switch (t) {
    case TierKind::Structural: return "structural";
    case TierKind::BoundedPathLift: return "bounded-pathlift";
    case TierKind::BranchAndBound: return "branch-and-bound";
    case TierKind::RegionComplex: return "region-complex";
  }
  return "region-complex";
}

}  // namespace relucert::tiers
