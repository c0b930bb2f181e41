#pragma once
// The vertices of a polytope {x : a_i.x <= b_i}, in double, each with the d rows it lies on: a
// guide for exact certificates, never an answer. A question "does z keep one sign on the cell?"
// is an LP whose optimum is a vertex; with the vertices at hand the optimum's rows are a guess
// found by d flops per vertex instead of a simplex, and the exact Motzkin check on those rows
// (strict_side_empty_by_certificate) decides. A wrong or missing vertex (near-degenerate cells,
// rounding, an unbounded cell) only costs the fallback to the LP: nothing here is trusted.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "geometry/halfspace.hpp"

namespace relucert {

struct ApproxVertices {
  std::size_t dim = 0;
  std::vector<double> coords;        // vertex v: coords[v*dim .. v*dim+dim)
  std::vector<std::uint32_t> rows;   // its rows (indices into the polytope's rows): rows[v*dim ..)

  std::size_t size() const { return dim ? coords.size() / dim : 0; }
  bool empty() const { return coords.empty(); }
};

// Row indices from here on are the virtual faces of approx_vertices' starting box.
constexpr std::uint32_t kVirtualRow = 0x80000000u;

// The vertices of the polytope, found by cutting a box far around it by each row in turn
// (clip_vertices): nothing (empty) when the polytope is unbounded, when dim exceeds
// Halfspace::kApproxDim, when a row has no finite approximation or when some cut has more than
// max_vertices vertices.
ApproxVertices approx_vertices(const std::vector<Halfspace>& rows, std::size_t dim, std::size_t max_vertices);

// The vertices of the two sides of a split of P (vertices V) by the hyperplane of `row`: those of
// P ∩ {row} (neg) and of P ∩ {flipped row} (pos), each a new row of index new_row in both. A
// vertex of P on one side strictly stays there; an edge of P (two vertices sharing d - 1 rows)
// whose ends are on opposite sides gives the point where it crosses, on its d - 1 rows and
// new_row; a vertex within rounding of the hyperplane goes to both sides. Either side may be
// null (not wanted). False when a side has more than max_vertices vertices or a value is not
// finite: the sides then go without a guide.
bool clip_vertices(const ApproxVertices& V, const Halfspace& row, std::uint32_t new_row, ApproxVertices* neg, ApproxVertices* pos,
                   std::size_t max_vertices);

// The mean of the vertices: a point inside the polytope when they are its vertices.
std::vector<double> vertex_mean(const ApproxVertices& V);

// Renumbers the rows after a removal (keep[r] = 0: row r is gone, the others close up in order).
// False, with V left as it was, when a vertex is on a removed row.
bool renumber_rows(ApproxVertices& V, const std::vector<char>& keep);

}  // namespace relucert
