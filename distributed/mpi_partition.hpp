#pragma once
// JumpPartition over MPI_COMM_WORLD (the only file besides relucert_mpi.cpp that sees MPI).
#include <mpi.h>

#include "analysis/convexity.hpp"

namespace relucert::distributed {

class MpiPartition final : public JumpPartition {
 public:
  MpiPartition();
  std::size_t rank() const override { return rank_; }
  std::size_t size() const override { return size_; }
  // MPI_Allreduce(MIN) of the local first violating index (none = the largest value).
  std::optional<std::size_t> first_of(std::optional<std::size_t> local) override;
  unsigned long long collectives() const { return collectives_; }

 private:
  std::size_t rank_ = 0, size_ = 1;
  unsigned long long collectives_ = 0;
};

}  // namespace relucert::distributed
