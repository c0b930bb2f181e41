// The .nnet loader (core/nnet_loader), output selection (core/output_selection), the
// format-dispatching loader (core/network_loader) and the CLI's --output and default box.
// Every expected value here is derived by hand (see the comments in tests/fixtures/nnet/*.nnet).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/network.hpp"
#include "core/network_loader.hpp"
#include "core/nnet_loader.hpp"
#include "core/output_selection.hpp"
#include "core/rational.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using relucert::InputError;
using relucert::Network;
using relucert::Rational;
using relucert::Vector;
using relucert::test::contains;
using relucert::test::Run;
using relucert::test::run_cli;

namespace {

const std::string kDir = std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/nnet";
const std::string kTwoInput = kDir + "/two_input_hand.nnet";
const std::string kNormalised = kDir + "/normalised.nnet";
const std::string kThree = kDir + "/three_outputs.nnet";
constexpr int kConvex = 0, kNotConvex = 1, kInputError = 2;

Rational q(const std::string& s) {
  auto r = relucert::parse_rational(s);
  REQUIRE_MESSAGE(r.has_value(), "bad rational in test: " << s);
  return *r;
}

Vector v(std::initializer_list<const char*> xs) {
  Vector r;
  for (const char* x : xs) r.push_back(q(x));
  return r;
}

Rational relu(const Rational& x) { return sgn(x) > 0 ? x : Rational(0); }

// The message of the InputError thrown by f, or "" when none is thrown.
template <class F>
std::string input_error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Re-checks a --json witness by an exact forward pass of `net` (independent of the CLI).
void check_witness(const json& j, const Network& net) {
  REQUIRE(j.contains("witness"));
  Vector x, y;
  for (const auto& e : j["witness"]["x"]) x.push_back(q(e.get<std::string>()));
  for (const auto& e : j["witness"]["y"]) y.push_back(q(e.get<std::string>()));
  REQUIRE(x.size() == net.input_dim());
  REQUIRE(y.size() == net.input_dim());
  Vector mid;
  for (std::size_t i = 0; i < x.size(); ++i) mid.push_back((x[i] + y[i]) / 2);
  const Rational gap = 2 * net.value(mid) - net.value(x) - net.value(y);
  CHECK(gap > 0);
  CHECK(relucert::to_string(gap) == j["witness"]["gap"].get<std::string>());
}

json parse_json_out(const Run& r) {
  INFO("command: " << r.command << "\nstdout: " << r.out << "\nstderr: " << r.err);
  json j;
  REQUIRE_NOTHROW(j = json::parse(r.out));
  return j;
}

}  // namespace

TEST_CASE("two-input net without normalisation: weights read exactly, hand-derived values") {
  const relucert::NnetNetwork n = relucert::load_nnet_file(kTwoInput);
  const Network& net = n.net;
  CHECK(net.input_dim() == 2);
  CHECK(net.output_dim() == 1);
  REQUIRE(net.layers().size() == 2);
  CHECK(net.layers()[0].relu);
  CHECK_FALSE(net.layers()[1].relu);
  CHECK(n.header_line == 5);
  CHECK(n.input_box.describe() == "[0, 1] x [0, 1]");
  // f = relu(x1) + relu(x2) - relu(x1 + x2).
  CHECK(net.value(v({"0", "-1/2"})) == 0);
  CHECK(net.value(v({"1", "-1/2"})) == q("1/2"));
  CHECK(net.value(v({"1/2", "-1/2"})) == q("1/2"));
  CHECK(net.value(v({"-3", "5"})) == 3);
  CHECK(net.value(v({"1/3", "2/7"})) == 0);
}

TEST_CASE("normalisation is folded exactly into the first and last layers") {
  const relucert::NnetNetwork n = relucert::load_nnet_file(kNormalised);
  const Network& net = n.net;
  REQUIRE(net.layers().size() == 2);
  // Folded by hand (tests/fixtures/nnet/normalised.nnet): h1 = x1/2 + x2/5 + 2/5,
  // h2 = -x1/2 + 4 x2 + 15/2, f = 4 relu(h1) - relu(h2) + 7/2.
  const auto& L1 = net.layers()[0];
  const auto& L2 = net.layers()[1];
  CHECK(L1.W[0] == v({"1/2", "1/5"}));
  CHECK(L1.W[1] == v({"-1/2", "4"}));
  CHECK(L1.b == v({"2/5", "15/2"}));
  CHECK(L2.W[0] == v({"4", "-1"}));
  CHECK(L2.b == v({"7/2"}));
  CHECK(n.input_box.describe() == "[-5, 3] x [-1, 1/2]");

  // Hand values at several points.
  CHECK(net.value(v({"1", "-2"})) == q("11/2"));  // x_norm = 0: 4 (1/2 + 1/8) + 3
  CHECK(net.value(v({"0", "0"})) == q("-12/5"));
  CHECK(net.value(v({"3", "-1"})) == q("83/10"));
  CHECK(net.value(v({"-5", "1/3"})) == q("-47/6"));

  // And against the unfolded definition y = 4 N((x - m)/r) + 3 on a grid of rational points.
  for (const char* a : {"-5", "-7/3", "0", "1", "3", "1e-30"})
    for (const char* b : {"-1", "-2", "-1/7", "0", "1/2", "10"}) {
      const Rational x1 = q(a), x2 = q(b);
      const Rational n1 = (x1 - 1) / 2, n2 = (x2 + 2) / q("0.5");
      const Rational h1 = relu(n1 + q("0.1") * n2 + q("0.5"));
      const Rational h2 = relu(-n1 + 2 * n2 - 1);
      const Rational expected = 4 * (h1 - q("0.25") * h2 + q("0.125")) + 3;
      CHECK_MESSAGE(net.value(Vector{x1, x2}) == expected, "at (" << a << ", " << b << ")");
    }
}

TEST_CASE("parse_nnet: trailing commas optional, CRLF, a single layer gets both folds") {
  // One layer, 1 input: y = 10 * (2 * (x - 3)/5 + 1) + 7 = 4x - 12 + 17 = 4x + 5.
  const std::string text = "// one layer\r\n1,1,1,1,\r\n1,1\r\n0\r\n-1\r\n1,\r\n3,7,\r\n5,10\r\n2,\r\n1\r\n\r\n";
  const relucert::NnetNetwork n = relucert::parse_nnet(text, "inline.nnet");
  REQUIRE(n.net.layers().size() == 1);
  CHECK_FALSE(n.net.layers()[0].relu);
  CHECK(n.net.layers()[0].W[0] == v({"4"}));
  CHECK(n.net.layers()[0].b == v({"5"}));
  CHECK(n.header_line == 2);
}

TEST_CASE("select_output keeps one row of the last layer; fold applies to every output") {
  const relucert::NnetNetwork n = relucert::load_nnet_file(kThree);
  REQUIRE(n.net.output_dim() == 3);
  const Vector p = v({"1/2", "-1/3"}), r = v({"-1", "2"});
  // y0 = 2 (h1 + h2) + 1, y1 = 2 (h1 - h2) + 1, y2 = 6 h1 + 1 with h = (relu(x1), relu(x2)).
  CHECK(n.net.forward(p) == v({"2", "2", "4"}));
  CHECK(n.net.forward(r) == v({"5", "-3", "1"}));
  for (std::size_t k = 0; k < 3; ++k) {
    const Network s = relucert::select_output(n.net, k);
    CHECK(s.output_dim() == 1);
    CHECK(s.value(p) == n.net.forward(p)[k]);
    CHECK(s.value(r) == n.net.forward(r)[k]);
  }
  CHECK_THROWS_AS(relucert::select_output(n.net, 3), std::out_of_range);
}

TEST_CASE("load_network_any: dispatch, default box, multi-output needs --output") {
  const auto a = relucert::load_network_any(kTwoInput);
  REQUIRE(a.default_domain.has_value());
  CHECK(a.default_domain->describe() == "[0, 1] x [0, 1]");
  CHECK(a.description == kTwoInput);

  const auto b = relucert::load_network_any(kThree, 1);
  CHECK(b.net.output_dim() == 1);
  CHECK(b.description == kThree + ", output 1 of 3");
  CHECK(b.net.value(v({"-1", "2"})) == -3);

  std::string msg = input_error_of([&] { relucert::load_network_any(kThree); });
  CHECK(contains(msg, "three_outputs.nnet: line 5: this network has 3 outputs; choose one with --output K (0-based)"));
  msg = input_error_of([&] { relucert::load_network_any(kThree, 3); });
  CHECK(contains(msg, "--output: 3: out of range"));
  CHECK(contains(msg, "has 3 outputs (valid: 0 to 2)"));

  // JSON: the former single-output rule becomes "choose an output"; with --output it loads.
  const std::string two_json = std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/malformed/last_layer_two_outputs.json";
  msg = input_error_of([&] { relucert::load_network_any(two_json); });
  CHECK(contains(msg, "layers[1].W: the last layer must have exactly one output (found 2); choose one with --output K (0-based)"));
  const auto c = relucert::load_network_any(two_json, 1);
  CHECK_FALSE(c.default_domain.has_value());
  CHECK(c.net.value(v({"-5"})) == 0);  // output 1 = -relu(x)
  CHECK(c.net.value(v({"5"})) == -5);
  // --output 0 on a single-output network is allowed (and changes nothing).
  CHECK(relucert::load_network_any(kTwoInput, 0).net.value(v({"1", "-1/2"})) == q("1/2"));
  CHECK(contains(input_error_of([&] { relucert::load_network_any(kTwoInput, 1); }), "has 1 output (valid: 0)"));
}

TEST_CASE("malformed .nnet files: exit 2 naming the file and the line") {
  struct Case {
    const char* file;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases = {
      {"header_three_values.nnet", {"line 2:", "header", "expected 4 values, found 3"}},
      {"header_not_integer.nnet", {"line 2:", "inputSize must be a positive integer, found 3/2"}},
      {"header_width_1e6.nnet", {"line 2:", "inputSize is too large (limit 100000)"}},
      {"sizes_disagree_with_header.nnet", {"line 3:", "first layer size 3 differs from inputSize 2"}},
      {"bad_symmetric_flag.nnet", {"line 4:", "symmetric flag must be 0 or 1"}},
      {"min_not_below_max.nnet", {"line 6:", "input 1", "not above the minimum"}},
      {"infinite_value.nnet", {"line 7:", "means", "value 1", "non-finite"}},
      {"zero_input_range.nnet", {"line 8:", "range of input 2 is 0"}},
      {"zero_output_range.nnet", {"line 8:", "output range is 0"}},
      {"weight_row_too_short.nnet", {"line 9:", "layer 1 weight row 1 of 2", "expected 2 values, found 1"}},
      {"empty_value.nnet", {"line 9:", "value 2 is empty"}},
      {"weight_not_a_number.nnet", {"line 10:", "layer 1 weight row 2 of 2", "not a number", "'abc'"}},
      {"blank_line_in_weights.nnet", {"line 10:", "layer 1 bias 1 of 1", "expected 1 value, found 0"}},
      {"content_after_last_bias.nnet", {"line 11:", "unexpected content after the last bias"}},
      {"truncated_missing_bias.nnet", {"line 14:", "unexpected end of file", "layer 2 bias 1 of 1"}},
      {"only_comments.nnet", {"line 4:", "unexpected end of file", "header"}},
  };
  std::size_t on_disk = 0;
  for (const auto& e : fs::directory_iterator(kDir + "/malformed")) on_disk += e.path().extension() == ".nnet";
  CHECK_MESSAGE(on_disk == cases.size(), "every malformed fixture has a case here");
  for (const Case& c : cases) {
    const std::string path = kDir + "/malformed/" + c.file;
    const Run r = run_cli({"check", path});
    INFO("command: " << r.command << "\nstderr: " << r.err);
    CHECK(r.exit_code == kInputError);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "relucert: error: " + path + ": line "));
    for (const auto& n : c.needles) CHECK_MESSAGE(contains(r.err, n), "missing '" << n << "'");
  }
}

TEST_CASE("CLI: the file's box is the default domain; --box overrides it") {
  // two_input_hand.nnet is 0 on [0,1]^2 (convex) and min(t, 1/2) along x2 = -1/2 (not convex).
  Run r = run_cli({"check", kTwoInput, "--json"});
  json j = parse_json_out(r);
  CHECK(r.exit_code == kConvex);
  CHECK(j["verdict"] == "convex");
  CHECK(j["domain"] == "[0, 1] x [0, 1]");

  r = run_cli({"check", kTwoInput, "--box", "-1:1", "--json"});
  j = parse_json_out(r);
  CHECK(r.exit_code == kNotConvex);
  CHECK(j["verdict"] == "not_convex");
  CHECK(j["domain"] == "[-1, 1] x [-1, 1]");
  check_witness(j, relucert::load_nnet_file(kTwoInput).net);

  // normalised.nnet: convex on its box [-5,3] x [-1,1/2] (h2 > 0 there), not convex on a box where h2 changes sign.
  r = run_cli({"check", kNormalised, "--json"});
  j = parse_json_out(r);
  CHECK(r.exit_code == kConvex);
  CHECK(j["domain"] == "[-5, 3] x [-1, 1/2]");
  r = run_cli({"check", kNormalised, "--box", "-20:20,-5:5", "--json"});
  j = parse_json_out(r);
  CHECK(r.exit_code == kNotConvex);
  check_witness(j, relucert::load_nnet_file(kNormalised).net);

  // Text output and another command (regions) use the same default box.
  r = run_cli({"check", kTwoInput});
  CHECK(r.exit_code == kConvex);
  CHECK(contains(r.out, "domain:  [0, 1] x [0, 1]"));
  r = run_cli({"regions", kTwoInput, "--json"});
  CHECK(r.exit_code == 0);
  CHECK(parse_json_out(r)["domain"] == "[0, 1] x [0, 1]");
}

TEST_CASE("CLI: --output K selects the analysed output") {
  const Network full = relucert::load_nnet_file(kThree).net;
  const char* expected[] = {"convex", "not_convex", "convex"};
  for (std::size_t k = 0; k < 3; ++k) {
    const Run r = run_cli({"check", kThree, "--output", std::to_string(k), "--json"});
    const json j = parse_json_out(r);
    CHECK(j["verdict"] == expected[k]);
    CHECK(r.exit_code == (k == 1 ? kNotConvex : kConvex));
    CHECK(j["domain"] == "[-1, 1] x [-1, 1]");
    if (k == 1) check_witness(j, relucert::select_output(full, 1));
  }
  // --output=K form, and with an explicit --box.
  Run r = run_cli({"check", kThree, "--output=1", "--box", "0:1", "--json"});
  CHECK(r.exit_code == kConvex);  // y1 = 2 x1 - 2 x2 + 1 is affine on [0,1]^2
  CHECK(parse_json_out(r)["domain"] == "[0, 1] x [0, 1]");

  // Errors: no --output on a 3-output net, out of range, malformed, given twice.
  r = run_cli({"check", kThree});
  CHECK(r.exit_code == kInputError);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "this network has 3 outputs; choose one with --output K (0-based)"));
  r = run_cli({"check", kThree, "--output", "3"});
  CHECK(r.exit_code == kInputError);
  CHECK(contains(r.err, "out of range"));
  r = run_cli({"check", kThree, "--output", "-1"});
  CHECK(r.exit_code == kInputError);
  r = run_cli({"check", kThree, "--output", "x"});
  CHECK(r.exit_code == kInputError);
  r = run_cli({"check", kThree, "--output", "0", "--output", "1"});
  CHECK(r.exit_code == kInputError);
  CHECK(contains(r.err, "given twice"));

  // A multi-output JSON network through --output: output 0 = relu(x) convex, output 1 = -relu(x) not.
  const std::string two_json = std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/malformed/last_layer_two_outputs.json";
  r = run_cli({"check", two_json, "--output", "0", "--json"});
  CHECK(r.exit_code == kConvex);
  CHECK(parse_json_out(r)["domain"] == "R^1");
  r = run_cli({"check", two_json, "--output", "1", "--json"});
  CHECK(r.exit_code == kNotConvex);
  r = run_cli({"check", two_json});
  CHECK(r.exit_code == kInputError);
  CHECK(contains(r.err, "layers[1].W: the last layer must have exactly one output (found 2)"));
}
