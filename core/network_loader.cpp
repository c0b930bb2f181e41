#include "core/network_loader.hpp"

#include <algorithm>
#include <cctype>

#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/nnet_loader.hpp"
#include "core/onnx_module.hpp"
#include "core/output_selection.hpp"

namespace relucert {

bool has_extension(const std::string& path, std::string_view ext) {
  if (path.size() < ext.size()) return false;
  return std::equal(ext.begin(), ext.end(), path.end() - static_cast<std::ptrdiff_t>(ext.size()),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
}

bool is_onnx_path(const std::string& path) {
  return has_extension(path, ".onnx");
}

bool is_nnet_path(const std::string& path) {
  return has_extension(path, ".nnet");
}

void choose_output(LoadedNetwork& r, const std::string& path, const std::string& outputs_location,
                   const std::string& multi_output_problem, std::optional<std::size_t> output) {
  const std::size_t m = r.net.output_dim();
  r.description = path;
  if (output) {
    if (*output >= m)
      throw InputError("--output", std::to_string(*output),
                       "out of range: " + path + " has " + std::to_string(m) + (m == 1 ? " output" : " outputs") +
                           " (valid: 0" + (m > 1 ? " to " + std::to_string(m - 1) : std::string()) + ")");
    if (m > 1) {
      r.net = select_output(r.net, *output);
      r.description += ", output " + std::to_string(*output) + " of " + std::to_string(m);
    }
  } else if (m != 1) {
    throw InputError(path, outputs_location, multi_output_problem + "; choose one with --output K (0-based)");
  }
}

LoadedNetwork load_network_any(const std::string& path, std::optional<std::size_t> output) {
  if (is_onnx_path(path)) return load_onnx_file_by_module(path, output);
  LoadedNetwork r;
  std::string outputs_location;  // where the output count is stated in the file
  std::string multi_output_problem;
  if (is_nnet_path(path)) {
    NnetNetwork n = load_nnet_file(path);
    r.net = std::move(n.net);
    r.default_domain = std::move(n.input_box);
    outputs_location = "line " + std::to_string(n.header_line);
    multi_output_problem = "this network has " + std::to_string(r.net.output_dim()) + " outputs";
  } else {
    r.net = load_network_json_file(path, /*require_scalar=*/false);
    outputs_location = "layers[" + std::to_string(r.net.layers().size() - 1) + "].W";
    // Keeps the wording of the JSON loader's former message (docs/format.md §1).
    multi_output_problem = "the last layer must have exactly one output (found " + std::to_string(r.net.output_dim()) + ")";
  }
  choose_output(r, path, outputs_location, multi_output_problem, output);
  return r;
}

}  // namespace relucert
