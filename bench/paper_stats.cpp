// paper_stats: how many random ReLU nets (PyTorch's default init, float32) are convex on
// [-1,1]^d, how many are ICNNs, and how often a float32 version of the per-neuron path-lifting
// test would get the verdict wrong. See bench/README.md; the reusable parts are in
// bench/paper_stats_lib.hpp.
//
//   paper_stats [--quick] [--nets N] [--seed S] [--out DIR] [--jobs J] [--time-limit SEC]
//               [--max-cells N] [--widths 1,2,..] [--depths 1,2,..] [--dims 1,2,..]
//               [--grid-dim D] [--grid-depth L]
//
// Writes DIR/paper_stats.csv (one row per grid cell), DIR/paper_stats_nets.csv (one row per
// net), DIR/paper_stats.md (tables) and one heatmap per grid, DIR/paper_stats_<grid>.svg.
// Exit code 0, or 1 when an internal inconsistency was found (see the Markdown), 2 on bad usage.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench/paper_stats_lib.hpp"

namespace ps = relucert::paper_stats;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "paper_stats: " << why << "\n"
            << "usage: paper_stats [--quick] [--nets N] [--seed S] [--out DIR] [--jobs J] [--time-limit SEC]\n"
            << "                   [--max-cells N] [--widths LIST] [--depths LIST] [--dims LIST]\n"
            << "                   [--grid-dim D] [--grid-depth L]\n";
  std::exit(2);
}

std::size_t parse_count(const std::string& opt, const std::string& s, bool allow_zero = false) {
  std::size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &pos);
  } catch (...) {
    usage(opt + " needs a non-negative integer, got '" + s + "'");
  }
  if (pos != s.size() || s.empty() || s[0] == '-' || (!allow_zero && v == 0))
    usage(opt + " needs a " + (allow_zero ? "non-negative" : "positive") + " integer, got '" + s + "'");
  return static_cast<std::size_t>(v);
}

std::vector<std::size_t> parse_list(const std::string& opt, const std::string& s) {
  std::vector<std::size_t> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(parse_count(opt, item));
  if (v.empty()) usage(opt + " needs a comma-separated list");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  ps::RunOptions opt;
  opt.jobs = 2;
  std::string out_dir = "bench/results";
  std::vector<std::size_t> widths{1, 2, 3, 4, 6, 8}, depths{1, 2, 3, 4}, dims{1, 2, 3, 4, 5};
  std::size_t grid_dim = 3, grid_depth = 2;
  bool quick = false, nets_given = false;
  std::string command = "paper_stats";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    command += " " + a;
    std::string value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline = true;
    }
    auto next = [&]() -> std::string {
      if (has_inline) return value;
      if (i + 1 >= argc) usage(a + " needs a value");
      command += " " + std::string(argv[i + 1]);
      return argv[++i];
    };
    if (a == "--quick") quick = true;
    else if (a == "--nets") { opt.nets_per_cell = parse_count(a, next()); nets_given = true; }
    else if (a == "--seed") opt.seed = parse_count(a, next(), true);
    else if (a == "--out") out_dir = next();
    else if (a == "--jobs") opt.jobs = static_cast<unsigned>(parse_count(a, next()));
    else if (a == "--time-limit") {
      const std::string s = next();
      char* end = nullptr;
      opt.time_limit_seconds = std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end || !(opt.time_limit_seconds >= 0)) usage("--time-limit needs seconds >= 0 (0 = none)");
    }
    else if (a == "--max-cells") opt.max_cells = parse_count(a, next(), true);
    else if (a == "--widths") widths = parse_list(a, next());
    else if (a == "--depths") depths = parse_list(a, next());
    else if (a == "--dims") dims = parse_list(a, next());
    else if (a == "--grid-dim") grid_dim = parse_count(a, next());
    else if (a == "--grid-depth") grid_depth = parse_count(a, next());
    else if (a == "--help" || a == "-h") usage("help");
    else usage("unknown option '" + a + "'");
  }
  if (quick && !nets_given) opt.nets_per_cell = 3;

  std::vector<ps::Grid> grids(2);
  grids[0].name = "width_depth";
  grids[0].title = "(a) width x depth, input dim " + std::to_string(grid_dim);
  grids[0].rows_are_depth = true;
  grids[0].fixed = grid_dim;
  grids[0].widths = widths;
  grids[0].rows = depths;
  grids[1].name = "width_dim";
  grids[1].title = "(b) width x input dim, depth " + std::to_string(grid_depth);
  grids[1].rows_are_depth = false;
  grids[1].fixed = grid_depth;
  grids[1].widths = widths;
  grids[1].rows = dims;

  std::cerr << "paper_stats: " << opt.nets_per_cell << " nets per cell, seed " << opt.seed << ", " << opt.jobs
            << " thread(s), limits " << opt.time_limit_seconds << " s / " << opt.max_cells << " cells per net\n";
  std::size_t last_pct = 0;
  const ps::RunResult rr = ps::run_grids(grids, opt, [&](std::size_t done, std::size_t total, const ps::NetResult& r) {
    const std::string bad = ps::inconsistency(r);
    if (!bad.empty())
      std::cerr << "  INCONSISTENT " << r.arch.name() << " #" << r.index << " seed " << r.seed << ": " << bad << "\n";
    const std::size_t pct = done * 10 / total;
    if (pct != last_pct || done == total) {
      last_pct = pct;
      std::cerr << "  " << done << "/" << total << " nets\n";
    }
  });

  std::size_t inconsistencies = 0, unknown = 0, skipped = 0, total = 0;
  for (const auto& [a, s] : rr.cells) {
    inconsistencies += s.inconsistencies;
    unknown += s.unknown;
    skipped += s.audit_skipped;
    total += s.nets;
  }

  std::filesystem::create_directories(out_dir);
  const std::filesystem::path dir(out_dir);
  {
    std::ofstream f(dir / "paper_stats.csv");
    ps::write_csv(f, grids, rr);
  }
  {
    std::ofstream f(dir / "paper_stats_nets.csv");
    ps::write_nets_csv(f, rr);
  }
  for (const ps::Grid& g : grids) {
    std::ofstream f(dir / ("paper_stats_" + g.name + ".svg"));
    ps::write_svg(f, g, rr, opt.nets_per_cell);
  }
  {
    std::ofstream f(dir / "paper_stats.md");
    f << "# Random ReLU nets: convex, ICNN, and the float32 path-lifting audit\n\n"
      << "Generated by `" << command << "` (" << total << " distinct nets, " << opt.jobs << " thread(s), "
      << ps::fmt_double(rr.wall_seconds, 4) << " s wall). Base seed " << opt.seed << "; limits per net: "
      << opt.time_limit_seconds << " s and " << opt.max_cells << " cells (verdict and audit each). "
      << "Unknown verdicts: " << unknown << ". Nets without audit: " << skipped
      << ". Internal inconsistencies: " << inconsistencies << ".\n\n"
      << "Verdicts are exact (relucert::check_convexity on [-1,1]^d); the float32 numbers are only in the "
         "audit columns. See bench/README.md for what each column means.\n\n";
    for (const ps::Grid& g : grids) ps::write_markdown_grid(f, g, rr, opt.nets_per_cell);
  }
  std::cerr << "paper_stats: wrote " << (dir / "paper_stats.md").string() << ", .csv, _nets.csv and "
            << grids.size() << " SVG files in " << ps::fmt_double(rr.wall_seconds, 4) << " s; unknown " << unknown
            << ", audit skipped " << skipped << ", inconsistencies " << inconsistencies << "\n";
  return inconsistencies ? 1 : 0;
}
