// ONNX entry points: parse the ModelProto, lower it exactly (core/onnx/onnx_lowering.hpp), choose
// the analysed output. The protobuf classes stay inside core/onnx_*.cpp.
#include "core/onnx/onnx_loader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>

#include <onnx/onnx_pb.h>

#include "core/input_error.hpp"
#include "core/input_file.hpp"
#include "core/onnx/onnx_lowering.hpp"

namespace relucert {

LoadedNetwork load_onnx_bytes(const std::string& bytes, const std::string& display_name, std::optional<std::size_t> output,
                              const std::string& base_dir) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InputError(display_name, "", "larger than 2 GiB (protobuf's limit); store the weights as external data");
  if (!model.ParseFromString(bytes)) throw InputError(display_name, "", "not a valid ONNX model (protobuf ModelProto parse failed)");
  onnx_import::Lowering lowering(display_name, base_dir);
  LoadedNetwork r;
  r.net = lowering.lower(model);
  const std::size_t m = r.net.output_dim();
  choose_output(r, display_name, "graph output \"" + lowering.output_name() + "\"",
                "this model has " + std::to_string(m) + " outputs (the elements of its output tensor, flattened)", output);
  return r;
}

LoadedNetwork load_onnx_file(const std::string& path, std::optional<std::size_t> output) {
  const std::string bytes = read_input_file(path);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return load_onnx_bytes(bytes, path, output, dir);
}

}  // namespace relucert
