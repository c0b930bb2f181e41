// Certificates and witness files (docs/certificate.md), end to end: every proof written by
// relucert is checked by the separate executable relucert-verify (built beside the CLI, in
// checker/), every mutated proof is rejected, and the fixture folders
// tests/fixtures/certificates/{valid,reject,malformed}/ give exit 0 / 1 / 2.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/certificate.hpp"
#include "analysis/convexity.hpp"
#include "support/process.hpp"
#include "support/random_nets.hpp"

namespace fs = std::filesystem;
using namespace relucert;
using relucert::test::Run;
using relucert::test::run_cli;
using relucert::test::run_shell;
using relucert::test::scratch_dir;
using relucert::test::shell_quote;

namespace {

const std::string kFixtures = std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/certificates";
const std::string kSharedNets = RELUCERT_SHARED_NETS_DIR;

// The checker is built in checker/ of the same build tree as the CLI.
fs::path verifier_path() { return RELUCERT_VERIFY_PATH; }

Run verify(const fs::path& net, const fs::path& proof) {
  REQUIRE_MESSAGE(fs::exists(verifier_path()), "build the relucert-verify target first: " << verifier_path());
  return run_shell(shell_quote(verifier_path().string()) + " " + shell_quote(net.string()) + " " + shell_quote(proof.string()),
                   "relucert-verify " + net.string() + " " + proof.string());
}

fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path p = scratch_dir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string box_spec(const nlohmann::json& dom) {
  std::string s;
  for (std::size_t i = 0; i < dom["lo"].size(); ++i)
    s += (i ? "," : "") + dom["lo"][i].get<std::string>() + ":" + dom["hi"][i].get<std::string>();
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> r;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) r.push_back(l);
  return r;
}
std::string join(const std::vector<std::string>& ls) {
  std::string s;
  for (const auto& l : ls) s += l + "\n";
  return s;
}

// Every mutant must be rejected (exit 1 or 2, never VERIFIED).
void expect_all_rejected(const fs::path& net, const std::string& what, const std::vector<std::string>& mutants) {
  int i = 0;
  for (const std::string& m : mutants) {
    const fs::path p = write_temp("mutant" + std::to_string(i++) + ".cert", m);
    const Run r = verify(net, p);
    CHECK_MESSAGE((r.exit_code == 1 || r.exit_code == 2), what << " mutant " << i << " was accepted:\n" << m);
    CHECK(r.out.find("VERIFIED\n") != 0);
  }
  // The figure quoted in the README ("mutants rejected"); run with -s or see the CTest log.
  MESSAGE(what << ": " << mutants.size() << " certificate mutants, all rejected");
}

}  // namespace

TEST_CASE("every shared net: the CLI's certificate or witness is VERIFIED by relucert-verify") {
  const auto t0 = std::chrono::steady_clock::now();
  std::ifstream mf(kSharedNets + "/manifest.json");
  REQUIRE(mf);
  const nlohmann::json manifest = nlohmann::json::parse(mf);
  int convex = 0, witnesses = 0;
  for (const auto& entry : manifest) {
    const fs::path net = fs::path(kSharedNets) / entry["file"].get<std::string>();
    for (const auto& chk : entry["checks"]) {
      std::vector<std::string> args{"check", net.string(), "--lines", "0"};
      if (chk["domain"].is_object()) {
        args.push_back("--box");
        args.push_back(box_spec(chk["domain"]));
      }
      const fs::path out = scratch_dir() / "shared.proof";
      fs::remove(out);
      args.push_back("--certificate");
      args.push_back(out.string());
      const Run r = run_cli(args);
      const std::string expected = chk["expected"];
      INFO(r.command << "\n" << r.err);
      REQUIRE(r.exit_code == (expected == "convex" ? 0 : 1));
      REQUIRE(fs::exists(out));
      const Run v = verify(net, out);
      INFO(v.out << v.err);
      CHECK(v.exit_code == 0);
      CHECK(v.out.rfind("VERIFIED\n" + std::string(expected == "convex" ? "convex on " : "not convex on "), 0) == 0);
      (expected == "convex" ? convex : witnesses)++;
    }
  }
  CHECK(convex >= 10);
  CHECK(witnesses >= 4);
  MESSAGE("shared nets: " << convex << " certificates, " << witnesses << " witnesses in "
                          << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
}

TEST_CASE("random and degenerate nets: certificates and witnesses are VERIFIED, on a box and on R^d") {
  using relucert::testing::RandomNetGenerator;
  RandomNetGenerator gen(20240611);
  int certs = 0, wits = 0;
  for (int i = 0; i < 48; ++i) {
    relucert::testing::RandomCase rc = i % 2 == 0 ? gen.icnn() : gen.general();
    const fs::path net = write_temp("rnd" + std::to_string(i) + ".json", relucert::testing::network_to_json(rc.net));
    for (const Domain& dom : {rc.box, Domain::whole_space(rc.net.input_dim())}) {
      INFO("case " << i << " (" << rc.recipe << ") on " << dom.describe() << "\n" << relucert::testing::network_to_json(rc.net));
      CheckOptions opt;
      opt.limits.max_cells = 400;
      const CheckResult res = check_convexity(rc.net, dom, opt);
      if (res.verdict == Verdict::Unknown) continue;
      if (rc.must_be_convex) CHECK(res.verdict == Verdict::Convex);
      const fs::path proof = scratch_dir() / "rnd.proof";
      if (res.verdict == Verdict::Convex) {
        const auto text = write_convexity_certificate(rc.net, dom);
        REQUIRE(text);
        std::ofstream(proof, std::ios::binary) << *text;
        ++certs;
      } else {
        REQUIRE(res.witness);
        std::ofstream(proof, std::ios::binary) << write_witness_file(*res.witness, dom, net.string());
        ++wits;
      }
      const Run v = verify(net, proof);
      INFO(v.out << v.err);
      CHECK(v.exit_code == 0);
    }
  }
  CHECK(certs >= 24);
  MESSAGE("random nets: " << certs << " certificates, " << wits << " witnesses verified");
}

TEST_CASE("mutated certificates are rejected") {
  const fs::path net = fs::path(kSharedNets) / "icnn_basic.json";
  const std::string cert = test::read_text(fs::path(kFixtures) / "valid" / "icnn__R2.cert");
  REQUIRE(verify(fs::path(kFixtures) / "nets" / "icnn.json", fs::path(kFixtures) / "valid" / "icnn__R2.cert").exit_code == 0);
  const std::vector<std::string> ls = lines_of(cert);
  auto kw = [](const std::string& l) { return l.substr(0, l.find(' ')); };

  SUBCASE("drop any record (a cell, a split, a fix, a neighbour's jump, a prune, the end)") {
    std::vector<std::string> mutants;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      if (ls[i].empty() || ls[i][0] == 'c') continue;
      std::vector<std::string> m = ls;
      m.erase(m.begin() + static_cast<long>(i));
      mutants.push_back(join(m));
    }
    expect_all_rejected(net, "dropped line", mutants);
  }
  SUBCASE("drop a whole cell (node block) or turn a split into a leaf") {
    std::vector<std::string> mutants;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      if (kw(ls[i]) == "split") {
        std::vector<std::string> m = ls;
        m[i] = "leaf";
        mutants.push_back(join(m));
      }
      if (kw(ls[i]) == "node") {
        std::vector<std::string> m = ls;
        std::size_t j = i + 1;
        while (j < m.size() && kw(m[j]) != "node" && kw(m[j]) != "prune" && kw(m[j]) != "jump") ++j;
        m.erase(m.begin() + static_cast<long>(i), m.begin() + static_cast<long>(j));
        mutants.push_back(join(m));
      }
    }
    expect_all_rejected(net, "dropped cell/split", mutants);
  }
  SUBCASE("flip the sign of a fix, change a fix multiplier, change a lambda, zero a prune") {
    std::vector<std::string> mutants;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      std::istringstream in(ls[i]);
      std::vector<std::string> t;
      for (std::string w; in >> w;) t.push_back(w);
      if (t.empty()) continue;
      auto rebuild = [&](const std::vector<std::string>& tt) {
        std::vector<std::string> m = ls;
        std::string s;
        for (const auto& w : tt) s += (s.empty() ? "" : " ") + w;
        m[i] = s;
        mutants.push_back(join(m));
      };
      if (t[0] == "fix") {
        auto u = t;
        u[2] = u[2] == "+" ? "-" : "+";
        rebuild(u);
        for (std::size_t k = 3; k < t.size(); ++k) {  // any single change of one multiplier breaks the identity
          auto v = t;
          const std::size_t c = v[k].find(':');
          v[k] = v[k].substr(0, c + 1) + "1/" + "1000";
          if (v[k] != t[k]) rebuild(v);
        }
        if (t.size() == 3) {  // no multipliers: constant pre-activation, add one
          auto v = t;
          v.push_back("0:1");
          rebuild(v);
        }
      }
      if (t[0] == "jump") {
        for (const char* lam : {"-1", "1/7", "100"}) {
          auto u = t;
          if (u[3] == lam) continue;
          u[3] = lam;
          rebuild(u);
        }
      }
      if (t[0] == "prune") {
        auto u = t;
        for (std::size_t k = 3; k < u.size(); ++k) u[k] = u[k].substr(0, u[k].find(':') + 1) + "0";
        rebuild(u);
      }
    }
    expect_all_rejected(net, "changed number", mutants);
  }
  SUBCASE("perturb a point: swap the points of two siblings") {
    std::vector<std::string> mutants;
    std::vector<std::size_t> node_line;
    for (std::size_t i = 0; i < ls.size(); ++i)
      if (kw(ls[i]) == "node") node_line.push_back(i);
    for (std::size_t i = 0; i < ls.size(); ++i) {
      std::istringstream in(ls[i]);
      std::string k, neuron;
      std::size_t a = 0, b = 0;
      if (!(in >> k >> neuron >> a >> b) || k != "split") continue;
      std::vector<std::string> m = ls;
      const std::string pa = ls[node_line[a]].substr(ls[node_line[a]].find(" point"));
      const std::string pb = ls[node_line[b]].substr(ls[node_line[b]].find(" point"));
      m[node_line[a]] = "node " + std::to_string(a) + pb;
      m[node_line[b]] = "node " + std::to_string(b) + pa;
      mutants.push_back(join(m));
    }
    expect_all_rejected(net, "swapped points", mutants);
  }
}

TEST_CASE("mutated witnesses are rejected") {
  const fs::path net = fs::path(kFixtures) / "nets" / "bent.json";
  const std::string w = test::read_text(fs::path(kFixtures) / "valid" / "bent__R2.witness");
  REQUIRE(verify(net, fs::path(kFixtures) / "valid" / "bent__R2.witness").exit_code == 0);
  const std::vector<std::pair<std::string, std::string>> edits{
      {"\"gap\": \"1/6\"", "\"gap\": \"1/7\""},
      {"\"gap\": \"1/6\"", "\"gap\": \"-1/6\""},
      {"\"domain\": \"R^d\"", "\"domain\": {\"lo\": [\"-1\", \"-1\"], \"hi\": [\"1\", \"1\"]}"},
      {"\"x\": [\"1/6\", \"-17/3\"], \"y\": [\"5/6\", \"-17/3\"]", "\"x\": [\"5/6\", \"-17/3\"], \"y\": [\"5/6\", \"-17/3\"]"},
      {"\"gap\": \"1/6\"", "\"gap\": \"1/6\", \"gap\": \"1/6\""},
      {"}", ""}};
  for (const auto& [from, to] : edits) {
    std::string m = w;
    REQUIRE(m.find(from) != std::string::npos);
    m.replace(m.find(from), from.size(), to);
    const Run r = verify(net, write_temp("w.json", m));
    CHECK_MESSAGE((r.exit_code == 1 || r.exit_code == 2), "accepted witness mutant:\n" << m);
  }
  MESSAGE(edits.size() << " witness mutants, all rejected");
}

TEST_CASE("fixture folders: valid -> 0, reject -> 1, malformed -> 2") {
  int n = 0;
  for (const auto& [folder, code] : std::vector<std::pair<std::string, int>>{{"valid", 0}, {"reject", 1}, {"malformed", 2}}) {
    for (const auto& e : fs::directory_iterator(fs::path(kFixtures) / folder)) {
      const std::string name = e.path().filename().string();
      const fs::path net = fs::path(kFixtures) / "nets" / (name.substr(0, name.find("__")) + ".json");
      REQUIRE_MESSAGE(fs::exists(net), name);
      const Run r = verify(net, e.path());
      INFO(folder << "/" << name << "\nstdout: " << r.out << "stderr: " << r.err);
      CHECK(r.exit_code == code);
      if (code == 0) CHECK(r.out.rfind("VERIFIED\n", 0) == 0);
      if (code == 1) CHECK(r.out.rfind("NOT VERIFIED: ", 0) == 0);
      if (code == 2) {
        CHECK(r.out.empty());
        CHECK(r.err.find(e.path().filename().string() + ":") != std::string::npos);  // file:line
      }
      ++n;
    }
  }
  CHECK(n >= 40);
}

TEST_CASE("--certificate: written atomically, nothing when unknown, input error on an unwritable path") {
  const fs::path net = fs::path(kFixtures) / "nets" / "ex2d.json";
  const fs::path dir = scratch_dir() / "atomic";
  fs::create_directories(dir);
  Run r = run_cli({"check", net.string(), "--box", "-1:1", "--method", "region-complex", "--certificate", (dir / "a.cert").string()});
  CHECK(r.exit_code == 0);
  CHECK(verify(net, dir / "a.cert").exit_code == 0);
  // The certificate is reproducible and the worked example of docs/certificate.md.
  CHECK(test::read_text(dir / "a.cert") == test::read_text(fs::path(kFixtures) / "valid" / "ex2d__box.cert"));
  r = run_cli({"check", (fs::path(kFixtures) / "nets" / "icnn.json").string(), "--max-cells", "1", "--method", "region-complex", "--certificate",
               (dir / "u.cert").string()});
  CHECK(r.exit_code == 3);
  CHECK_FALSE(fs::exists(dir / "u.cert"));
  r = run_cli({"check", net.string(), "--certificate", (dir / "no_such_dir" / "x.cert").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().filename().string().find(".tmp.") == std::string::npos ? 1 : 100;
  CHECK(files == 1);  // no temporary left behind
  r = run_cli({"check", net.string(), "--certificate"});
  CHECK(r.exit_code == 2);
}
