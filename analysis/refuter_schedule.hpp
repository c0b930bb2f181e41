#pragma once
// When check_convexity walks its refuter lines (issue #15): the line refuter must never cost more
// than a small fraction of what the check would cost without it. It is spread over the exact
// methods that follow — a few lines before branch and bound, the rest between the region
// complex's passes, each time up to an allowance proportional to the work the build has done.
// Work on both sides is counted in units fixed by the net and the domain (LineRefuter::work,
// the build's LP questions), not in seconds, so which line refutes, and hence the witness, is
// the same on every run and for any number of threads.
#include <cstdint>
#include <optional>

#include "analysis/convexity.hpp"
#include "analysis/line_refuter.hpp"

namespace relucert {

class RefuterSchedule {
 public:
  static constexpr unsigned long long kAll = ~0ULL;  // no allowance: walk every remaining line

  // enabled = false (or options.refuter_lines == 0): no line is ever walked.
  RefuterSchedule(const Network& net, const Domain& domain, const CheckOptions& options, bool enabled);

  // The allowance before branch and bound: a couple of lines of a few pattern changes.
  unsigned long long before_branch_and_bound() const;
  // The allowance once the region complex has asked `lp_questions` strict-feasibility questions.
  // Measured on this machine, one LP question costs the builder 7-22 us and one LineRefuter work
  // unit 0.3-0.4 us, so one unit per question keeps the lines at a few percent of the build.
  unsigned long long during_build(unsigned long long lp_questions) const;

  // Walks lines while the refuter's work is below `allowance` and lines remain; the first
  // verified witness, if any.
  std::optional<Witness> walk_until(unsigned long long allowance);

  std::size_t lines_walked() const { return refuter_ ? refuter_->lines_walked() : 0; }
  unsigned long long work() const { return refuter_ ? refuter_->work() : 0; }

 private:
  std::optional<LineRefuter> refuter_;
  std::size_t max_lines_ = 0;
};

}  // namespace relucert
