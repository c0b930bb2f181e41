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

std::optional<Method> parse_method(const std::string& name) {
  if (name == "auto") return Method::Auto;
  if (name == "structural") return Method::Structural;
  if (name == "bounded-pathlift") return Method::BoundedPathLift;
  if (name == "branch-and-bound") return Method::BranchAndBound;
  if (name == "region-complex") return Method::RegionComplex;
  return std::nullopt;
}

std::string certificate_domain_line(const Domain& domain) {
  std::string s = domain.is_box ? "domain box " : "domain R ";
  s += std::to_string(domain.dim);
  if (domain.is_box)
    for (std::size_t i = 0; i < domain.dim; ++i) s += " " + to_string(domain.lo[i]) + " " + to_string(domain.hi[i]);
  return s + "\n";
}

}  // namespace relucert::tiers
