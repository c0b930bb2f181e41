// Building networks from Python: JSON text (what the package makes of numpy arrays and torch
// Linear/ReLU stacks), network files (.json, .nnet, .onnx) and ONNX bytes; and the exact forward pass.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/network_json_writer.hpp"
#include "core/onnx/onnx_loader.hpp"
#include "python/src/bindings.hpp"

namespace relucert::python {
namespace {

// A network built in memory gets the same output-choice messages as the same network on disk.
LoadedNetwork from_json_text(const std::string& text, const std::string& name, std::optional<std::size_t> output) {
  LoadedNetwork r;
  r.net = parse_network_json(text, name, /*require_scalar=*/false);
  choose_output(r, name, "layers[" + std::to_string(r.net.layers().size() - 1) + "].W",
                "the last layer must have exactly one output (found " + std::to_string(r.net.output_dim()) + ")",
                output);
  return r;
}

NetworkHandle load_file(const std::string& path, std::optional<std::size_t> output) {
  py::gil_scoped_release unlocked;  // large .nnet / .onnx files take a while to parse
  return std::make_shared<LoadedNetwork>(is_onnx_path(path) ? load_onnx_file(path, output)
                                                                  : load_network_any(path, output));
}

// x as exact text, one entry per input; errors name the coordinate.
Vector parse_point(const std::vector<std::string>& x, std::size_t dim) {
  if (x.size() != dim)
    throw InputError("x", "", "expected " + std::to_string(dim) + " coordinates (the input dimension), found " +
                                  std::to_string(x.size()));
  Vector v;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::string why;
    auto q = parse_rational(x[i], &why);
    if (!q) throw InputError("x[" + std::to_string(i) + "]", "", why);
    v.push_back(*q);
  }
  return v;
}

py::object box_of(const LoadedNetwork& n) {
  if (!n.default_domain || !n.default_domain->is_box) return py::none();
  std::vector<std::pair<std::string, std::string>> box;
  for (std::size_t i = 0; i < n.default_domain->dim; ++i)
    box.emplace_back(to_string(n.default_domain->lo[i]), to_string(n.default_domain->hi[i]));
  return py::cast(box);
}

}  // namespace

void bind_network(py::module_& m) {
  py::class_<LoadedNetwork, NetworkHandle>(m, "Network")
      .def_property_readonly("input_dim", [](const LoadedNetwork& n) { return n.net.input_dim(); })
      .def_property_readonly("widths",
                             [](const LoadedNetwork& n) {
                               std::vector<std::size_t> w;
                               for (const Layer& l : n.net.layers()) w.push_back(l.width());
                               return w;
                             })
      .def_property_readonly("relu_after",
                             [](const LoadedNetwork& n) {
                               std::vector<bool> r;
                               for (const Layer& l : n.net.layers()) r.push_back(l.relu);
                               return r;
                             })
      .def_property_readonly("relu_count", [](const LoadedNetwork& n) { return n.net.relu_count(); })
      .def_property_readonly("has_layer_skips", [](const LoadedNetwork& n) { return n.net.has_layer_skips(); })
      .def_property_readonly("description", [](const LoadedNetwork& n) { return n.description; })
      .def_property_readonly("default_box", &box_of)
      .def("value",
           [](const LoadedNetwork& n, const std::vector<std::string>& x) {
             return to_string(n.net.value(parse_point(x, n.net.input_dim())));
           })
      .def("json", [](const LoadedNetwork& n) {
        // The JSON format has input skips U but no skips from earlier layers' outputs.
        if (n.net.has_layer_skips())
          throw InputError(n.description, "", "skips from earlier layers' outputs cannot be written in the JSON format");
        return network_json_text(n.net);
      });

  m.def("from_json_text",
        [](const std::string& text, const std::string& name, std::optional<std::size_t> output) {
          return std::make_shared<LoadedNetwork>(from_json_text(text, name, output));
        },
        py::arg("text"), py::arg("name"), py::arg("output") = py::none());
  m.def("load_file", &load_file, py::arg("path"), py::arg("output") = py::none());
  m.def("load_onnx_bytes",
        [](const py::bytes& data, const std::string& name, std::optional<std::size_t> output) {
          std::string bytes = data;  // copied while the GIL is held
          py::gil_scoped_release unlocked;
          return std::make_shared<LoadedNetwork>(load_onnx_bytes(bytes, name, output));
        },
        py::arg("data"), py::arg("name") = "<bytes>", py::arg("output") = py::none());
}

}  // namespace relucert::python
