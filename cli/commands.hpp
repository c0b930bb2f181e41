#pragma once
// One function per relucert command (cli/cmd_NAME.cpp); each gets the words after its name
// and returns the process exit code. Input errors are thrown as InputError.
#include <string>
#include <vector>

namespace relucert {
class WorkShare;
struct PartDealer;
}

namespace relucert::cli {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>& words);
  const char* usage;  // one or more lines, each starting with "  relucert NAME"
};

int run_check(const std::vector<std::string>& words);
// The work share run_check passes on (relucert-mpi sets it; null = this process only). With one,
// run_check is collective (BuildLimits::share), and only rank 0 prints progress and writes files.
void set_check_share(WorkShare* share);
// The streamed check's part dealer run_check passes on (relucert-mpi sets it; null = this process).
void set_check_dealer(PartDealer* dealer);
int run_regions(const std::vector<std::string>& words);
int run_breakpoints(const std::vector<std::string>& words);
int run_pathlift(const std::vector<std::string>& words);
int run_icnn(const std::vector<std::string>& words);
int run_plot(const std::vector<std::string>& words);
int run_convert(const std::vector<std::string>& words);

}  // namespace relucert::cli
