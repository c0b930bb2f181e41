// Timing driver for the planar builder (geometry/planar_complex.*): d = 2, two hidden layers
// of width w, PyTorch default init rounded to float32 (bench/paper_stats_lib.hpp), box ±100.
// "convex" nets are ICNN-style (hidden-to-hidden and output weights replaced by their absolute
// values): nothing refutes them early, the whole complex is built.
//
//   planar_bench [width ...] [--nets N] [--full] [--check]
//
// Per net it times the streaming verdict (planar_convexity) in Exact and FloatOnly mode and,
// with --full, the full RegionComplex (build_planar_complex); with --check, check_convexity.
// Prints medians. Timings are wall clock: run on a quiet machine or compare medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/paper_stats_lib.hpp"
#include "analysis/convexity.hpp"
#include "core/arithmetic_mode.hpp"
#include "geometry/planar_complex.hpp"

using namespace relucert;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}

Network make_icnn(Network net) {
  std::vector<Layer> Ls = net.layers();
  for (std::size_t l = 1; l < Ls.size(); ++l)
    for (auto& row : Ls[l].W)
      for (auto& v : row) v = abs(v);
  return Network(net.input_dim(), std::move(Ls));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> widths;
  int nets = 3;
  bool full = false, check = false, icnn_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--nets" && i + 1 < argc) nets = std::atoi(argv[++i]);
    else if (a == "--full") full = true;
    else if (a == "--check") check = true;
    else if (a == "--icnn-only") icnn_only = true;
    else widths.push_back(static_cast<std::size_t>(std::atol(a.c_str())));
  }
  if (widths.empty()) widths = {64, 128};
  const Domain box = Domain::box({-100, -100}, {100, 100});
  for (std::size_t w : widths) {
    for (bool convex : {true, false}) {
      if (!convex && icnn_only) continue;
      std::vector<double> exact, flt, fullt, checkt;
      std::size_t cells = 0, pairs = 0;
      int convex_count = 0;
      for (int n = 0; n < nets; ++n) {
        const paper_stats::Arch arch{2, w, 2};
        Network net = paper_stats::draw_network(arch, paper_stats::net_seed(2026, arch, static_cast<std::size_t>(n)));
        if (convex) net = make_icnn(std::move(net));
        set_arithmetic_mode(ArithmeticMode::Exact);
        auto t = std::chrono::steady_clock::now();
        const auto v = planar_convexity(net, box);
        exact.push_back(seconds_since(t));
        if (!v) {
          std::printf("planar path declined the net\n");
          return 1;
        }
        cells = v->cells;
        pairs = v->pairs;
        convex_count += v->convex;
        set_arithmetic_mode(ArithmeticMode::FloatOnly);
        t = std::chrono::steady_clock::now();
        (void)planar_convexity(net, box);
        flt.push_back(seconds_since(t));
        set_arithmetic_mode(ArithmeticMode::Exact);
        if (full) {
          t = std::chrono::steady_clock::now();
          (void)build_planar_complex(net, box);
          fullt.push_back(seconds_since(t));
        }
        if (check) {
          t = std::chrono::steady_clock::now();
          (void)check_convexity(net, box);
          checkt.push_back(seconds_since(t));
        }
      }
      std::printf("d=2 [%zu,%zu] %-7s nets=%d convex=%d cells(last)=%zu pairs(last)=%zu  verdict: exact %.3f s, float-only %.3f s, ratio %.2f",
                  w, w, convex ? "icnn" : "random", nets, convex_count, cells, pairs, median(exact), median(flt),
                  median(exact) / median(flt));
      if (full) std::printf("  full complex %.3f s", median(fullt));
      if (check) std::printf("  check_convexity %.3f s", median(checkt));
      std::printf("\n");
      std::fflush(stdout);
    }
  }
}
