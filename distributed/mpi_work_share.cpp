#include "distributed/mpi_work_share.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace relucert::distributed {

MpiWorkShare::MpiWorkShare() {
  int r = 0, s = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  rank_ = static_cast<unsigned>(r);
  ranks_ = static_cast<unsigned>(s);
  if (const char* f = std::getenv("RELUCERT_MPI_FAULT")) {
    std::istringstream in(f);
    std::string kind;
    unsigned target = 0;
    in >> kind >> target >> fault_at_;
    if (kind == "stall") in >> fault_file_;
    if (!in || fault_at_ == 0 || (kind != "kill" && kind != "stall"))
      throw std::runtime_error("RELUCERT_MPI_FAULT: expected 'kill R N' or 'stall R N FILE' (N >= 1)");
    if (target == rank_) fault_ = kind == "kill" ? Fault::Kill : kind == "stall" ? Fault::Stall : Fault::None;
  }
}

void MpiWorkShare::enter_collective() {
  ++entered_;
  if (fault_ == Fault::None || entered_ != fault_at_) return;
  if (fault_ == Fault::Stall) {
    // The pid is written to a temporary name first, so the test never reads half a number.
    {
      std::ofstream(fault_file_ + ".part") << ::getpid() << "\n";
    }
    std::rename((fault_file_ + ".part").c_str(), fault_file_.c_str());
    for (;;) ::pause();
  }
  ::raise(SIGKILL);  // as `kill -9` from outside: no handler, no MPI_Finalize, no flush
}

// Waits for a non-blocking collective without spinning for long: Open MPI's blocking collectives
// poll at full speed, so a rank that waits for a slower one (load imbalance, or rank 0 writing
// the certificate text) takes a core from it when ranks share cores. Polling every 0.2 ms after a
// short spin costs at most that much latency per collective (a few per neuron pass).
void MpiWorkShare::wait(MPI_Request& request) {
  int done = 0;
  for (int spin = 0; spin < 200 && !done; ++spin)
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) throw std::runtime_error("MPI_Test failed");
  const timespec pause_ns{0, 200000};
  while (!done) {
    nanosleep(&pause_ns, nullptr);
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) throw std::runtime_error("MPI_Test failed");
  }
}

std::vector<std::string> MpiWorkShare::do_allgather(const std::string& mine) {
  enter_collective();
  // MPI counts are int: more than 2 GiB in one exchange would need chunking (a pass of a few
  // million split cells); say so instead of corrupting the exchange.
  if (mine.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("work share: one rank's answers exceed 2 GiB");
  int n = static_cast<int>(mine.size());
  std::vector<int> sizes(ranks_), offsets(ranks_);
  MPI_Request request;
  if (MPI_Iallgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD, &request) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Iallgather failed");
  wait(request);
  long long total = 0;
  for (unsigned r = 0; r < ranks_; ++r) {
    if (total > INT_MAX) break;
    offsets[r] = static_cast<int>(total);
    total += sizes[r];
  }
  if (total > INT_MAX) throw std::runtime_error("work share: one exchange exceeds 2 GiB");
  std::string all(static_cast<std::size_t>(total), '\0');
  if (MPI_Iallgatherv(mine.data(), n, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD,
                      &request) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Iallgatherv failed");
  wait(request);
  std::vector<std::string> out(ranks_);
  for (unsigned r = 0; r < ranks_; ++r) out[r] = all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(sizes[r]));
  return out;
}

std::uint64_t MpiWorkShare::do_max_of(std::uint64_t local) {
  enter_collective();
  std::uint64_t all = 0;
  MPI_Request request;
  if (MPI_Iallreduce(&local, &all, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD, &request) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Iallreduce failed");
  wait(request);
  return all;
}

std::uint64_t MpiWorkShare::do_min_of(std::uint64_t local) {
  enter_collective();
  std::uint64_t all = 0;
  MPI_Request request;
  if (MPI_Iallreduce(&local, &all, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD, &request) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Iallreduce failed");
  wait(request);
  return all;
}

}  // namespace relucert::distributed
