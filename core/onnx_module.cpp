#include "core/onnx_module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/input_error.hpp"

namespace relucert {
namespace {

struct ModuleLookup {
  OnnxModuleEntry entry = nullptr;
  std::string tried;  // "PATH (reason); ..." when entry is null
};

std::string executable_folder() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

ModuleLookup find_module() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RELUCERT_ONNX_MODULE"); env && *env) {
    candidates.push_back(env);  // set: the only place looked at, so that a wrong path is not masked
  } else {
    if (std::string dir = executable_folder(); !dir.empty()) candidates.push_back(dir + "/librelucert_onnx.so");
#ifdef RELUCERT_ONNX_MODULE_BUILD_PATH
    candidates.push_back(RELUCERT_ONNX_MODULE_BUILD_PATH);
#endif
  }
  ModuleLookup r;
  auto failed = [&r](const std::string& path, const std::string& why) { r.tried += (r.tried.empty() ? "" : "; ") + path + " (" + why + ")"; };
  for (const std::string& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      failed(path, "absent");
      continue;
    }
    // RTLD_LOCAL: the module's symbols (its own copy of the core code) stay out of the process's scope.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      failed(path, why ? why : "dlopen failed");
      continue;
    }
    void* sym = dlsym(handle, kOnnxModuleEntry);
    if (!sym) {
      failed(path, std::string("no ") + kOnnxModuleEntry);
      continue;  // the handle stays open: closing a module that ran static initialisers is not worth the risk
    }
    r.entry = reinterpret_cast<OnnxModuleEntry>(sym);
    return r;
  }
  return r;
}

}  // namespace

LoadedNetwork load_onnx_file_by_module(const std::string& path, std::optional<std::size_t> output) {
  static const ModuleLookup module = find_module();  // once per process (thread-safe static)
  if (!module.entry)
    throw InputError(path, "", "cannot be read: relucert's ONNX reader module librelucert_onnx.so was not found or did not load (" +
                                   module.tried + "); set RELUCERT_ONNX_MODULE to its path");
  LoadedNetwork r;
  OnnxModuleCall call;
  call.path = &path;
  call.output = output;
  call.result = &r;
  switch (module.entry(&call)) {
    case 0: return r;
    case 1: throw InputError(call.error_source, call.error_location, call.error_problem);
    case 3:
      throw InputError(path, "", "cannot be read: the ONNX reader module was built from another version of relucert; rebuild it "
                                 "(target relucert_onnx_module) or set RELUCERT_ONNX_MODULE");
    default: throw std::runtime_error("ONNX reader: " + call.error_problem);
  }
}

}  // namespace relucert
