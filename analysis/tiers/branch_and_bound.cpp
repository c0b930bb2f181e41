#include "analysis/tiers/branch_and_bound.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "analysis/certificate.hpp"
#include "analysis/convexity.hpp"
#include "analysis/tiers/bounded_pathlift.hpp"
#include "analysis/tiers/glue.hpp"
#include "analysis/tiers/layer_bounds.hpp"

namespace relucert::tiers {

namespace {

using Clock = std::chrono::steady_clock;

// An a-priori size of the complex of a box, to choose between part complexes and the whole
// complex before building either: k hyperplanes cut R^d into at most sum_{i <= d} C(k, i) cells,
// with k the neurons whose interval bound on the box is not strictly signed (the others cannot
// split a cell there). Deeper neurons have bent zero sets, so this is a proxy rather than a
// bound; it only chooses which exact method runs, never a verdict. A double is enough for that.
double cell_estimate(const Network& net, const Domain& box) {
  std::size_t k = 0;
  const LayerBounds bounds = domain_bounds(net, box);
  for (std::size_t l = 0; l + 1 < bounds.size(); ++l)  // the last layer is affine (a layered net)
    for (const Interval& z : bounds[l]) k += !(z.strictly_positive() || z.strictly_negative());
  double cells = 0, binom = 1;  // C(k, i)
  for (std::size_t i = 0; i <= box.dim && i <= k; ++i) {
    cells += binom;
    binom = binom * static_cast<double>(k - i) / static_cast<double>(i + 1);
  }
  return cells;
}

// The search builds the part tree in preorder; parts it cannot prove are left as Complex leaves
// (or fail the search when part complexes are off), answered after the search.
class Search {
 public:
  Search(const Network& net, const TierOptions& opt, Clock::time_point start, double whole_estimate)
      : net_(net), opt_(opt), start_(start), whole_estimate_(whole_estimate) {}

  // False when a limit stopped the search (or a part failed and part complexes are off).
  bool prove(const Domain& part) { return prove(part, "", 0); }

  std::vector<PartNode> nodes;
  std::vector<std::size_t> complex_leaves;  // node ids, in preorder
  std::size_t pathlift_leaves = 0;
  std::string reason;    // why the search stopped
  std::string obstacle;  // why the first part went to its complex
  double stuck_estimate = 0;  // sum of cell_estimate over the Complex leaves

 private:
  // same_run: how many nested parts up to the parent failed on the neuron `parent_blocker`.
  bool prove(const Domain& part, const std::string& parent_blocker, std::size_t same_run) {
    if (opt_.time_limit_seconds > 0 && std::chrono::duration<double>(Clock::now() - start_).count() > opt_.time_limit_seconds) {
      reason = "the branch-and-bound time limit was reached";
      return false;
    }
    const std::size_t id = nodes.size();
    nodes.emplace_back();
    nodes[id].part = part;
    PathLiftAnalysis a = analyse_bounded_pathlift(net_, part);
    if (a.proves_convex) {
      nodes[id].kind = PartNode::Kind::PathLift;
      nodes[id].pathlift = pathlift_lines(a);
      ++pathlift_leaves;
      return true;
    }
    const std::size_t run = !a.blocking_neuron.empty() && a.blocking_neuron == parent_blocker ? same_run + 1 : 1;
    std::string stuck;
    if (opt_.give_up_after_same_blocker && run >= opt_.give_up_after_same_blocker)
      stuck = "splitting does not help: " + std::to_string(run) + " nested parts fail on the same obstacle (" + a.blocker + ")";
    else if (leaves() + pending_ + 2 > opt_.max_parts)
      stuck = "no proof within " + std::to_string(opt_.max_parts) + " parts (last obstacle: " + a.blocker + ")";
    if (!stuck.empty()) {
      if (opt_.part_complexes == TierOptions::PartComplexes::Never) {
        reason = stuck;
        return false;
      }
      if (obstacle.empty()) obstacle = stuck;
      if (opt_.part_complexes == TierOptions::PartComplexes::WhenSmall) {
        // When to answer the stuck parts by their complexes in auto. A part complex costs about the cells of
        // the whole complex inside the part, plus the cells the split planes cut in two, plus one pass over
        // every neuron on the part's root. The cells are not spread evenly: they crowd where the kinks are,
        // which is where path-lifting fails, so the stuck parts' share of the volume says little. Measured
        // (cells of the part complexes vs of the whole complex): c2_sep_2d_lift on [-1, 5]^2, two stuck parts
        // covering half of the box: 20 vs 10; convex_not_icnn on [-1, 5]^2, forced with 8 / 32 / 128 parts: 19
        // / 42 / 138 vs 6 (6 / 18 / 66 part complexes). So the rule compares a-priori sizes instead: the part
        // complexes are built only when the sum of their estimates is below the whole box's (cell_estimate),
        // i.e. when splitting has really cut down the neurons that can kink inside the stuck parts. On the
        // shared nets and examples/ (boxes [-1, 5], [-1, 1], [0, 8]) it then builds them once, for
        // c2_sep_1d_box on [-1, 5] (3 cells vs 10), and declines the two cases above. Otherwise (in particular
        // when no part was proved, the usual non-convex net) the search is abandoned for the whole-domain
        // complex, as before, which also walks the refuter lines in step with its build. The sum only grows,
        // so the search stops as soon as it reaches the whole box's estimate instead of examining the
        // remaining parts (up to max_parts passes on a non-convex net).
        stuck_estimate += cell_estimate(net_, part);
        if (!(stuck_estimate < whole_estimate_)) {
          std::ostringstream why;
          why << obstacle << "; the complexes of the parts left would be larger than the whole-domain complex (estimated "
              << stuck_estimate << " or more vs " << whole_estimate_ << " cells)";
          reason = why.str();
          return false;
        }
      }
      nodes[id].kind = PartNode::Kind::Complex;
      nodes[id].has_complex = true;
      complex_leaves.push_back(id);
      return true;
    }
    // Halve the widest side (the lowest axis among equals) at its midpoint.
    std::size_t axis = 0;
    for (std::size_t i = 1; i < part.dim; ++i)
      if (part.hi[i] - part.lo[i] > part.hi[axis] - part.lo[axis]) axis = i;
    const Rational mid = (part.lo[axis] + part.hi[axis]) / 2;
    nodes[id].axis = axis;
    nodes[id].value = mid;
    Domain lower = part, upper = part;
    lower.hi[axis] = mid;
    upper.lo[axis] = mid;
    ++pending_;  // the upper half waits while the lower one is searched
    nodes[id].lower = nodes.size();
    const bool ok = prove(lower, a.blocking_neuron, run);
    --pending_;
    if (!ok) return false;
    nodes[id].upper = nodes.size();
    if (!prove(upper, a.blocking_neuron, run)) return false;
    nodes[id].has_complex = nodes[nodes[id].lower].has_complex || nodes[nodes[id].upper].has_complex;
    return true;
  }

  std::size_t leaves() const { return pathlift_leaves + complex_leaves.size(); }

  const Network& net_;
  const TierOptions& opt_;
  Clock::time_point start_;
  double whole_estimate_;
  std::size_t pending_ = 0;
};

std::string certificate_text(const Domain& box, const std::vector<PartNode>& nodes,
                             const std::vector<std::unique_ptr<RecordedComplex>>& complexes, const std::string& glue) {
  std::ostringstream out;
  out << "c relucert branch-and-bound certificate, format: docs/certificate.md section 10\n"
      << "relucert-certificate branch-and-bound 1\n"
      << certificate_domain_line(box);
  for (const PartNode& n : nodes) {  // preorder
    switch (n.kind) {
      case PartNode::Kind::Split: out << "split " << n.axis + 1 << ' ' << to_string(n.value) << "\n"; break;
      case PartNode::Kind::PathLift: out << "leaf\n" << n.pathlift; break;
      case PartNode::Kind::Complex: {
        const auto text = complexes[n.complex]->certificate(nullptr, true);
        if (!text) throw std::logic_error("branch and bound: a complete part complex wrote no certificate");
        out << "complex\n" << *text;
        break;
      }
    }
  }
  out << glue << "end\n";
  return out.str();
}

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
  const auto start = Clock::now();
  const bool when_small = options.part_complexes == TierOptions::PartComplexes::WhenSmall;
  Search s(net, options, start, when_small ? cell_estimate(net, box) : 0);
  const bool ok = s.prove(box);
  r.parts = s.pathlift_leaves + s.complex_leaves.size();
  r.pathlift_parts = s.pathlift_leaves;
  if (!ok) {
    r.reason = s.reason;
    return r;
  }
  std::vector<std::unique_ptr<RecordedComplex>> complexes;
  for (std::size_t id : s.complex_leaves) {
    BuildLimits limits;
    if (options.max_cells) {
      if (r.complex_cells >= options.max_cells) {
        r.reason = "part complexes: " + std::string(limit_reason(BuildStatus::CellLimit));
        return r;
      }
      limits.max_cells = options.max_cells - r.complex_cells;
    }
    if (options.time_limit_seconds > 0) {
      const double left = options.time_limit_seconds - std::chrono::duration<double>(Clock::now() - start).count();
      if (left <= 0) {
        r.reason = "part complexes: " + std::string(limit_reason(BuildStatus::TimeLimit));
        return r;
      }
      limits.time_limit_seconds = left;
    }
    limits.max_memory_mb = options.max_memory_mb;
    const Domain& part = s.nodes[id].part;
    auto rc = std::make_unique<RecordedComplex>(net, part, limits);
    const RegionComplex& cx = rc->complex();
    r.complex_cells += cx.cells.size();
    if (cx.status != BuildStatus::Complete) {
      r.reason = "the complex of part " + part.describe() + ": " + limit_reason(cx.status);
      return r;
    }
    ++r.complex_parts;
    if (const auto e = find_violating_adjacency(cx)) {
      // A witness inside the part is a witness on the box (the part lies in the box); it is
      // re-verified there by the exact forward pass.
      auto w = witness_from_adjacency(net, cx, *e);
      if (!w || !verify_witness(net, box, *w)) throw std::logic_error("branch and bound: no witness across a violating pair");
      r.witness = std::move(w);
      r.violation = describe_facet(cx, cx.adjacencies[*e].facet) + ", in the part " + part.describe();
      return r;
    }
    s.nodes[id].complex = complexes.size();
    complexes.push_back(std::move(rc));
  }
  std::optional<Clock::time_point> deadline;
  if (options.time_limit_seconds > 0)
    deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.time_limit_seconds));
  const GlueResult glue = glue_parts(s.nodes, complexes, deadline);
  if (glue.out_of_time) {
    r.reason = "gluing the part complexes: " + std::string(limit_reason(BuildStatus::TimeLimit));
    return r;
  }
  if (glue.violation_point) {
    Vector n(box.dim, Rational(0));
    n[glue.violation_axis] = 1;
    auto w = witness_across_kink(net, box, *glue.violation_point, n);
    if (!w || !verify_witness(net, box, *w)) throw std::logic_error("branch and bound: no witness across a negative glue jump");
    r.witness = std::move(w);
    r.violation = "x" + std::to_string(glue.violation_axis + 1) + " = " + to_string((*glue.violation_point)[glue.violation_axis]) +
                  ", a split plane between two part complexes";
    return r;
  }
  TierProof p;
  p.tier = TierKind::BranchAndBound;
  p.certificate = certificate_text(box, s.nodes, complexes, glue.records);
  if (complexes.empty())
    p.summary = "bounded path-lifting on " + std::to_string(r.parts) + " parts of the box";
  else
    p.summary = std::to_string(r.pathlift_parts) + " parts by bounded path-lifting, " +
                std::to_string(r.complex_parts) + " by part complexes (" + std::to_string(r.complex_cells) + " cells; glue: " +
                std::to_string(glue.jumps) + " jumps, " + std::to_string(glue.aparts) + " apart, " +
                std::to_string(glue.prunes) + " prunes)";
  r.proof = std::move(p);
  return r;
}

}  // namespace relucert::tiers
