// relucert pathlift: placeholder until implemented.
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace relucert::cli {

int run_pathlift(const std::vector<std::string>&) {
  throw InputError("command line", "pathlift", "not implemented yet");
}

}  // namespace relucert::cli
