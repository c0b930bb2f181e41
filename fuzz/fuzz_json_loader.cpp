// libFuzzer target: the JSON network loader (core/json_tree.cpp, core/network_json.cpp,
// core/rational.cpp). Any input must either load or throw InputError; anything else (a crash,
// a sanitizer report, another exception type, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/input_error.hpp"
#include "core/network_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool scalar : {true, false}) {
    try {
      const relucert::Network net = relucert::parse_network_json(text, "fuzz.json", scalar);
      // A loaded net must be usable: one exact forward pass at the origin.
      (void)net.forward(relucert::Vector(net.input_dim(), relucert::Rational(0)));
    } catch (const relucert::InputError&) {
    }
  }
  return 0;
}
