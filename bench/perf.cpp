// bench/perf: times relucert::check_convexity per phase on networks built from seeds (no data
// files), exact and float-only (core/arithmetic_mode.hpp, measurement only), and prints a
// Markdown table of medians. Not a test: nothing here decides anything about correctness.
//
// Nets (box [-100, 100]^d for all of them):
//   rand  PyTorch's default nn.Linear init: every weight and bias uniform in ±1/sqrt(fan_in),
//         rounded to float32 (exact dyadic values) — the same generator as bench/paper_stats.
//   icnn  convex ICNN-style: the first layer as above; every later hidden layer has weights
//         |PyTorch init| >= 0 and a bias that puts the neuron's zero set through a random point of
//         the box (so every neuron bends inside the domain); the output weights are |init| >= 0.
//         f is convex, so nothing can be refuted early: the complex is built completely.
//
// Each (net, mode) runs in a forked child process: the peak RSS (wait4) and the CPU time are the
// child's own, and a crash or a limit cannot disturb the other runs.
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "analysis/convexity.hpp"
#include "analysis/line_restriction.hpp"
#include "bench/paper_stats_lib.hpp"
#include "core/arithmetic_mode.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/network_json_writer.hpp"

using namespace relucert;
namespace ps = relucert::paper_stats;

namespace {

enum class Kind { Random, Convex };

struct Case {
  std::string name;
  Kind kind;
  std::size_t d;
  std::vector<std::size_t> widths;
  // What the run measures: "check" = check_convexity as the CLI runs it (refuter first);
  // "complex" = the refuter off, so the complex is built completely (the paper's workload).
  bool refuter = true;
  double target_seconds = 0;  // 0: report only
  bool quick = true;          // part of --quick
};

std::string widths_text(const std::vector<std::size_t>& w) {
  std::string s = "[";
  for (std::size_t i = 0; i < w.size(); ++i) s += (i ? ", " : "") + std::to_string(w[i]);
  return s + "]";
}

// ---- Networks from seeds ------------------------------------------------------------------

float abs_init(std::mt19937_64& rng, std::size_t fan_in) { return std::fabs(ps::draw_init_value(rng, fan_in)); }

Network make_net(const Case& c, std::uint64_t seed) {
  std::mt19937_64 rng(ps::mix64(seed ^ ps::mix64(c.d * 1000003 + c.widths.size() * 7919 + c.widths[0])));
  std::vector<Layer> layers;
  std::size_t fan_in = c.d;
  // For the convex nets: random points of the box, pushed through the layers built so far (in
  // double; the bias is rounded to float32, so the zero set passes near the point).
  std::vector<std::vector<double>> probes;
  if (c.kind == Kind::Convex) {
    for (std::size_t l = 1; l < c.widths.size(); ++l)
      for (std::size_t k = 0; k < c.widths[l]; ++k) {
        std::vector<double> p(c.d);
        for (auto& v : p) v = -100.0 + 200.0 * (static_cast<double>(rng() >> 11) * 0x1p-53);
        probes.push_back(p);
      }
  }
  std::vector<std::vector<std::vector<double>>> Wd;  // the layers in double, for the probes
  std::vector<std::vector<double>> bd;
  std::size_t probe = 0;
  for (std::size_t l = 0; l <= c.widths.size(); ++l) {
    const bool output = l == c.widths.size();
    const std::size_t rows = output ? 1 : c.widths[l];
    Layer L;
    L.relu = !output;
    std::vector<std::vector<double>> Wl(rows, std::vector<double>(fan_in));
    std::vector<double> bl(rows);
    for (std::size_t k = 0; k < rows; ++k) {
      Vector r;
      for (std::size_t j = 0; j < fan_in; ++j) {
        const float v = (c.kind == Kind::Convex && l > 0) ? abs_init(rng, fan_in) : ps::draw_init_value(rng, fan_in);
        Wl[k][j] = v;
        r.push_back(rational_from_float(v));
      }
      L.W.push_back(std::move(r));
    }
    for (std::size_t k = 0; k < rows; ++k) {
      float v = ps::draw_init_value(rng, fan_in);
      if (c.kind == Kind::Convex && l > 0 && !output) {
        // z_k(p) = 0 at this neuron's probe point p.
        std::vector<double> h = probes[probe++];
        for (std::size_t m = 0; m < Wd.size(); ++m) {
          std::vector<double> z(Wd[m].size());
          for (std::size_t i = 0; i < z.size(); ++i) {
            double s = bd[m][i];
            for (std::size_t j = 0; j < h.size(); ++j) s += Wd[m][i][j] * h[j];
            z[i] = std::max(0.0, s);
          }
          h = std::move(z);
        }
        double s = 0;
        for (std::size_t j = 0; j < h.size(); ++j) s += Wl[k][j] * h[j];
        v = static_cast<float>(-s);
      }
      bl[k] = v;
      L.b.push_back(rational_from_float(v));
    }
    Wd.push_back(std::move(Wl));
    bd.push_back(std::move(bl));
    layers.push_back(std::move(L));
    fan_in = rows;
  }
  return Network(c.d, std::move(layers));
}

// ---- One run in a child process -------------------------------------------------------------

struct Run {
  bool ok = false;
  std::string verdict, method;
  double seconds = 0, refuter = 0, complex = 0, jumps = 0, witness = 0;
  double cpu = 0;        // user + system CPU seconds of the child
  double peak_mb = 0;    // peak resident set of the child
  std::size_t cells = 0, pairs = 0;
  unsigned long long lps = 0, exact_lps = 0;
  std::string error;
};

Run run_child(const Case& c, std::uint64_t seed, bool float_only, unsigned threads, double time_limit) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fd[0]);
    std::ostringstream o;
    try {
      const Network net = make_net(c, seed);
      const Domain dom = Domain::box(Vector(c.d, Rational(-100)), Vector(c.d, Rational(100)));
      set_arithmetic_mode(float_only ? ArithmeticMode::FloatOnly : ArithmeticMode::Exact);
      CheckOptions opt;
      opt.refuter_lines = c.refuter ? opt.refuter_lines : 0;
      // "complex" measures the region complex itself: no tier may answer first (issue #14).
      if (!c.refuter) opt.method = tiers::Method::RegionComplex;
      opt.limits.threads = threads;
      opt.limits.time_limit_seconds = time_limit;
      const CheckResult r = check_convexity(net, dom, opt);
      o << std::setprecision(9) << "ok " << verdict_name(r.verdict) << ' ' << (r.method.empty() ? "-" : r.method) << ' '
        << r.seconds << ' ' << r.phases.refuter << ' ' << r.phases.complex << ' ' << r.phases.jumps << ' '
        << r.phases.witness << ' ' << r.cells << ' ' << r.pairs << ' ' << r.lp_questions << ' ' << r.lp_exact_solves << "\n";
    } catch (const std::exception& e) {
      o << "error " << e.what() << "\n";
    }
    const std::string s = o.str();
    ssize_t off = 0;
    while (off < static_cast<ssize_t>(s.size())) {
      const ssize_t n = write(fd[1], s.data() + off, s.size() - off);
      if (n <= 0) break;
      off += n;
    }
    close(fd[1]);
    _exit(0);
  }
  close(fd[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Run r;
  r.cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
  r.peak_mb = ru.ru_maxrss / 1024.0;  // Linux: kilobytes
  std::istringstream in(text);
  std::string tag;
  in >> tag;
  if (tag == "ok") {
    in >> r.verdict >> r.method >> r.seconds >> r.refuter >> r.complex >> r.jumps >> r.witness >> r.cells >> r.pairs >> r.lps >>
        r.exact_lps;
    r.ok = static_cast<bool>(in);
  } else {
    std::getline(in, r.error);
    if (r.error.empty()) r.error = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) : "no result";
  }
  return r;
}

// ---- Statistics and output ------------------------------------------------------------------

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt(double v, int prec = 3) {
  if (std::isnan(v)) return "–";
  std::ostringstream o;
  if (v != 0 && std::fabs(v) < 0.01) {
    o << std::setprecision(2) << v * 1000 << " ms";
    return o.str();
  }
  o << std::fixed << std::setprecision(prec) << v;
  return o.str();
}

std::string fmt_count(double v) {
  if (std::isnan(v)) return "–";
  std::ostringstream o;
  if (v >= 1e4) o << std::fixed << std::setprecision(1) << v / 1000 << "k";
  else o << std::fixed << std::setprecision(0) << v;
  return o.str();
}

struct Options {
  std::size_t seeds = 5;
  std::uint64_t base_seed = 1;
  // As `relucert check` (cli/arguments.cpp): one thread per core unless --threads says otherwise.
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  double time_limit = 300;
  bool quick = false;
  bool float_only = true;
  std::vector<std::string> only;
  std::string out = "bench/results";
  std::string write_nets;  // when set: write each net as JSON there (to rerun it with the CLI)
};

void usage() {
  std::cerr << "usage: perf [--quick] [--seeds N] [--seed S] [--threads T] [--time-limit SEC] [--no-float]\n"
               "            [--cases NAME,...] [--out DIR] [--write-nets DIR] [--list]\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Case> cases = {
      {"rand-d2-64", Kind::Random, 2, {64, 64}, true, 0.010, true},
      {"rand-d2-128", Kind::Random, 2, {128, 128}, true, 0.010, true},
      {"rand-d2-256", Kind::Random, 2, {256, 256}, true, 0.010, true},
      {"rand-d6-10", Kind::Random, 6, {10, 10}, true, 0.010, true},
      {"rand-d2-64-complex", Kind::Random, 2, {64, 64}, false, 0, true},
      {"rand-d2-128-complex", Kind::Random, 2, {128, 128}, false, 0.5, false},
      {"rand-d2-256-complex", Kind::Random, 2, {256, 256}, false, 5, false},
      {"rand-d6-10-complex", Kind::Random, 6, {10, 10}, false, 1, true},
      {"icnn-d2-64", Kind::Convex, 2, {64, 64}, true, 0, true},
      {"icnn-d2-128", Kind::Convex, 2, {128, 128}, true, 0.5, false},
      {"icnn-d2-256", Kind::Convex, 2, {256, 256}, true, 5, false},
      {"icnn-d6-10", Kind::Convex, 6, {10, 10}, true, 1, true},
      {"icnn-d6-8", Kind::Convex, 6, {8, 8}, true, 0, false},  // small: for callgrind profiles
      {"icnn-d6-6", Kind::Convex, 6, {6, 6}, true, 0, false},  // small: for callgrind profiles
      {"icnn-d5-16x3", Kind::Convex, 5, {16, 16, 16}, true, 0, false},
      {"icnn-d6-12", Kind::Convex, 6, {12, 12}, true, 0, false},  // issue #13: reported with MPI
      {"icnn-d8-10", Kind::Convex, 8, {10, 10}, true, 0, false},
  };
  Options opt;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "bench/perf";
  for (const auto& a : args) command += " " + a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        usage();
        std::exit(2);
      }
      return args[++i];
    };
    const std::string& a = args[i];
    if (a == "--quick") opt.quick = true;
    else if (a == "--seeds") opt.seeds = std::stoul(value());
    else if (a == "--seed") opt.base_seed = std::stoull(value());
    else if (a == "--threads") opt.threads = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--time-limit") opt.time_limit = std::stod(value());
    else if (a == "--no-float") opt.float_only = false;
    else if (a == "--out") opt.out = value();
    else if (a == "--write-nets") opt.write_nets = value();
    else if (a == "--cases") {
      std::stringstream ss(value());
      for (std::string s; std::getline(ss, s, ',');) opt.only.push_back(s);
    } else if (a == "--list") {
      for (const auto& c : cases) std::cout << c.name << "\n";
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (opt.quick && std::find(args.begin(), args.end(), "--seeds") == args.end()) opt.seeds = 3;

  std::filesystem::create_directories(opt.out);
  std::ofstream csv(std::filesystem::path(opt.out) / (opt.quick ? "perf_quick.csv" : "perf.csv"));
  csv << "case,seed,mode,threads,verdict,method,seconds,cpu_seconds,refuter,complex,jumps,witness,cells,pairs,lps,exact_lps,"
         "peak_rss_mb,error\n";

  std::ostringstream table;
  table << "| case | d | widths | runs | verdicts | median s | refuter | complex | jumps | witness | cells | pairs | cells/s "
           "| peak RSS MB | float-only s | exact / float | target | met |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Case& c : cases) {
    if (!opt.only.empty() ? std::find(opt.only.begin(), opt.only.end(), c.name) == opt.only.end() : (opt.quick && !c.quick))
      continue;
    std::vector<double> tot, ref, cpx, jmp, wit, cells, pairs, rate, mem, flt, ratio;
    std::map<std::string, int> verdicts;
    std::size_t limited = 0;
    for (std::size_t s = 0; s < opt.seeds; ++s) {
      const std::uint64_t seed = opt.base_seed + s;
      if (!opt.write_nets.empty()) {
        std::filesystem::create_directories(opt.write_nets);
        write_network_json_file(make_net(c, seed),
                                (std::filesystem::path(opt.write_nets) / (c.name + "-seed" + std::to_string(seed) + ".json")).string());
      }
      for (int mode = 0; mode < (opt.float_only ? 2 : 1); ++mode) {
        const Run r = run_child(c, seed, mode == 1, opt.threads, opt.time_limit);
        csv << c.name << ',' << seed << ',' << (mode ? "float-only" : "exact") << ',' << opt.threads << ',' << r.verdict << ','
            << r.method << ',' << r.seconds << ',' << r.cpu << ',' << r.refuter << ',' << r.complex << ',' << r.jumps << ','
            << r.witness << ',' << r.cells << ',' << r.pairs << ',' << r.lps << ',' << r.exact_lps << ',' << r.peak_mb << ",\""
            << r.error << "\"\n";
        csv.flush();
        std::cerr << c.name << " seed " << seed << (mode ? " float-only" : " exact     ") << ": "
                  << (r.ok ? r.verdict + " by " + r.method : "ERROR " + r.error) << ", " << r.seconds << " s, cells "
                  << r.cells << ", peak " << fmt(r.peak_mb, 1) << " MB\n";
        if (!r.ok) continue;
        if (mode == 1) {
          flt.push_back(r.seconds);
          continue;
        }
        ++verdicts[r.verdict == "unknown" ? "unknown" : r.verdict + (r.method == "line-refuter" ? " (line)" : "")];
        if (r.verdict == "unknown") ++limited;
        tot.push_back(r.seconds);
        ref.push_back(r.refuter);
        cpx.push_back(r.complex);
        jmp.push_back(r.jumps);
        wit.push_back(r.witness);
        mem.push_back(r.peak_mb);
        if (r.method == "region-complex") {
          cells.push_back(static_cast<double>(r.cells));
          pairs.push_back(static_cast<double>(r.pairs));
          if (r.complex > 0) rate.push_back(r.cells / r.complex);
        }
      }
    }
    if (opt.float_only && !flt.empty() && !tot.empty()) {
      // Ratio of medians of the two modes over the same nets.
      ratio.push_back(median(tot) / median(flt));
    }
    std::string vtext;
    for (const auto& [v, n] : verdicts) vtext += (vtext.empty() ? "" : ", ") + std::to_string(n) + " " + v;
    const double med = median(tot);
    std::string met = "report";
    if (c.target_seconds > 0) met = limited ? "no (limit)" : (med <= c.target_seconds ? "yes" : "no");
    table << "| " << c.name << " | " << c.d << " | " << widths_text(c.widths) << " | " << tot.size() << " | " << vtext << " | "
          << fmt(med) << " | " << fmt(median(ref)) << " | " << fmt(median(cpx)) << " | " << fmt(median(jmp)) << " | "
          << fmt(median(wit)) << " | " << fmt_count(median(cells)) << " | " << fmt_count(median(pairs)) << " | "
          << fmt_count(median(rate)) << " | " << fmt(median(mem), 1) << " | " << fmt(median(flt)) << " | "
          << (ratio.empty() ? "–" : fmt(ratio[0], 2)) << " | " << (c.target_seconds > 0 ? "≤ " + fmt(c.target_seconds) + " s" : "–")
          << " | " << met << " |\n";
    std::cout << table.str().substr(table.str().rfind("| " + c.name)) << std::flush;
  }
  const std::string md = std::string("# relucert performance (bench/perf)\n\n") + "Generated by `" + command + "`; " +
                         std::to_string(opt.seeds) + " seeds per case from base seed " + std::to_string(opt.base_seed) +
                         ", " + std::to_string(opt.threads) + " thread(s), time limit " + fmt(opt.time_limit, 0) +
                         " s per run. Times are wall-clock medians in seconds; see bench/README.md.\n\n" + table.str();
  std::ofstream(std::filesystem::path(opt.out) / (opt.quick ? "perf_quick.md" : "perf.md")) << md;
  std::cout << "\n" << md;
  return 0;
}
