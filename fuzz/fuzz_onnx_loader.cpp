// libFuzzer target: the ONNX loader (core/onnx/onnx_loader.cpp, linked directly). Any input must
// either load or throw InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/input_error.hpp"
#include "core/onnx/onnx_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const relucert::LoadedNetwork n = relucert::load_onnx_bytes(bytes, "fuzz.onnx");
    (void)n.net.forward(relucert::Vector(n.net.input_dim(), relucert::Rational(0)));
  } catch (const relucert::InputError&) {
  }
  return 0;
}
