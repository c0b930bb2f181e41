// bench/memory_breakdown NET [--box LO:HI,...] [--max-cells N]: where the memory of a region
// complex goes (issue #13 item 1; docs/distributed.md "Where the memory goes"). Builds the
// complex with one thread and counts, per kind of data, the bytes of the C++ objects, of the GMP
// limbs, and the number of heap blocks (each costs allocator overhead on top), next to the
// process's resident and peak memory. The pre-activation maps are freed when the build ends, so
// they show up only in the difference between the peak and the final resident memory.
#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/memory_usage.hpp"
#include "core/network_loader.hpp"
#include "geometry/region_complex.hpp"

using namespace relucert;

namespace {

struct Tally {
  double objects = 0, limbs = 0, blocks = 0;
  void mpz(mpz_srcptr z) {
    if (z->_mp_alloc > 0) {
      limbs += static_cast<double>(z->_mp_alloc) * sizeof(mp_limb_t);
      blocks += 1;
    }
  }
  void vec_heap(std::size_t capacity, std::size_t elem) {
    if (capacity) {
      objects += static_cast<double>(capacity * elem);
      blocks += 1;
    }
  }
  void rationals(const Vector& v) {
    vec_heap(v.capacity(), sizeof(Rational));
    for (const Rational& q : v) {
      mpz(q.get_num_mpz_t());
      mpz(q.get_den_mpz_t());
    }
  }
  // A row's data is shared by its copies (geometry/halfspace.hpp): counted once, by the first
  // copy met (the object itself is counted by its container). The shared block: the control
  // block of make_shared (16 bytes), the normal's vector, the bound and the doubles beside them.
  std::unordered_set<const void*>* seen = nullptr;
  void halfspace_heap(const Halfspace& h) {
    if (seen && !seen->insert(&h.a()).second) return;
    objects += 16 + sizeof(std::vector<Integer>) + sizeof(Integer) + (Halfspace::kApproxDim + 2) * sizeof(double);
    blocks += 1;
    vec_heap(h.a().capacity(), sizeof(Integer));
    for (const Integer& z : h.a()) mpz(z.get_mpz_t());
    mpz(h.b().get_mpz_t());
  }
};

void row(const char* what, const Tally& t, std::size_t n) {
  const double total = t.objects + t.limbs;
  std::printf("| %s | %.0f | %.0f | %.0f | %.2f M | %.0f |\n", what, t.objects / 1048576, t.limbs / 1048576, total / 1048576,
              t.blocks / 1e6, n ? total / static_cast<double>(n) : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: memory_breakdown NET [--box LO:HI,...] [--max-cells N]\n";
    return 2;
  }
  const Network net = load_network_any(argv[1]).net;
  Domain dom = Domain::whole_space(net.input_dim());
  BuildLimits lim;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--max-cells") lim.max_cells = std::stoul(v);
    if (a == "--box") {
      Vector lo, hi;
      std::size_t p = 0;
      while (p <= v.size()) {
        const std::size_t e = v.find(',', p) == std::string::npos ? v.size() : v.find(',', p);
        const std::string part = v.substr(p, e - p);
        lo.push_back(*parse_rational(part.substr(0, part.find(':'))));
        hi.push_back(*parse_rational(part.substr(part.find(':') + 1)));
        p = e + 1;
      }
      dom = Domain::box(lo, hi);
    }
  }
  const RegionComplex cx = build_region_complex(net, dom, lim);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const double peak_mb = static_cast<double>(u.ru_maxrss) / 1024, now_mb = static_cast<double>(resident_memory_bytes()) / 1048576;

  Tally cells, rows, points, patterns, pieces, lists, pairs, facets, facet_points;
  std::unordered_set<const void*> seen_rows;  // shared row data, counted where first met
  rows.seen = facets.seen = &seen_rows;
  std::size_t n_rows = 0;
  cells.vec_heap(cx.cells.capacity(), sizeof(Cell));
  for (const Cell& c : cx.cells) {
    rows.vec_heap(c.rows.capacity(), sizeof(Halfspace));
    for (const Halfspace& h : c.rows) rows.halfspace_heap(h);
    n_rows += c.rows.size();
    points.rationals(c.point);
    patterns.vec_heap(c.pattern.capacity(), sizeof(Sign));
    pieces.rationals(c.gradient);
    pieces.mpz(c.offset.get_num_mpz_t());
    pieces.mpz(c.offset.get_den_mpz_t());
    lists.vec_heap(c.adjacencies.capacity(), sizeof(std::size_t));
  }
  pairs.vec_heap(cx.adjacencies.capacity(), sizeof(Adjacency));
  for (const Adjacency& a : cx.adjacencies) {
    facets.halfspace_heap(a.facet);
    facet_points.rationals(a.point);
  }
  std::printf("%s: %zu cells (%s), %zu pairs, %zu rows (%.1f per cell), d = %zu\n\n", argv[1], cx.cells.size(),
              limit_reason(cx.status), cx.adjacencies.size(), n_rows, static_cast<double>(n_rows) / cx.cells.size(), cx.dim);
  std::printf("| part | objects MB | GMP limbs MB | total MB | heap blocks | bytes per item |\n|---|---|---|---|---|---|\n");
  row("Cell objects (sizeof(Cell) each)", cells, cx.cells.size());
  row("cell rows (Halfspace: origin + shared normal, bound, doubles)", rows, n_rows);
  row("cell interior points", points, cx.cells.size());
  row("activation patterns", patterns, cx.cells.size());
  row("affine pieces (gradient, offset)", pieces, cx.cells.size());
  row("adjacency lists of cells", lists, cx.cells.size());
  row("Adjacency objects (facet row inline)", pairs, cx.adjacencies.size());
  row("pair facets not shared with a cell row", facets, cx.adjacencies.size());
  row("pair facet points", facet_points, cx.adjacencies.size());
  Tally all;
  for (const Tally* t : {&cells, &rows, &points, &patterns, &pieces, &lists, &pairs, &facets, &facet_points}) {
    all.objects += t->objects;
    all.limbs += t->limbs;
    all.blocks += t->blocks;
  }
  row("**all of the final complex**", all, cx.cells.size());
  std::printf("\nresident now %.0f MB, peak %.0f MB; heap blocks cost allocator overhead on top of the bytes counted "
              "(about 8-16 bytes each); the peak also holds the pre-activation maps, freed at the end.\n",
              now_mb, peak_mb);
  return 0;
}
