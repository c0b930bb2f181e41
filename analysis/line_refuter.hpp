#pragma once
// The cheap exact refuter: f restricted to pseudo-random rational lines through the domain (a
// fixed seed, so reproducible), the first verified witness wins. Lines are walked one at a time,
// so a caller can spread them over a longer computation (analysis/convexity.cpp gives them a
// fixed fraction of the region complex's work) and stop as soon as one refutes.
#include <cstdint>
#include <optional>
#include <random>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert {

// How much one line may cost. The defaults walk each line far; a quick first pass (before the
// tiers of issue #14) takes {2, 500, false}: it still refutes most random nets, whose concave
// kinks are everywhere, and costs convex nets little.
struct LineBudget {
  std::size_t events_per_neuron = 64;   // float walk: pattern changes per line, per ReLU neuron
  std::size_t small_net_weights = 2000;  // up to this many weights: the exact walk alone
  bool exact_fallback = true;           // larger nets without a float walk (input skips): walk exactly anyway
};

class LineRefuter {
 public:
  LineRefuter(const Network& net, const Domain& domain, std::uint64_t seed, LineBudget budget = {});
  // Walks the next line (the same sequence of lines for the same seed, whatever the budget).
  std::optional<Witness> next();
  std::size_t lines_walked() const { return lines_; }
  // Work so far, counted deterministically in units of about one exact multiply-add of a line
  // walk: weights x (pattern changes + 1) for an exact walk, less per change for a float walk
  // (line_refuter.cpp). Independent of timing and threads, so a schedule built on it is too.
  unsigned long long work() const { return work_; }
  // The same unit for one pass over the weights (what a line costs at the least).
  unsigned long long weights() const { return weights_; }

 private:
  const Network& net_;
  const Domain& domain_;
  LineBudget budget_;
  std::mt19937_64 rng_;
  std::size_t lines_ = 0;
  unsigned long long work_ = 0, weights_ = 0;
};

// The first `lines` lines of LineRefuter(net, domain, seed, budget).
std::optional<Witness> refute_on_random_lines(const Network& net, const Domain& domain, std::size_t lines, std::uint64_t seed,
                                              const LineBudget& budget = {});

}  // namespace relucert
