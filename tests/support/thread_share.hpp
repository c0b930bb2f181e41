#pragma once
// WorkShare (geometry/work_share.hpp) over threads of one process, for tests: N "ranks" run the
// same collective call on N threads and exchange bytes through shared slots and a barrier, as
// MPI ranks would (distributed/mpi_work_share.*), without mpirun.
#include <algorithm>
#include <barrier>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "geometry/work_share.hpp"

namespace relucert::testing {

class ThreadShareGroup {
 public:
  explicit ThreadShareGroup(unsigned ranks) : ranks_(ranks), barrier_(ranks), slots_(ranks), values_(ranks) {}

  // Runs body(share) once per rank, each on its own thread, and waits for all of them.
  template <class Body>
  void run(Body body);

 private:
  friend class ThreadShare;
  unsigned ranks_;
  std::barrier<> barrier_;
  std::vector<std::string> slots_;
  std::vector<std::uint64_t> values_;
};

class ThreadShare final : public WorkShare {
 public:
  ThreadShare(ThreadShareGroup& g, unsigned rank) : g_(g), rank_(rank) {}
  unsigned rank() const override { return rank_; }
  unsigned ranks() const override { return g_.ranks_; }

 protected:
  std::vector<std::string> do_allgather(const std::string& mine) override {
    g_.slots_[rank_] = mine;
    g_.barrier_.arrive_and_wait();
    std::vector<std::string> all = g_.slots_;
    g_.barrier_.arrive_and_wait();  // nobody writes the next exchange before everyone has read
    return all;
  }
  std::uint64_t do_max_of(std::uint64_t v) override { return reduce(v, [](auto a, auto b) { return std::max(a, b); }); }
  std::uint64_t do_min_of(std::uint64_t v) override { return reduce(v, [](auto a, auto b) { return std::min(a, b); }); }

 private:
  template <class Op>
  std::uint64_t reduce(std::uint64_t v, Op op) {
    g_.values_[rank_] = v;
    g_.barrier_.arrive_and_wait();
    std::uint64_t r = g_.values_[0];
    for (std::uint64_t x : g_.values_) r = op(r, x);
    g_.barrier_.arrive_and_wait();
    return r;
  }
  ThreadShareGroup& g_;
  unsigned rank_;
};

// A rank that throws leaves the barrier (arrive_and_drop), so the others do not wait for it
// forever; the first exception is rethrown here after all threads ended.
template <class Body>
void ThreadShareGroup::run(Body body) {
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(ranks_);
  for (unsigned r = 0; r < ranks_; ++r)
    pool.emplace_back([this, r, &body, &errors] {
      try {
        ThreadShare share(*this, r);
        body(share);
      } catch (...) {
        errors[r] = std::current_exception();
        barrier_.arrive_and_drop();
      }
    });
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace relucert::testing
