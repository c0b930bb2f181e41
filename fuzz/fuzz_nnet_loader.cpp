// libFuzzer target: the .nnet loader (core/nnet_loader.cpp, core/rational.cpp). Any input
// must either load or throw InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/input_error.hpp"
#include "core/nnet_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const relucert::NnetNetwork n = relucert::parse_nnet(text, "fuzz.nnet");
    (void)n.net.forward(n.input_box.lo);
  } catch (const relucert::InputError&) {
  }
  return 0;
}
