#pragma once
// One entry point for every network file format, with the choice of the analysed output.
//   *.nnet (any case): core/nnet_loader.hpp; the file's input box becomes the default domain.
//   *.onnx (any case): core/onnx/onnx_loader.hpp (docs/onnx.md), lowered exactly, through the
//                      module librelucert_onnx.so (core/onnx_module.hpp).
//   anything else:     the JSON format of docs/format.md (core/network_json.hpp).
// relucert analyses a scalar function: a network with several outputs is accepted only when an
// output k is selected (CLI: --output K, 0-based); the result keeps only output k
// (core/output_selection.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert {

struct LoadedNetwork {
  Network net;                           // scalar (exactly one output)
  std::optional<Domain> default_domain;  // the box stored in the file (.nnet min/max lines), if any
  std::string description;               // "PATH" or "PATH, output K of M"
};

// Throws InputError naming the file on malformed content; naming "--output" when `output` is
// out of range; and, when the network has several outputs and no output is selected,
// "this network has M outputs; choose one with --output K (0-based)".
LoadedNetwork load_network_any(const std::string& path, std::optional<std::size_t> output = std::nullopt);

// The output choice shared by every loader: with `output`, keeps output k of r.net (InputError
// naming "--output" when out of range); without it, a network with several outputs is refused
// naming `source` and `outputs_location` with "<multi_output_problem>; choose one with --output K
// (0-based)". r.description is set to "SOURCE" or "SOURCE, output K of M".
void choose_output(LoadedNetwork& r, const std::string& source, const std::string& outputs_location,
                   const std::string& multi_output_problem, std::optional<std::size_t> output);

// True when `path` is read as a .nnet file (its name ends in ".nnet", any case).
bool is_nnet_path(const std::string& path);

// True when `path` is read as an ONNX model (its name ends in ".onnx", any case).
bool is_onnx_path(const std::string& path);

// True when `path` ends in `extension` (e.g. ".onnx"), compared without regard to case.
bool has_extension(const std::string& path, std::string_view extension);

}  // namespace relucert
