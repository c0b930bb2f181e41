// bench/tiers: the tiered prover (issue #14) on medium nets. For each net: the time of
// relucert::check_convexity with the default options (tiers, line refuter, ...), the tier or
// method that answered, the size of its certificate, and the time relucert-verify's code
// (checker/) needs to check the certificate or witness. Medians of --repeat runs; a Markdown
// table on stdout and in --out FILE. Not a test: the verdicts are checked in tests/test_tiers.cpp.
//
// Nets (seeded, float32 weights of PyTorch's nn.Linear init, read exactly):
//   icnn         hidden-to-hidden and output weights |init| >= 0, input skips U x of any sign on
//                every layer after the first (an ICNN as torch users write it)
//   icnn+rewrite an ICNN plus, per hidden layer, a scaled duplicate of a neuron whose outgoing
//                weights split the original's into (2w, -w/s), and on a box one neuron dead there
//                with negative outgoing weights: convex, not an ICNN as stored
//   random       plain PyTorch init: not convex, refuted
//   bench/nets/penalised_*.json  trained with a convexity penalty (bench/train_penalised.py)
#include <unistd.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/certificate.hpp"
#include "analysis/convexity.hpp"
#include "bench/paper_stats_lib.hpp"
#include "checker/checker.hpp"
#include "core/network_json_writer.hpp"
#include "core/network_loader.hpp"

using namespace relucert;
namespace ps = relucert::paper_stats;

namespace {

enum class Kind { Icnn, IcnnRewrite, Random };

struct Case {
  Kind kind;
  std::string file;  // a bundled example (relative to the source tree) instead of a drawn net
  std::size_t d;
  std::vector<std::size_t> widths;
  bool box;  // [-1, 1]^d, else R^d
  double target = 0;  // seconds, 0: none
};

const char* kind_name(Kind k) { return k == Kind::Icnn ? "icnn" : k == Kind::IcnnRewrite ? "icnn+rewrite" : "random"; }
std::string case_name(const Case& c) { return c.file.empty() ? kind_name(c.kind) : c.file; }

Vector row_of(std::mt19937_64& rng, std::size_t n, std::size_t fan_in, bool nonnegative) {
  Vector r;
  for (std::size_t j = 0; j < n; ++j) {
    const float v = ps::draw_init_value(rng, fan_in);
    r.push_back(rational_from_float(nonnegative ? std::fabs(v) : v));
  }
  return r;
}

Network make_net(const Case& c, std::uint64_t seed) {
  std::mt19937_64 rng(ps::mix64(seed * 1000003 + c.d * 7919 + c.widths.size() * 31 + c.widths[0] + static_cast<int>(c.kind)));
  const bool convex = c.kind != Kind::Random;
  std::vector<Layer> layers;
  std::size_t fan_in = c.d;
  for (std::size_t l = 0; l <= c.widths.size(); ++l) {
    const bool output = l == c.widths.size();
    const std::size_t rows = output ? 1 : c.widths[l];
    Layer L;
    L.relu = !output;
    for (std::size_t k = 0; k < rows; ++k) L.W.push_back(row_of(rng, fan_in, fan_in, convex && l > 0));
    L.b = row_of(rng, rows, fan_in, false);
    if (convex && l > 0)
      for (std::size_t k = 0; k < rows; ++k) L.U.push_back(row_of(rng, c.d, c.d, false));
    layers.push_back(std::move(L));
    fan_in = rows;
  }
  if (c.kind == Kind::IcnnRewrite) {
    for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
      Layer& L = layers[l];
      Layer& next = layers[l + 1];
      // A duplicate of neuron 0 scaled by 3; the outgoing weight w of neuron 0 becomes 2w there
      // and -w/3 on the copy: 2w relu(z) - (w/3) relu(3z) = w relu(z), so f is unchanged.
      Vector dup;
      for (const auto& v : L.W[0]) dup.push_back(3 * v);
      L.W.push_back(dup);
      L.b.push_back(3 * L.b[0]);
      if (L.has_skip()) {
        Vector u;
        for (const auto& v : L.U[0]) u.push_back(3 * v);
        L.U.push_back(u);
      }
      for (auto& row : next.W) {
        const Rational w = row[0];
        row[0] = 2 * w;
        row.push_back(-w / 3);
      }
      if (c.box) {  // dead on [-1, 1]^d: z <= sum |w| * bound - (that + 1) < 0
        Vector r = row_of(rng, L.W[0].size(), L.W[0].size(), false);
        Rational reach = 0;
        for (const auto& v : r) reach += abs(v);
        // Its inputs are bounded on the box only through the previous layer: take it from layer 1.
        if (l == 0) {
          L.W.push_back(r);
          L.b.push_back(-reach - 1);
          if (L.has_skip()) L.U.push_back(Vector(L.U[0].size(), Rational(0)));
          for (auto& row : next.W) row.push_back(Rational(-1));
        }
      }
    }
  }
  return Network(c.d, std::move(layers));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string machine() {
  utsname u{};
  uname(&u);
  std::string model = "?";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores, " + u.sysname + " " + u.release;
}

std::string size_text(std::size_t bytes) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1);
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) return (o << bytes / 1024.0 << " KB", o.str());
  return (o << bytes / 1048576.0 << " MB", o.str());
}

std::string ms(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 0.01 ? 2 : 1) << s * 1000 << " ms";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t repeat = 3;
  std::string out_path, source_dir = ".";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::stoul(argv[++i]);
    else if (a == "--out" && i + 1 < argc) out_path = argv[++i];
    else if (a == "--quick") quick = true;
    else if (a == "--source" && i + 1 < argc) source_dir = argv[++i];
    else {
      std::cerr << "usage: tiers [--repeat N] [--out FILE] [--quick] [--source DIR (the repository, for examples/)]\n";
      return 2;
    }
  }
  std::vector<Case> cases = {
      {Kind::Icnn, "", 8, {32, 32}, false, 0.1},   {Kind::Icnn, "", 8, {32, 32}, true, 0.1},
      {Kind::Icnn, "", 16, {64, 64}, false},       {Kind::Icnn, "", 16, {64, 64, 64}, true},
      {Kind::Icnn, "", 32, {128, 128, 128}, false, 1.0}, {Kind::Icnn, "", 32, {128, 128, 128}, true, 1.0},
      {Kind::Icnn, "", 64, {256, 256}, false},     {Kind::Icnn, "", 64, {128, 128, 128, 128}, true},
      {Kind::IcnnRewrite, "", 8, {32, 32}, true},  {Kind::IcnnRewrite, "", 32, {128, 128, 128}, false},
      {Kind::IcnnRewrite, "", 32, {128, 128, 128}, true},
      {Kind::Random, "", 8, {32, 32}, true, 0.05}, {Kind::Random, "", 16, {64, 64}, false, 0.05},
      {Kind::Random, "", 32, {128, 128, 128}, true, 0.05}, {Kind::Random, "", 64, {256, 256}, false, 0.05},
  };
  // Convex, not ICNNs as stored (THEORY.md §6 and examples/): the structural tier cannot prove
  // them; on a box branch and bound does, on R^d the region complex decides.
  for (const char* f : {"examples/separation_1d.json", "examples/paper/c2_sep_1d_box.json", "examples/paper/c2_sep_2d_lift.json"})
    for (bool box : {true, false}) cases.push_back({Kind::Icnn, f, 0, {}, box});
  // Trained with a convexity penalty (bench/train_penalised.py: MSE + the bounded path-lifting
  // bound on [-1, 1]^d, relucert.torch.PathLiftBoundPenalty): plain Sequential nets, not ICNNs.
  // On [-1, 1]^d, where they were trained; R^d is another question (not convex there, or unknown).
  for (const char* f : {"bench/nets/penalised_d8_32x32.json", "bench/nets/penalised_d16_64x64.json",
                        "bench/nets/penalised_d16_64x64x64.json", "bench/nets/penalised_d32_128x128.json",
                        "bench/nets/penalised_d64_256x256.json"})
    cases.push_back({Kind::Icnn, f, 0, {}, true});
  if (quick) cases.resize(3);
  const std::string net_path = "/tmp/relucert_bench_tiers_" + std::to_string(getpid()) + ".json";
  std::ostringstream t;
  t << "| net | d | widths | domain | verdict | answered by | time (median of " << repeat << ") | target | certificate | check by relucert-verify |\n"
    << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Case& c : cases) {
    const Network net = c.file.empty() ? make_net(c, 1) : load_network_any(source_dir + "/" + c.file).net;
    const std::size_t d = net.input_dim();
    const Domain dom = c.box ? Domain::box(Vector(d, Rational(-1)), Vector(d, Rational(1))) : Domain::whole_space(d);
    std::vector<double> times;
    CheckResult r;
    for (std::size_t i = 0; i < repeat; ++i) {
      r = check_convexity(net, dom);
      times.push_back(r.seconds);
    }
    // The proof, checked by the independent checker's code.
    write_network_json_file(net, net_path);
    const rcv::Net cn = rcv::load_net(net_path);
    std::string proof;
    if (r.proof) proof = r.proof->certificate;
    else if (r.verdict == Verdict::Convex) proof = write_convexity_certificate(net, dom).value_or("");
    else if (r.witness) proof = write_witness_file(*r.witness, dom, net_path);
    double check_s = 0;
    std::string verified = "-";
    if (!proof.empty()) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        (void)rcv::check_certificate(cn, proof, "bench");
        verified = "VERIFIED";
      } catch (...) {
        try {
          (void)rcv::check_witness(cn, proof, "bench");
          verified = "VERIFIED";
        } catch (...) {
          verified = "NOT VERIFIED";
        }
      }
      check_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const double med = median(times);
    std::string widths;
    for (std::size_t l = 0; l + 1 < net.layers().size(); ++l) widths += (widths.empty() ? "[" : ",") + std::to_string(net.layers()[l].width());
    widths += "]";
    t << "| " << case_name(c) << " | " << d << " | " << widths << " | " << (c.box ? "[-1,1]^d" : "R^d") << " | "
      << verdict_name(r.verdict) << " | " << r.method << " | " << ms(med) << " | "
      << (c.target > 0 ? (std::string(med <= c.target ? "<= " : "MISSED ") + ms(c.target)) : std::string("-")) << " | "
      << (r.witness ? "witness " + size_text(proof.size()) : proof.empty() ? std::string("-") : size_text(proof.size())) << " | "
      << verified << " in " << ms(check_s) << " |\n";
    std::cerr << case_name(c) << " d=" << d << " " << widths << ": " << verdict_name(r.verdict) << " by " << r.method
              << " in " << ms(med) << " (tiers " << ms(r.phases.tiers) << ", refuter " << ms(r.phases.refuter) << ")\n";
  }
  std::remove(net_path.c_str());
  std::ostringstream doc;
  doc << "Machine: " << machine() << ". Command: `bash bench/tiers.sh` (Release build, `build-perf/bench/tiers --repeat "
      << repeat << "`).\n\n"
      << t.str();
  std::cout << doc.str();
  if (!out_path.empty()) std::ofstream(out_path) << doc.str();
  return 0;
}
