// relucert.check: the convexity decision of analysis/convexity.hpp on a Network, with the GIL
// released while the engine runs. The result is a dict of exact text; the package wraps it.
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/convexity.hpp"
#include "analysis/progress_printer.hpp"
#include "core/input_error.hpp"
#include "python/src/bindings.hpp"

namespace relucert::python {

// One (lo, hi) per input, as exact text (the package expands a single pair to every input).
// Messages name box[i] (0-based), as the CLI's name --box and its 1-based interval.
Domain domain_of(const LoadedNetwork& n, const std::optional<std::vector<Interval>>& box) {
  const std::size_t d = n.net.input_dim();
  if (!box) return n.default_domain ? *n.default_domain : Domain::whole_space(d);
  if (box->size() != d)
    throw InputError("box", "", "expected " + std::to_string(d) + " intervals (lo, hi), one per input, or a single (lo, hi) for all; found " +
                                    std::to_string(box->size()));
  Vector lo, hi;
  for (std::size_t i = 0; i < d; ++i) {
    const std::string where = "box[" + std::to_string(i) + "]";
    std::string why;
    auto l = parse_rational((*box)[i].first, &why);
    if (!l) throw InputError(where, "", "lower bound: " + why);
    auto h = parse_rational((*box)[i].second, &why);
    if (!h) throw InputError(where, "", "upper bound: " + why);
    if (!(*l < *h))
      throw InputError(where, "", "[" + to_string(*l) + ", " + to_string(*h) + "] is empty or a single point (need lo < hi)");
    lo.push_back(*l);
    hi.push_back(*h);
  }
  return Domain::box(std::move(lo), std::move(hi));
}

namespace {

std::vector<std::string> texts(const Vector& v) {
  std::vector<std::string> r;
  for (const auto& q : v) r.push_back(to_string(q));
  return r;
}

py::dict check(const NetworkHandle& n, const std::optional<std::vector<Interval>>& box, std::size_t max_cells,
               double time_limit, std::size_t lines, std::uint64_t seed, const std::string& method, bool progress) {
  const Domain domain = domain_of(*n, box);
  CheckOptions options;
  options.refuter_lines = lines;
  options.seed = seed;
  const auto m = tiers::parse_method(method);
  if (!m) throw py::value_error("method: expected auto, structural, bounded-pathlift, branch-and-bound or region-complex, got '" + method + "'");
  options.method = *m;
  options.limits.max_cells = max_cells;
  if (progress) options.limits.progress = progress_printer();  // stderr only, no Python object
  options.limits.time_limit_seconds = time_limit_seconds(time_limit);
  CheckResult r;
  {
    py::gil_scoped_release unlocked;  // the network and domain are not Python objects
    r = check_convexity(n->net, domain, options);
  }
  py::dict d;
  d["verdict"] = verdict_name(r.verdict);
  if (r.witness)
    d["witness"] = py::dict(py::arg("x") = texts(r.witness->x), py::arg("y") = texts(r.witness->y),
                            py::arg("gap") = to_string(r.witness->gap));
  else
    d["witness"] = py::none();
  d["method"] = r.method;
  d["violation"] = r.violation ? py::cast(*r.violation) : py::none();
  d["reason"] = r.verdict == Verdict::Unknown ? py::cast(r.unknown_reason) : py::none();
  d["cells"] = r.cells;
  d["pairs"] = r.pairs;
  d["pieces"] = r.pieces;
  d["lp_questions"] = r.lp_questions;
  d["lp_exact_solves"] = r.lp_exact_solves;
  d["seconds"] = r.seconds;
  d["proof"] = r.proof ? py::cast(r.proof->summary) : py::none();
  d["certificate"] = r.proof ? py::cast(r.proof->certificate) : py::none();
  d["domain"] = domain.describe();
  d["network"] = n->description;
  return d;
}

}  // namespace

void bind_check(py::module_& m) {
  m.def("check", &check, py::arg("network"), py::arg("box") = py::none(), py::arg("max_cells") = 0,
        py::arg("time_limit") = 0.0, py::arg("lines") = CheckOptions{}.refuter_lines,
        py::arg("seed") = CheckOptions{}.seed, py::arg("method") = std::string("auto"), py::arg("progress") = false,
        "Decides convexity exactly; max_cells 0 and time_limit 0 mean no limit.");
}

}  // namespace relucert::python
