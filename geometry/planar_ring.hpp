#pragma once
// The boundary of one cell of the planar builder (geometry/planar_complex.cpp): its vertices
// v_0 .. v_{n-1} and edges e_0 .. e_{n-1} (e_i from v_i to v_{i+1}, cyclically), in one
// allocation with room for a few insertions.
//
// Why not two std::vector<int>: at [512, 512] the builder holds half a million cells, and
// two vectors cost 48 bytes in the cell plus two heap blocks (the capacity doubling leaves
// them 80% larger than their contents on average). On this VM memory touched for the first
// time can cost about 2.6 ms per MB (the kernel zeroes it; docs/engine.md, "Memory per cell"),
// more than the arithmetic of a cell; one block of 2 x capacity ints and a 16-byte handle
// halve what a boundary takes.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>

namespace relucert::planar {

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  Ring(Ring&& o) noexcept : p_(std::move(o.p_)), n_(o.n_), cap_(o.cap_) { o.n_ = o.cap_ = 0; }
  Ring& operator=(Ring&& o) noexcept {
    p_ = std::move(o.p_);
    n_ = o.n_;
    cap_ = o.cap_;
    o.n_ = o.cap_ = 0;
    return *this;
  }

  std::size_t size() const { return n_; }
  std::span<int> verts() { return {p_.get(), n_}; }
  std::span<int> edges() { return {p_.get() + cap_, n_}; }
  std::span<const int> verts() const { return {p_.get(), n_}; }
  std::span<const int> edges() const { return {p_.get() + cap_, n_}; }

  // Makes the ring (v, e), same lengths; keeps the block when it is large enough.
  void assign(std::span<const int> v, std::span<const int> e) {
    if (v.size() != e.size()) throw std::logic_error("planar: a ring's vertex and edge lists differ in length");
    if (v.size() > cap_) reserve_fresh(v.size());
    n_ = static_cast<std::uint32_t>(v.size());
    std::memcpy(p_.get(), v.data(), v.size() * sizeof(int));
    std::memcpy(p_.get() + cap_, e.data(), e.size() * sizeof(int));
  }

  // Inserts vertex v at position i of the vertices and edge e at position i of the edges.
  void insert(std::size_t i, int v, int e) {
    if (n_ == cap_) grow();
    int* vs = p_.get();
    int* es = p_.get() + cap_;
    std::memmove(vs + i + 1, vs + i, (n_ - i) * sizeof(int));
    std::memmove(es + i + 1, es + i, (n_ - i) * sizeof(int));
    vs[i] = v;
    es[i] = e;
    ++n_;
  }

 private:
  // Two spare places: a cell gains a vertex for each neighbour's split of a shared edge.
  static std::uint32_t capacity_for(std::size_t n) { return static_cast<std::uint32_t>(n + 2); }
  void reserve_fresh(std::size_t n) {
    cap_ = capacity_for(n);
    p_ = std::make_unique_for_overwrite<int[]>(2 * std::size_t{cap_});
  }
  void grow() {
    const std::uint32_t cap = capacity_for(n_);
    auto q = std::make_unique_for_overwrite<int[]>(2 * std::size_t{cap});
    std::memcpy(q.get(), p_.get(), n_ * sizeof(int));
    std::memcpy(q.get() + cap, p_.get() + cap_, n_ * sizeof(int));
    p_ = std::move(q);
    cap_ = cap;
  }

  std::unique_ptr<int[]> p_;
  std::uint32_t n_ = 0, cap_ = 0;
};

}  // namespace relucert::planar
