#pragma once
// Loader for the network JSON format (docs/format.md):
//   {"input_dim": d, "layers": [{"W": [[..]], "b": [..], "U": [[..]]?}, ...], "relu_after": [..]?}
// Numbers are exact: strings "p/q", "0.1" (= 1/10), "1e-30", hex floats, or JSON numbers
// read from their decimal text. Validation is strict; every error names the file and field.
#include <string>

#include "core/network.hpp"

namespace relucert {

Network load_network_json_file(const std::string& path);
Network parse_network_json(const std::string& text, const std::string& source_name);

}  // namespace relucert
