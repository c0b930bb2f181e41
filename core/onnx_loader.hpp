#pragma once
// ONNX models as torch.onnx.export writes them (Linear/ReLU MLPs, ICNNs with input skips,
// residual MLPs, small conv nets, input normalisation), lowered exactly to the network model
// (core/network.hpp: layers with input skips and skips from earlier layers). Weights are read
// bit-exactly; anything that is not piecewise linear is refused naming the node.
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

// True when `path` is read as an ONNX model (its name ends in ".onnx", any case).
bool is_onnx_path(const std::string& path);

}  // namespace relucert
