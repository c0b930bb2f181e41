#pragma once
// Runs the relucert CLI (or a shell command) as a separate process with stdout and stderr
// captured to files in a private scratch folder; shared by the CLI-level tests.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace relucert::test {

namespace fs = std::filesystem;

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

// A private scratch folder, created on first use and removed at exit.
inline const fs::path& scratch_dir() {
  struct Scratch {
    fs::path dir;
    Scratch() {
      std::string tmpl = (fs::temp_directory_path() / "relucert_test_XXXXXX").string();
      std::vector<char> buf(tmpl.begin(), tmpl.end());
      buf.push_back('\0');
      if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
      dir = buf.data();
    }
    ~Scratch() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  };
  static const Scratch s;
  return s.dir;
}

struct Run {
  int exit_code = -1;
  std::string out, err, command;
};

// Runs a shell command line (cwd: `cwd` when given) with stdout/stderr captured. A hung
// command is stopped by coreutils' timeout (exit 124, which no assertion accepts).
inline Run run_shell(const std::string& cmd, const std::string& shown, const fs::path& cwd = {}) {
  static int counter = 0;
  ++counter;
  const fs::path out = scratch_dir() / ("out" + std::to_string(counter));
  const fs::path err = scratch_dir() / ("err" + std::to_string(counter));
  std::string full = (cwd.empty() ? "" : "cd " + shell_quote(cwd.string()) + " && ") + cmd + " >" +
                     shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  if (fs::exists("/usr/bin/timeout")) full = "/usr/bin/timeout 300 sh -c " + shell_quote(full);
  Run r;
  r.command = shown;
  const int status = std::system(full.c_str());
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = read_text(out);
  r.err = read_text(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// Runs the built relucert with the given arguments (no shell interpretation of them), after
// `env_prefix` when given: shell words that set its environment ("NAME=value ...", "env -u NAME").
inline Run run_cli_with_env(const std::string& env_prefix, const std::vector<std::string>& args, const fs::path& cwd = {}) {
  std::string cmd = (env_prefix.empty() ? "" : env_prefix + " ") + shell_quote(RELUCERT_CLI_PATH);
  std::string shown = (env_prefix.empty() ? "" : env_prefix + " ") + "relucert";
  for (const auto& a : args) {
    cmd += " " + shell_quote(a);
    shown += " " + a;
  }
  return run_shell(cmd, shown, cwd);
}

inline Run run_cli(const std::vector<std::string>& args, const fs::path& cwd = {}) { return run_cli_with_env("", args, cwd); }

// The shared libraries the built relucert loads (ldd's listing in out).
inline Run cli_shared_libraries() { return run_shell("ldd " + shell_quote(RELUCERT_CLI_PATH), "ldd relucert"); }

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace relucert::test
