#include "distributed/mpi_part_dealer.hpp"

#include "core/cpu_time.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <stdexcept>
#include <thread>
#include <utility>

namespace relucert::distributed {

namespace {

// Rank 0 to a worker: Give (a chunk: first part, count), NoMore (no chunk will follow), Stop (the
// merge stopped early), End (the deal is over). A worker to rank 0: Part (index + result), Done.
constexpr int kTagPart = 11, kTagDone = 12, kTagStop = 13, kTagEnd = 14, kTagGive = 15, kTagNoMore = 16;

void send_bytes(const std::string& bytes, int to, int tag) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("relucert-mpi: a part's result exceeds 2 GB");
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

// Whether a message from `from` (any tag) is waiting; if so, its bytes, tag and source.
bool try_receive(int from, std::string* bytes, int* tag, int* source) {
  MPI_Status st;
  int ready = 0;
  MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &ready, &st);
  if (!ready) return false;
  int count = 0;
  MPI_Get_count(&st, MPI_CHAR, &count);
  bytes->assign(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes->data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  *tag = st.MPI_TAG;
  *source = st.MPI_SOURCE;
  return true;
}

// Waits politely for the next message from `from`: Open MPI's blocking probe spins at full speed,
// which takes a core from the ranks still computing.
std::string receive_bytes(int from, int* tag) {
  std::string bytes;
  for (int source = 0; !try_receive(from, &bytes, tag, &source);)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  return bytes;
}

void pause_politely() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }

std::string encode_index(std::uint64_t i, std::uint64_t j = 0, bool two = false) {
  std::string s(two ? 16 : 8, '\0');
  std::memcpy(s.data(), &i, 8);
  if (two) std::memcpy(s.data() + 8, &j, 8);
  return s;
}

std::uint64_t decode_index(const std::string& s, std::size_t at) {
  if (s.size() < at + 8) throw std::logic_error("relucert-mpi: a part message is too short");
  std::uint64_t i = 0;
  std::memcpy(&i, s.data() + at, 8);
  return i;
}

}  // namespace

MpiPartDealer::MpiPartDealer() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

std::string MpiPartDealer::compute_here(std::size_t i, const std::function<std::string(std::size_t)>& compute) {
  // Fault injection for the tests (undocumented on purpose): RELUCERT_MPI_KILL_AT_PART=i makes
  // the rank that is about to compute part i kill itself with SIGKILL, mid-run.
  static const char* kill_at = std::getenv("RELUCERT_MPI_KILL_AT_PART");
  if (kill_at && std::to_string(i) == kill_at) std::raise(SIGKILL);
  ++parts_here_;
  const double start = thread_cpu_seconds();
  std::string bytes = compute(i);
  compute_cpu_ += thread_cpu_seconds() - start;
  return bytes;
}

bool MpiPartDealer::deal(std::size_t n, const std::function<std::string(std::size_t)>& compute,
                         const std::function<bool(std::size_t, std::string&&)>& merge) {
  bytes_ = parts_here_ = 0;
  compute_cpu_ = merge_cpu_ = 0;
  if (rank_ == 0) return deal_as_root(n, compute, merge);
  deal_as_worker(compute);
  return false;
}

void MpiPartDealer::deal_as_worker(const std::function<std::string(std::size_t)>& compute) {
  // Results go out with MPI_Isend: a result above the eager limit (a few kB) is only delivered
  // when rank 0 posts its receive, between its own parts, and a blocking send would spin until
  // then (measured: 19 s of 30 s CPU on d = 5 [16,16,16], 2 ranks).
  std::deque<std::pair<std::string, MPI_Request>> sending;  // a deque does not move its elements
  auto retire_sent = [&] {
    for (int sent = 1; !sending.empty() && sent;) {
      MPI_Test(&sending.front().second, &sent, MPI_STATUS_IGNORE);
      if (sent) sending.pop_front();
    }
  };
  for (bool over = false; !over;) {
    int tag = 0;
    const std::string msg = receive_bytes(0, &tag);
    if (tag == kTagNoMore || tag == kTagStop) break;
    if (tag != kTagGive) throw std::logic_error("relucert-mpi: unexpected message from rank 0");
    const std::uint64_t first = decode_index(msg, 0), count = decode_index(msg, 8);
    for (std::uint64_t i = first; i < first + count; ++i) {
      int stop = 0;
      MPI_Iprobe(0, kTagStop, MPI_COMM_WORLD, &stop, MPI_STATUS_IGNORE);
      if (stop) { over = true; break; }
      sending.emplace_back(encode_index(i) + compute_here(i, compute), MPI_REQUEST_NULL);
      std::string& bytes = sending.back().first;
      if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("relucert-mpi: a part's result exceeds 2 GB");
      bytes_ += bytes.size();
      MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, 0, kTagPart, MPI_COMM_WORLD, &sending.back().second);
      retire_sent();
    }
  }
  for (retire_sent(); !sending.empty(); retire_sent()) pause_politely();
  send_bytes("", 0, kTagDone);
  // Until rank 0 says the deal is over: a stop, chunks or "no more" it sent may still be on their
  // way (one sender's messages arrive in order, so the end comes last).
  int tag = 0;
  do (void)receive_bytes(0, &tag);
  while (tag != kTagEnd);
}

bool MpiPartDealer::deal_as_root(std::size_t n, const std::function<std::string(std::size_t)>& compute,
                                 const std::function<bool(std::size_t, std::string&&)>& merge) {
  // Chunks of a few parts (parts take milliseconds), up to three per worker in flight so that
  // a worker never waits for rank 0, which reads messages only between its own parts.
  const std::size_t chunk = std::clamp<std::size_t>(n / (static_cast<std::size_t>(size_) * 64), 1, 8);
  std::size_t next_give = 0, next_merge = 0;
  std::vector<std::size_t> in_flight(static_cast<std::size_t>(size_), 0);
  std::map<std::size_t, std::string> results;  // computed, not yet merged
  std::vector<char> done(static_cast<std::size_t>(size_), 0);  // a worker said done (after "no more")
  bool no_more_sent = false, stopped = false;
  auto top_up = [&](int k) {
    while (in_flight[k] <= 2 * chunk && next_give < n) {
      const std::size_t count = std::min(chunk, n - next_give);
      send_bytes(encode_index(next_give, count, true), k, kTagGive);
      in_flight[k] += count;
      next_give += count;
    }
  };
  auto say_no_more = [&] {
    if (next_give < n || no_more_sent) return;
    for (int k = 1; k < size_; ++k) send_bytes("", k, kTagNoMore);
    no_more_sent = true;
  };
  for (int k = 1; k < size_; ++k) top_up(k);
  say_no_more();
  while (!stopped && next_merge < n) {
    bool progressed = false;
    std::string msg;
    for (int tag = 0, k = 0; try_receive(MPI_ANY_SOURCE, &msg, &tag, &k);) {
      if (tag == kTagDone && in_flight[k] == 0 && no_more_sent) {  // nothing was left for it
        done[k] = 1;
        continue;
      }
      if (tag != kTagPart) throw std::logic_error("relucert-mpi: a rank ended before sending its parts");
      bytes_ += msg.size();
      results.emplace(decode_index(msg, 0), msg.substr(8));
      --in_flight[k];
      top_up(k);
      say_no_more();
      progressed = true;
    }
    for (auto it = results.find(next_merge); it != results.end() && !stopped; it = results.find(next_merge)) {
      std::string bytes = std::move(it->second);
      results.erase(it);
      const double start = thread_cpu_seconds();
      stopped = !merge(next_merge, std::move(bytes));
      merge_cpu_ += thread_cpu_seconds() - start;
      ++next_merge;
      progressed = true;
    }
    if (stopped || next_merge >= n) break;
    if (next_give < n) {
      const std::size_t i = next_give++;
      results.emplace(i, compute_here(i, compute));
      say_no_more();
    } else if (!progressed) {
      pause_politely();
    }
  }
  // Every other rank ends with a done message: after its last chunk, or at once when stopped.
  std::vector<MPI_Request> stops;
  if (stopped)
    for (int k = 1; k < size_; ++k) {
      stops.emplace_back();
      MPI_Isend(nullptr, 0, MPI_CHAR, k, kTagStop, MPI_COMM_WORLD, &stops.back());
    }
  for (int k = 1; k < size_; ++k) {
    if (done[k]) continue;
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

bool MpiPartDealer::everywhere(bool mine) {
  int in = mine ? 1 : 0, all = 0;
  MPI_Allreduce(&in, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  return all != 0;
}

}  // namespace relucert::distributed
