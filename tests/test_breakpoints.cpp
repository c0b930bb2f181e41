// `relucert breakpoints` and THEORY.md §6 (Lemma E1, Theorem E2):
//   * the exact breakpoints, slopes and jumps of the three (1,3,2,1) separation nets, through the
//     CLI, with every slope re-derived here by exact forward passes;
//   * the --icnn-bound output (Lemma E1 bound 7 < 8 breakpoints);
//   * Lemma E1 on many seeded random exact ICNNs: (1,3,2,1) never exceeds 7, (1,n1,n2,1) never
//     exceeds n1 + 2 n2, (1,n1,n2,n3,1) never exceeds n1 + 2(n2 + n3). The breakpoints are computed
//     twice: by relucert::restrict_to_line and by an independent piecewise-linear evaluator below;
//   * CLI input errors exit 2 with nothing on stdout;
//   * examples/paper/separation.sh exits 0, and examples/paper/README.md shows its real output.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/line_restriction.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/network_json.hpp"
#include "core/rational.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using relucert::Domain;
using relucert::Layer;
using relucert::Matrix;
using relucert::Network;
using relucert::Rational;
using relucert::Vector;

namespace {

const std::string kCli = RELUCERT_CLI_PATH;
const std::string kSharedNets = RELUCERT_SHARED_NETS_DIR;
const fs::path kExamples = RELUCERT_EXAMPLES_DIR;
const fs::path kRepoRoot = fs::path(RELUCERT_EXAMPLES_DIR).parent_path();
const fs::path kPaper = kExamples / "paper";

Rational q(const std::string& s) {
  auto r = relucert::parse_rational(s);
  REQUIRE_MESSAGE(r.has_value(), "not an exact rational: '" << s << "'");
  return *r;
}
std::vector<Rational> qs(const std::vector<std::string>& v) {
  std::vector<Rational> r;
  for (const auto& s : v) r.push_back(q(s));
  return r;
}
std::vector<Rational> qs(const json& a) {
  REQUIRE(a.is_array());
  std::vector<Rational> r;
  for (const auto& s : a) {
    REQUIRE(s.is_string());
    r.push_back(q(s.get<std::string>()));
  }
  return r;
}
std::string text(const std::vector<Rational>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + relucert::to_string(x);
  return "[" + s + "]";
}

using relucert::test::contains;
using relucert::test::read_text;
using relucert::test::Run;
using relucert::test::scratch_dir;
using relucert::test::shell_quote;

// Commands run from the repository root (the paper script uses relative paths).
Run run_shell(const std::string& cmd, const std::string& shown) { return relucert::test::run_shell(cmd, shown, kRepoRoot); }
Run run_cli(const std::vector<std::string>& args) { return relucert::test::run_cli(args, kRepoRoot); }

json run_json(const std::vector<std::string>& args, int expected_exit = 0) {
  std::vector<std::string> a = args;
  a.push_back("--json");
  const Run r = run_cli(a);
  INFO(r.command << "\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == expected_exit);
  json j;
  REQUIRE_NOTHROW(j = json::parse(r.out));
  REQUIRE(j.is_object());
  return j;
}

std::string net_path(const std::string& name) { return (kPaper / name).string(); }

// ---------------------------------------------------------------------------------------------
// Independent check of a reported restriction by exact forward passes: on every piece between
// consecutive breakpoints (and the domain ends), two interior points give the reported slope.

void check_pieces_by_forward_pass(const Network& net, const json& j) {
  const Vector p = qs(j["line"]["p"]), u = qs(j["line"]["d"]);
  const auto kinks = qs(j["breakpoints"]), slopes = qs(j["slopes"]), jumps = qs(j["jumps"]);
  REQUIRE(slopes.size() == kinks.size() + 1);
  REQUIRE(jumps.size() == kinks.size());
  REQUIRE(j["points"].size() == kinks.size());
  const bool bounded = !j["line"]["s_begin"].is_null();
  for (std::size_t i = 0; i < kinks.size(); ++i) {
    CHECK(jumps[i] == slopes[i + 1] - slopes[i]);
    CHECK(jumps[i] != 0);
    CHECK(qs(j["points"][i]) == relucert::add(p, relucert::scale(kinks[i], u)));
    if (i) CHECK(kinks[i - 1] < kinks[i]);
  }
  auto f = [&](const Rational& s) { return net.value(relucert::add(p, relucert::scale(s, u))); };
  for (std::size_t i = 0; i < slopes.size(); ++i) {
    std::optional<Rational> lo = i ? std::optional<Rational>(kinks[i - 1]) : std::nullopt;
    std::optional<Rational> hi = i < kinks.size() ? std::optional<Rational>(kinks[i]) : std::nullopt;
    if (bounded) {
      if (!lo) lo = q(j["line"]["s_begin"].get<std::string>());
      if (!hi) hi = q(j["line"]["s_end"].get<std::string>());
    }
    Rational a, b;
    if (lo && hi) {
      a = *lo + (*hi - *lo) / 3;
      b = *lo + 2 * (*hi - *lo) / 3;
    } else if (lo) {
      a = *lo + 1;
      b = *lo + 2;
    } else if (hi) {
      a = *hi - 2;
      b = *hi - 1;
    } else {
      a = 0;
      b = 1;
    }
    CHECK_MESSAGE((f(b) - f(a)) / (b - a) == slopes[i], "piece " << i << " of " << j["network"]);
  }
}

void check_restriction(const json& j, const std::vector<std::string>& kinks, const std::vector<std::string>& slopes,
                       const std::vector<std::string>& jumps) {
  INFO(j.dump());
  CHECK(j["count"] == kinks.size());
  CHECK(text(qs(j["breakpoints"])) == text(qs(kinks)));
  CHECK(text(qs(j["slopes"])) == text(qs(slopes)));
  CHECK(text(qs(j["jumps"])) == text(qs(jumps)));
  CHECK(j["convex_on_line"] == true);
  check_pieces_by_forward_pass(relucert::load_network_json_file(j["network"].get<std::string>()), j);
}

const std::vector<std::string> kRKinks{"-1/3", "0", "1/2", "1", "3", "7/2", "4", "9/2"};
const std::vector<std::string> kRSlopes{"-10", "-7", "-6", "-1", "0", "1", "6", "13", "15"};
const std::vector<std::string> kRJumps{"3", "1", "5", "1", "1", "5", "7", "2"};
const std::vector<std::string> kBoxKinks{"-7/9", "-2/3", "-1/2", "-1/3", "1/3", "1/2", "2/3", "5/6"};
// x = 3t + 2: slopes in t are 3 times those in x.
const std::vector<std::string> kBoxSlopes{"-30", "-21", "-18", "-3", "0", "3", "18", "39", "45"};
const std::vector<std::string> kBoxJumps{"9", "3", "15", "3", "3", "15", "21", "6"};

// ---------------------------------------------------------------------------------------------
// An independent exact evaluator of 1-D ReLU nets as continuous piecewise-linear functions:
// values on a sorted grid plus the two tail slopes. Linear combinations merge grids; a ReLU adds
// the zero crossings to the grid. Shares nothing with analysis/line_restriction.cpp.

struct Pwl {
  std::vector<Rational> t, v;  // t sorted, nonempty
  Rational left, right;        // slopes for x < t.front() and x > t.back()

  Rational at(const Rational& x) const {
    if (x <= t.front()) return v.front() + left * (x - t.front());
    if (x >= t.back()) return v.back() + right * (x - t.back());
    const auto it = std::upper_bound(t.begin(), t.end(), x);
    const std::size_t k = static_cast<std::size_t>(it - t.begin());  // t[k-1] <= x < t[k]
    return v[k - 1] + (v[k] - v[k - 1]) * (x - t[k - 1]) / (t[k] - t[k - 1]);
  }
  static Pwl identity() { return Pwl{{Rational(0)}, {Rational(0)}, Rational(1), Rational(1)}; }
  static Pwl constant(const Rational& c) { return Pwl{{Rational(0)}, {c}, Rational(0), Rational(0)}; }

  std::vector<Rational> kinks() const {
    std::vector<Rational> k;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const Rational sl = i == 0 ? left : (v[i] - v[i - 1]) / (t[i] - t[i - 1]);
      const Rational sr = i + 1 == t.size() ? right : (v[i + 1] - v[i]) / (t[i + 1] - t[i]);
      if (sl != sr) k.push_back(t[i]);
    }
    return k;
  }
};

Pwl on_grid(std::vector<Rational> grid, const std::vector<std::pair<Rational, const Pwl*>>& terms, const Rational& c) {
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  Pwl r{grid, {}, Rational(0), Rational(0)};
  for (const auto& x : grid) {
    Rational s = c;
    for (const auto& [w, g] : terms) s += w * g->at(x);
    r.v.push_back(s);
  }
  for (const auto& [w, g] : terms) {
    r.left += w * g->left;
    r.right += w * g->right;
  }
  return r;
}

Pwl combine(const std::vector<std::pair<Rational, const Pwl*>>& terms, const Rational& c) {
  std::vector<Rational> grid{Rational(0)};
  for (const auto& [w, g] : terms)
    if (w != 0) grid.insert(grid.end(), g->t.begin(), g->t.end());
  return on_grid(grid, terms, c);
}

Pwl relu(const Pwl& g) {
  std::vector<Rational> grid = g.t;
  for (std::size_t i = 0; i + 1 < g.t.size(); ++i)
    if (sgn(g.v[i]) * sgn(g.v[i + 1]) < 0) grid.push_back(g.t[i] + g.v[i] * (g.t[i + 1] - g.t[i]) / (g.v[i] - g.v[i + 1]));
  if (sgn(g.left) != 0 && sgn(g.v.front()) * sgn(g.left) > 0) grid.push_back(g.t.front() - g.v.front() / g.left);
  if (sgn(g.right) != 0 && sgn(g.v.back()) * sgn(g.right) < 0) grid.push_back(g.t.back() - g.v.back() / g.right);
  Pwl r = on_grid(grid, {{Rational(1), &g}}, Rational(0));
  for (auto& x : r.v)
    if (sgn(x) < 0) x = 0;
  r.left = sgn(g.left) < 0 ? g.left : Rational(0);
  r.right = sgn(g.right) > 0 ? g.right : Rational(0);
  return r;
}

Pwl pwl_of_net(const Network& net) {
  REQUIRE(net.input_dim() == 1);
  const Pwl x = Pwl::identity();
  std::vector<Pwl> a{x};
  for (const Layer& L : net.layers()) {
    std::vector<Pwl> z;
    for (std::size_t k = 0; k < L.width(); ++k) {
      std::vector<std::pair<Rational, const Pwl*>> terms;
      for (std::size_t j = 0; j < a.size(); ++j) terms.emplace_back(L.W[k][j], &a[j]);
      if (L.has_skip()) terms.emplace_back(L.U[k][0], &x);
      Pwl g = combine(terms, L.b[k]);
      z.push_back(L.relu ? relu(g) : std::move(g));
    }
    a = std::move(z);
  }
  REQUIRE(a.size() == 1);
  return a[0];
}

// ---------------------------------------------------------------------------------------------
// Seeded random exact ICNNs (1, n1, ..., nL, 1): first layer and input skips of any sign,
// hidden-to-hidden and output weights >= 0 (THEORY.md §5). Weights p/q with small p, q; biases
// of layers >= 2 are often chosen so that the unit is negative at a random point.

struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  long integer(long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(g); }
  Rational rational(long lo, long hi) {
    Rational r(integer(lo, hi), integer(1, 6));
    r.canonicalize();
    return r;
  }
  Rational nonnegative() { return integer(0, 4) == 0 ? Rational(0) : rational(1, 9); }
};

Network random_icnn(Rng& rng, const std::vector<std::size_t>& widths, bool skips) {
  std::vector<Layer> layers;
  std::size_t prev = 1;
  for (std::size_t l = 0; l <= widths.size(); ++l) {
    const std::size_t n = l < widths.size() ? widths[l] : 1;
    Layer L;
    L.relu = l < widths.size();
    L.W = Matrix(n, Vector(prev));
    L.b = Vector(n);
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t j = 0; j < prev; ++j) L.W[k][j] = l == 0 ? rng.rational(-9, 9) : rng.nonnegative();
      L.b[k] = rng.rational(-12, 12);
    }
    if (l > 0 && skips) {
      L.U = Matrix(n, Vector(1));
      for (std::size_t k = 0; k < n; ++k) L.U[k][0] = rng.rational(-6, 6);
    }
    // Mostly, make a hidden unit of layer >= 2 negative somewhere, so that its convex
    // pre-activation tends to cross zero twice: the case that attains the bound.
    if (l > 0 && L.relu) {
      for (std::size_t k = 0; k < n; ++k) {
        if (rng.integer(0, 2) == 0) continue;
        const Rational x0 = rng.rational(-12, 12);
        const Vector prev_out = Network(1, layers).forward(Vector{x0});
        Rational pre = relucert::dot(L.W[k], prev_out);
        if (L.has_skip()) pre += L.U[k][0] * x0;
        L.b[k] = -pre - rng.rational(1, 12);
      }
    }
    layers.push_back(std::move(L));
    prev = n;
  }
  return Network(1, std::move(layers));
}

std::size_t lemma_e1_bound(const std::vector<std::size_t>& widths) {
  std::size_t b = 0;
  for (std::size_t l = 0; l < widths.size(); ++l) b += (l == 0 ? 1 : 2) * widths[l];
  return b;
}

// Breakpoints of f on R by both methods; they must agree exactly. Returns the count.
std::size_t breakpoints_on_R(const Network& net) {
  const auto line = relucert::restrict_to_line(net, Domain::whole_space(1), Vector{Rational(0)}, Vector{Rational(1)});
  const auto ours = line.kinks();
  const auto independent = pwl_of_net(net).kinks();
  REQUIRE_MESSAGE(text(ours) == text(independent), "restrict_to_line and the independent evaluator disagree");
  return ours.size();
}

std::string network_json(const Network& net) {
  auto vec = [](const Vector& v) {
    json a = json::array();
    for (const auto& x : v) a.push_back(relucert::to_string(x));
    return a;
  };
  json j;
  j["input_dim"] = net.input_dim();
  j["layers"] = json::array();
  j["relu_after"] = json::array();
  for (const Layer& L : net.layers()) {
    json l;
    l["W"] = json::array();
    for (const auto& row : L.W) l["W"].push_back(vec(row));
    l["b"] = vec(L.b);
    if (L.has_skip()) {
      l["U"] = json::array();
      for (const auto& row : L.U) l["U"].push_back(vec(row));
    }
    j["layers"].push_back(l);
    j["relu_after"].push_back(L.relu);
  }
  return j.dump();
}

fs::path write_temp(const std::string& name, const std::string& content) {
  const fs::path p = scratch_dir() / name;
  std::ofstream(p) << content;
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("the paper examples are the shared separation nets") {
  for (const char* name : {"c2_sep_1d_R.json", "c2_sep_1d_box.json", "c2_sep_2d_lift.json"}) {
    INFO(name);
    REQUIRE(fs::exists(kPaper / name));
    const fs::path shared = fs::path(kSharedNets) / name;
    if (fs::exists(shared)) CHECK(read_text(kPaper / name) == read_text(shared));
  }
}

TEST_CASE("c2_sep_1d_R: 8 breakpoints on R and on [-1,5], exactly as in THEORY.md §6") {
  const std::string net = net_path("c2_sep_1d_R.json");
  SUBCASE("default line P = 0, D = 1 on R") {
    const json j = run_json({"breakpoints", net});
    CHECK(j["line"]["s_begin"].is_null());
    check_restriction(j, kRKinks, kRSlopes, kRJumps);
  }
  SUBCASE("--line 0:1 --box -1:5") {
    const json j = run_json({"breakpoints", net, "--line", "0:1", "--box", "-1:5"});
    CHECK(j["line"]["s_begin"] == "-1");
    CHECK(j["line"]["s_end"] == "5");
    check_restriction(j, kRKinks, kRSlopes, kRJumps);
  }
  SUBCASE("another parametrisation of the same line: x = 1/2 - 2s") {
    // s = (1/2 - x)/2: breakpoints reversed and mapped, slopes times -2 in reverse order.
    const json j = run_json({"breakpoints", net, "--line=1/2:-2"});
    std::vector<std::string> kinks, slopes, jumps;
    for (auto it = kRKinks.rbegin(); it != kRKinks.rend(); ++it) kinks.push_back(relucert::to_string((q("1/2") - q(*it)) / 2));
    for (auto it = kRSlopes.rbegin(); it != kRSlopes.rend(); ++it) slopes.push_back(relucert::to_string(-2 * q(*it)));
    for (auto it = kRJumps.rbegin(); it != kRJumps.rend(); ++it) jumps.push_back(relucert::to_string(2 * q(*it)));
    check_restriction(j, kinks, slopes, jumps);
  }
  SUBCASE("the independent evaluator agrees") { CHECK(breakpoints_on_R(relucert::load_network_json_file(net)) == 8); }
  SUBCASE("the text output lists s, x, slopes and signed jumps") {
    const Run r = run_cli({"breakpoints", net, "--box", "-1:5"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "breakpoints (kinks of s -> f(P + s D), where the slope changes): 8"));
    CHECK(contains(r.out, "s = -1/3   x = (-1/3)   slope -10 -> -7   jump +3"));
    CHECK(contains(r.out, "s = 9/2    x = (9/2)    slope 13 -> 15    jump +2"));
    CHECK(contains(r.out, "slopes on the 9 pieces: -10, -7, -6, -1, 0, 1, 6, 13, 15"));
    CHECK(contains(r.out, "convex on the line: yes"));
    CHECK(r.err.empty());
  }
}

TEST_CASE("default line of a 1-D net on a box that excludes 0 keeps s = x") {
  const json j = run_json({"breakpoints", net_path("c2_sep_1d_R.json"), "--box", "1:5"});
  CHECK(j["line"]["s_begin"] == "1");
  CHECK(j["line"]["s_end"] == "5");
  check_restriction(j, {"3", "7/2", "4", "9/2"}, {"0", "1", "6", "13", "15"}, {"1", "5", "7", "2"});
}

TEST_CASE("c2_sep_1d_box: 8 breakpoints on [-1,1] and on R") {
  const std::string net = net_path("c2_sep_1d_box.json");
  check_restriction(run_json({"breakpoints", net, "--line", "0:1", "--box", "-1:1"}), kBoxKinks, kBoxSlopes, kBoxJumps);
  check_restriction(run_json({"breakpoints", net}), kBoxKinks, kBoxSlopes, kBoxJumps);
  CHECK(breakpoints_on_R(relucert::load_network_json_file(net)) == 8);
}

TEST_CASE("c2_sep_2d_lift: along x2 = 0 and x2 = 1/3 the same 8 breakpoints") {
  const std::string net = net_path("c2_sep_2d_lift.json");
  for (const std::string x2 : {"0", "1/3", "-1"}) {
    for (const bool box : {true, false}) {
      CAPTURE(x2);
      CAPTURE(box);
      std::vector<std::string> args{"breakpoints", net, "--line", "0," + x2 + ":1,0"};
      if (box) args.insert(args.end(), {"--box", "-1:1"});
      const json j = run_json(args);
      check_restriction(j, kBoxKinks, kBoxSlopes, kBoxJumps);
      for (const auto& pt : j["points"]) CHECK(q(pt[1].get<std::string>()) == q(x2));
    }
  }
  // A slanted line meets the same 8 folds x1 = const; the direction's x2 part changes nothing.
  check_restriction(run_json({"breakpoints", net, "--line", "0,0:1,1", "--box", "-1:1"}), kBoxKinks, kBoxSlopes, kBoxJumps);
}

TEST_CASE("--icnn-bound: Lemma E1 bound 7 of (1,3,2,1) is exceeded by the 8 breakpoints") {
  SUBCASE("json") {
    const json j = run_json({"breakpoints", net_path("c2_sep_1d_R.json"), "--icnn-bound"});
    CHECK(j["icnn_bound"] == 7);
    CHECK(j["architecture"] == json::parse("[1,3,2,1]"));
    CHECK(j["count"] == 8);
    CHECK(j["exceeds_icnn_bound"] == true);
    const json k = run_json({"breakpoints", net_path("c2_sep_2d_lift.json"), "--line", "0,1/3:1,0", "--box", "-1:1", "--icnn-bound"});
    CHECK(k["icnn_bound"] == 7);
    CHECK(k["architecture"] == json::parse("[2,3,2,1]"));
    CHECK(k["exceeds_icnn_bound"] == true);
  }
  SUBCASE("no bound fields without the flag") {
    const json j = run_json({"breakpoints", net_path("c2_sep_1d_R.json")});
    CHECK_FALSE(j.contains("icnn_bound"));
  }
  SUBCASE("text") {
    const Run r = run_cli({"breakpoints", net_path("c2_sep_1d_box.json"), "--box", "-1:1", "--icnn-bound"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "architecture (1, 3, 2, 1): n1 + 2 n2 = 3 + 2*2 = 7"));
    CHECK(contains(r.out, "breakpoints 8 > 7 = ICNN bound: no ICNN of architecture (1, 3, 2, 1)"));
    CHECK(contains(r.out, "hence none implements f on [-1, 1]"));
  }
  SUBCASE("deeper architecture: n1 + 2(n2 + n3)") {
    Rng rng(7);
    const Network net = random_icnn(rng, {2, 3, 4}, true);
    const fs::path p = write_temp("deep_icnn.json", network_json(net));
    const json j = run_json({"breakpoints", p.string(), "--icnn-bound"});
    CHECK(j["icnn_bound"] == 2 + 2 * (3 + 4));
    CHECK(j["exceeds_icnn_bound"] == false);
    CHECK(j["convex_on_line"] == true);
    CHECK(j["count"] == breakpoints_on_R(net));
    const Run r = run_cli({"breakpoints", p.string(), "--icnn-bound"});
    CHECK(contains(r.out, "architecture (1, 2, 3, 4, 1): n1 + 2(n2 + n3) = 2 + 2*(3 + 4) = 16"));
    CHECK(contains(r.out, "does not rule out an ICNN"));
  }
}

TEST_CASE("Lemma E1 on random exact ICNNs: (1,3,2,1) never exceeds 7 breakpoints on R") {
  Rng rng(20250103);
  std::size_t max_seen = 0, at_bound = 0;
  std::vector<std::size_t> histogram(8, 0);
  const int n = 6000;
  for (int i = 0; i < n; ++i) {
    const Network net = random_icnn(rng, {3, 2}, /*skips=*/i % 2 == 1);
    const std::size_t c = breakpoints_on_R(net);
    INFO("net " << i << ": " << network_json(net));
    REQUIRE(c <= 7);
    max_seen = std::max(max_seen, c);
    at_bound += c == 7;
    ++histogram[c];
  }
  std::string h;
  for (std::size_t c = 0; c < histogram.size(); ++c) h += " " + std::to_string(c) + ":" + std::to_string(histogram[c]);
  MESSAGE("(1,3,2,1): max breakpoints " << max_seen << ", " << at_bound << " of " << n << " nets attain 7; count:nets" << h);
  CHECK(max_seen == 7);  // the bound is attained, so the check is not vacuous
}

TEST_CASE("Lemma E1 on random exact ICNNs of other architectures") {
  Rng rng(42);
  std::size_t nets = 0;
  for (std::size_t n1 = 1; n1 <= 6; ++n1)
    for (std::size_t n2 = 1; n2 <= 4; ++n2) {
      std::size_t max_seen = 0;
      for (int i = 0; i < 120; ++i, ++nets) {
        const Network net = random_icnn(rng, {n1, n2}, i % 2 == 1);
        const std::size_t c = breakpoints_on_R(net);
        INFO("(1," << n1 << "," << n2 << ",1) net " << i << ": " << network_json(net));
        REQUIRE(c <= n1 + 2 * n2);
        max_seen = std::max(max_seen, c);
      }
      CHECK(max_seen > 0);
    }
  for (const std::vector<std::size_t>& widths : {std::vector<std::size_t>{2, 2, 2}, {3, 2, 2}, {3, 3, 1}, {4, 2, 3}})
    for (int i = 0; i < 150; ++i, ++nets) {
      const Network net = random_icnn(rng, widths, i % 2 == 1);
      INFO("depth 3 net " << i << ": " << network_json(net));
      REQUIRE(breakpoints_on_R(net) <= lemma_e1_bound(widths));
    }
  MESSAGE(nets << " random ICNNs within the Lemma E1 bound");
}

TEST_CASE("a non-convex restriction exits 1 with a verified witness") {
  const std::string net = (kExamples / "layer2_concave_fold.json").string();
  const json j = run_json({"breakpoints", net, "--line", "0,-93/128:1,0", "--box", "-1:1"}, 1);
  CHECK(j["convex_on_line"] == false);
  check_pieces_by_forward_pass(relucert::load_network_json_file(net), j);
  REQUIRE(j.contains("witness"));
  const Network f = relucert::load_network_json_file(net);
  const Vector x = qs(j["witness"]["x"]), y = qs(j["witness"]["y"]);
  const Rational gap = 2 * f.value(relucert::scale(Rational(1, 2), relucert::add(x, y))) - f.value(x) - f.value(y);
  CHECK(gap > 0);
  CHECK(gap == q(j["witness"]["gap"].get<std::string>()));
}

TEST_CASE("breakpoints: input errors exit 2 with a clear message and nothing on stdout") {
  const std::string r1 = net_path("c2_sep_1d_R.json"), r2 = net_path("c2_sep_2d_lift.json");
  const fs::path linear_hidden = write_temp(
      "linear_hidden.json", R"({"input_dim": 1, "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}], "relu_after": [false, false]})");
  const fs::path output_relu = write_temp(
      "output_relu.json", R"({"input_dim": 1, "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}], "relu_after": [true, true]})");
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> message;  // each must appear on stderr
  };
  const std::vector<Case> cases{
      {{"breakpoints", r1, "--line", "0,0:1"}, {"--line", "point P has 2 coordinates", "1 input"}},
      {{"breakpoints", r1, "--line", "0:1,2"}, {"--line", "direction D has 2 coordinates"}},
      {{"breakpoints", r2, "--line", "0:1"}, {"--line", "point P has 1 coordinate", "2 inputs"}},
      {{"breakpoints", r2}, {"--line", "missing", "2 inputs"}},
      {{"breakpoints", r1, "--line", "0:0"}, {"--line", "direction D is zero"}},
      {{"breakpoints", r2, "--line", "1,2:0,0"}, {"--line", "direction D is zero"}},
      {{"breakpoints", r1, "--line", "7:1", "--box", "-1:5"}, {"--line", "outside the box [-1, 5]"}},
      {{"breakpoints", r2, "--line", "0,2:1,0", "--box", "-1:1"}, {"--line", "outside the box"}},
      {{"breakpoints", r2, "--line", "1,1:1,-1", "--box", "-1:1"}, {"--line", "single point"}},
      {{"breakpoints", r1, "--line", "0"}, {"--line", "expected P:D"}},
      {{"breakpoints", r1, "--line", "0:1:2"}, {"--line", "expected P:D"}},
      {{"breakpoints", r1, "--line", "a:1"}, {"--line", "point P, coordinate 1 'a'"}},
      {{"breakpoints", r1, "--line", "0:1/0"}, {"--line", "direction D, coordinate 1"}},
      {{"breakpoints", r1, "--line", "inf:1"}, {"--line", "point P"}},
      {{"breakpoints", r1, "--line", "0:1", "--line", "0:2"}, {"--line", "given twice"}},
      {{"breakpoints", r1, "--line"}, {"--line", "missing value"}},
      {{"breakpoints", r1, "--bogus"}, {"--bogus", "unknown option"}},
      {{"breakpoints", "--line", "0:1"}, {"no network file"}},
      {{"breakpoints", (scratch_dir() / "absent.json").string()}, {"absent.json"}},
      {{"breakpoints", linear_hidden.string(), "--icnn-bound"}, {"--icnn-bound", "layer 1 has no ReLU"}},
      {{"breakpoints", output_relu.string(), "--icnn-bound"}, {"--icnn-bound", "output layer has a ReLU"}},
  };
  for (const auto& c : cases) {
    for (const bool as_json : {false, true}) {
      std::vector<std::string> args = c.args;
      if (as_json) args.insert(args.begin() + 1, "--json");  // before the options: "--line --json" would read --json as P:D
      const Run r = run_cli(args);
      INFO(r.command << "\nstdout: " << r.out << "\nstderr: " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(contains(r.err, "relucert: error: "));
      for (const auto& m : c.message) CHECK(contains(r.err, m));
    }
  }
}

TEST_CASE("examples/paper/separation.sh reproduces the claim and exits 0") {
  const Run r = run_shell("bash examples/paper/separation.sh " + shell_quote(kCli), "separation.sh");
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "Claim reproduced"));
  CHECK_FALSE(contains(r.out, "CLAIM FAILED"));
  CHECK(contains(r.out, "c2_sep_1d_R.json     [-1, 5]              0:1          8           7          (1,3,2,1)    convex"));
  CHECK(contains(r.out, "c2_sep_2d_lift.json  [-1, 1] x [-1, 1]    0,1/3:1,0    8           7          (2,3,2,1)    convex"));

  SUBCASE("examples/paper/README.md shows its real output") {
    std::string out = r.out;
    for (std::size_t at; (at = out.find(kCli)) != std::string::npos;) out.replace(at, kCli.size(), "./build/relucert");
    const std::string readme = read_text(kPaper / "README.md");
    CHECK_MESSAGE(contains(readme, out), "examples/paper/README.md is out of date; its output block should be:\n" << out);
  }
}

TEST_CASE("examples/paper/separation.sh exits nonzero when a claim fails") {
  // A stand-in relucert that reports only 7 breakpoints: the count no longer exceeds the bound.
  const fs::path fake = write_temp("fake_relucert.sh",
                                   "#!/bin/sh\n"
                                   "case $1 in\n"
                                   "  breakpoints) echo '{\"architecture\":[1,3,2,1],\"breakpoints\":[],\"convex_on_line\":true,"
                                   "\"count\":7,\"icnn_bound\":7}' ;;\n"
                                   "  check) echo '{\"domain\":\"R^1\",\"verdict\":\"convex\"}' ;;\n"
                                   "esac\n");
  fs::permissions(fake, fs::perms::owner_all);
  const Run r = run_shell("bash examples/paper/separation.sh " + shell_quote(fake.string()), "separation.sh (fake)");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "CLAIM FAILED"));
  const Run missing = run_shell("bash examples/paper/separation.sh " + shell_quote((scratch_dir() / "nothing").string()), "separation.sh (missing)");
  CHECK(missing.exit_code == 2);
}
