// Every network in ../shared/nets gets its manifest verdict on every domain listed there,
// decided both by the default pipeline (line refuter first) and by the region complex alone.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/convexity.hpp"
#include "analysis/line_restriction.hpp"
#include "core/network_json.hpp"
#include "geometry/strict_lp.hpp"

using namespace relucert;

namespace {

nlohmann::json manifest() {
  std::ifstream in(std::string(RELUCERT_SHARED_NETS_DIR) + "/manifest.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

Domain domain_of(const nlohmann::json& d, std::size_t dim) {
  if (d.is_string()) {
    REQUIRE(d.get<std::string>() == "R^d");
    return Domain::whole_space(dim);
  }
  Vector lo, hi;
  for (const auto& v : d.at("lo")) lo.push_back(*parse_rational(v.get<std::string>()));
  for (const auto& v : d.at("hi")) hi.push_back(*parse_rational(v.get<std::string>()));
  return Domain::box(lo, hi);
}

}  // namespace

TEST_CASE("shared nets: manifest verdicts on the box and on R^d") {
  const auto m = manifest();
  REQUIRE(m.size() >= 10);
  int checks = 0;
  for (const auto& entry : m) {
    const std::string file = entry.at("file");
    const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/" + file);
    for (const auto& c : entry.at("checks")) {
      const Domain dom = domain_of(c.at("domain"), net.input_dim());
      const std::string expected = c.at("expected");
      REQUIRE((expected == "convex" || expected == "nonconvex"));
      const Verdict want = expected == "convex" ? Verdict::Convex : Verdict::NotConvex;
      for (std::size_t lines : {std::size_t(64), std::size_t(0)}) {
        CheckOptions opt;
        opt.refuter_lines = lines;
        if (lines == 0) opt.method = tiers::Method::RegionComplex;  // the complex decides
        const CheckResult r = check_convexity(net, dom, opt);
        INFO(file << " on " << dom.describe() << " refuter lines " << lines);
        CHECK(r.verdict == want);
        if (r.verdict == Verdict::NotConvex) {
          REQUIRE(r.witness.has_value());
          CHECK(verify_witness(net, dom, *r.witness));
          CHECK(sgn(r.witness->gap) > 0);
        } else {
          CHECK_FALSE(r.witness.has_value());
        }
        if (lines == 0) CHECK(r.method == "region-complex");
        ++checks;
      }
    }
  }
  CHECK(checks >= 40);
}

TEST_CASE("shared nets: the exact LP alone (float filter off) gives the same verdicts and complexes") {
  const auto m = manifest();
  for (const auto& entry : m) {
    const std::string file = entry.at("file");
    const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/" + file);
    for (const auto& c : entry.at("checks")) {
      const Domain dom = domain_of(c.at("domain"), net.input_dim());
      CheckOptions opt;
      opt.refuter_lines = 0;
      opt.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
      const CheckResult filtered = check_convexity(net, dom, opt);
      set_float_filter_enabled(false);
      const CheckResult exact = check_convexity(net, dom, opt);
      set_float_filter_enabled(true);
      INFO(file << " on " << dom.describe());
      CHECK(exact.verdict == filtered.verdict);
      CHECK(exact.cells == filtered.cells);
      CHECK(exact.pairs == filtered.pairs);
      CHECK(exact.pieces == filtered.pieces);
      if (exact.witness) CHECK(verify_witness(net, dom, *exact.witness));
    }
  }
}

TEST_CASE("shared nets: the separation example has the 8 breakpoints of THEORY.md §6") {
  const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/c2_sep_1d_R.json");
  const LineRestriction line = restrict_to_line(net, Domain::whole_space(1), Vector{Rational(0)}, Vector{Rational(1)});
  std::vector<Rational> want = {Rational(-1, 3), Rational(0), Rational(1, 2), Rational(1),
                                Rational(3),     Rational(7, 2), Rational(4), Rational(9, 2)};
  CHECK(line.kinks() == want);
  std::vector<Rational> slopes_want;
  for (int s : {-10, -7, -6, -1, 0, 1, 6, 13, 15}) slopes_want.push_back(Rational(s));
  std::vector<Rational> slopes;
  for (std::size_t i = 0; i < line.slopes.size(); ++i)
    if (slopes.empty() || slopes.back() != line.slopes[i]) slopes.push_back(line.slopes[i]);
  CHECK(slopes == slopes_want);
}

TEST_CASE("shared nets: box separation example breakpoints") {
  const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/c2_sep_1d_box.json");
  const LineRestriction line =
      restrict_to_line(net, Domain::box({Rational(-1)}, {Rational(1)}), Vector{Rational(0)}, Vector{Rational(1)});
  std::vector<Rational> want = {Rational(-7, 9), Rational(-2, 3), Rational(-1, 2), Rational(-1, 3),
                                Rational(1, 3),  Rational(1, 2),  Rational(2, 3),  Rational(5, 6)};
  CHECK(line.kinks() == want);
}

TEST_CASE("shared nets: the 1e-30 fold gives the exact witness gap") {
  const Network net = load_network_json_file(std::string(RELUCERT_SHARED_NETS_DIR) + "/tiny_1d.json");
  CheckOptions opt;
  opt.refuter_lines = 0;
  opt.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
  const CheckResult r = check_convexity(net, Domain::box({Rational(-1)}, {Rational(1)}), opt);
  REQUIRE(r.verdict == Verdict::NotConvex);
  // f = 6 - 1e-30 relu(x) near 0: the gap is t * 1e-30 for the half-width t.
  const Rational t = (r.witness->y[0] - r.witness->x[0]) / 2;
  CHECK(r.witness->gap == t * Rational(Integer(1), Integer("1000000000000000000000000000000")));
}
