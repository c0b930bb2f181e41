// The tiered prover (issue #14, docs/tiers.md): every tier against the full region complex on
// hundreds of random small nets (a tier may say "don't know", never "convex" for a non-convex
// net), every tier certificate through the independent checker, mutants of each certificate
// kind rejected, and the structural rewrites checked by exact forward passes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <unistd.h>

#include "analysis/convexity.hpp"
#include "analysis/tiers/bounded_pathlift.hpp"
#include "analysis/tiers/branch_and_bound.hpp"
#include "analysis/tiers/structural.hpp"
#include "checker/checker.hpp"
#include "support/exact.hpp"
#include "support/process.hpp"
#include "support/checker_calls.hpp"
#include "support/random_nets.hpp"

using namespace relucert;
using namespace relucert::tiers;
using relucert::testing::checker_net;
using relucert::testing::checker_says;
using relucert::testing::network_to_json;
using relucert::testing::RandomCase;
using relucert::testing::RandomNetGenerator;

namespace {


Vector random_point(std::mt19937_64& rng, const Domain& dom, std::size_t d) {
  Vector x(d);
  for (std::size_t i = 0; i < d; ++i) {
    const long t = static_cast<long>(rng() % 1025);
    if (dom.is_box) x[i] = dom.lo[i] + (dom.hi[i] - dom.lo[i]) * testing::frac(t, 1024);
    else x[i] = testing::frac(t - 512, 64);
  }
  return x;
}

struct Collected {
  std::vector<std::pair<Network, std::string>> structural, pathlift, bnb;
};

struct Tally {
  std::size_t cases = 0, decided = 0, complex_convex = 0, structural = 0, pathlift = 0, bnb = 0;
};

void check_case(const RandomCase& rc, const Domain& dom, std::mt19937_64& rng, Tally& t, Collected& keep) {
  INFO("recipe " << rc.recipe << " on " << dom.describe() << "\n" << network_to_json(rc.net));
  ++t.cases;
  // The rewrites are exact: the rewritten form equals f at points of the domain.
  const StructuralAnalysis sa = analyse_structure(rc.net, dom);
  for (int i = 0; i < 6; ++i) {
    const Vector x = random_point(rng, dom, rc.net.input_dim());
    CHECK(evaluate_rewritten(sa, x) == rc.net.value(x));
  }
  CheckOptions full;
  full.refuter_lines = 0;
  full.method = Method::RegionComplex;
  full.limits.max_cells = 20000;
  const CheckResult ref = check_convexity(rc.net, dom, full);
  if (ref.verdict == Verdict::Unknown) return;
  ++t.decided;
  const bool convex = ref.verdict == Verdict::Convex;
  t.complex_convex += convex;
  if (rc.must_be_convex) CHECK(convex);
  const rcv::Net cn = checker_net(rc.net, "tiers");
  auto judge = [&](const std::optional<TierProof>& p, std::size_t& count, std::vector<std::pair<Network, std::string>>& kept) {
    if (!p) return;
    ++count;
    INFO("tier " << tier_name(p->tier) << " certificate:\n" << p->certificate);
    CHECK_MESSAGE(convex, "a tier proved convex what the region complex refutes");
    CHECK(checker_says(cn, p->certificate) == "");
    if (kept.size() < 40) kept.emplace_back(rc.net, p->certificate);
  };
  if (sa.proves_convex()) judge(structural_proof(sa, dom), t.structural, keep.structural);
  judge(prove_bounded_pathlift(rc.net, dom), t.pathlift, keep.pathlift);
  if (dom.is_box) {
    TierOptions o;
    o.max_parts = 64;
    judge(prove_branch_and_bound(rc.net, dom, o).proof, t.bnb, keep.bnb);
  }
  // The ICNN-style nets (hidden-to-hidden and output weights >= 0) are what the structural tier
  // is for: it proves every one of them, and bounded path-lifting every layered one.
  if (rc.must_be_convex) {
    CHECK_MESSAGE(sa.proves_convex(), sa.blocker);
    if (is_layered_mlp(rc.net)) CHECK(analyse_bounded_pathlift(rc.net, dom).proves_convex);
  }
}

Collected& collected() {
  static Collected c = [] {
    Collected keep;
    Tally t;
    std::mt19937_64 rng(99);
    for (std::uint64_t seed = 0; seed < 1500; ++seed) {
      RandomNetGenerator gen(5000 + seed);
      const RandomCase rc = seed % 4 == 0 ? gen.icnn() : seed % 9 == 1 ? gen.residual(seed % 2 == 0) : gen.general();
      check_case(rc, rc.box, rng, t, keep);
      check_case(rc, Domain::whole_space(rc.net.input_dim()), rng, t, keep);
    }
    MESSAGE("tiers: " << t.cases << " cases, " << t.decided << " decided by the complex (" << t.complex_convex
                      << " convex); proofs: structural " << t.structural << ", bounded path-lifting " << t.pathlift
                      << ", branch and bound " << t.bnb);
    CHECK(t.decided > 2800);
    // Not vacuous: each tier proves a good share of the convex cases.
    CHECK(t.structural > t.complex_convex / 3);
    CHECK(t.pathlift > 50);
    CHECK(t.bnb > t.pathlift / 4);
    return keep;
  }();
  return c;
}

// Replace the first line that starts with `prefix` and satisfies `pick` by `edit(line)`; false if none.
bool mutate(std::string& cert, const std::function<bool(const std::string&)>& pick,
            const std::function<std::string(const std::string&)>& edit) {
  std::istringstream in(cert);
  std::string out, line;
  bool done = false;
  while (std::getline(in, line)) {
    if (!done && pick(line)) {
      line = edit(line);
      done = true;
    }
    out += line + "\n";
  }
  if (done) cert = out;
  return done;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string replace_word(const std::string& line, std::size_t index, const std::string& by) {
  std::istringstream ls(line);
  std::vector<std::string> w;
  for (std::string x; ls >> x;) w.push_back(x);
  w.at(index) = by;
  std::string r;
  for (const auto& x : w) r += (r.empty() ? "" : " ") + x;
  return r;
}

std::string word(const std::string& line, std::size_t index) {
  std::istringstream ls(line);
  std::vector<std::string> w;
  for (std::string x; ls >> x;) w.push_back(x);
  return w.at(index);
}

std::string plus_one(const std::string& q) { return to_string(Rational(*parse_rational(q) + 1)); }

}  // namespace

TEST_CASE("every tier agrees with the region complex, and its certificates pass the checker") {
  CHECK(!collected().structural.empty());
}

TEST_CASE("mutants of the structural certificate are rejected") {
  std::size_t tried = 0;
  for (const auto& [net, cert] : collected().structural) {
    const rcv::Net cn = checker_net(net, "tiers");
    auto relu_line = [](const std::string& l) { return has(l, "neuron ") && has(l, " relu"); };
    for (const std::string state : {"dead", "active"}) {
      std::string m = cert;
      if (mutate(m, relu_line, [&](const std::string& l) { return replace_word(l, 2, state); })) {
        ++tried;
        CHECK(checker_says(cn, m) != "");
      }
    }
    std::string m = cert;
    auto merged = [](const std::string& l) { return has(l, " duplicate ") || has(l, " opposite "); };
    if (mutate(m, merged, [](const std::string& l) { return replace_word(l, 4, to_string(Rational(*parse_rational(word(l, 4)) * 2))); })) {
      ++tried;
      CHECK(checker_says(cn, m) != "");
    }
    m = cert;
    if (mutate(m, merged, [](const std::string& l) { return replace_word(l, 2, word(l, 2) == "duplicate" ? "opposite" : "duplicate"); })) {
      ++tried;
      CHECK(checker_says(cn, m) != "");
    }
    m = cert;
    if (mutate(m, [](const std::string& l) { return has(l, "neuron "); }, [](const std::string&) { return std::string("c dropped"); })) {
      ++tried;
      CHECK(has(checker_says(cn, m), "malformed"));
    }
  }
  CHECK(tried > 60);
  // A structural certificate of a convex net does not prove its negation convex.
  const Network f(1, {test::layer({{"1"}}, {"0"}), test::layer({{"1"}}, {"0"}, false)});
  const Network g(1, {test::layer({{"1"}}, {"0"}), test::layer({{"-1"}}, {"0"}, false)});
  const auto p = prove_structural(f, Domain::whole_space(1));
  REQUIRE(p);
  CHECK(checker_says(checker_net(f, "tiers"), p->certificate) == "");
  CHECK(has(checker_says(checker_net(g, "tiers"), p->certificate), "rejected"));
  CHECK_FALSE(prove_structural(g, Domain::whole_space(1)));
}

TEST_CASE("mutants of path-lifting and branch-and-bound certificates are rejected") {
  std::size_t tried = 0;
  auto bounded_line = [](const std::string& l) { return has(l, " domain ") || has(l, " zero-set "); };
  for (const auto* kind : {&collected().pathlift, &collected().bnb}) {
    for (const auto& [net, cert] : *kind) {
      const rcv::Net cn = checker_net(net, "tiers");
      std::string m = cert;
      if (mutate(m, bounded_line, [](const std::string& l) { return replace_word(l, 5, plus_one(word(l, 5))); })) {
        ++tried;
        CHECK(has(checker_says(cn, m), "rejected"));
      }
      m = cert;
      if (mutate(m, [&](const std::string& l) { return bounded_line(l) && has(word(l, 3), "*"); },
                 [](const std::string& l) {
                   std::string bits = word(l, 3);
                   bits[bits.find('*')] = '+';
                   return replace_word(l, 3, bits);
                 })) {
        ++tried;
        CHECK(has(checker_says(cn, m), "rejected"));
      }
      m = cert;
      if (mutate(m, [](const std::string& l) { return has(l, " domain ") && has(l, "neuron "); },
                 [](const std::string& l) { return "neuron " + word(l, 1) + " never-zero"; })) {
        ++tried;
        CHECK(has(checker_says(cn, m), "rejected"));
      }
      m = cert;
      if (mutate(m, [](const std::string& l) { return has(l, "split "); },
                 [](const std::string& l) { return replace_word(l, 2, "1000000"); })) {
        ++tried;
        CHECK(has(checker_says(cn, m), "malformed"));
      }
      m = cert;
      if (mutate(m, [](const std::string& l) { return l == "end"; }, [](const std::string&) { return std::string("leaf"); })) {
        ++tried;
        CHECK(has(checker_says(cn, m), "malformed"));
      }
    }
  }
  CHECK(tried > 80);
}

TEST_CASE("the tiers on hand-made nets: ICNN after rewrites, dead neurons on a box, folds that only the complex decides") {
  using test::layer;
  const Domain R1 = Domain::whole_space(1), box = Domain::box({Rational(-1)}, {Rational(1)});
  // relu(x) - relu(-x) = x: opposite neurons cancel exactly.
  const Network lin(1, {layer({{"1"}, {"-1"}}, {"0", "0"}), layer({{"1", "-1"}}, {"0"}, false)});
  const StructuralAnalysis a = analyse_structure(lin, R1);
  CHECK(a.proves_convex());
  CHECK(a.f_shape == Shape::Affine);
  REQUIRE(a.steps.size() == 2);
  CHECK(a.steps[1].state == NeuronState::Opposite);
  // 10 - relu(x - 5): concave on R, but the neuron is dead on [-1, 1].
  const Network dead(1, {layer({{"1"}}, {"-5"}), layer({{"-1"}}, {"10"}, false)});
  CHECK_FALSE(analyse_structure(dead, R1).proves_convex());
  CHECK(analyse_structure(dead, box).proves_convex());
  CHECK(prove_bounded_pathlift(dead, box).has_value());
  CHECK_FALSE(prove_bounded_pathlift(dead, R1).has_value());
  // A concave fold: no tier proves it, on any part; the default check refutes it.
  const Network fold(1, {layer({{"1"}}, {"0"}), layer({{"-1"}}, {"0"}, false)});
  TierOptions o;
  o.max_parts = 32;
  const BranchAndBoundResult b = prove_branch_and_bound(fold, box, o);
  CHECK_FALSE(b.proof);
  CHECK(has(b.reason, "32 parts"));
  // In the auto order branch and bound gives up once three nested parts fail on one neuron (the
  // fold's obstacle never moves), instead of digging 32 parts deep into one corner.
  o.give_up_after_same_blocker = 3;
  const BranchAndBoundResult quick = prove_branch_and_bound(fold, box, o);
  CHECK_FALSE(quick.proof);
  CHECK(has(quick.reason, "splitting does not help: 3 nested parts fail on the same obstacle"));
  CheckOptions forced;
  forced.method = Method::BranchAndBound;
  forced.branch_parts = 16;
  // Forced, branch and bound answers the stuck parts by their own complexes, which refute.
  const CheckResult r = check_convexity(fold, box, forced);
  CHECK(r.verdict == Verdict::NotConvex);
  CHECK(r.method == "branch-and-bound");
  REQUIRE(r.witness);
  CHECK(verify_witness(fold, box, *r.witness));
  CHECK(check_convexity(fold, box).verdict == Verdict::NotConvex);
  // The 1-D separation net of examples/: convex, not an ICNN, no structural proof; on a box
  // branch and bound proves it, on R the region complex does.
}

TEST_CASE("relucert check --method: the tier used is reported, its certificate verifies, a forced tier never refutes") {
  using test::contains;
  using test::run_cli;
  const std::string icnn = std::string(RELUCERT_SHARED_NETS_DIR) + "/icnn_basic.json";
  const std::string fold = std::string(RELUCERT_EXAMPLES_DIR) + "/layer2_concave_fold.json";
  const auto dir = test::scratch_dir() / "tiers";
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "icnn.cert").string();
  test::Run r = run_cli({"check", icnn, "--json", "--certificate", cert});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "\"method\":\"structural\""));
  CHECK(contains(r.out, "\"proof\":\"an ICNN as stored"));
  const test::Run v = test::run_shell(test::shell_quote(RELUCERT_VERIFY_PATH) + " " + test::shell_quote(icnn) + " " + test::shell_quote(cert), "verify");
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "VERIFIED"));
  r = run_cli({"check", icnn, "--box", "-1:1", "--method", "bounded-pathlift"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "proved by: the bounded-pathlift tier"));
  for (const std::string m : {"structural", "bounded-pathlift"}) {
    r = run_cli({"check", fold, "--box", "-1:1", "--method", m, "--parts", "8", "--json"});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.out, "never refutes"));
  }
  // Branch and bound answers the parts it cannot prove by their complexes, which decide both ways.
  r = run_cli({"check", fold, "--box", "-1:1", "--method", "branch-and-bound", "--parts", "8", "--json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "\"verdict\":\"not_convex\""));
  CHECK(contains(r.out, "\"method\":\"branch-and-bound\""));
  r = run_cli({"check", fold, "--method", "magic"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--method"));
}
