#include "core/input_file.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"

namespace relucert {

std::string read_input_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, "", "is a directory, not a network file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  // Refuse absurd files before reading them (no network the engine can analyse comes near this).
  constexpr std::uintmax_t kMaxBytes = std::uintmax_t(256) << 20;
  if (const std::uintmax_t size = std::filesystem::file_size(path, ec); !ec && size > kMaxBytes)
    throw InputError(path, "", "file too large: " + std::to_string(size >> 20) + " MB (limit 256 MB)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace relucert
