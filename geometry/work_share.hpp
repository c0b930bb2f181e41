#pragma once
// The hook that splits the region-complex build over processes (docs/distributed.md): each
// neuron's pass asks independent questions about the state before the pass (geometry/
// region_complex.cpp); with a WorkShare, question i is answered by rank i % ranks(), the
// answers travel as bytes (core/byte_stream.hpp) through allgather(), and every rank applies
// all of them in question order, so every rank ends with the same complex as one process would.
//
// No MPI here: geometry and analysis see only this interface; distributed/ implements it over
// MPI_COMM_WORLD, the tests over threads. Every method marked "collective" must be called by
// every rank, in the same order, or the ranks wait for each other forever.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace relucert {

class WorkShare {
 public:
  virtual ~WorkShare() = default;
  virtual unsigned rank() const = 0;
  virtual unsigned ranks() const = 0;

  // Round robin: consecutive questions (cells, pairs in order) differ most in cost at the ends of
  // the cell vector, where the newest cells are, so blocks of consecutive ones would not balance.
  bool owns(std::size_t question) const { return question % ranks() == rank(); }

  // Collective: every rank's bytes, indexed by rank (this rank's own included).
  std::vector<std::string> allgather(const std::string& mine) {
    ++stats.collectives;
    stats.bytes_sent += mine.size();
    std::vector<std::string> all = do_allgather(mine);
    for (std::size_t r = 0; r < all.size(); ++r)
      if (r != rank()) stats.bytes_received += all[r].size();
    return all;
  }
  // Collective: the largest / the smallest of every rank's value.
  std::uint64_t max_of(std::uint64_t local) {
    ++stats.collectives;
    return do_max_of(local);
  }
  std::uint64_t min_of(std::uint64_t local) {
    ++stats.collectives;
    return do_min_of(local);
  }

  // What this rank did, for reports (relucert-mpi --mpi-stats, bench/mpi.sh); never part of a
  // verdict. Summed over every build of the run (the verdict's, the certificate's).
  struct Stats {
    unsigned long long collectives = 0;
    unsigned long long bytes_sent = 0, bytes_received = 0;
    unsigned long long questions = 0;           // dealt, over all ranks
    unsigned long long questions_answered = 0;  // by this rank
    // CPU seconds of the building thread (core/cpu_time.hpp; with --threads > 1 the helper
    // threads' time is not in it): the whole build, and its parts spent answering this rank's
    // questions, in the exchanges, and reading the other ranks' answers. The rest of build_cpu
    // is the work every rank repeats.
    double build_cpu = 0, answering_cpu = 0, exchanging_cpu = 0, decoding_cpu = 0;
    double exchanging_wall = 0;  // wall seconds in the exchanges, waiting for other ranks included
  } stats;

 protected:
  virtual std::vector<std::string> do_allgather(const std::string& mine) = 0;
  virtual std::uint64_t do_max_of(std::uint64_t local) = 0;
  virtual std::uint64_t do_min_of(std::uint64_t local) = 0;
};

}  // namespace relucert
