#include "analysis/refuter_schedule.hpp"

namespace relucert {

RefuterSchedule::RefuterSchedule(const Network& net, const Domain& domain, const CheckOptions& options, bool enabled)
    : max_lines_(enabled ? options.refuter_lines : 0) {
  if (max_lines_ > 0) refuter_.emplace(net, domain, options.seed);
}

unsigned long long RefuterSchedule::before_branch_and_bound() const { return refuter_ ? 8 * refuter_->weights() : 0; }

unsigned long long RefuterSchedule::during_build(unsigned long long lp_questions) const {
  return before_branch_and_bound() + lp_questions;
}

std::optional<Witness> RefuterSchedule::walk_until(unsigned long long allowance) {
  if (!refuter_) return std::nullopt;
  while (refuter_->lines_walked() < max_lines_ && refuter_->work() < allowance)
    if (auto w = refuter_->next()) return w;
  return std::nullopt;
}

}  // namespace relucert
