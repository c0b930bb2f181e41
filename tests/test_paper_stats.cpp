// bench/paper_stats_lib.hpp: the random-net generator (PyTorch default init in float32), the ICNN
// test, the float32 path-lifting audit, and the CSV report of bench/paper_stats.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/convexity.hpp"
#include "bench/paper_stats_lib.hpp"
#include "core/network_json.hpp"
#include "core/rational.hpp"

using namespace relucert;
namespace ps = relucert::paper_stats;

namespace {

Rational q(const std::string& s) {
  auto r = parse_rational(s);
  REQUIRE_MESSAGE(r.has_value(), s);
  return *r;
}

Layer layer(const std::vector<std::vector<std::string>>& W, const std::vector<std::string>& b, bool relu) {
  Layer L;
  for (const auto& row : W) {
    Vector r;
    for (const auto& s : row) r.push_back(q(s));
    L.W.push_back(std::move(r));
  }
  for (const auto& s : b) L.b.push_back(q(s));
  L.relu = relu;
  return L;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) v.push_back(line);
  return v;
}

std::size_t commas(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), ',')); }

// A net whose only facet on [-1,1] is x = 0 (neuron L1:N1), with c = 1 + (-2^-30) + (-1) = -2^-30
// there: f(x) = 4 - 2^-30 relu(x) is concave. Every weight is a float32, but the float32 sum
// 1 + (-2^-30) rounds to 1, so the float32 path-lifting value is 0 and the float32 test passes.
Network rounding_trap_net() {
  std::vector<Layer> Ls;
  Ls.push_back(layer({{"1"}}, {"0"}, true));
  Ls.push_back(layer({{"1"}, {"-0x1p-30"}, {"-1"}}, {"1", "1", "2"}, true));  // all active for relu(x) in [0, 1]
  Ls.push_back(layer({{"1", "1", "1"}}, {"0"}, false));
  return Network(1, std::move(Ls));
}

}  // namespace

TEST_CASE("generator: same seed, same float32 nets within +-1/sqrt(fan_in)") {
  const ps::Arch a{3, 4, 2};
  const std::uint64_t s = ps::net_seed(1, a, 0);
  CHECK(s == ps::net_seed(1, a, 0));
  CHECK(s != ps::net_seed(1, a, 1));
  CHECK(s != ps::net_seed(2, a, 0));
  CHECK(s != ps::net_seed(1, ps::Arch{3, 4, 3}, 0));

  const ps::Float32Net f1 = ps::draw_float32_net(a, s), f2 = ps::draw_float32_net(a, s);
  CHECK(f1.W == f2.W);
  CHECK(f1.b == f2.b);
  CHECK(ps::draw_float32_net(a, s + 1).W != f1.W);

  // Shapes (3,4,4,1) and fan-ins 3, 4, 4; every value is a float32 inside the exact bound, and
  // the exact network holds exactly those values.
  REQUIRE(f1.W.size() == 3);
  const Network net = ps::to_network(f1);
  const std::vector<std::size_t> fan_in{3, 4, 4}, rows{4, 4, 1};
  float largest = 0;
  for (std::size_t l = 0; l < 3; ++l) {
    REQUIRE(f1.W[l].size() == rows[l]);
    REQUIRE(f1.b[l].size() == rows[l]);
    CHECK(net.layers()[l].relu == (l < 2));
    for (std::size_t r = 0; r < rows[l]; ++r) {
      REQUIRE(f1.W[l][r].size() == fan_in[l]);
      for (std::size_t c = 0; c < fan_in[l]; ++c) {
        const float v = f1.W[l][r][c];
        CHECK(ps::within_init_bound(v, fan_in[l]));
        CHECK(net.layers()[l].W[r][c] == rational_from_float(v));
        CHECK(ps::nearest_float(net.layers()[l].W[r][c]) == v);
      }
      CHECK(ps::within_init_bound(f1.b[l][r], fan_in[l]));
      CHECK(net.layers()[l].b[r] == rational_from_float(f1.b[l][r]));
    }
  }
  // Two networks drawn independently from the same seed are equal as exact networks too.
  const Network again = ps::draw_network(a, s);
  for (std::size_t l = 0; l < 3; ++l) CHECK(again.layers()[l].W == net.layers()[l].W);

  // Many draws fill the interval [-1/sqrt(n), 1/sqrt(n)] and never leave it.
  std::mt19937_64 rng(7);
  float lo = 1, hi = -1;
  for (int i = 0; i < 20000; ++i) {
    const float v = ps::draw_init_value(rng, 5);
    REQUIRE(ps::within_init_bound(v, 5));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    largest = std::max(largest, std::fabs(v));
  }
  const float bound = static_cast<float>(1.0 / std::sqrt(5.0));
  CHECK(lo < -0.99f * bound);
  CHECK(hi > 0.99f * bound);
  CHECK(largest <= bound);
  CHECK_FALSE(ps::within_init_bound(std::nextafter(bound, 1.0f), 5));
}

TEST_CASE("generator: a pinned first net (portable mt19937_64 draws)") {
  // The base-seed-1 net #0 of (1,1,1): any change of the generator changes these numbers.
  const ps::Arch a{1, 1, 1};
  const ps::Float32Net f = ps::draw_float32_net(a, ps::net_seed(1, a, 0));
  std::ostringstream s;
  s << std::hexfloat << f.W[0][0][0] << ' ' << f.b[0][0] << ' ' << f.W[1][0][0] << ' ' << f.b[1][0];
  CHECK(s.str() == "-0x1.a046aap-3 0x1.c392a8p-1 -0x1.72330ap-1 -0x1.4e9eap-2");
}

TEST_CASE("nearest_float rounds to nearest, ties to even") {
  CHECK(ps::nearest_float(q("1")) == 1.0f);
  CHECK(ps::nearest_float(q("0x1.000001p+0")) == 1.0f);                 // 1 + 2^-24: a tie, to even
  CHECK(ps::nearest_float(q("0x1.000003p+0")) == 0x1.000004p+0f);       // 1 + 3*2^-24: a tie, to even
  CHECK(ps::nearest_float(q("0x1.0000011p+0")) == 0x1.000002p+0f);      // just above the tie
  CHECK(ps::nearest_float(q("-1000000000000000000000000000001/1000000000000000000000000000000")) == -1.0f);
  CHECK(ps::nearest_float(q("1/10")) == 0.1f);
  CHECK(ps::nearest_float(q("-1/3")) == -1.0f / 3.0f);
}

TEST_CASE("ICNN test and: every generated ICNN is decided convex") {
  std::size_t icnns = 0;
  for (const ps::Arch a : {ps::Arch{2, 1, 1}, ps::Arch{2, 2, 1}, ps::Arch{1, 1, 2}, ps::Arch{2, 2, 2}, ps::Arch{3, 1, 3}}) {
    for (std::size_t i = 0; i < 40; ++i) {
      Network net = ps::draw_network(a, ps::net_seed(11, a, i));
      // is_icnn is exactly "every weight after the first layer is >= 0".
      bool nonneg = true;
      for (std::size_t l = 1; l < net.layers().size(); ++l)
        for (const auto& row : net.layers()[l].W)
          for (const auto& v : row) nonneg = nonneg && v >= 0;
      REQUIRE(ps::is_icnn(net) == nonneg);
      if (!nonneg) continue;
      ++icnns;
      CHECK_MESSAGE(check_convexity(net, ps::unit_box(a.input_dim)).verdict == Verdict::Convex, a.name() << " #" << i);
    }
  }
  MESSAGE(icnns << " generated ICNNs");
  CHECK(icnns >= 10);

  // Larger ICNNs: random nets with the weights after the first layer made nonnegative (still
  // float32 values within the bound), decided by the region complex alone.
  for (std::size_t i = 0; i < 4; ++i) {
    const ps::Arch a{2, 3, 2};
    ps::Float32Net f = ps::draw_float32_net(a, ps::net_seed(5, a, i));
    for (std::size_t l = 1; l < f.W.size(); ++l)
      for (auto& row : f.W[l])
        for (auto& v : row) v = std::fabs(v);
    const Network net = ps::to_network(f);
    REQUIRE(ps::is_icnn(net));
    CheckOptions co;
    co.refuter_lines = 0;
    co.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
    CHECK(check_convexity(net, ps::unit_box(2), co).verdict == Verdict::Convex);
  }
}

TEST_CASE("float32 path-lifting values agree with exact ones on simple nets") {
  // (1,2,2,1) with small dyadic weights: every float32 product and sum is exact.
  std::vector<Layer> Ls;
  Ls.push_back(layer({{"1"}, {"-1"}}, {"0", "1/2"}, true));
  Ls.push_back(layer({{"2", "-1/2"}, {"-3", "1/4"}}, {"1", "1"}, true));
  Ls.push_back(layer({{"1/2", "-2"}}, {"0"}, false));
  const Network net(1, std::move(Ls));
  const ps::Float32Weights fw = ps::float32_weights(net);
  const auto off = ps::layer_offsets(net);
  REQUIRE(off == std::vector<std::size_t>{0, 2, 4});
  for (unsigned mask = 0; mask < 4; ++mask) {
    ps::Activation D(4, 0);
    D[2] = mask & 1u;
    D[3] = (mask >> 1) & 1u;
    for (std::size_t k = 0; k < 2; ++k) {
      const Rational e = ps::path_lifting_exact(net, 0, k, D);
      CHECK(rational_from_float(ps::path_lifting_f32(fw, 0, k, D, off)) == e);
    }
  }
  // c for L1:N1 with both layer-2 neurons active: 1/2*2 + (-2)*(-3) = 7; L1:N2: 1/2*(-1/2) + (-2)*(1/4) = -3/4.
  CHECK(ps::path_lifting_exact(net, 0, 0, ps::Activation{0, 0, 1, 1}) == 7);
  CHECK(ps::path_lifting_exact(net, 0, 1, ps::Activation{0, 0, 1, 1}) == q("-3/4"));
  CHECK(ps::path_lifting_exact(net, 0, 1, ps::Activation{0, 0, 0, 0}) == 0);
  CHECK(ps::path_lifting_exact(net, 1, 1, ps::Activation{0, 0, 0, 0}) == -2);  // last layer: output weight

  // Random float32 nets: the audit's float32 values are within float32 rounding of the exact ones.
  const ps::Arch a{2, 4, 3};
  for (std::size_t i = 0; i < 3; ++i) {
    const Network n = ps::draw_network(a, ps::net_seed(3, a, i));
    const ps::Audit au = ps::audit_path_lifting(n, build_region_complex(n, ps::unit_box(2)));
    REQUIRE(au.status == ps::AuditStatus::Done);
    CHECK(au.values.size() > 0);
    CHECK(au.sign_disagreements == 0);
    CHECK(au.max_rel_error < 1e-4);
    for (const auto& v : au.values) {
      const double err = std::fabs(approx(rational_from_float(v.f32) - v.exact));
      CHECK(err <= 1e-5);
    }
  }
}

TEST_CASE("audit: a float32 rounding error in the path-lifting sum is flagged as dangerous") {
  const Network net = rounding_trap_net();
  CHECK(ps::is_icnn(net) == false);
  ps::RunOptions opt;
  const ps::NetResult r = ps::analyse_network(net, opt);
  CHECK(r.verdict == Verdict::NotConvex);
  REQUIRE(r.audit.status == ps::AuditStatus::Done);
  CHECK(r.audit.jump_test_convex == false);
  REQUIRE(r.audit.values.size() == 1);  // L1:N1 at x = 0, layer 2 all active
  CHECK(r.audit.values[0].exact == q("-0x1p-30"));
  CHECK(r.audit.values[0].f32 == 0.0f);
  CHECK(r.audit.sign_disagreements == 1);
  CHECK(r.audit.pn_f32_convex == true);   // float32 says convex ...
  CHECK(r.audit.pn_exact_convex == false);  // ... the exact test and the exact verdict do not
  CHECK(r.audit.pn_exact_facets_convex == false);
  CHECK(ps::inconsistency(r).empty());

  const ps::CellStats s = ps::summarise(ps::Arch{1, 3, 2}, {&r});
  CHECK(s.f32_dangerous == 1);
  CHECK(s.rounding_flips == 1);
  CHECK(s.f32_overly_strict == 0);
  CHECK(s.exact_pn_overly_strict == 0);
  CHECK(s.value_sign_disagreements == 1);
}

TEST_CASE("audit: tiny_1d (a weight -(1 + 1e-30) that float32 stores as -1) is flagged") {
  const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/tiny_1d.json");
  const ps::NetResult r = ps::analyse_network(net, ps::RunOptions{});
  CHECK(r.verdict == Verdict::NotConvex);
  REQUIRE(r.audit.status == ps::AuditStatus::Done);
  CHECK(r.audit.pn_f32_convex == true);
  CHECK(r.audit.pn_exact_convex == false);
  CHECK(r.audit.sign_disagreements >= 1);
  const ps::CellStats s = ps::summarise(ps::Arch{1, 2, 2}, {&r});
  CHECK(s.f32_dangerous == 1);
}

TEST_CASE("audit: the last-layer rule makes the test strict for a neuron that never switches") {
  // f(x) = relu(x) - relu(x + 2): on [-1,1] the second neuron is always active, so f = relu(x) - x - 2
  // is convex; the output weight -1 still fails the reference code's unconditional rule.
  std::vector<Layer> Ls;
  Ls.push_back(layer({{"1"}, {"1"}}, {"0", "2"}, true));
  Ls.push_back(layer({{"1", "-1"}}, {"0"}, false));
  const Network net(1, std::move(Ls));
  const ps::NetResult r = ps::analyse_network(net, ps::RunOptions{});
  CHECK(r.verdict == Verdict::Convex);
  REQUIRE(r.audit.status == ps::AuditStatus::Done);
  CHECK(r.audit.pn_exact_facets_convex == true);
  CHECK(r.audit.pn_exact_convex == false);
  CHECK(r.audit.pn_f32_convex == false);
  const ps::CellStats s = ps::summarise(ps::Arch{1, 2, 1}, {&r});
  CHECK(s.f32_overly_strict == 1);
  CHECK(s.exact_pn_overly_strict == 1);
  CHECK(s.last_layer_rule_only == 1);
  CHECK(s.rounding_flips == 0);
  CHECK(s.f32_dangerous == 0);
}

TEST_CASE("report: CSV header and rows; results do not depend on the thread count") {
  std::vector<ps::Grid> grids(2);
  grids[0] = ps::Grid{"width_depth", "(a)", true, 2, {1, 2}, {1, 2}};
  grids[1] = ps::Grid{"width_dim", "(b)", false, 1, {1, 2}, {1, 2}};
  ps::RunOptions opt;
  opt.nets_per_cell = 2;
  opt.seed = 9;
  opt.jobs = 1;
  const ps::RunResult r1 = ps::run_grids(grids, opt);
  opt.jobs = 2;
  const ps::RunResult r2 = ps::run_grids(grids, opt);

  std::ostringstream csv;
  ps::write_csv(csv, grids, r1);
  const auto rows = lines_of(csv.str());
  REQUIRE(rows.size() == 1 + 4 + 4);
  CHECK(rows[0] == ps::kCsvHeader);
  for (const auto& row : rows) CHECK(commas(row) == commas(rows[0]));
  CHECK(rows[1].rfind("width_depth,2,1,1,2,", 0) == 0);
  CHECK(rows[5].rfind("width_dim,1,1,1,2,", 0) == 0);

  // Distinct architectures: (2,w,d) for w, d in {1,2} and (1,w,1): 6, two nets each.
  REQUIRE(r1.nets.size() == 12);
  REQUIRE(r2.nets.size() == 12);
  std::ostringstream nets;
  ps::write_nets_csv(nets, r1);
  CHECK(lines_of(nets.str()).size() == 13);
  for (std::size_t i = 0; i < r1.nets.size(); ++i) {
    CHECK(r1.nets[i].seed == r2.nets[i].seed);
    CHECK(r1.nets[i].verdict == r2.nets[i].verdict);
    CHECK(r1.nets[i].audit.pn_f32_convex == r2.nets[i].audit.pn_f32_convex);
    CHECK(r1.nets[i].audit.values.size() == r2.nets[i].audit.values.size());
    CHECK(ps::inconsistency(r1.nets[i]).empty());
    CHECK(r1.nets[i].verdict != Verdict::Unknown);
  }
  for (const auto& [a, s] : r1.cells) {
    CHECK(s.nets == 2);
    CHECK(s.convex + s.not_convex + s.unknown == 2);
    CHECK(s.icnn_convex == s.icnn);
    CHECK(s.audited + s.audit_skipped == 2);
  }

  std::ostringstream md, svg;
  ps::write_markdown_grid(md, grids[0], r1, 2);
  CHECK(md.str().find("| depth \\ width | 1 | 2 |") != std::string::npos);
  ps::write_svg(svg, grids[1], r1, 2);
  CHECK(svg.str().rfind("<svg ", 0) == 0);
  CHECK(svg.str().find("</svg>") != std::string::npos);
  std::size_t titled = 0;
  for (std::size_t p = 0; (p = svg.str().find("<title>", p)) != std::string::npos; ++p) ++titled;
  CHECK(titled == 4);
}
