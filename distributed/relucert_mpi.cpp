// relucert-mpi check NET [options of relucert check] [--mpi-stats]: the same verdict, counts,
// witness and certificate as `relucert check`, with the region complex built by all ranks of
// mpirun together and the jump test split over them (docs/distributed.md). Rank 0 alone prints
// and writes files; the other ranks are silent.
#include <mpi.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/byte_stream.hpp"
#include "core/input_error.hpp"
#include "distributed/mpi_part_dealer.hpp"
#include "distributed/mpi_work_share.hpp"

using namespace relucert;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// --mpi-stats: one line per rank on rank 0's stderr, "key=value" words for bench/mpi.sh. A
// collective (every rank got the same words), after the check; never part of the verdict.
void print_stats(distributed::MpiWorkShare& share, const distributed::MpiPartDealer& dealer, double wall) {
  const WorkShare::Stats st = share.stats;  // before this exchange adds to it
  std::string mine;
  ByteWriter w(mine);
  for (unsigned long long v : {st.collectives, st.bytes_sent, st.bytes_received, st.questions, st.questions_answered}) w.varint(v);
  w.varint(dealer.parts_here());
  w.varint(dealer.bytes_moved());
  for (double v : {cpu_seconds(), wall, st.build_cpu, st.answering_cpu, st.exchanging_cpu, st.decoding_cpu, st.exchanging_wall,
                   dealer.compute_cpu(), dealer.merge_cpu()})
    w.varint(static_cast<std::uint64_t>(v * 1e6));
  const std::vector<std::string> all = share.allgather(mine);
  if (share.rank() != 0) return;
  for (unsigned r = 0; r < all.size(); ++r) {
    ByteReader rd(all[r]);
    unsigned long long v[16];
    for (auto& x : v) x = rd.varint();
    auto s = [&](int i) { return static_cast<double>(v[i]) * 1e-6; };
    // stream_parts / stream_bytes: the streamed check's parts computed here and the bytes of part
    // results this rank sent (rank 0: received), when the streamed check ran.
    // cpu_s: the whole process (user + sys); build_cpu_s and its parts: the building thread;
    // stream_compute_cpu_s / stream_merge_cpu_s: this thread computing parts / merging them.
    std::fprintf(stderr,
                 "relucert-mpi-stats rank=%u collectives=%llu bytes_sent=%llu bytes_received=%llu questions=%llu answered=%llu "
                 "cpu_s=%.3f wall_s=%.3f build_cpu_s=%.3f answering_cpu_s=%.3f exchanging_cpu_s=%.3f decoding_cpu_s=%.3f "
                 "exchanging_wall_s=%.3f stream_parts=%llu stream_bytes=%llu stream_compute_cpu_s=%.3f stream_merge_cpu_s=%.3f\n",
                 r, v[0], v[1], v[2], v[3], v[4], s(7), s(8), s(9), s(10), s(11), s(12), s(13), v[5], v[6], s(14), s(15));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  MPI_Init(&argc, &argv);
  int code = cli::kExitUnknown;
  {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] != "check") {
      if (rank == 0) std::cerr << "usage: mpirun -np N relucert-mpi check NET [options of relucert check] [--mpi-stats]\n";
      MPI_Finalize();
      return cli::kExitInputError;
    }
    words.erase(words.begin());
    bool stats = false;
    for (std::size_t i = 0; i < words.size(); ++i)
      if (words[i] == "--mpi-stats") {
        stats = true;
        words.erase(words.begin() + static_cast<long>(i));
        break;
      }
    // Silent workers: no output (rank 0 prints; run_check writes files on rank 0 only).
    if (rank != 0) std::cout.setstate(std::ios::badbit);
    try {
      distributed::MpiWorkShare share;
      distributed::MpiPartDealer dealer;  // the streamed check's parts (docs/streaming.md)
      cli::set_check_share(&share);
      cli::set_check_dealer(&dealer);
      try {
        code = cli::run_check(words);
      } catch (const InputError& e) {
        // Every rank reads the same input, so every rank fails here alike: no collective waits.
        if (rank == 0) std::cerr << "relucert-mpi: error: " << e.what() << "\n";
        code = cli::kExitInputError;
      }
      cli::set_check_share(nullptr);
      cli::set_check_dealer(nullptr);
      if (stats) print_stats(share, dealer, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } catch (const std::bad_alloc&) {
      std::cerr << "relucert-mpi: rank " << rank << ": out of memory; verdict unknown\n";
      MPI_Abort(MPI_COMM_WORLD, cli::kExitUnknown);
    } catch (const std::exception& e) {
      // Another rank may be waiting in a collective for this one: end them all.
      std::cerr << "relucert-mpi: rank " << rank << ": internal error: " << e.what() << "; verdict unknown\n";
      MPI_Abort(MPI_COMM_WORLD, cli::kExitUnknown);
    }
  }
  MPI_Finalize();
  return code;
}
