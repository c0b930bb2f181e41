// The one exported function of librelucert_onnx.so (core/onnx_module.hpp): runs load_onnx_file
// and hands exceptions back as data, so that no exception crosses the module boundary.
#include <exception>

#include "core/input_error.hpp"
#include "core/onnx/onnx_loader.hpp"
#include "core/onnx_module.hpp"

extern "C" __attribute__((visibility("default"))) int relucert_onnx_load_file_v1(relucert::OnnxModuleCall* call) {
  using relucert::OnnxModuleCall;
  if (call->abi_size != sizeof(OnnxModuleCall) + sizeof(relucert::LoadedNetwork)) return 3;
  try {
    *call->result = relucert::load_onnx_file(*call->path, call->output);
    return 0;
  } catch (const relucert::InputError& e) {
    call->error_source = e.source();
    call->error_location = e.location();
    call->error_problem = e.problem();
    return 1;
  } catch (const std::exception& e) {
    call->error_problem = e.what();
    return 2;
  }
}
