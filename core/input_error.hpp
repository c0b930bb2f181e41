#pragma once
// Errors in user input: always carry where (file, field or line) and what is wrong.
// The CLI turns them into exit code 2.
#include <stdexcept>
#include <string>
#include <string_view>

namespace relucert {

// Hostile input must not make hostile messages: a text longer than `max` characters (a
// 10^6-digit number, a huge key) is shown as its first characters and its length.
inline std::string excerpt(std::string_view s, std::size_t max = 80) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max - 20)) + "... [" + std::to_string(s.size()) + " characters]";
}

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
  // The location and the problem are capped (they may quote the input); the file name is not.
  static std::string format(const std::string& s, const std::string& l, const std::string& p) {
    std::string r = s;
    if (!l.empty()) r += (r.empty() ? "" : ": ") + excerpt(l, 400);
    return r + (r.empty() ? "" : ": ") + excerpt(p, 1000);
  }
  std::string source_, location_, problem_;
};

}  // namespace relucert
