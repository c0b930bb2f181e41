// relucert: decides, in exact rational arithmetic, whether a ReLU network is convex.
// Exit codes (a contract other tools rely on): 0 convex, 1 not convex, 2 input error, 3 unknown.
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace {

using namespace relucert;
using namespace relucert::cli;

const Command kCommands[] = {
    {"check", run_check,
     "  relucert check NET.json [--box LO:HI | --box LO1:HI1,...,LOd:HId] [--json]\n"
     "                 [--max-cells N] [--time-limit SECONDS] [--memory-limit MB] [--lines N] [--seed N]\n"
     "                 [--threads N] [--progress] [--stream | --whole-complex] [--certificate FILE]   (check it with: relucert-verify NET.json FILE)\n"},
    {"regions", run_regions, "  relucert regions NET.json [--box ...] [--json] [--max-cells N] [--time-limit SECONDS] [--memory-limit MB]\n"
                             "                 [--threads N] [--progress]\n"},
    {"breakpoints", run_breakpoints,
     "  relucert breakpoints NET.json [--line P:D] [--box ...] [--icnn-bound] [--json]\n"
     "                 exact restriction to a line; exit 0 convex on the line, 1 not (a witness)\n"},
    {"pathlift", run_pathlift,
     "  relucert pathlift NET.json [--box ...] [--json] [--max-cells N] [--time-limit S] [--max-patterns N]\n"
     "                 path-lifting (PN) test; exit 0 whether PN passes (convexity proven) or fails\n"
     "                 (which proves nothing), 3 at a limit\n"},
    {"icnn", run_icnn,
     "  relucert icnn NET.json [--box ...] [-o|--out ICNN.json] [--json] [--search-limit N]\n"
     "                 [--max-cells N] [--time-limit S]\n"
     "                 one hidden layer: canonical form, verdict, equivalent ICNN with an exact\n"
     "                 equality proof; exit 0 convex, 1 not convex, 3 at a limit\n"},
    {"plot", run_plot,
     "  relucert plot NET.json --box ... -o OUT.svg|OUT.png [--slice x3=0,x4=1/2] [--json]\n"
     "                 picture of the exact cells on a 2-D box (a 2-D slice for d > 2); exit 0 convex,\n"
     "                 1 not convex, 3 at a limit\n"},
    {"convert", run_convert,
     "  relucert convert NET -o OUT.json\n"
     "                 writes the exact network analysed (e.g. lowered from ONNX) as JSON, for relucert-verify\n"},
};

std::string usage() {
  std::string u = "usage:\n";
  for (const auto& c : kCommands) u += c.usage;
  return u +
         "\nNET is a network in the JSON format (docs/format.md), an .nnet file or an .onnx model\n"
         "(docs/onnx.md); --output K (0-based) chooses the analysed output of a multi-output network.\n"
         "No --box means the whole of R^d (for .nnet: the box stored in the file).\n"
         "Exit codes: 0 convex, 1 not convex, 2 input error, 3 unknown (a resource limit was reached;\n"
         "never a guess).\n";
}

// A failure that is not the input's fault ends in an honest "unknown" (exit 3), never a
// verdict; with --json the contract's one JSON object is still printed.
int report_unknown(const std::vector<std::string>& words, const std::string& reason) {
  std::cerr << "relucert: " << reason << "; verdict unknown\n";
  for (const auto& w : words)
    if (w == "--json") {
      std::cout << nlohmann::json{{"verdict", "unknown"}, {"reason", reason}}.dump() << "\n";
      break;
    }
  return kExitUnknown;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::cerr << usage();  // an input error: nothing on stdout
    return kExitInputError;
  }
  for (const auto& w : words)
    if (w == "--help" || w == "-h") {
      std::cout << usage();
      return 0;
    }
  try {
    for (const auto& c : kCommands)
      if (words[0] == c.name) return c.run(std::vector<std::string>(words.begin() + 1, words.end()));
    std::string names;
    for (const auto& c : kCommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
    throw InputError("command line", words[0], "unknown command (expected one of: " + names + ")");
  } catch (const InputError& e) {
    std::cerr << "relucert: error: " << e.what() << "\n";
    return kExitInputError;
  } catch (const std::bad_alloc&) {
    return report_unknown(words, "out of memory");
  } catch (const std::exception& e) {
    return report_unknown(words, std::string("internal error: ") + e.what());
  }
}
