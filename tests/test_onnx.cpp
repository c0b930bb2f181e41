// The ONNX loader (core/onnx/onnx_loader.hpp) against real torch exports: tests/onnx_models.py
// (run through /usr/bin/python3, which has torch and onnx) writes the models and torch's
// float64 forward values; the exact function the loader builds must agree at every point, the
// CLI must give the known verdicts, and every refused construct must give exit 2 naming the node.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/network_json_writer.hpp"
#include "core/network_loader.hpp"
#include "core/onnx/onnx_loader.hpp"
#include "core/rational.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace relucert;
using relucert::test::contains;
using relucert::test::Run;
using relucert::test::run_cli;

namespace {

// Exports the models once per test run.
const fs::path& models_dir() {
  static const fs::path dir = [] {
    const fs::path d = relucert::test::scratch_dir() / "onnx";
    const std::string script = std::string(RELUCERT_TEST_DATA_DIR) + "/onnx_models.py";
    const Run r = relucert::test::run_shell("/usr/bin/python3 " + relucert::test::shell_quote(script) + " " +
                                                relucert::test::shell_quote(d.string()),
                                            "onnx_models.py");
    if (r.exit_code != 0)
      throw std::runtime_error("tests/onnx_models.py failed (needs python3-torch and python3-onnx for /usr/bin/python3; "
                               "scripts/install-deps.sh installs them):\n" + r.err);
    return d;
  }();
  return dir;
}

json expected() { return json::parse(relucert::test::read_text(models_dir() / "expected.json")); }

}  // namespace

TEST_CASE("torch exports load as the exact function torch computes (float64 forward, many points)") {
  const json e = expected();
  REQUIRE(e["models"].size() >= 14);
  for (const auto& m : e["models"]) {
    const std::string file = m["file"];
    INFO("model " << file);
    const fs::path path = models_dir() / file;
    const std::size_t outputs = m["values"][0].size();
    for (std::size_t k = 0; k < outputs; ++k) {
      const LoadedNetwork ln = load_onnx_file(path.string(), outputs > 1 ? std::optional<std::size_t>(k) : std::nullopt);
      REQUIRE(ln.net.input_dim() == m["points"][0].size());
      for (std::size_t i = 0; i < m["points"].size(); ++i) {
        Vector x;
        for (double v : m["points"][i]) x.push_back(rational_from_double(v));  // the exact point torch saw
        const double exact = approx(ln.net.value(x));
        const double torch = m["values"][i][k];
        INFO("point " << i << " output " << k);
        CHECK(std::abs(exact - torch) <= 1e-9 * (1 + std::abs(torch)));
      }
    }
  }
}

TEST_CASE("the lowered networks survive the JSON round trip (skips included)") {
  for (const char* file : {"residual.onnx", "icnn.onnx", "conv.onnx"}) {
    const Network net = load_onnx_file((models_dir() / file).string()).net;
    const Network back = parse_network_json(network_json_text(net), "roundtrip");
    CHECK(network_json_text(back) == network_json_text(net));
  }
  CHECK(load_onnx_file((models_dir() / "residual.onnx").string()).net.has_layer_skips());
  CHECK(load_onnx_file((models_dir() / "icnn.onnx").string()).net.layers().back().has_skip());
}

TEST_CASE("relucert check on ONNX models: known verdicts, certificate checked by relucert-verify") {
  const json e = expected();
  int checked = 0;
  for (const auto& m : e["models"]) {
    if (!m.contains("verdict")) continue;
    const std::string file = (models_dir() / m["file"].get<std::string>()).string();
    std::vector<std::string> args = {"check", file, "--json"};
    if (m.contains("box")) args.insert(args.end(), {"--box", m["box"].get<std::string>()});
    const Run r = run_cli(args);
    INFO(r.command << "\n" << r.out << r.err);
    const std::string verdict = m["verdict"];
    CHECK(r.exit_code == (verdict == "convex" ? 0 : 1));
    CHECK(json::parse(r.out)["verdict"] == verdict);
    ++checked;
  }
  CHECK(checked >= 3);
#ifdef RELUCERT_VERIFY_PATH
  // A convexity certificate of an ONNX ICNN (input skips) and a witness of the fold, checked by
  // the independent checker on the JSON the loader lowered them to.
  for (const char* name : {"icnn_matmul", "fold"}) {
    const fs::path net_json = relucert::test::scratch_dir() / (std::string(name) + ".json");
    const fs::path cert = relucert::test::scratch_dir() / (std::string(name) + ".cert");
    write_network_json_file(load_onnx_file((models_dir() / (std::string(name) + ".onnx")).string()).net, net_json.string());
    const Run c = run_cli({"check", (models_dir() / (std::string(name) + ".onnx")).string(), "--certificate", cert.string()});
    CHECK((c.exit_code == 0 || c.exit_code == 1));
    const Run v = relucert::test::run_shell(relucert::test::shell_quote(RELUCERT_VERIFY_PATH) + " " +
                                                relucert::test::shell_quote(net_json.string()) + " " + relucert::test::shell_quote(cert.string()),
                                            "relucert-verify");
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    CHECK(contains(v.out, "VERIFIED"));
    CHECK(!contains(v.out, "NOT VERIFIED"));
  }
#endif
}

TEST_CASE("refused ONNX constructs: exit 2 and a message naming the node") {
  const json e = expected();
  REQUIRE(e["rejects"].size() >= 6);
  for (const auto& rj : e["rejects"]) {
    const std::string file = (models_dir() / rj["file"].get<std::string>()).string();
    const Run r = run_cli({"check", file});
    INFO(r.command << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, file));
    CHECK(contains(r.err, rj["node"].get<std::string>()));
    CHECK(contains(r.err, rj["why"].get<std::string>()));
  }
}

TEST_CASE("malformed ONNX input: clear messages") {
  CHECK_THROWS_WITH_AS(load_onnx_bytes("this is not protobuf \xff\xff", "<bytes>"), doctest::Contains("not a valid ONNX model"), InputError);
  CHECK_THROWS_WITH_AS(load_onnx_bytes("", "<bytes>"), doctest::Contains("has no graph"), InputError);
  // External data is only read relative to a model file's folder.
  const std::string bytes = relucert::test::read_text(models_dir() / "ext" / "icnn_external.onnx");
  CHECK_THROWS_WITH_AS(load_onnx_bytes(bytes, "<bytes>"), doctest::Contains("external file"), InputError);
  CHECK_NOTHROW(load_onnx_bytes(bytes, "<bytes>", std::nullopt, (models_dir() / "ext").string()));
  // Several outputs need --output, exactly as for JSON and .nnet.
  CHECK_THROWS_WITH_AS(load_network_any((models_dir() / "mlp.onnx").string()), doctest::Contains("choose one with --output"), InputError);
  const Run r = run_cli({"check", (models_dir() / "mlp.onnx").string(), "--output", "2"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--output"));
}

// The CLI does not link protobuf: .onnx inputs go through librelucert_onnx.so (core/onnx_module.hpp).
// What it returns must be what the linked reader returns, errors included, and a missing module
// must be an input error naming the file and the place looked at, not a crash or a verdict.
TEST_CASE("the ONNX module: the linked reader's networks and errors, and the CLI without protobuf") {
  const Run ldd = relucert::test::cli_shared_libraries();
  REQUIRE(ldd.exit_code == 0);
  CHECK(contains(ldd.out, "libgmp"));  // the listing is real
  CHECK(!contains(ldd.out, "protobuf"));
  CHECK(!contains(ldd.out, "onnx"));

  const json e = expected();
  int compared = 0;
  for (const auto& m : e["models"]) {
    const std::string file = (models_dir() / m["file"].get<std::string>()).string();
    std::optional<std::size_t> output;
    try {
      (void)load_onnx_file(file);
    } catch (const InputError&) {
      output = 0;  // several outputs: compare output 0
    }
    const LoadedNetwork direct = load_onnx_file(file, output), by_module = load_network_any(file, output);
    CHECK(network_json_text(by_module.net) == network_json_text(direct.net));
    CHECK(by_module.description == direct.description);
    ++compared;
  }
  CHECK(compared >= 5);
  int refused = 0;
  for (const auto& rj : e["rejects"]) {
    const std::string file = (models_dir() / rj["file"].get<std::string>()).string();
    std::string direct, by_module;
    try {
      (void)load_onnx_file(file);
    } catch (const InputError& x) {
      direct = x.source() + "|" + x.location() + "|" + x.problem();
    }
    try {
      (void)load_network_any(file);
    } catch (const InputError& x) {
      by_module = x.source() + "|" + x.location() + "|" + x.problem();
    }
    CHECK(!direct.empty());
    CHECK(by_module == direct);
    ++refused;
  }
  CHECK(refused >= 6);

  const std::string onnx = (models_dir() / "icnn_matmul.onnx").string();
  const std::string missing = (relucert::test::scratch_dir() / "no_such_module.so").string();
  const std::string env = "RELUCERT_ONNX_MODULE=" + relucert::test::shell_quote(missing);
  const Run r = relucert::test::run_cli_with_env(env, {"check", onnx});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, onnx));
  CHECK(contains(r.err, missing));
  CHECK(r.out.empty());
  // Other formats do not need it.
  const Run j = relucert::test::run_cli_with_env(env, {"check", std::string(RELUCERT_EXAMPLES_DIR) + "/icnn_2d.json"});
  CHECK(j.exit_code == 0);
}
