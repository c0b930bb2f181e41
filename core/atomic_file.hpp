#pragma once
// Output files are never left half-written: text goes to a temporary file beside the target,
// which is renamed into place only once it is complete (rename is atomic within a folder).
#include <string>

namespace relucert {

// A temporary name beside `path` (same folder, so the final rename is atomic).
std::string temporary_name_beside(const std::string& path, const std::string& suffix = "");
// Writes `text` to `file`; on failure removes it and throws InputError naming `shown`.
void write_whole_file(const std::string& file, const std::string& text, const std::string& shown);
// Renames the finished temporary file onto `path`; on failure removes it and throws InputError.
void rename_into_place(const std::string& tmp, const std::string& path);
// The three steps together.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace relucert
