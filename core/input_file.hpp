#pragma once
// Reading a user's input file whole, with the errors every loader reports the same way.
#include <string>

namespace relucert {

// The file's bytes; throws InputError naming the path if it is a directory or cannot be read.
std::string read_input_file(const std::string& path);

}  // namespace relucert
