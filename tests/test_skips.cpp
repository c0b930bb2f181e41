// Skip terms from earlier layers (Layer::skips) in every consumer outside the region complex:
// the JSON format (reader with field paths, writer), output selection, the exact line
// restriction, slices, the CLI commands that refuse residual nets, relucert convert, and
// relucert-verify (its own parser and forward pass must compute the same function).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "analysis/line_refuter.hpp"
#include "analysis/line_restriction.hpp"
#include "analysis/slice.hpp"
#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/network_json_writer.hpp"
#include "core/output_selection.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace relucert;
using relucert::test::contains;
using relucert::test::Run;
using relucert::test::run_cli;

namespace {

// Layer 1: h1 = relu(x1, x2, x1 + x2 - 1); layer 2: h2 = relu(h1_1 + h1_2, h1_2 + h1_3 + 1/2);
// output: 2 outputs, y = (h2_1 + 2 h2_2 - 3 h1_3, h2_1 + x2), the first reading layer 1 by a skip.
const char* kNet = R"({"input_dim": 2, "layers": [
 {"W": [["1","0"],["0","1"],["1","1"]], "b": ["0","0","-1"]},
 {"W": [["1","1","0"],["0","1","1"]], "b": ["0","1/2"]},
 {"W": [["1","2"],["1","0"]], "b": ["0","0"], "U": [["0","0"],["0","1"]],
  "skips": [{"from": 1, "W": [["0","0","-3"],["0","0","0"]]}]}],
 "relu_after": [true, true, false]})";

// n/d canonicalised (gmpxx does not reduce (n, d) constructions).
Rational frac(long n, long d) {
  Rational r(n, d);
  r.canonicalize();
  return r;
}

Rational relu(const Rational& q) { return sgn(q) > 0 ? q : Rational(0); }

// The function of kNet, written out by hand.
Vector by_hand(const Rational& x1, const Rational& x2) {
  const Rational a = relu(x1), b = relu(x2), c = relu(x1 + x2 - 1);
  const Rational p = relu(a + b), q = relu(b + c + frac(1, 2));
  return {p + 2 * q - 3 * c, p + x2};
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

void check_error(const std::string& text, const std::string& field, const std::string& what) {
  try {
    (void)parse_network_json(text, "net.json", false);
    FAIL("accepted: " << text);
  } catch (const InputError& e) {
    CHECK(e.location() == field);
    CHECK(contains(e.problem(), what));
  }
}

}  // namespace

TEST_CASE("JSON skips: the function, the round trip and field-path errors") {
  const Network net = parse_network_json(kNet, "net.json", false);
  REQUIRE(net.has_layer_skips());
  for (int i = -4; i <= 4; ++i)
    for (int j = -3; j <= 3; ++j) {
      const Rational x1 = frac(i, 2), x2 = frac(j, 3);
      CHECK(net.forward({x1, x2}) == by_hand(x1, x2));
    }
  CHECK(network_json_text(parse_network_json(network_json_text(net), "back", false)) == network_json_text(net));

  const std::string s = R"("skips": [{"from": 1, "W": [["0","0","-3"],["0","0","0"]]}])";
  check_error(with(kNet, s, R"("skips": [])"), "layers[2].skips", "empty");
  check_error(with(kNet, s, R"("skips": [{"from": 0, "W": [["0","0","-3"],["0","0","0"]]}])"), "layers[2].skips[0].from", "positive integer");
  check_error(with(kNet, s, R"("skips": [{"from": 3, "W": [["0","0","-3"],["0","0","0"]]}])"), "layers[2].skips[0].from", "earlier layer");
  check_error(with(kNet, s, R"("skips": [{"from": 1, "W": [["0","-3"],["0","0"]]}])"), "layers[2].skips[0].W[0]", "the width of layer 1");
  check_error(with(kNet, s, R"("skips": [{"from": 1, "W": [["0","0","-3"]]}])"), "layers[2].skips[0].W", "one per neuron");
  check_error(with(kNet, s, R"("skips": [{"W": [["0","0","-3"],["0","0","0"]]}])"), "layers[2].skips[0].from", "missing");
  check_error(with(kNet, s, R"("skips": [{"from": 1, "M": 1, "W": [["0","0","-3"],["0","0","0"]]}])"), "layers[2].skips[0].M", "unknown field");
  check_error(with(kNet, s, R"("skips": [{"from": 1, "W": [["0","0","-3"],["0","0","0"]]}, {"from": 1, "W": [["0","0","1"],["0","0","0"]]}])"),
              "layers[2].skips[1].from", "twice");
  check_error(with(kNet, R"("b": ["0","0","-1"]})", R"("b": ["0","0","-1"], "skips": [{"from": 1, "W": [["1"],["1"],["1"]]}]})"),
              "layers[0].skips[0].from", "first layer");
}

TEST_CASE("output selection, line restriction and slices keep the skip terms exactly") {
  const Network net = parse_network_json(kNet, "net.json", false);
  for (std::size_t k = 0; k < 2; ++k) {
    const Network one = select_output(net, k);
    for (int i = -3; i <= 3; ++i) CHECK(one.value({frac(i, 2), frac(1 - i, 3)}) == by_hand(frac(i, 2), frac(1 - i, 3))[k]);
  }
  // Along the line p + s u, the restriction's slopes are the difference quotients of f between
  // consecutive pattern changes (f is affine on each segment).
  const Network f = select_output(net, 0);
  const Vector p{Rational(-2), Rational(-1)}, u{Rational(1), frac(1, 2)};
  const LineRestriction line = restrict_to_line(f, Domain::whole_space(2), p, u);
  CHECK(line.changes.size() >= 2);
  std::vector<Rational> cuts{line.changes.front() - 1};
  cuts.insert(cuts.end(), line.changes.begin(), line.changes.end());
  cuts.push_back(line.changes.back() + 1);
  auto at = [&](const Rational& s) { return f.value({p[0] + s * u[0], p[1] + s * u[1]}); };
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) CHECK((at(cuts[i + 1]) - at(cuts[i])) / (cuts[i + 1] - cuts[i]) == line.slopes[i]);
  // The skip from layer 1 gives a concave fold (-3 relu(x1 + x2 - 1)) that the refuter finds.
  CHECK(refute_on_random_lines(f, Domain::whole_space(2), 8, 1).has_value());
  // Slices: x2 fixed.
  const Network sl = slice_network(net, SliceFix{std::nullopt, frac(1, 3)});
  for (int i = -3; i <= 3; ++i) CHECK(sl.forward({frac(i, 2)}) == by_hand(frac(i, 2), frac(1, 3)));
}

TEST_CASE("CLI: certificates of skip nets verified by relucert-verify; pathlift refuses; convert writes JSON") {
  const fs::path dir = relucert::test::scratch_dir();
  const fs::path net = dir / "skip.json";
  {
    std::ofstream(net) << with(kNet, R"("skips": [{"from": 1, "W": [["0","0","-3"],["0","0","0"]]}])",
                               R"("skips": [{"from": 1, "W": [["0","0","3"],["0","0","0"]]}])");
  }
  const Run bad = run_cli({"pathlift", net.string(), "--output", "0"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "skip terms from earlier layers"));
#ifdef RELUCERT_VERIFY_PATH
  for (const char* box : {"", "-1:1"}) {
    const fs::path cert = dir / "skip.cert";
    std::vector<std::string> args{"check", net.string(), "--output", "0", "--certificate", cert.string()};
    if (*box) args.insert(args.end(), {"--box", box});
    const Run c = run_cli(args);
    INFO(c.out << c.err);
    CHECK(c.exit_code == 0);  // convex: the skip weight 3 is nonnegative on a convex relu
    // relucert-verify reads only scalar nets: write the selected output with relucert convert.
    const fs::path scalar = dir / "skip0.json";
    const Run conv = run_cli({"convert", net.string(), "--output", "0", "-o", scalar.string()});
    CHECK(conv.exit_code == 0);
    CHECK(contains(conv.out, "skips from earlier layers"));
    const Run v = relucert::test::run_shell(relucert::test::shell_quote(RELUCERT_VERIFY_PATH) + " " + relucert::test::shell_quote(scalar.string()) +
                                                " " + relucert::test::shell_quote(cert.string()),
                                            "relucert-verify");
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    CHECK(v.out.rfind("VERIFIED", 0) == 0);
  }
#endif
  const Run missing = run_cli({"convert", net.string(), "--output", "0"});
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "-o"));
}
