#pragma once
// WorkShare (geometry/work_share.hpp) over MPI_COMM_WORLD: with relucert_mpi.cpp, the only code
// that sees MPI.
#include <mpi.h>

#include "geometry/work_share.hpp"

namespace relucert::distributed {

class MpiWorkShare final : public WorkShare {
 public:
  MpiWorkShare();
  unsigned rank() const override { return rank_; }
  unsigned ranks() const override { return ranks_; }

 protected:
  std::vector<std::string> do_allgather(const std::string& mine) override;  // MPI_Iallgather + MPI_Iallgatherv
  std::uint64_t do_max_of(std::uint64_t local) override;                    // MPI_Iallreduce(MAX)
  std::uint64_t do_min_of(std::uint64_t local) override;                    // MPI_Iallreduce(MIN)

 private:
  void enter_collective();  // counts collectives; the test-only fault injection
  static void wait(MPI_Request& request);
  unsigned rank_ = 0, ranks_ = 1;
  unsigned long long entered_ = 0;
  // RELUCERT_MPI_FAULT (tests/mpi/fault.sh, undocumented for users): "kill R N" makes rank R
  // SIGKILL itself on entering its N-th collective; "stall R N FILE" makes it write its pid to
  // FILE and sleep there, for a test that kills it from outside.
  enum class Fault { None, Kill, Stall } fault_ = Fault::None;
  unsigned long long fault_at_ = 0;
  std::string fault_file_;
};

}  // namespace relucert::distributed
