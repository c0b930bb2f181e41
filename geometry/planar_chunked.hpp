#pragma once
// A growing array in fixed-size chunks, for the planar builder's cells, vertices, edges and
// lines (geometry/planar_complex.cpp): indices and references stay valid as it grows, and
// growing never moves what is there. Why: at [512, 512] the builder holds half a million cells
// and a million edges; a std::vector doubling its buffer copies them all and touches a new
// buffer twice their size (measured: 3% of the build in the reallocation and ~10% in page
// faults overall; the edges' 42 MB buffer alone took 5,000 small-page faults).
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace relucert::planar {

template <class T, std::size_t kShift = 12>
class ChunkedVector {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i >> kShift][i & kMask]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kShift][i & kMask]; }
  T& back() { return (*this)[size_ - 1]; }
  void push_back(T v) {
    if ((size_ >> kShift) == chunks_.size()) chunks_.push_back(std::make_unique<T[]>(kChunk));
    (*this)[size_] = std::move(v);
    ++size_;
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << kShift, kMask = kChunk - 1;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace relucert::planar
