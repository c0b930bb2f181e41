// Huge or hostile inputs, generated here (they are too big to keep as fixtures): each one is
// refused with exit 2 and a message naming the file and the field or line, or handled, and in
// both cases quickly and without a crash. The small hostile cases live in
// tests/fixtures/malformed/ and tests/fixtures/nnet/malformed/ (test_cli.cpp, test_nnet.cpp).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/nnet_loader.hpp"
#include "core/rational.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using relucert::test::contains;
using relucert::test::Run;
using relucert::test::run_cli;
using relucert::test::scratch_dir;

namespace {

constexpr int kConvex = 0, kNotConvex = 1, kInputError = 2;
// Generous bound for one CLI run on these inputs (sanitizer builds are several times slower).
constexpr double kMaxSeconds = 60;

std::string write(const std::string& name, const std::string& text) {
  const std::string path = (scratch_dir() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

struct Timed {
  Run run;
  double seconds;
};

Timed timed_cli(const std::vector<std::string>& args) {
  const auto t0 = std::chrono::steady_clock::now();
  Run r = run_cli(args);
  return {std::move(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

void expect_refused(const Timed& t, const std::string& path, const std::vector<std::string>& needles) {
  INFO("command: " << t.run.command.substr(0, 300));
  INFO("stderr: " << t.run.err.substr(0, 500));
  CHECK(t.run.exit_code == kInputError);
  CHECK(t.run.out.empty());
  CHECK(contains(t.run.err, "relucert: error: " + path + ": "));
  for (const auto& n : needles) CHECK_MESSAGE(contains(t.run.err, n), "stderr lacks '" << n << "'");
  CHECK(t.run.err.size() < 2000 + path.size());  // the message never echoes a huge input
  CHECK(t.seconds < kMaxSeconds);
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string r;
  r.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) r += s;
  return r;
}

// n entries "0" separated by commas.
std::string zeros(std::size_t n, const std::string& entry = "0") {
  std::string r = entry;
  r.reserve(n * (entry.size() + 1));
  for (std::size_t i = 1; i < n; ++i) r += "," + entry;
  return r;
}

}  // namespace

TEST_CASE("a layer of 10^6 neurons is refused while parsing, naming the field") {
  // 10^6 rows of W: refused at row 100001, before the tree holds them all.
  const std::string p = write("wide_W.json", "{\"input_dim\": 1, \"layers\": [{\"W\": [" + zeros(1000000, "[\"1\"]") +
                                                  "], \"b\": [\"0\"]}]}");
  expect_refused(timed_cli({"check", p, "--json"}), p, {"layers[0].W", "more than 100000 entries"});
  // 10^6 biases.
  const std::string q = write("wide_b.json", "{\"input_dim\": 1, \"layers\": [{\"W\": [[\"1\"]], \"b\": [" + zeros(1000000) + "]}]}");
  expect_refused(timed_cli({"check", q}), q, {"layers[0].b", "more than 100000 entries"});
  // A row of 10^6 columns (input_dim itself is capped at 100000 too).
  const std::string r = write("wide_row.json", "{\"input_dim\": 1000000, \"layers\": [{\"W\": [[" + zeros(1000000) + "]], \"b\": [\"0\"]}]}");
  expect_refused(timed_cli({"regions", r}), r, {"layers[0].W[0]", "more than 100000 entries"});
  const std::string d = write("wide_dim.json", "{\"input_dim\": 1000000, \"layers\": [{\"W\": [[\"1\"]], \"b\": [\"0\"]}]}");
  expect_refused(timed_cli({"check", d}), d, {"input_dim", "too large"});
  // The library loader refuses too.
  CHECK_THROWS_AS(relucert::load_network_json_file(p), relucert::InputError);
}

TEST_CASE("more than 2 million JSON values in total are refused") {
  // 21 arrays of 100000 numbers in metadata: each array is within the per-array limit.
  std::string meta = "[";
  for (int i = 0; i < 21; ++i) meta += (i ? ",[" : "[") + zeros(100000) + "]";
  meta += "]";
  const std::string p = write("many_values.json", "{\"input_dim\": 1, \"layers\": [{\"W\": [[\"1\"]], \"b\": [\"0\"]}], \"metadata\": " + meta + "}");
  expect_refused(timed_cli({"check", p}), p, {"metadata[", "more than 2000000 JSON values"});
}

TEST_CASE("deep nesting: 10^6 open brackets are refused at depth 64 without recursion") {
  const std::string p = write("deep.json", "{\"input_dim\": 1, \"layers\": " + repeat("[", 1000000) + repeat("]", 1000000) + "}");
  expect_refused(timed_cli({"check", p}), p, {"layers[0][0][0]", "nested deeper than 64"});
  const std::string q = write("deep_top.json", repeat("[", 1000000));
  expect_refused(timed_cli({"check", q, "--json"}), q, {"nested deeper than 64"});
  const std::string o = write("deep_objects.json", repeat("{\"a\":", 100000) + "1" + repeat("}", 100000));
  expect_refused(timed_cli({"check", o}), o, {"a.a.a.a", "nested deeper than 64"});
}

TEST_CASE("10^5-digit numbers are read exactly and decided correctly") {
  // N has 100000 digits. f = N relu(x) - N relu(x - 1) is concave at x = 1 (not convex);
  // f = N relu(x) + N relu(x - 1) is convex. Both on R and on a box.
  const std::string N = "7" + std::string(99999, '3');
  for (const bool convex : {false, true}) {
    const std::string text = "{\"input_dim\": 1, \"layers\": [{\"W\": [[\"1\"], [\"1\"]], \"b\": [\"0\", \"-1\"]}, {\"W\": [[\"" + N +
                             "\", \"" + (convex ? "" : "-") + N + "\"]], \"b\": [\"0\"]}]}";
    const std::string p = write(convex ? "huge_digits_convex.json" : "huge_digits_concave.json", text);
    const relucert::Network net = relucert::load_network_json_file(p);
    CHECK(net.layers()[1].W[0][0] == relucert::Rational(relucert::Integer(N)));
    for (const bool box : {false, true}) {
      std::vector<std::string> args = {"check", p, "--json"};
      if (box) args.insert(args.end(), {"--box", "-2:3"});
      const Timed t = timed_cli(args);
      INFO("stderr: " << t.run.err.substr(0, 300));
      CHECK(t.run.exit_code == (convex ? kConvex : kNotConvex));
      CHECK(t.seconds < kMaxSeconds);
      if (t.run.exit_code == kNotConvex) {
        const json j = json::parse(t.run.out);
        CHECK(j["witness"]["gap"].get<std::string>().size() >= 99999);  // the gap is a multiple of N
      }
    }
  }
  // 10^5 fraction digits and exponents at the limit are accepted; beyond, a clear refusal.
  CHECK(relucert::parse_rational("0." + std::string(99999, '0') + "1").has_value());
  CHECK(relucert::parse_rational("1e100000").has_value());
  CHECK(relucert::parse_rational("0x1p400000").has_value());
  std::string why;
  CHECK_FALSE(relucert::parse_rational("1e100001", &why).has_value());
  CHECK(contains(why, "exponent too large"));
  // A number of 10^6 digits as a JSON number (not a string) is read from its text too.
  const std::string big = "{\"input_dim\": 1, \"layers\": [{\"W\": [[" + std::string(1000000, '9') + "]], \"b\": [0]}]}";
  const std::string p = write("million_digits.json", big);
  const Timed t = timed_cli({"check", p, "--json"});
  INFO("stderr: " << t.run.err.substr(0, 300));
  CHECK(t.seconds < kMaxSeconds);
  // f is linear (one layer, no ReLU), hence convex, or the JSON-number route refuses it with a
  // message naming the line: never anything else.
  CHECK((t.run.exit_code == kConvex || t.run.exit_code == kInputError));
  if (t.run.exit_code == kInputError) {
    CHECK(contains(t.run.err, p + ": line 1, column"));
    CHECK(contains(t.run.err, "[1000000 characters]"));
    CHECK(t.run.err.size() < 2000);
  }
  // Huge garbage where a number belongs, a huge unknown key, a huge duplicate key: short messages.
  const std::string junk(1000000, 'x');
  for (const std::string& text : {
           "{\"input_dim\": 1, \"layers\": [{\"W\": [[\"" + junk + "\"]], \"b\": [\"0\"]}]}",
           "{\"input_dim\": 1, \"" + junk + "\": 1, \"layers\": [{\"W\": [[\"1\"]], \"b\": [\"0\"]}]}",
           "{\"" + junk + "\": 1, \"" + junk + "\": 2}",
       }) {
    const std::string q = write("junk.json", text);
    expect_refused(timed_cli({"check", q}), q, {"characters]"});
  }
}

TEST_CASE("huge or hostile .nnet files are refused by line, quickly") {
  // A header declaring 10^6-wide layers.
  const std::string p = write("wide.nnet", "1,1000000,1,1000000,\n1000000,1,\n0,\n");
  expect_refused(timed_cli({"check", p}), p, {"line 1:", "inputSize is too large (limit 100000)"});
  // 10^9 layers.
  const std::string q = write("deep.nnet", "1000000000,1,1,1,\n");
  expect_refused(timed_cli({"check", q}), q, {"line 1:", "numLayers is too large"});
  // A header in 10^5-digit numbers.
  const std::string big(100000, '9');
  const std::string r = write("huge_header.nnet", big + "," + big + ",1,1,\n");
  expect_refused(timed_cli({"check", r}), r, {"line 1:", "too large"});
  // One line of 10^6 commas where the header belongs.
  const std::string s = write("commas.nnet", std::string(1000000, ',') + "\n");
  expect_refused(timed_cli({"check", s}), s, {"line 1:", "header", "expected 4 values"});
  // Plausible sizes (within the limits) but a file far too short: refused at its end, not by
  // allocating the declared layers.
  const std::string t = write("short.nnet", "2,100000,1,100000,\n100000,100000,1,\n0,\n");
  expect_refused(timed_cli({"check", t}), t, {"line 4:", "unexpected end of file", "input minimums"});
  CHECK_THROWS_AS(relucert::load_nnet_file(p), relucert::InputError);
}

TEST_CASE("a file over 256 MB is refused before it is read") {
  // A sparse file: no disk space is used.
  const std::string p = (scratch_dir() / "huge.json").string();
  { std::ofstream(p) << "{"; }
  fs::resize_file(p, (std::uintmax_t(256) << 20) + 1);
  expect_refused(timed_cli({"check", p}), p, {"file too large", "limit 256 MB"});
  const std::string q = (scratch_dir() / "huge.nnet").string();
  { std::ofstream(q) << "//"; }
  fs::resize_file(q, (std::uintmax_t(300) << 20));
  expect_refused(timed_cli({"check", q}), q, {"file too large"});
  fs::remove(p);
  fs::remove(q);
}

TEST_CASE("a 96-byte ONNX model whose Relu would need a 2268 x 2268 weight matrix is refused quickly") {
  // Found by fuzz_onnx_loader (out of memory): graph "SingleRelu", input x of shape [63, 36],
  // y = Relu(x). Lowered exactly, the elementwise Relu is a dense 2268 x 2268 identity.
  const unsigned char model[] = {
      0x08, 0x03, 0x12, 0x0c, 0x62, 0x61, 0x63, 0x6b, 0x65, 0x6e, 0x64, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x3a, 0x4a, 0x0a, 0x12,
      0x0a, 0x01, 0x78, 0x12, 0x01, 0x79, 0x1a, 0x04, 0x74, 0x65, 0x73, 0x74, 0x22, 0x04, 0x52, 0x65, 0x6c, 0x75, 0x12, 0x0a,
      0x53, 0x69, 0x6e, 0x67, 0x6c, 0x65, 0x52, 0x65, 0x6c, 0x75, 0x5a, 0x13, 0x0a, 0x01, 0x78, 0x12, 0x0e, 0x0a, 0x0c, 0x08,
      0x01, 0x12, 0x08, 0x0a, 0x02, 0x08, 0x3f, 0x0a, 0x02, 0x08, 0x24, 0x62, 0x13, 0x0a, 0x01, 0x79, 0x12, 0x0e, 0x0a, 0x0c,
      0x08, 0x01, 0x12, 0x08, 0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02, 0x08, 0x02, 0x42, 0x02, 0x10, 0x06};
  const std::string p = write("relu_63x36.onnx", std::string(reinterpret_cast<const char*>(model), sizeof model));
  const Timed t = timed_cli({"check", p, "--json"});
  expect_refused(t, p, {"2268 x 2268 weight matrix", "too large to analyse"});
  CHECK(t.seconds < 10);
}
