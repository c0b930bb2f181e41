#include "geometry/approx_vertices.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace relucert {

namespace {

constexpr std::size_t D = Halfspace::kApproxDim;
using Label = std::array<std::uint32_t, D>;  // a vertex's rows, increasing (d of them)

// The row divided by its largest normal entry (tolerances are then relative to the row).
bool normalised(const Halfspace& row, std::size_t d, double* a, double* b) {
  if (row.approx_dim() != d) return false;
  double s = 0;
  for (std::size_t j = 0; j < d; ++j) s = std::max(s, std::fabs(row.approx_a()[j]));
  if (!(s > 0) || !std::isfinite(s) || !std::isfinite(row.approx_b())) return false;
  for (std::size_t j = 0; j < d; ++j) a[j] = row.approx_a()[j] / s;
  *b = row.approx_b() / s;
  return true;
}

void push_vertex(ApproxVertices* side, const double* x, const std::uint32_t* rows, std::size_t d) {
  side->coords.insert(side->coords.end(), x, x + d);
  side->rows.insert(side->rows.end(), rows, rows + d);
}

// The split of V by {a.x <= b} (normalised): the row's side into neg, the other into pos (either
// may be null: not wanted). A vertex within rounding of the hyperplane goes to both sides with
// its rows (a degenerate vertex: d + 1 hyperplanes through it). An edge is a pair of vertices
// whose rows share d - 1 (one per such (d-1)-subset in a simple polytope): the subsets are
// sorted, so the edges that cross come from runs of equal keys, in O(V d log(V d)).
// False when a side would have more than max_vertices vertices.
bool clip_by(const ApproxVertices& V, const double* a, double b, std::uint32_t new_row, ApproxVertices* neg,
             ApproxVertices* pos, std::size_t max_vertices) {
  const std::size_t d = V.dim, n = V.size();
  static thread_local std::vector<double> h;
  static thread_local std::vector<signed char> side;  // -1 the row's side, +1 the other, 0 on it
  h.resize(n);
  side.resize(n);
  for (std::size_t v = 0; v < n; ++v) {
    double t = -b, scale = std::fabs(b);
    for (std::size_t j = 0; j < d; ++j) {
      const double p = a[j] * V.coords[v * d + j];
      t += p;
      scale += std::fabs(p);
    }
    if (!std::isfinite(t)) return false;
    h[v] = t;
    side[v] = std::fabs(t) <= 1e-9 * (1 + scale) ? 0 : t < 0 ? -1 : 1;
  }
  for (ApproxVertices* out : {neg, pos})
    if (out) {
      out->dim = d;
      out->coords.clear();
      out->rows.clear();
    }
  for (std::size_t v = 0; v < n; ++v) {
    if (neg && side[v] <= 0) push_vertex(neg, &V.coords[v * d], &V.rows[v * d], d);
    if (pos && side[v] >= 0) push_vertex(pos, &V.coords[v * d], &V.rows[v * d], d);
  }
  // Keys: (the vertex's rows without its i-th, vertex). The strict side with fewer vertices
  // has its keys sorted; each key of the other side's vertices is looked up there.
  struct Key {
    Label rows;
    std::uint32_t vertex;
  };
  std::size_t n_neg = 0, n_pos = 0;
  for (std::size_t v = 0; v < n; ++v) n_neg += side[v] < 0, n_pos += side[v] > 0;
  const signed char small = n_neg <= n_pos ? -1 : 1;
  const auto key_of = [&](std::size_t v, std::size_t i) {
    Key k{};
    for (std::size_t j = 0, t = 0; j < d; ++j)
      if (j != i) k.rows[t++] = V.rows[v * d + j];
    k.vertex = static_cast<std::uint32_t>(v);
    return k;
  };
  const auto less = [d](const Key& x, const Key& y) {
    for (std::size_t j = 0; j + 1 < d; ++j)
      if (x.rows[j] != y.rows[j]) return x.rows[j] < y.rows[j];
    return false;
  };
  static thread_local std::vector<Key> keys;
  keys.clear();
  for (std::size_t v = 0; v < n; ++v)
    if (side[v] == small)
      for (std::size_t i = 0; i < d; ++i) keys.push_back(key_of(v, i));
  std::sort(keys.begin(), keys.end(), less);
  // The rows of the small side's vertices: a vertex of the other side shares d - 1 rows with a
  // neighbour there, hence has d - 1 rows in this set (most have fewer: no lookups).
  static thread_local std::vector<std::uint32_t> small_rows;
  small_rows.clear();
  for (std::size_t v = 0; v < n; ++v)
    if (side[v] == small) small_rows.insert(small_rows.end(), V.rows.begin() + static_cast<std::ptrdiff_t>(v * d),
                                            V.rows.begin() + static_cast<std::ptrdiff_t>(v * d + d));
  std::sort(small_rows.begin(), small_rows.end());
  small_rows.erase(std::unique(small_rows.begin(), small_rows.end()), small_rows.end());
  double x[D];
  Label label{};
  for (std::size_t v = 0; v < n; ++v) {
    if (side[v] != -small) continue;
    std::size_t shared = 0;
    for (std::size_t j = 0; j < d; ++j) shared += std::binary_search(small_rows.begin(), small_rows.end(), V.rows[v * d + j]);
    if (shared + 1 < d) continue;
    for (std::size_t i = 0; i < d; ++i) {
      const Key k = key_of(v, i);
      for (auto it = std::lower_bound(keys.begin(), keys.end(), k, less); it != keys.end() && !less(k, *it); ++it) {
        const std::uint32_t u = it->vertex;
        const double t = h[u] / (h[u] - h[v]);
        for (std::size_t j = 0; j < d; ++j) x[j] = V.coords[u * d + j] + t * (V.coords[v * d + j] - V.coords[u * d + j]);
        // The d - 1 shared rows and new_row, increasing (new_row may be below a virtual row).
        std::size_t c = 0;
        bool placed = false;
        for (std::size_t j = 0; j + 1 < d; ++j) {
          if (!placed && new_row < k.rows[j]) label[c++] = new_row, placed = true;
          label[c++] = k.rows[j];
        }
        if (!placed) label[c++] = new_row;
        if (neg) push_vertex(neg, x, label.data(), d);
        if (pos) push_vertex(pos, x, label.data(), d);
      }
    }
    if ((neg && neg->size() > max_vertices) || (pos && pos->size() > max_vertices)) return false;
  }
  return (!neg || neg->size() <= max_vertices) && (!pos || pos->size() <= max_vertices);
}

}  // namespace

ApproxVertices approx_vertices(const std::vector<Halfspace>& rows, std::size_t dim, std::size_t max_vertices) {
  ApproxVertices none;
  none.dim = dim;
  const std::size_t m = rows.size();
  if (dim == 0 || dim > D || m > kVirtualRow) return none;
  std::vector<double> a(m * dim), b(m);
  double reach = 1;  // how far the rows' hyperplanes are from 0: the virtual box is far beyond
  for (std::size_t i = 0; i < m; ++i) {
    if (!normalised(rows[i], dim, &a[i * dim], &b[i])) return none;
    reach = std::max(reach, std::fabs(b[i]));
  }
  // A box [-M, M]^d around everything (its 2^d vertices, on virtual rows kVirtualRow + 2j for
  // x_j = -M and + 2j + 1 for x_j = M), cut by every row in turn; a vertex left on a virtual row
  // means the polytope reaches the box (unbounded, or M too small): no guide.
  const double M = 1e6 * reach;
  ApproxVertices V;
  V.dim = dim;
  std::vector<double> x(dim);
  std::vector<std::uint32_t> label(dim);
  for (std::size_t corner = 0; corner < (std::size_t{1} << dim); ++corner) {
    for (std::size_t j = 0; j < dim; ++j) {
      const bool up = (corner >> j) & 1;
      x[j] = up ? M : -M;
      label[j] = static_cast<std::uint32_t>(kVirtualRow + 2 * j + (up ? 1 : 0));
    }
    push_vertex(&V, x.data(), label.data(), dim);
  }
  ApproxVertices next;
  for (std::size_t i = 0; i < m; ++i) {
    if (!clip_by(V, &a[i * dim], b[i], static_cast<std::uint32_t>(i), &next, nullptr, max_vertices) || next.empty()) return none;
    std::swap(V, next);
  }
  for (std::uint32_t r : V.rows)
    if (r >= kVirtualRow) return none;
  return V;
}

bool clip_vertices(const ApproxVertices& V, const Halfspace& row, std::uint32_t new_row, ApproxVertices* neg, ApproxVertices* pos,
                   std::size_t max_vertices) {
  const std::size_t d = V.dim;
  double a[D], b;
  if (V.empty() || !normalised(row, d, a, &b)) return false;
  return clip_by(V, a, b, new_row, neg, pos, max_vertices);
}

std::vector<double> vertex_mean(const ApproxVertices& V) {
  std::vector<double> m(V.dim, 0.0);
  const std::size_t n = V.size();
  for (std::size_t v = 0; v < n; ++v)
    for (std::size_t j = 0; j < V.dim; ++j) m[j] += V.coords[v * V.dim + j];
  for (double& x : m) x /= static_cast<double>(n ? n : 1);
  return m;
}

bool renumber_rows(ApproxVertices& V, const std::vector<char>& keep) {
  std::vector<std::uint32_t> to(keep.size());
  std::uint32_t next = 0;
  for (std::size_t r = 0; r < keep.size(); ++r) to[r] = keep[r] ? next++ : UINT32_MAX;
  for (std::uint32_t r : V.rows)
    if (r >= keep.size() || to[r] == UINT32_MAX) return false;
  for (std::uint32_t& r : V.rows) r = to[r];
  return true;
}

}  // namespace relucert
