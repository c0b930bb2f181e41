// relucert regions: counts of the affine-region complex.
#include <iostream>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"

namespace relucert::cli {

int run_regions(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words);
  const LoadedNetwork loaded = load_network(args);
  const Network& net = loaded.net;
  const Domain domain = domain_of(args, loaded);
  const RegionComplex cx = build_region_complex(net, domain, args.options.limits);
  const bool complete = cx.status == BuildStatus::Complete;
  if (args.json) {
    nlohmann::json j;
    j["complete"] = complete;
    j["cells"] = cx.cells.size();
    if (complete) {
      j["pairs"] = cx.adjacencies.size();
      j["pieces"] = cx.distinct_affine_pieces();
    }
    j["domain"] = domain.describe();
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "domain: " << domain.describe() << "\n";
    if (!complete) std::cout << "incomplete: a resource limit was reached; counts so far\n";
    std::cout << "cells: " << cx.cells.size() << "\n";
    if (complete) std::cout << "adjacent pairs: " << cx.adjacencies.size() << "\naffine pieces: " << cx.distinct_affine_pieces() << "\n";
  }
  return complete ? 0 : kExitUnknown;
}

}  // namespace relucert::cli
