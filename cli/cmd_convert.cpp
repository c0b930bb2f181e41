// relucert convert: writes the exact network relucert analyses (after loading any format and
// choosing --output) as the JSON of docs/format.md. This is how an ONNX or .nnet model gets a
// file relucert-verify can read, so its certificates can be checked independently.
#include <iostream>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"
#include "core/network_json_writer.hpp"

namespace relucert::cli {

int run_convert(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words, {"-o", "--out"});
  if (args.values.count("-o") && args.values.count("--out")) throw InputError("-o", "", "given twice (as -o and --out)");
  auto it = args.values.find("-o");
  if (it == args.values.end()) it = args.values.find("--out");
  if (it == args.values.end()) throw InputError("-o", "", "missing: relucert convert needs -o OUT.json");
  if (it->second.empty()) throw InputError("-o", "", "empty output path");
  const LoadedNetwork loaded = load_network(args);
  write_network_json_file(loaded.net, it->second);
  std::cout << "network: " << loaded.description << "\nwritten: " << it->second << " (input_dim " << loaded.net.input_dim()
            << ", " << loaded.net.layers().size() << " layers, " << loaded.net.relu_count() << " ReLU neurons"
            << (loaded.net.has_layer_skips() ? ", skips from earlier layers" : "") << ")\n";
  return 0;
}

}  // namespace relucert::cli
