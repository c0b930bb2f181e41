// relucert breakpoints: placeholder until implemented.
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace relucert::cli {

int run_breakpoints(const std::vector<std::string>&) {
  throw InputError("command line", "breakpoints", "not implemented yet");
}

}  // namespace relucert::cli
