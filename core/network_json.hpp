#pragma once
// Loader for the network JSON format (docs/format.md):
//   {"input_dim": d, "layers": [{"W": [[..]], "b": [..], "U": [[..]]?}, ...], "relu_after": [..]?}
// Numbers are exact: strings "p/q", "0.1" (= 1/10), "1e-30", hex floats, or JSON numbers
// read from their decimal text. Validation is strict; every error names the file and field.
#include <string>

#include "core/network.hpp"

namespace relucert {

// require_scalar (default true): reject a last layer with more than one output. Passing false
// accepts any output width; callers then pick one output (core/output_selection.hpp), as
// core/network_loader.cpp does for --output K.
Network load_network_json_file(const std::string& path, bool require_scalar = true);
Network parse_network_json(const std::string& text, const std::string& source_name, bool require_scalar = true);

}  // namespace relucert
