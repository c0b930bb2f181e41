// relucert icnn: placeholder until implemented.
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace relucert::cli {

int run_icnn(const std::vector<std::string>&) {
  throw InputError("command line", "icnn", "not implemented yet");
}

}  // namespace relucert::cli
