// relucert plot: a picture (SVG, or PNG through rsvg-convert) of the exact region complex of a
// 2-input network on a box, or of a 2-D slice of a network with more inputs: cells coloured by
// gradient, bent hyperplanes, violating facets in red, and the witness segment.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "analysis/plot_svg.hpp"
#include "analysis/slice.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"

extern char** environ;

namespace relucert::cli {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& tail) {
  if (s.size() < tail.size()) return false;
  return std::equal(tail.rbegin(), tail.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
}

std::optional<std::string> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t colon = p.find(':', start);
    const std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

// SVG: temporary file + rename. PNG: the SVG goes to a temporary file, rsvg-convert renders it
// to a second temporary file, which is renamed into place; `path` never holds a partial file.
void write_plot(const std::string& path, const std::string& svg, const std::optional<std::string>& rsvg) {
  if (!rsvg) {
    const std::string tmp = temporary_name_beside(path, "");
    write_whole_file(tmp, svg, path);
    rename_into_place(tmp, path);
    return;
  }
  const std::string tmp_svg = temporary_name_beside(path, ".svg"), tmp_png = temporary_name_beside(path, ".png");
  write_whole_file(tmp_svg, svg, path);
  std::vector<std::string> argv_s = {*rsvg, "-f", "png", "-o", tmp_png, tmp_svg};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int status = 0;
  const int spawned = ::posix_spawn(&pid, rsvg->c_str(), nullptr, nullptr, argv.data(), environ);
  const bool ok = spawned == 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::error_code ec;
  fs::remove(tmp_svg, ec);
  if (!ok) {
    fs::remove(tmp_png, ec);
    throw InputError(path, "", "rsvg-convert failed to render the PNG");
  }
  rename_into_place(tmp_png, path);
}

// The box on the plotted plane. Given a slice of a d-input net, --box may have one interval
// for all axes, one per free input (2), or one per original input (d; the fixed values must
// then lie in their intervals, and the free intervals are kept).
Domain plot_box(const std::string& spec, const SliceFix* fix) {
  const std::size_t parts = 1 + static_cast<std::size_t>(std::count(spec.begin(), spec.end(), ','));
  if (!fix || parts != fix->size() || parts == 2) return parse_box_spec(spec, 2);
  const Domain full = parse_box_spec(spec, fix->size());
  Vector lo, hi;
  for (std::size_t k = 0; k < fix->size(); ++k) {
    if (const auto& v = (*fix)[k]) {
      if (*v < full.lo[k] || *v > full.hi[k])
        throw InputError("--slice", "x" + std::to_string(k + 1) + "=" + to_string(*v),
                         "the fixed value lies outside the box interval [" + to_string(full.lo[k]) + ", " + to_string(full.hi[k]) + "]");
    } else {
      lo.push_back(full.lo[k]);
      hi.push_back(full.hi[k]);
    }
  }
  return Domain::box(lo, hi);
}

// A point of the plotted plane in all the inputs of the original network.
Vector lift(const Vector& p, const SliceFix* fix) {
  if (!fix) return p;
  Vector r;
  std::size_t j = 0;
  for (const auto& v : *fix) r.push_back(v ? *v : p[j++]);
  return r;
}

}  // namespace

int run_plot(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words, {"-o", "--out", "--slice"});
  if (args.values.count("-o") && args.values.count("--out")) throw InputError("-o", "", "given twice (as -o and --out)");
  std::string out;
  if (auto it = args.values.find("-o"); it != args.values.end()) out = it->second;
  if (auto it = args.values.find("--out"); it != args.values.end()) out = it->second;
  if (out.empty()) throw InputError("-o", "", "no output file given (relucert plot NET.json --box ... -o OUT.svg)");
  const bool png = ends_with(out, ".png");
  if (!png && !ends_with(out, ".svg")) throw InputError("-o", out, "the output file must end in .svg or .png");
  std::optional<std::string> rsvg;
  if (png) {
    rsvg = find_in_path("rsvg-convert");
    if (!rsvg)
      throw InputError("-o", out, "PNG output needs rsvg-convert (Debian package librsvg2-bin), which is not on PATH; write .svg instead");
  }

  const Network original = load_network(args).net;
  const std::size_t d = original.input_dim();
  std::optional<SliceFix> fix;
  Network net = original;
  if (auto it = args.values.find("--slice"); it != args.values.end()) {
    fix = parse_slice_spec(it->second, d);
    const std::size_t free = free_inputs(*fix).size();
    if (free != 2)
      throw InputError("--slice", it->second,
                       "must leave exactly 2 of the " + std::to_string(d) + " inputs free (it leaves " + std::to_string(free) + ")");
    net = slice_network(original, *fix);
  } else if (d != 2) {
    throw InputError(args.net_path, "input_dim",
                     d < 2 ? "relucert plot draws functions of 2 inputs; this network has " + std::to_string(d) +
                                 " (relucert breakpoints shows the 1-D picture exactly)"
                           : "this network has " + std::to_string(d) + " inputs: fix all but two with --slice, e.g. --slice x3=0" +
                                 (d > 3 ? ",x4=1/2" : ""));
  }
  if (!args.box)
    throw InputError("--box", "", "relucert plot needs a box (a picture of the whole plane has no edges): give --box LO:HI or --box LO1:HI1,LO2:HI2");
  const Domain box = plot_box(*args.box, fix ? &*fix : nullptr);

  const PlotModel model = build_plot_model(net, box, args.options);
  if (!model.complete) {
    std::cerr << "relucert plot: a resource limit was reached before the region complex was complete; nothing written\n";
    return kExitUnknown;
  }
  PlotLabels labels;
  labels.network = fs::path(args.net_path).filename().string();
  if (fix) {
    const auto f = free_inputs(*fix);
    labels.x_name = "x" + std::to_string(f[0] + 1);
    labels.y_name = "x" + std::to_string(f[1] + 1);
    labels.slice = describe_slice(*fix);
  }
  write_plot(out, render_svg(model, labels), rsvg);

  const CheckResult& r = model.check;
  if (args.json) {
    nlohmann::json j;
    j["network"] = args.net_path;
    j["domain"] = box.describe();
    if (fix) j["slice"] = labels.slice;
    j["verdict"] = verdict_name(r.verdict);
    if (r.witness)
      j["witness"] = {{"x", rationals_json(lift(r.witness->x, fix ? &*fix : nullptr))},
                      {"y", rationals_json(lift(r.witness->y, fix ? &*fix : nullptr))},
                      {"gap", to_string(r.witness->gap)}};
    j["cells"] = model.complex.cells.size();
    j["pairs"] = model.complex.adjacencies.size();
    j["violating_pairs"] = model.violating_edges();
    j["output"] = out;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "network: " << args.net_path << "\n";
    if (fix) std::cout << "slice:   " << labels.slice << " (plane of " << labels.x_name << ", " << labels.y_name << ")\n";
    std::cout << "domain:  " << box.describe() << (fix ? " (the plotted plane)" : "") << "\n"
              << "verdict: " << (r.verdict == Verdict::Convex ? "convex" : r.verdict == Verdict::NotConvex ? "not convex" : "unknown")
              << (fix ? " on the slice" : "") << "\n";
    if (r.witness)
      std::cout << "witness: x = " << to_string(lift(r.witness->x, fix ? &*fix : nullptr)) << "\n"
                << "         y = " << to_string(lift(r.witness->y, fix ? &*fix : nullptr)) << "\n"
                << "         2 f((x+y)/2) - f(x) - f(y) = " << to_string(r.witness->gap) << " > 0\n";
    std::cout << "cells: " << model.complex.cells.size() << ", adjacent pairs: " << model.complex.adjacencies.size()
              << ", violating (lambda < 0): " << model.violating_edges() << "\n"
              << "written: " << out << "\n";
  }
  return exit_code_for(r.verdict);
}

}  // namespace relucert::cli
