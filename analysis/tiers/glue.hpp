#pragma once
// Gluing the parts of branch and bound (issue #14 item 3; docs/certificate.md §10, obligation G).
//
// A part answered by its own region complex sees the boundary of its box as a domain face: a
// facet of f lying on a split plane H = {x_i = t} between two such parts is seen by neither
// complex. So for every split of the part tree whose two sides both hold complex parts, the walk
// of O7 runs across H between the two sides: the pair (lower side, upper side) is refined node
// by node (part-tree nodes, then the split-tree nodes of a part's complex) until it is either cut
// off by Motzkin multipliers (the two nodes do not meet H in dimension d-1) or reaches two cells
// A, B, whose jump g_B - g_A = lambda e_i must have lambda >= 0. A pair with g_B - g_A not
// parallel to e_i cannot be adjacent (f is continuous, so two affine pieces that agree on a
// (d-1)-dimensional piece of H differ by a multiple of e_i); it needs no LP, only a record
// "apart". Only a negative jump needs the exact overlap test, and then it is either pruned or a
// witness. Parts proved by bounded path-lifting need no gluing (branch_and_bound.hpp): the walk
// stops at any node with no complex part below it.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/certificate.hpp"
#include "core/domain.hpp"

namespace relucert::tiers {

// A node of the part tree, in preorder (its index is its id in the certificate).
struct PartNode {
  enum class Kind { Split, PathLift, Complex };
  Domain part;
  Kind kind = Kind::Split;
  std::size_t axis = 0;  // Split: the plane x_axis = value; lower = [lo, value], upper = [value, hi]
  Rational value;
  std::size_t lower = 0, upper = 0;
  std::string pathlift;   // PathLift: the neuron lines of docs/certificate.md §9
  std::size_t complex = 0;  // Complex: index into the part complexes
  bool has_complex = false;  // some Complex leaf in this subtree
};

struct GlueResult {
  std::string records;  // the "glue-..." lines of the certificate
  std::size_t jumps = 0, aparts = 0, prunes = 0;
  // A negative jump across a (d-1)-dimensional piece: a relative-interior point q of the piece
  // on the plane x_axis = t and the axis (e_axis points into the side with the smaller slope).
  std::optional<Vector> violation_point;
  std::size_t violation_axis = 0;
  bool out_of_time = false;  // the deadline passed: no records, no verdict
};

// The glue records of every split, or the first violation. `complexes` are complete. The walk
// asks an LP per pair of nodes, so it checks `deadline` (when set) between pairs.
GlueResult glue_parts(const std::vector<PartNode>& tree, const std::vector<std::unique_ptr<RecordedComplex>>& complexes,
                      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

// "7" for part-tree node 7, "7.3" for node 3 of the complex of part 7 (docs/certificate.md §10).
std::string glue_ref(std::size_t part, std::optional<std::size_t> node);

}  // namespace relucert::tiers
