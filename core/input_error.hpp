#pragma once
// Errors in user input: always carry where (file, field or line) and what is wrong.
// The CLI turns them into exit code 2.
#include <stdexcept>
#include <string>

namespace relucert {

class InputError : public std::runtime_error {
 public:
  InputError(std::string source, std::string location, std::string what_is_wrong)
      : std::runtime_error(format(source, location, what_is_wrong)),
        source_(std::move(source)),
        location_(std::move(location)),
        problem_(std::move(what_is_wrong)) {}
  const std::string& source() const { return source_; }
  const std::string& location() const { return location_; }
  const std::string& problem() const { return problem_; }

 private:
  static std::string format(const std::string& s, const std::string& l, const std::string& p) {
    std::string r = s;
    if (!l.empty()) r += (r.empty() ? "" : ": ") + l;
    return r + (r.empty() ? "" : ": ") + p;
  }
  std::string source_, location_, problem_;
};

}  // namespace relucert
