#pragma once
// ONNX models as torch.onnx.export writes them (Linear/ReLU MLPs, ICNNs with input skips,
// residual MLPs, small conv nets, input normalisation), lowered exactly to the network model
// (core/network.hpp: layers with input skips and skips from earlier layers). Weights are read
// bit-exactly; anything that is not piecewise linear is refused naming the node.
//
// This is library relucert_onnx (it links protobuf and onnx_proto). The CLI does not link it:
// load_network_any reaches it through the module librelucert_onnx.so (core/onnx_module.hpp), so
// that runs on other formats do not pay for loading protobuf (docs/engine.md, start-up).
#include <cstddef>
#include <optional>
#include <string>

#include "core/network_loader.hpp"

namespace relucert {

// `bytes` is a serialized ModelProto; `display_name` names it in messages (a path, or
// "<bytes>"); external tensor data is read relative to `base_dir` (empty: refused).
// Output selection as in load_network_any. Throws InputError on malformed or unsupported input.
LoadedNetwork load_onnx_bytes(const std::string& bytes, const std::string& display_name,
                              std::optional<std::size_t> output = std::nullopt, const std::string& base_dir = "");

// Reads the file and calls load_onnx_bytes with the file's folder as base_dir.
LoadedNetwork load_onnx_file(const std::string& path, std::optional<std::size_t> output = std::nullopt);

}  // namespace relucert
