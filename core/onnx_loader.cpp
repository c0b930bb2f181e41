// Placeholder until the ONNX lowering lands: refuses every model with a clear message.
#include "core/onnx_loader.hpp"

#include <algorithm>
#include <cctype>

#include "core/input_error.hpp"

namespace relucert {

bool is_onnx_path(const std::string& path) {
  constexpr std::string_view ext = ".onnx";
  if (path.size() < ext.size()) return false;
  return std::equal(ext.begin(), ext.end(), path.end() - static_cast<std::ptrdiff_t>(ext.size()),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

LoadedNetwork load_onnx_bytes(const std::string&, const std::string& display_name, std::optional<std::size_t>,
                              const std::string&) {
  throw InputError(display_name, "", "ONNX models are not supported by this build");
}

LoadedNetwork load_onnx_file(const std::string& path, std::optional<std::size_t> output) {
  return load_onnx_bytes(std::string(), path, output, std::string());
}

}  // namespace relucert
