// The checker (checker/*.cpp, *.hpp) must trust nothing from the engine: it may include only
// its own headers and system/GMP headers, never core/, geometry/ or analysis/ (STYLE.md,
// CaDiCaL habit "the checker keeps its own data structures").
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

TEST_CASE("checker sources include nothing from core/, geometry/ or analysis/") {
  const fs::path dir = fs::path(RELUCERT_TEST_DATA_DIR).parent_path() / "checker";
  REQUIRE(fs::is_directory(dir));
  // Any #include naming an engine folder, with any path prefix ("../core/x.hpp", "core/x.hpp").
  const std::regex engine(R"re(^\s*#\s*include\s*[<"]([^">]*/)?(core|geometry|analysis)/)re");
  // Quoted includes must name a file in checker/ itself.
  const std::regex quoted(R"re(^\s*#\s*include\s*"([^"]*)")re");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(e.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      INFO(e.path().filename().string() << ":" << n << ": " << line);
      CHECK_FALSE(std::regex_search(line, engine));
      std::smatch m;
      if (std::regex_search(line, m, quoted)) CHECK(fs::exists(dir / m[1].str()));
    }
  }
  CHECK(files >= 2);
}
