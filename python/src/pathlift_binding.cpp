// The exact (m, D) set of relucert.torch's convexity penalty (docs/training.md): for every hidden
// neuron m, every downstream activation pattern D that occurs on m's zero set in the domain, with
// its path-lifting value c_m(D), read off the exact region complex (analysis/path_lifting.hpp).
#include <pybind11/stl.h>

#include <string>

#include "analysis/path_lifting.hpp"
#include "analysis/tiers/bounded_pathlift.hpp"
#include "python/src/bindings.hpp"

namespace relucert::python {
namespace {

py::dict zero_set_patterns(const NetworkHandle& n, const std::optional<std::vector<Interval>>& box, std::size_t max_cells,
                           double time_limit, std::size_t max_patterns, bool exact_set) {
  const Domain domain = domain_of(*n, box);
  if (!exact_set) {
    // The cheap exact route first: when the bounded path-lifting tier proves c_m(D) >= 0 for every
    // pattern that can occur on every zero set (an over-approximation of the set), the penalty is
    // exactly 0 with gradient 0, and no complex is needed.
    bool proved = false;
    {
      py::gil_scoped_release unlocked;
      proved = tiers::prove_bounded_pathlift(n->net, domain).has_value();
    }
    if (proved) {
      py::dict d;
      d["verdict"] = "pass";
      d["reason"] = py::none();
      d["route"] = "bounded-pathlift";
      d["cells"] = 0;
      d["pairs"] = 0;
      d["neurons"] = py::list();
      d["seconds"] = 0.0;
      return d;
    }
  }
  PathLiftOptions opt;
  opt.list_all_patterns = true;
  opt.max_failures_listed = 0;
  opt.max_patterns = max_patterns;
  opt.limits.max_cells = max_cells;
  opt.limits.time_limit_seconds = time_limit_seconds(time_limit);
  PathLiftResult r;
  {
    py::gil_scoped_release unlocked;
    r = check_path_lifting(n->net, domain, opt);
  }
  py::dict d;
  d["verdict"] = pn_verdict_name(r.verdict);
  d["route"] = "region-complex";
  d["reason"] = r.verdict == PnVerdict::Unknown ? py::cast(r.unknown_reason) : py::none();
  d["cells"] = r.cells;
  d["pairs"] = r.pairs;
  py::list neurons;
  for (const NeuronPathLift& m : r.neurons) {
    py::list patterns;
    for (const auto& [bits, c] : m.all_patterns) {
      std::string s;
      for (bool b : bits) s += b ? '1' : '0';
      patterns.append(py::make_tuple(s, to_string(c)));
    }
    neurons.append(py::dict(py::arg("layer") = m.neuron.layer, py::arg("index") = m.neuron.index,
                            py::arg("faces") = m.faces, py::arg("patterns") = patterns));
  }
  d["neurons"] = neurons;
  d["seconds"] = r.seconds;
  return d;
}

}  // namespace

void bind_pathlift(py::module_& m) {
  m.def("zero_set_patterns", &zero_set_patterns, py::arg("network"), py::arg("box") = py::none(),
        py::arg("max_cells") = 0, py::arg("time_limit") = 0.0, py::arg("max_patterns") = std::size_t(1) << 20, py::arg("exact_set") = false,
        "Every (neuron, downstream pattern) on the neurons' zero sets, with exact c_m(D); layer/index 1-based. "
        "Without exact_set, an empty list when the bounded path-lifting tier proves every c_m(D) >= 0.");
}

}  // namespace relucert::python
