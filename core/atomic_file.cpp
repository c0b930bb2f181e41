#include "core/atomic_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"

namespace relucert {

namespace fs = std::filesystem;

std::string temporary_name_beside(const std::string& path, const std::string& suffix) {
  return path + ".tmp." + std::to_string(static_cast<long>(::getpid())) + suffix;
}

void write_whole_file(const std::string& file, const std::string& text, const std::string& shown) {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  if (f) f << text;
  if (f) f.flush();
  if (!f) {
    f.close();
    std::error_code ec;
    fs::remove(file, ec);
    throw InputError(shown, "", "cannot write the file");
  }
}

void rename_into_place(const std::string& tmp, const std::string& path) {
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw InputError(path, "", "cannot write the file (" + ec.message() + ")");
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = temporary_name_beside(path);
  write_whole_file(tmp, text, path);
  rename_into_place(tmp, path);
}

}  // namespace relucert
