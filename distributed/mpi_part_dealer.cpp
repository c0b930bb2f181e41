#include "distributed/mpi_part_dealer.hpp"

#include <mpi.h>

#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace relucert::distributed {

namespace {

constexpr int kTagPart = 11, kTagDone = 12, kTagStop = 13, kTagEnd = 14;

void send_bytes(const std::string& bytes, int to, int tag) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("relucert-mpi: a part's result exceeds 2 GB");
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

// The next message from `from` (any tag), its bytes and tag. Waits politely: Open MPI's blocking
// probe spins at full speed, which takes a core from the ranks still computing (rank 0 waits for
// each part in turn, the others wait for the end).
std::string receive_bytes(int from, int* tag) {
  MPI_Status st;
  for (int ready = 0;;) {
    MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &ready, &st);
    if (ready) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  int count = 0;
  MPI_Get_count(&st, MPI_CHAR, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_CHAR, from, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  *tag = st.MPI_TAG;
  return bytes;
}

}  // namespace

MpiPartDealer::MpiPartDealer() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

bool MpiPartDealer::deal(std::size_t n, const std::function<std::string(std::size_t)>& compute,
                         const std::function<bool(std::size_t, std::string&&)>& merge) {
  bytes_ = parts_here_ = 0;
  const std::size_t N = static_cast<std::size_t>(size_), r = static_cast<std::size_t>(rank_);
  if (rank_ != 0) {
    // Fault injection for the tests (undocumented on purpose): RELUCERT_MPI_KILL_AT_PART=i makes
    // the rank that owns part i kill itself with SIGKILL just before computing it, mid-run.
    const char* kill_at = std::getenv("RELUCERT_MPI_KILL_AT_PART");
    for (std::size_t i = r; i < n; i += N) {
      if (kill_at && std::to_string(i) == kill_at) std::raise(SIGKILL);
      int stop = 0;
      MPI_Iprobe(0, kTagStop, MPI_COMM_WORLD, &stop, MPI_STATUS_IGNORE);
      if (stop) break;
      const std::string bytes = compute(i);
      ++parts_here_;
      bytes_ += bytes.size();
      send_bytes(bytes, 0, kTagPart);
    }
    send_bytes("", 0, kTagDone);
    // Until rank 0 says the deal is over: a stop it sent may still be on its way (one sender's
    // messages arrive in order, so the end comes last).
    int tag = 0;
    do (void)receive_bytes(0, &tag);
    while (tag != kTagEnd);
    return false;
  }
  bool stopped = false;
  for (std::size_t i = 0; i < n && !stopped; ++i) {
    std::string bytes;
    const int owner = static_cast<int>(i % N);
    if (owner == 0) {
      bytes = compute(i);
      ++parts_here_;
    } else {
      int tag = 0;
      bytes = receive_bytes(owner, &tag);
      if (tag != kTagPart) throw std::logic_error("relucert-mpi: a rank ended before sending its parts");
      bytes_ += bytes.size();
    }
    stopped = !merge(i, std::move(bytes));
  }
  // Every other rank ends with a done message: after the last part, or at once when stopped.
  std::vector<MPI_Request> stops;
  if (stopped)
    for (int k = 1; k < size_; ++k) {
      stops.emplace_back();
      MPI_Isend(nullptr, 0, MPI_CHAR, k, kTagStop, MPI_COMM_WORLD, &stops.back());
    }
  for (int k = 1; k < size_; ++k) {
    int tag = 0;
    do (void)receive_bytes(k, &tag);
    while (tag != kTagDone);
  }
  for (int k = 1; k < size_; ++k) send_bytes("", k, kTagEnd);
  if (!stops.empty()) MPI_Waitall(static_cast<int>(stops.size()), stops.data(), MPI_STATUSES_IGNORE);
  return true;
}

void MpiPartDealer::share(std::string& bytes) {
  unsigned long long n = bytes.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (n > static_cast<unsigned long long>(INT_MAX)) throw std::runtime_error("relucert-mpi: the result exceeds 2 GB");
  bytes.resize(static_cast<std::size_t>(n));
  MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

}  // namespace relucert::distributed
