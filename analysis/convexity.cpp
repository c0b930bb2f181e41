#include "analysis/convexity.hpp"


#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>
#include <stdexcept>
#include <thread>

#include "analysis/line_refuter.hpp"
#include "analysis/refuter_schedule.hpp"
#include "analysis/streamed_check.hpp"
#include "analysis/tiers/prover.hpp"
#include "geometry/planar_complex.hpp"
#include "geometry/work_share.hpp"

namespace relucert {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Convex: return "convex";
    case Verdict::NotConvex: return "not_convex";
    case Verdict::Unknown: return "unknown";
  }
  return "unknown";
}

namespace {

// "x1 + x2 <= 0 (zero set of L1:N3)": the facet's hyperplane and, when known, its neuron.
std::string facet_text(const Halfspace& facet, const NeuronId* neuron) {
  std::string s = facet.to_string();
  if (neuron) s += " (zero set of " + neuron->name() + ")";
  return s;
}

// The same for the planar verdict's concave edge.
std::string describe_kink(const PlanarVerdict& pv) {
  const Halfspace h = make_halfspace(*pv.kink_normal, dot(*pv.kink_normal, *pv.kink_point), RowOrigin{});
  return facet_text(h, pv.kink_neuron ? &*pv.kink_neuron : nullptr);
}

}  // namespace

std::string describe_facet(const RegionComplex& cx, const Halfspace& facet) {
  const bool known = facet.origin.kind == RowOrigin::Kind::Neuron && facet.origin.index < cx.neurons.size();
  return facet_text(facet, known ? &cx.neurons[facet.origin.index] : nullptr);
}

namespace {

// The first violating pair in [begin, end), or nullopt.
std::optional<std::size_t> first_violation(const RegionComplex& cx, std::size_t begin, std::size_t end) {
  // delta = g_upper - g_lower must equal lambda a (a the integer facet normal); then
  // sign(delta . a) = sign(lambda) = sign(delta_p) sign(a_p) at any p with a_p != 0, and
  // delta = lambda a iff delta_i a_p = delta_p a_i for every i. With g = n / d in lowest terms,
  // delta_i = N_i / D_i where N_i = nu_i dl_i - nl_i du_i and D_i = du_i dl_i > 0 (not reduced:
  // no gcd is needed), and the test is N_i D_p a_p == N_p D_i a_i: integers only, exact.
  Integer np, dp, ni, di, lhs, rhs;
  auto difference = [](const Rational& u, const Rational& l, Integer& num, Integer& den) {
    mpz_mul(num.get_mpz_t(), u.get_num_mpz_t(), l.get_den_mpz_t());
    mpz_submul(num.get_mpz_t(), l.get_num_mpz_t(), u.get_den_mpz_t());
    mpz_mul(den.get_mpz_t(), u.get_den_mpz_t(), l.get_den_mpz_t());
  };
  for (std::size_t e = begin; e < end; ++e) {
    const Adjacency& adj = cx.adjacencies[e];
    const std::vector<Integer>& a = adj.facet.a();
    const Vector& gu = cx.cells[adj.upper].gradient;
    const Vector& gl = cx.cells[adj.lower].gradient;
    std::size_t p = 0;
    while (p < a.size() && sgn(a[p]) == 0) ++p;
    if (p == a.size()) throw std::logic_error("jump test: zero facet normal");
    difference(gu[p], gl[p], np, dp);
    mpz_mul(dp.get_mpz_t(), dp.get_mpz_t(), a[p].get_mpz_t());  // D_p a_p, used for every i
    // Continuity forces delta = lambda a; a failure means an internal error, never a verdict.
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i == p) continue;
      difference(gu[i], gl[i], ni, di);
      mpz_mul(lhs.get_mpz_t(), ni.get_mpz_t(), dp.get_mpz_t());
      mpz_mul(rhs.get_mpz_t(), np.get_mpz_t(), di.get_mpz_t());
      mpz_mul(rhs.get_mpz_t(), rhs.get_mpz_t(), a[i].get_mpz_t());
      if (lhs != rhs) throw std::logic_error("gradient jump is not parallel to the facet normal");
    }
    if (sgn(np) * sgn(a[p]) < 0) return e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> find_violating_adjacency(const RegionComplex& cx, unsigned threads) {
  // The pairs are cut into one contiguous range per thread; the answer is the first violation
  // of the first range that has one, so it does not depend on the thread count.
  const std::size_t n = cx.adjacencies.size();
  const std::size_t t = std::clamp<std::size_t>(threads, 1, n / 4096 + 1);
  if (t == 1) return first_violation(cx, 0, n);
  std::vector<std::optional<std::size_t>> found(t);
  std::vector<std::exception_ptr> errors(t);
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < t; ++i)
    pool.emplace_back([&, i] {
      try {
        found[i] = first_violation(cx, n * i / t, n * (i + 1) / t);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  try {
    found[0] = first_violation(cx, 0, n / t);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : pool) th.join();
  for (const auto& err : errors)
    if (err) std::rethrow_exception(err);
  for (const auto& f : found)
    if (f) return f;
  return std::nullopt;
}

CheckResult check_convexity(const Network& net, const Domain& domain, const CheckOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto lap = [last = start]() mutable {  // seconds since the previous lap
    const auto now = Clock::now();
    const double s = std::chrono::duration<double>(now - last).count();
    last = now;
    return s;
  };
  const RefuterSchedule* schedule = nullptr;  // set once the full refuter exists
  auto finish = [&](CheckResult r) {
    if (schedule) {
      r.refuter_lines = schedule->lines_walked();
      r.refuter_work = schedule->work();
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };
  CheckResult r;
  using tiers::Method;
  const Method method = options.method;
  auto refuted = [&](Witness w) {
    r.verdict = Verdict::NotConvex;
    r.witness = std::move(w);
    r.method = "line-refuter";
    r.violation = "line restriction: the slope decreases at (x+y)/2";
    return finish(std::move(r));
  };
  // Two short lines first: they refute most random nets in a few milliseconds, less than a
  // tier's pass, and cost convex nets little (LineBudget: a float walk of 2 pattern changes per
  // neuron, exact walks only on small nets). The lines are drawn in a fixed order; the full
  // refuter below walks them again, longer.
  constexpr std::size_t kFirstLines = 2;
  if (method == Method::Auto && options.refuter_lines > 0) {
    auto w = refute_on_random_lines(net, domain, std::min(kFirstLines, options.refuter_lines), options.seed,
                                    LineBudget{2, 500, false});
    r.phases.refuter = lap();
    if (w) return refuted(std::move(*w));
  }
  // Tiers 1-2 next: they cost a pass over the weights, never refute, and settle the ICNN-like
  // nets that the line refuter could only fail to refute at length.
  if (method != Method::RegionComplex) {
    tiers::TierAttempt t = tiers::try_cheap_tiers(net, domain, method);
    r.phases.tiers = lap();
    if (t.proof) {
      r.verdict = Verdict::Convex;
      r.method = tiers::tier_name(t.proof->tier);
      r.proof = std::move(t.proof);
      return finish(std::move(r));
    }
    if (method == Method::Structural || method == Method::BoundedPathLift) {
      r.method = tiers::tier_name(method == Method::Structural ? tiers::TierKind::Structural : tiers::TierKind::BoundedPathLift);
      r.unknown_reason = "the " + r.method + " tier found no proof (it never refutes): " + t.reason;
      return finish(std::move(r));
    }
  }
  // The full refuter: options.refuter_lines lines, walked far, but never more than a small
  // fraction of what the exact method after it costs (issue #15): a few before branch and bound,
  // the rest in step with the region complex's passes (RefuterSchedule).
  RefuterSchedule lines(net, domain, options, method != Method::BranchAndBound);
  schedule = &lines;
  if (method == Method::Auto && domain.is_box) {
    auto w = lines.walk_until(lines.before_branch_and_bound());
    r.phases.refuter += lap();
    if (w) return refuted(std::move(*w));
  }
  if (method == Method::Auto || method == Method::BranchAndBound) {
    tiers::TierOptions topt;
    topt.max_parts = options.branch_parts ? options.branch_parts : method == Method::Auto ? 64 : 4096;
    topt.time_limit_seconds = options.limits.time_limit_seconds;
    // Parts that path-lifting cannot prove, once splitting stops helping, are answered by their
    // own complexes: always when forced, in auto only when those are estimated smaller than the
    // whole complex (prove_branch_and_bound). Forced, the give-up rule now sends a part to its
    // complex instead of ending the search, so it no longer digs to the part limit along a kink.
    topt.give_up_after_same_blocker = 3;
    topt.part_complexes = method == Method::Auto ? tiers::TierOptions::PartComplexes::WhenSmall
                                                 : tiers::TierOptions::PartComplexes::Always;
    topt.max_cells = options.limits.max_cells;
    topt.max_memory_mb = options.limits.max_memory_mb;
    tiers::BranchAndBoundResult b = tiers::prove_branch_and_bound(net, domain, topt);
    // Every rank runs branch and bound alone; only its time limit can make ranks differ. They
    // take the proof only if all found it, so all go on to the same collectives (or none).
    if (options.limits.share && options.limits.share->min_of(b.proof ? 1 : 0) == 0 && b.proof) {
      b.proof.reset();
      b.reason = "time limit reached (--time-limit) on another rank";
    }
    r.phases.tiers += lap();
    if (b.proof || b.witness) {
      r.method = tiers::tier_name(tiers::TierKind::BranchAndBound);
      r.cells = b.complex_cells;
      r.pathlift_parts = b.pathlift_parts;
      r.complex_parts = b.complex_parts;
      if (b.witness) {
        r.verdict = Verdict::NotConvex;
        r.witness = std::move(b.witness);
        r.violation = b.violation;
      } else {
        r.verdict = Verdict::Convex;
        r.proof = std::move(b.proof);
      }
      return finish(std::move(r));
    }
    if (method == Method::BranchAndBound) {
      r.method = tiers::tier_name(tiers::TierKind::BranchAndBound);
      r.unknown_reason = "branch and bound found neither a proof nor a witness: " + b.reason;
      return finish(std::move(r));
    }
  }
  // d = 2 on a box: the planar builder's exact jump test settles "convex" without building the
  // RegionComplex. It runs after the line refuter, which costs milliseconds and refutes most
  // non-convex nets; any other outcome takes the usual path, which also produces the witness.
  // A concave edge gives its witness directly (witness_across_kink), so non-convex nets do not
  // build the complex a second time either.
  if (planar_builder_enabled())
    if (const auto pv = planar_convexity(net, domain, options.limits); pv && pv->status == BuildStatus::Complete) {
      r.method = "region-complex";
      r.cells = pv->cells;
      r.pairs = pv->pairs;
      r.pieces = pv->pieces;
      r.phases.complex = lap();
      if (pv->convex) {
        r.verdict = Verdict::Convex;
        return finish(std::move(r));
      }
      if (pv->kink_point && pv->kink_normal)
        if (auto w = witness_across_kink(net, domain, *pv->kink_point, *pv->kink_normal)) {
          r.verdict = Verdict::NotConvex;
          r.witness = std::move(w);
          r.violation = describe_kink(*pv);
          r.phases.witness = lap();
          return finish(std::move(r));
        }
      r.cells = r.pairs = r.pieces = 0;  // the general builder below reports its own counts
    }
  lap();
  // The build stops between two passes when a line refutes; the lines' own time is taken out of
  // the complex's phase.
  std::optional<Witness> line_witness;
  double refuter_inside = 0;
  BuildLimits limits = options.limits;
  limits.between_passes = [&](const BuildProgress& p) {
    const auto t0 = Clock::now();
    line_witness = lines.walk_until(lines.during_build(p.lp_questions));
    refuter_inside += std::chrono::duration<double>(Clock::now() - t0).count();
    return !line_witness;
  };
  // The whole complex when asked, or for a work share without a dealer (relucert-mpi builds it
  // together then).
  const bool may_stream = options.stream != CheckOptions::Stream::Never && (options.dealer || !options.limits.share) &&
                          !streamed_check_unsupported(net, domain);
  std::optional<StreamedCheck> streamed;
  if (may_stream) {
    const std::size_t min_parts = options.stream == CheckOptions::Stream::Always ? 0 : CheckOptions::kStreamFromParts;
    streamed = streamed_check(net, domain, limits, options.dealer, min_parts);
    if (streamed->declined) streamed.reset();
  }
  // Where both builds end alike: a line witness found in step wins; at a limit the lines that are
  // left may still refute (they cost little next to the build that ran, and a witness is still a
  // sound answer); else unknown with the limit's reason. nullopt: the build is complete.
  auto settle_build = [&](BuildStatus status, std::size_t cells, unsigned long long lp_questions,
                          unsigned long long lp_exact_solves) -> std::optional<CheckResult> {
    r.phases.complex = lap() - refuter_inside;
    r.phases.refuter += refuter_inside;
    if (line_witness) return refuted(std::move(*line_witness));
    if (status != BuildStatus::Complete) {
      auto w = lines.walk_until(RefuterSchedule::kAll);
      r.phases.refuter += lap();
      if (w) return refuted(std::move(*w));
    }
    r.method = "region-complex";
    r.cells = cells;
    r.lp_questions = lp_questions;
    r.lp_exact_solves = lp_exact_solves;
    if (status == BuildStatus::Complete) return std::nullopt;
    r.verdict = Verdict::Unknown;
    r.unknown_reason = limit_reason(status);
    return finish(std::move(r));
  };
  if (streamed) {
    StreamedCheck& sc = *streamed;
    r.streamed = CheckResult::Streamed{sc.coarse_cells, sc.coarse_pairs, sc.largest_part_cells};
    if (auto ended = settle_build(sc.status, sc.cells, sc.lp_questions, sc.lp_exact_solves)) return std::move(*ended);
    r.pairs = sc.pairs;
    r.pieces = sc.pieces;
    if (sc.convex) {
      r.verdict = Verdict::Convex;
    } else {
      r.verdict = Verdict::NotConvex;
      r.witness = std::move(sc.witness);
      r.violation = std::move(sc.violation);
    }
    return finish(std::move(r));
  }
  RegionComplex cx = build_region_complex(net, domain, limits);
  if (auto ended = settle_build(cx.status, cx.cells.size(), cx.lp_questions, cx.lp_exact_solves)) return std::move(*ended);
  r.pairs = cx.adjacencies.size();
  r.pieces = cx.distinct_affine_pieces();
  std::optional<std::size_t> e;
  if (WorkShare* share = options.limits.share) {
    // Contiguous share of this process; the smallest violating index over all shares is the
    // first violation overall, as with one process. Only one integer travels: every rank holds
    // the whole complex.
    const std::size_t n = cx.adjacencies.size(), k = share->ranks(), i = share->rank();
    constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
    const std::optional<std::size_t> mine = first_violation(cx, n * i / k, n * (i + 1) / k);
    const std::uint64_t first = share->min_of(mine ? static_cast<std::uint64_t>(*mine) : kNone);
    if (first != kNone) e = static_cast<std::size_t>(first);
  } else {
    e = find_violating_adjacency(cx, options.limits.threads);
  }
  r.phases.jumps = lap();
  if (e) {
    r.verdict = Verdict::NotConvex;
    r.witness = witness_from_adjacency(net, cx, *e);
    r.violation = describe_facet(cx, cx.adjacencies[*e].facet);
    r.phases.witness = lap();
  } else {
    r.verdict = Verdict::Convex;
  }
  return finish(std::move(r));
}

}  // namespace relucert
