#include "analysis/tiers/branch_and_bound.hpp"

#include <chrono>
#include <sstream>

#include "analysis/tiers/bounded_pathlift.hpp"

namespace relucert::tiers {

namespace {

class Search {
 public:
  Search(const Network& net, const TierOptions& opt) : net_(net), opt_(opt), start_(std::chrono::steady_clock::now()) {}

  // Appends the subtree of `part` in preorder; false when a limit stopped the search.
  bool prove(const Domain& part) { return prove(part, "", 0); }

 private:
  // same_run: how many nested parts up to the parent failed on the neuron `parent_blocker`.
  bool prove(const Domain& part, const std::string& parent_blocker, std::size_t same_run) {
    if (opt_.time_limit_seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() > opt_.time_limit_seconds) {
      reason = "the branch-and-bound time limit was reached";
      return false;
    }
    PathLiftAnalysis a = analyse_bounded_pathlift(net_, part);
    if (a.proves_convex) {
      out << "leaf\n" << pathlift_lines(a);
      ++leaves;
      return true;
    }
    const std::size_t run = !a.blocking_neuron.empty() && a.blocking_neuron == parent_blocker ? same_run + 1 : 1;
    if (opt_.give_up_after_same_blocker && run >= opt_.give_up_after_same_blocker) {
      reason = "splitting does not help: " + std::to_string(run) + " nested parts fail on the same obstacle (" + a.blocker + ")";
      return false;
    }
    if (leaves + pending_ + 2 > opt_.max_parts) {
      reason = "no proof within " + std::to_string(opt_.max_parts) + " parts (last obstacle: " + a.blocker + ")";
      return false;
    }
    // Halve the widest side (the lowest axis among equals) at its midpoint.
    std::size_t axis = 0;
    for (std::size_t i = 1; i < part.dim; ++i)
      if (part.hi[i] - part.lo[i] > part.hi[axis] - part.lo[axis]) axis = i;
    const Rational mid = (part.lo[axis] + part.hi[axis]) / 2;
    out << "split " << axis + 1 << ' ' << to_string(mid) << "\n";
    Domain lower = part, upper = part;
    lower.hi[axis] = mid;
    upper.lo[axis] = mid;
    ++pending_;  // the upper half waits while the lower one is searched
    const bool ok = prove(lower, a.blocking_neuron, run);
    --pending_;
    return ok && prove(upper, a.blocking_neuron, run);
  }

 public:
  std::ostringstream out;
  std::size_t leaves = 0;
  std::string reason;

 private:
  const Network& net_;
  const TierOptions& opt_;
  std::chrono::steady_clock::time_point start_;
  std::size_t pending_ = 0;
};

}  // namespace

BranchAndBoundResult prove_branch_and_bound(const Network& net, const Domain& box, const TierOptions& options) {
  BranchAndBoundResult r;
  if (!box.is_box) {
    r.reason = "branch and bound needs a box domain";
    return r;
  }
  std::string why;
  if (!is_layered_mlp(net, &why)) {
    r.reason = why;
    return r;
  }
  Search s(net, options);
  const bool ok = s.prove(box);
  r.parts = s.leaves;
  if (!ok) {
    r.reason = s.reason;
    return r;
  }
  TierProof p;
  p.tier = TierKind::BranchAndBound;
  p.certificate = "c relucert branch-and-bound certificate, format: docs/certificate.md section 10\n"
                  "relucert-certificate branch-and-bound 1\n" +
                  certificate_domain_line(box) + s.out.str() + "end\n";
  p.summary = "bounded path-lifting on " + std::to_string(s.leaves) + " parts of the box";
  r.proof = std::move(p);
  return r;
}

}  // namespace relucert::tiers
