#pragma once
// Command-line parsing shared by every relucert command: one network path (.json or .nnet),
// the analysed output (--output), the domain (--box), --json, resource limits, and
// command-specific options declared by each command.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/convexity.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/network_loader.hpp"

namespace relucert::cli {

constexpr int kExitConvex = 0, kExitNotConvex = 1, kExitInputError = 2, kExitUnknown = 3;

struct Arguments {
  std::string net_path;
  std::optional<std::size_t> output;           // --output K: which output of a multi-output net
  std::optional<std::string> box;
  bool json = false;
  CheckOptions options;                        // limits, refuter lines, seed
  std::map<std::string, std::string> values;   // command-specific "--name value" options
  std::set<std::string> flags;                 // command-specific "--name" flags present
};

// Parses the words after the command name. `valued` and `flags` list the command's own
// options ("--line", "--certificate", ...). Accepts "--name=value". Throws InputError.
Arguments parse_arguments(const std::vector<std::string>& words, const std::set<std::string>& valued = {},
                          const std::set<std::string>& flags = {});

// Loads a.net_path by its extension (core/network_loader.hpp) and selects a.output.
LoadedNetwork load_network(const Arguments& a);
// --box when given; otherwise the box stored in the file (.nnet), otherwise all of R^d.
Domain domain_of(const Arguments& a, const LoadedNetwork& loaded);

// The CLI contract: 0 convex, 1 not convex, 3 unknown.
int exit_code_for(Verdict v);

// Helpers for output.
nlohmann::json rationals_json(const Vector& v);
std::string seconds_text(double s);
unsigned long long parse_count(const std::string& flag, const std::string& value);

// --threads default: the hardware concurrency (results are identical for any thread count).
unsigned default_threads();

}  // namespace relucert::cli
