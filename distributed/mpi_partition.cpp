#include "distributed/mpi_partition.hpp"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace relucert::distributed {

MpiPartition::MpiPartition() {
  int r = 0, s = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  rank_ = static_cast<std::size_t>(r);
  size_ = static_cast<std::size_t>(s);
}

std::optional<std::size_t> MpiPartition::first_of(std::optional<std::size_t> local) {
  // Fault injection for the tests (undocumented on purpose): RELUCERT_MPI_FAULT_RANK=k makes
  // rank k die here, before the collective, as a killed process would.
  if (const char* f = std::getenv("RELUCERT_MPI_FAULT_RANK"); f && std::to_string(rank_) == f) std::abort();
  constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t mine = local ? static_cast<std::uint64_t>(*local) : kNone, all = kNone;
  ++collectives_;
  if (MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Allreduce failed (a rank died?)");
  if (all == kNone) return std::nullopt;
  return static_cast<std::size_t>(all);
}

}  // namespace relucert::distributed
