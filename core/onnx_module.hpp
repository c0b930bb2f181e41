#pragma once
// The ONNX reader as a module loaded on first use. The reader (core/onnx/, library relucert_onnx)
// needs libprotobuf and libonnx_proto; linked into the CLI they cost every run, whatever its input,
// about 3 ms of start-up (loading and relocating them, registering onnx.proto's descriptors: a
// third of the process CPU on a d = 3 [10, 10] check). So the CLI does not link them: the first
// .onnx input dlopen()s librelucert_onnx.so, built beside the executable, which holds the reader
// (with its own copy of the core code it uses, its symbols hidden) and one C entry point.
//
// Where the module is looked for, first found wins:
//   $RELUCERT_ONNX_MODULE (a path to the .so), the executable's own folder, the build tree it
//   was compiled in. A missing or mismatched module is reported as an error (exit code 2 in the
//   CLI) naming the places searched, never as a verdict.
#include <cstddef>
#include <optional>
#include <string>

#include "core/network_loader.hpp"

namespace relucert {

// load_onnx_file (core/onnx/onnx_loader.hpp) run by the module: the same network, the same
// InputError (source, location, problem) for malformed or unsupported models.
LoadedNetwork load_onnx_file_by_module(const std::string& path, std::optional<std::size_t> output);

// What the module's entry point fills in; both sides are compiled from this header, and the
// module refuses a caller whose layout differs (abi_size).
struct OnnxModuleCall {
  std::size_t abi_size = sizeof(OnnxModuleCall) + sizeof(LoadedNetwork);
  const std::string* path = nullptr;
  std::optional<std::size_t> output;
  LoadedNetwork* result = nullptr;
  // Set when the entry point returns nonzero: 1 an InputError (its three parts), 2 another error.
  std::string error_source, error_location, error_problem;
};

// The entry point's name and type: returns 0 on success.
inline constexpr const char* kOnnxModuleEntry = "relucert_onnx_load_file_v1";
using OnnxModuleEntry = int (*)(OnnxModuleCall*);

}  // namespace relucert
