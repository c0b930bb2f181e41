#include "analysis/tiers/prover.hpp"

#include "analysis/tiers/bounded_pathlift.hpp"
#include "analysis/tiers/structural.hpp"

namespace relucert::tiers {

TierAttempt try_cheap_tiers(const Network& net, const Domain& domain, Method method) {
  TierAttempt t;
  if (method == Method::Auto || method == Method::Structural) {
    const StructuralAnalysis a = analyse_structure(net, domain);
    if (a.proves_convex()) {
      t.proof = structural_proof(a, domain);
      return t;
    }
    t.reason = "structural: " + a.blocker;
  }
  if (method == Method::Auto || method == Method::BoundedPathLift) {
    const PathLiftAnalysis a = analyse_bounded_pathlift(net, domain);
    if (a.proves_convex) {
      t.proof = pathlift_proof(a, domain);
      return t;
    }
    t.reason += (t.reason.empty() ? "" : "; ") + std::string("bounded path-lifting: ") + a.blocker;
  }
  return t;
}

}  // namespace relucert::tiers
