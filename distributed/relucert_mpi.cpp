// relucert-mpi check NET [options of relucert check]: the same verdict, counts, witness and
// certificate as `relucert check`, with the jump test split over the ranks of mpirun
// (docs/distributed.md). Rank 0 alone prints and writes files; the other ranks are silent.
#include <mpi.h>

#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"
#include "distributed/mpi_part_dealer.hpp"
#include "distributed/mpi_partition.hpp"

using namespace relucert;

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int code = cli::kExitUnknown;
  {
    distributed::MpiPartition partition;
    distributed::MpiPartDealer dealer;
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] != "check") {
      if (partition.rank() == 0)
        std::cerr << "usage: mpirun -np N relucert-mpi check NET [options of relucert check]\n";
      MPI_Finalize();
      return cli::kExitInputError;
    }
    words.erase(words.begin());
    if (partition.rank() != 0) {
      // Silent workers: no output, no files (rank 0 writes the certificate).
      for (std::size_t i = 0; i < words.size(); ++i)
        if (words[i] == "--certificate" && i + 1 < words.size()) {
          words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i) + 2);
          break;
        }
      std::cout.setstate(std::ios::badbit);
    }
    cli::set_check_partition(&partition);
    cli::set_check_dealer(&dealer);
    try {
      code = cli::run_check(words);
    } catch (const InputError& e) {
      if (partition.rank() == 0) std::cerr << "relucert-mpi: error: " << e.what() << "\n";
      code = cli::kExitInputError;
    } catch (const std::bad_alloc&) {
      std::cerr << "relucert-mpi: rank " << partition.rank() << ": out of memory; verdict unknown\n";
      MPI_Abort(MPI_COMM_WORLD, cli::kExitUnknown);
    } catch (const std::exception& e) {
      std::cerr << "relucert-mpi: rank " << partition.rank() << ": internal error: " << e.what() << "; verdict unknown\n";
      MPI_Abort(MPI_COMM_WORLD, cli::kExitUnknown);
    }
    cli::set_check_partition(nullptr);
    cli::set_check_dealer(nullptr);
    // With the streamed check only rank 0 knows the verdict: every rank ends with its exit code.
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  return code;
}
