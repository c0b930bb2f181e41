#pragma once
// Writer for the network JSON format read by core/network_json.hpp (docs/format.md), with every
// number as an exact string "p" or "p/q", so that loading the text gives back exactly the same
// network. Layout follows ../shared/nets: one W row per line.
#include <string>

#include "core/network.hpp"

namespace relucert {

// The whole network as JSON text (ends with a newline).
std::string network_json_text(const Network& net);

// Writes network_json_text(net) to `path` atomically (a temporary file in the same folder,
// then a rename), so a failure never leaves a half-written file; throws InputError naming
// the path if it cannot.
void write_network_json_file(const Network& net, const std::string& path);

}  // namespace relucert
