// Branch and bound with part complexes glued on the split planes (issue #14 item 3,
// docs/certificate.md §10): on hundreds of small random nets and on the separation nets (whose
// kinks lie on integers, where the box midpoints fall) its verdict equals the whole-domain
// complex's, every witness is verified, every certificate passes the independent checker, and
// mutants of the new records are rejected. A fold that lies exactly on a split plane between two
// part complexes is found by the gluing alone.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

#include "analysis/convexity.hpp"
#include "analysis/tiers/branch_and_bound.hpp"
#include "analysis/tiers/layer_bounds.hpp"
#include "checker/checker.hpp"
#include "core/network_json.hpp"
#include "support/exact.hpp"
#include "support/process.hpp"
#include "support/checker_calls.hpp"
#include "support/random_nets.hpp"

using namespace relucert;
using namespace relucert::tiers;
using relucert::testing::checker_net;
using relucert::testing::checker_says;
using relucert::testing::network_to_json;
using relucert::testing::RandomNetGenerator;

namespace {


bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream ls(line);
  std::vector<std::string> w;
  for (std::string x; ls >> x;) w.push_back(x);
  return w;
}

Domain cube(std::size_t d, long lo, long hi) { return Domain::box(Vector(d, Rational(lo)), Vector(d, Rational(hi))); }

// Forced branch and bound with part complexes: `parts` small and no give-up rule, so most nets
// end with several complex parts side by side, which is what the gluing is for.
TierOptions forced(std::size_t parts, std::size_t give_up) {
  TierOptions o;
  o.max_parts = parts;
  o.give_up_after_same_blocker = give_up;
  o.part_complexes = TierOptions::PartComplexes::Always;
  o.max_cells = 20000;
  return o;
}

struct Kept {
  Network net;
  std::string cert;
};

struct Tally {
  std::size_t cases = 0, decided = 0, convex = 0, witnesses = 0, certificates = 0, with_complex = 0, with_glue = 0,
              glue_witnesses = 0;
  std::vector<Kept> kept;  // certificates with complex parts and glue records, for the mutants
};

void compare(const Network& net, const Domain& box, const TierOptions& o, Tally& t) {
  INFO("box " << box.describe() << " parts " << o.max_parts << " give-up " << o.give_up_after_same_blocker << "\n"
              << network_to_json(net));
  ++t.cases;
  CheckOptions full;
  full.refuter_lines = 0;
  full.method = Method::RegionComplex;
  full.limits.max_cells = 20000;
  const CheckResult ref = check_convexity(net, box, full);
  const BranchAndBoundResult b = prove_branch_and_bound(net, box, o);
  CHECK_FALSE((b.proof && b.witness));
  if (ref.verdict == Verdict::Unknown || (!b.proof && !b.witness)) {
    // Only a limit may leave branch and bound undecided here (the cell limit of both).
    if (!b.proof && !b.witness) CHECK_MESSAGE(has(b.reason, "limit"), b.reason);
    return;
  }
  ++t.decided;
  const bool convex = ref.verdict == Verdict::Convex;
  t.convex += convex;
  // Every leaf is answered by one of the two; with a witness the search stops at the first
  // violating part complex, so the parts after it are left unanswered.
  CHECK(b.parts >= b.pathlift_parts + b.complex_parts);
  if (b.witness) {
    ++t.witnesses;
    CHECK_MESSAGE(!convex, "branch and bound refuted a net that the whole complex proves convex");
    CHECK(verify_witness(net, box, *b.witness));
    if (has(b.violation, "split plane")) ++t.glue_witnesses;
    return;
  }
  CHECK_MESSAGE(convex, "branch and bound proved convex a net that the whole complex refutes");
  CHECK(b.parts == b.pathlift_parts + b.complex_parts);
  ++t.certificates;
  const std::string said = checker_says(checker_net(net, "bnb"), b.proof->certificate);
  CHECK_MESSAGE(said == "", said << "\n" << b.proof->certificate);
  if (b.complex_parts > 0) ++t.with_complex;
  if (has(b.proof->certificate, "glue-")) {
    ++t.with_glue;
    if (t.kept.size() < 60) t.kept.push_back({net, b.proof->certificate});
  }
}

Tally& random_tally() {
  static Tally t = [] {
    Tally t;
    for (std::uint64_t seed = 0; seed < 700; ++seed) {
      RandomNetGenerator gen(9100 + seed);
      const auto rc = seed % 3 == 0 ? gen.icnn() : gen.general();
      const std::size_t d = rc.net.input_dim();
      if (d > 3 || !is_layered_mlp(rc.net)) continue;
      // The generator's own box, and a box with integer midpoints at every level (kinks of the
      // small-integer weights then often lie exactly on split planes).
      const std::size_t parts = 4 + seed % 4 * 4;
      compare(rc.net, rc.box, forced(parts, seed % 3), t);
      compare(rc.net, cube(d, -4, 4), forced(parts, 0), t);
    }
    MESSAGE("random nets: " << t.cases << " cases, " << t.decided << " decided (" << t.convex << " convex); "
                            << t.witnesses << " witnesses (" << t.glue_witnesses << " from the gluing), " << t.certificates
                            << " certificates (" << t.with_complex << " with part complexes, " << t.with_glue
                            << " with glue records)");
    return t;
  }();
  return t;
}

// Replace line i by `by` (several lines allowed, or none).
std::string replaced(const std::vector<std::string>& v, std::size_t i, const std::vector<std::string>& by) {
  std::vector<std::string> out(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i));
  out.insert(out.end(), by.begin(), by.end());
  out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end());
  return join(out);
}

std::optional<std::size_t> find_line(const std::vector<std::string>& v, const std::function<bool(const std::string&)>& pick) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (pick(v[i])) return i;
  return std::nullopt;
}

}  // namespace

TEST_CASE("branch and bound with part complexes agrees with the whole complex on random nets (d = 1, 2, 3)") {
  const Tally& t = random_tally();
  CHECK(t.decided > 500);
  // Not vacuous: both verdicts occur, part complexes and glue records are exercised.
  CHECK(t.witnesses > 100);
  CHECK(t.certificates > 100);
  CHECK(t.with_complex > 50);
  CHECK(t.with_glue > 30);
}

TEST_CASE("the separation nets (kinks on integers, split planes on integers): same verdict, certificates verify") {
  Tally t;
  for (const std::string name : {"c2_sep_1d_box", "c2_sep_2d_lift", "c2_sep_1d_R", "nc_layer2_bent", "tiny_1d"}) {
    const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/" + name + ".json");
    const std::size_t d = net.input_dim();
    for (const auto& [lo, hi] : {std::pair{-4L, 4L}, std::pair{0L, 8L}, std::pair{-1L, 5L}})
      for (std::size_t parts : {4, 8, 16}) compare(net, cube(d, lo, hi), forced(parts, 0), t);
  }
  const Network sep = load_network_json_file(std::string(RELUCERT_EXAMPLES_DIR) + "/separation_1d.json");
  for (const auto& [lo, hi] : {std::pair{-4L, 4L}, std::pair{0L, 8L}})
    for (std::size_t parts : {2, 4, 8}) compare(sep, cube(1, lo, hi), forced(parts, 0), t);
  MESSAGE("separation nets: " << t.cases << " cases, " << t.certificates << " certificates (" << t.with_glue
                              << " with glue records), " << t.witnesses << " witnesses");
  CHECK(t.decided == t.cases);
  CHECK(t.with_glue > 5);
}

TEST_CASE("a fold exactly on a split plane between two part complexes is found by the gluing alone") {
  using test::layer;
  // f = -relu(x1): concave along x1 = 0, the first split plane of [-1, 1]^d. Path-lifting fails
  // on both halves (the zero set touches each closed half), the give-up rule sends both halves
  // to their complexes, and each half's complex is a single affine cell: no pair inside a part
  // violates anything. Only the glue walk across x1 = 0 sees the fold.
  for (std::size_t d : {1, 2, 3}) {
    CAPTURE(d);
    test::StrMatrix W1{std::vector<std::string>(d, "0")};
    W1[0][0] = "1";
    const Network fold(d, {layer(W1, {"0"}), layer({{"-1"}}, {"0"}, false)});
    const Domain box = cube(d, -1, 1);
    Domain lower = box, upper = box;
    lower.hi[0] = 0;
    upper.lo[0] = 0;
    for (const Domain& half : {lower, upper}) {
      const RegionComplex cx = build_region_complex(fold, half);
      REQUIRE(cx.status == BuildStatus::Complete);
      CHECK(cx.cells.size() == 1);
      CHECK_FALSE(find_violating_adjacency(cx));
    }
    const BranchAndBoundResult b = prove_branch_and_bound(fold, box, forced(64, 2));
    CHECK_FALSE(b.proof);
    REQUIRE(b.witness);
    CHECK(b.complex_parts == 2);
    CHECK(b.pathlift_parts == 0);
    CHECK(has(b.violation, "split plane"));
    CHECK(verify_witness(fold, box, *b.witness));
    // The witness straddles the plane.
    CHECK(sgn(b.witness->x[0]) * sgn(b.witness->y[0]) < 0);
    // 2 relu(x1) - relu(x1) = relu(x1) is convex with a positive jump on the plane, but the
    // second neuron's path-lifting value is -1, so path-lifting fails on both halves again and
    // only the glue record "glue-jump 1.0 2.0 1" (g jumps by 1 e_1 from part 1 to part 2) covers it.
    test::StrMatrix W2{W1[0], W1[0]};
    const Network bend(d, {layer(W2, {"0", "0"}), layer({{"2", "-1"}}, {"0"}, false)});
    const BranchAndBoundResult p = prove_branch_and_bound(bend, box, forced(64, 2));
    REQUIRE(p.proof);
    CHECK(p.complex_parts == 2);
    CHECK(has(p.proof->certificate, "glue-jump 1.0 2.0 1\n"));
    const rcv::Net cn = checker_net(bend, "bnb");
    CHECK(checker_says(cn, p.proof->certificate) == "");
    const Network bend_fold(d, {layer(W2, {"0", "0"}), layer({{"-2", "1"}}, {"0"}, false)});
    // The same certificate does not prove the fold convex.
    CHECK(has(checker_says(checker_net(bend_fold, "bnb"), p.proof->certificate), "rejected"));
  }
}

TEST_CASE("parts that are not face to face: one part's face against two parts across the plane") {
  using test::layer;
  // On [-1, 1]^2: N1, N2 kink on x1 = 0 (weights a, b), N3, N4 on x1 = -1/2 (weights 2, -1).
  // The root fails on N4 (the last failing neuron is the blocker); so does the lower half
  // [-1, 0] x [-1, 1]: two nested parts on one neuron, so with the give-up rule at 2 it goes to
  // its complex (cells x1 <= -1/2 and x1 >= -1/2). On the upper half N3, N4 never vanish and the
  // blocker is N1 or N2, so it is split once more, on x2 = 0, and both quarters go to their
  // complexes. The face of the lower half on x1 = 0 meets two parts across the plane.
  for (const bool convex : {true, false}) {
    CAPTURE(convex);
    const std::string a = convex ? "2" : "-2", b = convex ? "-1" : "1";
    const Network net(2, {layer({{"1", "0"}, {"1", "0"}, {"1", "0"}, {"1", "0"}}, {"0", "0", "1/2", "1/2"}),
                          layer({{a, b, "2", "-1"}}, {"0"}, false)});
    const Domain box = cube(2, -1, 1);
    const BranchAndBoundResult r = prove_branch_and_bound(net, box, forced(64, 2));
    CHECK(r.pathlift_parts == 0);
    if (convex) {
      REQUIRE(r.proof);
      CHECK(r.complex_parts == 3);
      const std::string& c = r.proof->certificate;
      INFO(c);
      // Part tree: 0 split x1 = 0, 1 complex [-1, 0] x [-1, 1], 2 split x2 = 0, 3 and 4 complex.
      CHECK(has(c, "split 1 0\ncomplex\ndomain box 2 -1 0 -1 1\n"));
      CHECK(has(c, "split 2 0\ncomplex\ndomain box 2 0 1 -1 0\n"));
      // The lower half's cell x1 <= -1/2 does not reach the plane: cut off against the whole
      // upper side at once; its cell x1 >= -1/2 meets both quarters, each with a jump of 1.
      CHECK(has(c, "glue-prune 1.1 2 "));
      CHECK(has(c, "glue-jump 1.2 3.0 1\n"));
      CHECK(has(c, "glue-jump 1.2 4.0 1\n"));
      CHECK(checker_says(checker_net(net, "bnb"), c) == "");
    } else {
      REQUIRE(r.witness);
      CHECK(has(r.violation, "split plane"));
      CHECK(verify_witness(net, box, *r.witness));
    }
  }
}

TEST_CASE("mutants of branch-and-bound certificates with part complexes are rejected") {
  const Tally& t = random_tally();
  REQUIRE(!t.kept.empty());
  std::size_t flipped = 0, missing = 0, dropped = 0, wrong_box = 0, apart = 0, prune = 0;
  for (const Kept& k : t.kept) {
    const rcv::Net cn = checker_net(k.net, "bnb");
    const std::vector<std::string> v = lines_of(k.cert);
    // A flipped jump: lambda -> -lambda - 1 (negative, also when lambda = 0).
    if (const auto i = find_line(v, [](const std::string& l) { return has(l, "glue-jump "); })) {
      auto w = words(v[*i]);
      w[3] = to_string(Rational(-*parse_rational(w[3]) - 1));
      CHECK(has(checker_says(cn, replaced(v, *i, {w[0] + " " + w[1] + " " + w[2] + " " + w[3]})), "rejected"));
      // A wrong positive lambda.
      w[3] = to_string(Rational(*parse_rational(words(v[*i])[3]) + 1));
      CHECK(has(checker_says(cn, replaced(v, *i, {w[0] + " " + w[1] + " " + w[2] + " " + w[3]})), "rejected"));
      // A missing glue record: the walk reaches the pair and finds nothing.
      const std::string said = checker_says(cn, replaced(v, *i, {}));
      CHECK_MESSAGE(has(said, "no glue record"), said);
      flipped += 2;
      ++missing;
    }
    // A glue-apart for two cells whose gradients differ only along the normal.
    if (const auto i = find_line(v, [](const std::string& l) { return has(l, "glue-jump "); })) {
      const auto w = words(v[*i]);
      CHECK(has(checker_says(cn, replaced(v, *i, {"glue-apart " + w[1] + " " + w[2]})), "rejected"));
      ++apart;
    }
    // A glue-jump for a pair that is "apart" (their gradients are not parallel to the normal).
    if (const auto i = find_line(v, [](const std::string& l) { return has(l, "glue-apart "); })) {
      const auto w = words(v[*i]);
      CHECK(has(checker_says(cn, replaced(v, *i, {"glue-jump " + w[1] + " " + w[2] + " 0"})), "rejected"));
      ++apart;
    }
    // A dropped prune: the walk descends below the pair and reaches cell pairs without records.
    if (const auto i = find_line(v, [](const std::string& l) { return has(l, "glue-prune "); })) {
      const std::string said = checker_says(cn, replaced(v, *i, {}));
      CHECK_MESSAGE(has(said, "no glue record"), said);
      ++prune;
    }
    // A dropped complex leaf: the block from "complex" through its "end" removed.
    if (const auto i = find_line(v, [](const std::string& l) { return l == "complex"; })) {
      std::size_t e = *i;
      while (v[e] != "end") ++e;
      std::vector<std::string> out(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(*i));
      out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(e) + 1, v.end());
      CHECK(checker_says(cn, join(out)) != "");
      ++dropped;
      // A wrong part box: the complex leaf claims a box other than its part.
      auto w = words(v[*i + 1]);
      REQUIRE(w.at(0) == "domain");
      w[3] = to_string(Rational(*parse_rational(w[3]) - 1));
      std::string line;
      for (const auto& x : w) line += (line.empty() ? "" : " ") + x;
      CHECK(has(checker_says(cn, replaced(v, *i + 1, {line})), "is not its part"));
      ++wrong_box;
      // A complex leaf turned into a path-lifting leaf without neuron lines is malformed.
      std::vector<std::string> as_leaf(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(*i));
      as_leaf.push_back("leaf");
      as_leaf.insert(as_leaf.end(), v.begin() + static_cast<std::ptrdiff_t>(e) + 1, v.end());
      CHECK(checker_says(cn, join(as_leaf)) != "");
    }
    // A glue record nobody reaches: a duplicate of a pair with swapped sides.
    if (const auto i = find_line(v, [](const std::string& l) { return has(l, "glue-apart "); })) {
      const auto w = words(v[*i]);
      std::vector<std::string> extra(v);
      extra.insert(extra.end() - 1, "glue-apart " + w[2] + " " + w[1]);
      CHECK(has(checker_says(cn, join(extra)), "not reached"));
    }
  }
  MESSAGE("mutants: " << flipped << " wrong jumps, " << missing << " missing records, " << apart << " apart/jump swaps, "
                      << prune << " prunes, " << dropped << " dropped complex leaves, " << wrong_box << " wrong part boxes");
  CHECK(flipped > 20);
  CHECK(missing > 10);
  CHECK(dropped > 20);
  CHECK(wrong_box > 20);
  CHECK(apart > 10);
  CHECK(prune > 10);
}

TEST_CASE("check_convexity: forced branch and bound reports its parts; auto builds part complexes only when they are smaller") {
  const Network sep2 = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/c2_sep_2d_lift.json");
  CheckOptions o;
  o.method = Method::BranchAndBound;
  o.branch_parts = 16;
  const CheckResult r = check_convexity(sep2, cube(2, -1, 5), o);
  REQUIRE(r.verdict == Verdict::Convex);
  REQUIRE(r.proof);
  CHECK(r.method == "branch-and-bound");
  CHECK(has(r.proof->summary, "parts by bounded path-lifting, "));
  CHECK(has(r.proof->summary, " by part complexes"));
  CHECK(checker_says(checker_net(sep2, "bnb"), r.proof->certificate) == "");
  // A cell limit on the part complexes gives unknown, never a guess.
  o.limits.max_cells = 2;
  const CheckResult u = check_convexity(sep2, cube(2, -1, 5), o);
  CHECK(u.verdict == Verdict::Unknown);
  CHECK(has(u.unknown_reason, "cell limit"));
  // So does a time limit (here one that has passed before the search starts).
  TierOptions late = forced(16, 3);
  late.time_limit_seconds = 1e-9;
  const BranchAndBoundResult l = prove_branch_and_bound(sep2, cube(2, -1, 5), late);
  CHECK_FALSE(l.proof);
  CHECK_FALSE(l.witness);
  CHECK(has(l.reason, "time limit"));
  // The auto rule: part complexes only when their estimated sizes sum below the whole box's.
  // c2_sep_1d_box on [-1, 5]: path-lifting proves 4 parts, one part is left to its complex,
  // which has fewer cells than the whole complex.
  TierOptions a;
  a.max_parts = 64;
  a.give_up_after_same_blocker = 3;
  a.part_complexes = TierOptions::PartComplexes::WhenSmall;
  const Network sep1 = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/c2_sep_1d_box.json");
  const Domain sep_box = cube(1, -1, 5);
  const BranchAndBoundResult small = prove_branch_and_bound(sep1, sep_box, a);
  REQUIRE(small.proof);
  CHECK(small.complex_parts >= 1);
  CHECK(small.pathlift_parts >= 1);
  const RegionComplex whole = build_region_complex(sep1, sep_box);
  MESSAGE("c2_sep_1d_box on [-1, 5]: " << small.complex_cells << " cells in " << small.complex_parts
                                        << " part complexes, the whole complex has " << whole.cells.size());
  CHECK(small.complex_cells < whole.cells.size());
  CHECK(checker_says(checker_net(sep1, "bnb"), small.proof->certificate) == "");
  const CheckResult viaauto = check_convexity(sep1, sep_box);
  CHECK(viaauto.method == "branch-and-bound");
  REQUIRE(viaauto.proof);
  CHECK(has(viaauto.proof->summary, "by part complexes"));
  // The fold -relu(x) on [-1, 1]: the first stuck part, [-1/2, 0], still holds the kink, so its
  // complex is estimated as large as the whole one: branch and bound stops right there (after
  // one part proved, [-1, -1/2]) and is abandoned for the whole-domain complex, as before part
  // complexes, having built nothing.
  using test::layer;
  const Network fold(1, {layer({{"1"}}, {"0"}), layer({{"-1"}}, {"0"}, false)});
  const BranchAndBoundResult big = prove_branch_and_bound(fold, cube(1, -1, 1), a);
  CHECK_FALSE(big.proof);
  CHECK_FALSE(big.witness);
  CHECK(big.complex_cells == 0);
  CHECK(big.parts == 1);
  CHECK(has(big.reason, "larger than the whole-domain complex"));
  // check_convexity's auto order then refutes it with the complex (or the lines).
  CHECK(check_convexity(fold, cube(1, -1, 1)).verdict == Verdict::NotConvex);
}

TEST_CASE("relucert check --method branch-and-bound: the summary counts the parts, proofs and witnesses verify") {
  using test::contains;
  using test::run_cli;
  const std::string nets = std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/certificates/nets/";
  const auto dir = test::scratch_dir() / "bnb";
  std::filesystem::create_directories(dir);
  auto verify = [](const std::string& net, const std::string& file) {
    return test::run_shell(test::shell_quote(RELUCERT_VERIFY_PATH) + " " + test::shell_quote(net) + " " + test::shell_quote(file), "verify");
  };
  const std::string cert = (dir / "bend.cert").string();
  test::Run r = run_cli({"check", nets + "bnb_bend.json", "--box", "-1:1", "--method", "branch-and-bound", "--certificate", cert});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "proved by: the branch-and-bound tier, 2 parts by bounded path-lifting, 2 by part complexes"));
  test::Run v = verify(nets + "bnb_bend.json", cert);
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "2 by part complexes, 1 glue records"));
  const std::string wit = (dir / "fold.witness").string();
  r = run_cli({"check", nets + "bnb_fold.json", "--box", "-1:1", "--method", "branch-and-bound", "--certificate", wit, "--json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "\"method\":\"branch-and-bound\""));
  CHECK(contains(r.out, "a split plane between two part complexes"));
  CHECK(contains(r.out, "\"parts\":{\"bounded_pathlift\":2,\"complex\":2}"));
  v = verify(nets + "bnb_fold.json", wit);
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "not convex"));
}
