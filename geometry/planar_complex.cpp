#include "geometry/planar_complex.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/arithmetic_mode.hpp"
#include "core/memory_usage.hpp"
#include "geometry/int256.hpp"
#include "geometry/planar_box_filter.hpp"
#include "geometry/planar_chunked.hpp"
#include "geometry/planar_maps.hpp"
#include "geometry/planar_compact_rows.hpp"
#include "geometry/planar_hilbert.hpp"
#include "geometry/planar_pattern.hpp"
#include "geometry/planar_radix_sort.hpp"
#include "geometry/planar_ring.hpp"
#include "geometry/work_share.hpp"

namespace relucert {
namespace {

using planar::LayerMaps;
using planar::LayerPlan;
using planar::Map;
using planar::Row;

std::atomic<bool> g_enabled{true};
using Clock = std::chrono::steady_clock;
constexpr int kNone = -1;

// A line of the subdivision: the zero set of a neuron's pre-activation on one group of cells
// (or a box side), exact, with its double approximations for the filter.
struct Line {
  Row exact;
  double a = 0, b = 0, c = 0;
  RowOrigin origin;
  int owner = kNone;  // global ReLU index, or kNone for a box side
};

Line make_line(const Row& r, RowOrigin origin, int owner) {
  return Line{r, r.a.to_double(), r.b.to_double(), r.c.to_double(), origin, owner};
}

// A line as the builder keeps it once an edge lies on it: the filter's doubles and the owner,
// 32 bytes; its exact row is in PlanarBuilder::line_rows_ by the same index (a quarter million
// lines at [512, 512]), and its origin follows from the owner (a neuron's index, or a box side).
struct StoredLine {
  double a = 0, b = 0, c = 0;
  int owner = kNone;
  std::uint32_t domain_side = 0;  // RowOrigin::index of a box side (owner == kNone)
};

// A vertex is the crossing of two lines, kept in homogeneous form (X : Y : W) = l1 x l2,
// computed in double from the lines' approximations, with the magnitudes the error bound
// needs. `tag1`, `tag2` are the neurons whose zero set passes through it by construction.
struct Vertex {
  int l1 = 0, l2 = 0;
  double X = 0, Y = 0, W = 0, mX = 0, mY = 0, mW = 0;
  int sW = 0;  // exact sign of W
  int tag1 = kNone, tag2 = kNone;
};

// Edge from v0 to v1 on `line`; `pos` / `neg` are the cells on the line's positive / negative
// side (kNone: outside the box).
struct Edge {
  int v0, v1, line, pos, neg;
};

// verts[i] -> verts[i+1] is edges[i] (cyclically).
struct Face {
  planar::Ring ring;
  std::span<int> verts() { return ring.verts(); }
  std::span<int> edges() { return ring.edges(); }
  std::span<const int> verts() const { return ring.verts(); }
  std::span<const int> edges() const { return ring.edges(); }
  planar::Pattern pattern;  // (f on the cell is in PlanarBuilder::outs_, by the same index)
  unsigned group = 0;  // walk bookkeeping: the group (serial) the cell belongs to ...
  unsigned stamp = 0;  // ... and the last (group, neuron) step that settled it
  unsigned chain = 0;  // the last step whose line was found to cross it (find_chain)
  unsigned slot = 0;   // its position in the group's list of pieces
};

mpz_class mpz_of(const Int256& v) { return v.to_mpz(); }

// Error bounds of the filter (u = 2^-53). Inputs are converted with relative error at most
// 2.01u (Int256::to_double). Each of the six monomials of a 3x3 determinant expanded along
// the first row passes through 3 conversions and 5 roundings (product and difference in the
// 2x2 minor, product by the first-row entry, two additions), so
//   |D~ - D| <= ((1 + 2.01u)^3 (1 + u)^5 - 1) P <= 11.1u P,  with P the exact sum of |monomials|,
// and the computed P~ (same operations on absolute values) satisfies P <= P~ (1 + 11.2u).
// Hence |D~ - D| < 16u P~ = 2^-49 P~, a product by a power of two (exact). A 2x2 determinant
// has 2 conversions and 2 roundings per monomial: |W~ - W| <= 6.1u mW (1 + 6.2u) < 8u mW~ =
// 2^-50 mW~. Underflow is excluded by requiring P~ >= 2^-900 (each underflowing operation
// loses < 2^-1074), and overflow cannot happen below 2^250 per entry; a non-finite value falls
// back to exact.
constexpr double kDet3 = 0x1p-49, kDet2 = 0x1p-50, kTiny = 0x1p-900;

int certified_sign(double v, double mag, double factor) {
  if (!(mag >= kTiny) || !std::isfinite(mag) || !std::isfinite(v)) return 2;  // undecided
  const double bound = mag * factor;
  if (v > bound) return 1;
  if (v < -bound) return -1;
  return 2;
}

struct Aborted {
  BuildStatus status;
};

class PlanarBuilder {
 public:
  // `keep_patterns`: every cell keeps its activation pattern to the end (to_region_complex
  // reports it); else a cell's pattern is freed once its output map is made (verdict never
  // reads it), and the next cells' patterns reuse the memory.
  PlanarBuilder(const Network& net, const BuildLimits& limits, bool keep_patterns)
      : net_(net), limits_(limits), start_(Clock::now()), keep_patterns_(keep_patterns) {}

  // False when the planar path does not apply (see the header).
  bool prepare(const Domain& dom) {
    if (net_.input_dim() != 2 || !dom.is_box || dom.dim != 2 || net_.output_dim() != 1) return false;
    auto maps = LayerMaps::plan(net_);
    if (!maps) return false;
    maps_ = std::move(*maps);
    // Box sides, each with the box on its negative side; coordinates must be integers after
    // clearing denominators (always true: the scale is the lcm of lo and hi's denominators).
    for (std::size_t i = 0; i < 2; ++i)
      for (const auto* v : {&dom.lo[i], &dom.hi[i]})
        if (mpz_sizeinbase(v->get_num_mpz_t(), 2) > 200 || mpz_sizeinbase(v->get_den_mpz_t(), 2) > 200) return false;
    make_box(dom);
    return true;
  }

  BuildStatus run() {
    try {
      for (std::size_t l = 1; l <= maps_.layer_count(); ++l) {
        if (!maps_.layer(l).relu) continue;
        check_connected();
        renumber_faces(spatial_order());  // the groups are then cells 0, 1, 2, ... in that order
        const std::size_t count = faces_.size();
        for (std::size_t g = 0; g < count; ++g) process_group(l, static_cast<int>(g));
      }
      if (maps_.last_relu() == 0) finish_group({0});
    } catch (const Aborted& a) {
      return a.status;
    }
    return BuildStatus::Complete;
  }

  RegionComplex to_region_complex(const Domain& dom, BuildStatus status) const;
  PlanarVerdict verdict(BuildStatus status) const;
  // The ReLU neurons in topological order (index = a line's owner), as RegionComplex::neurons.
  std::vector<NeuronId> neuron_ids() const;
  // Exact coordinates of vertex v.
  std::pair<Rational, Rational> vertex_point(int v) const;

 private:
  // ---------------------------------------------------------------------------------------
  // Predicates and constructions
  // ---------------------------------------------------------------------------------------

  int make_vertex(int l1, int l2) {
    const StoredLine& A = lines_[static_cast<std::size_t>(l1)];
    const StoredLine& B = lines_[static_cast<std::size_t>(l2)];
    Vertex v;
    v.l1 = l1;
    v.l2 = l2;
    v.X = A.b * B.c - A.c * B.b;
    v.Y = A.c * B.a - A.a * B.c;
    v.W = A.a * B.b - A.b * B.a;
    v.mX = std::fabs(A.b * B.c) + std::fabs(A.c * B.b);
    v.mY = std::fabs(A.c * B.a) + std::fabs(A.a * B.c);
    v.mW = std::fabs(A.a * B.b) + std::fabs(A.b * B.a);
    int s = certified_sign(v.W, v.mW, kDet2);
    if (s == 2) {
      if (float_only_) {
        s = v.W > 0 ? 1 : (v.W < 0 ? -1 : 0);
      } else {
        const Row Ae = line_rows_.get(static_cast<std::size_t>(l1)), Be = line_rows_.get(static_cast<std::size_t>(l2));
        s = sgn(mpz_of(Ae.a) * mpz_of(Be.b) - mpz_of(Ae.b) * mpz_of(Be.a));
      }
    }
    if (s == 0) throw std::logic_error("planar: two parallel lines were asked to cross");
    v.sW = s;
    v.tag1 = A.owner;
    v.tag2 = B.owner;
    verts_.push_back(v);
    return static_cast<int>(verts_.size() - 1);
  }

  // Exact sign of the line at the vertex (its true affine value at the point).
  [[gnu::always_inline]] Sign side(const Line& L, int v_id) const { return side(L, verts_[static_cast<std::size_t>(v_id)]); }
  [[gnu::always_inline]] Sign side(const Line& L, const Vertex& v) const {
    // The vertex lies on the zero set of the neuron that made it (the pre-activation is
    // continuous, so every cell's line of that neuron passes through it): no arithmetic.
    if (L.owner != kNone && (v.tag1 == L.owner || v.tag2 == L.owner)) return Sign::Zero;
    const double D = L.a * v.X + L.b * v.Y + L.c * v.W;
    const double P = std::fabs(L.a) * v.mX + std::fabs(L.b) * v.mY + std::fabs(L.c) * v.mW;
    // The certified case inline (no range trouble, clear margin); everything else out of line.
    const double bound = P * kDet3;
    if (P >= kTiny && P <= 0x1p+1000) {
      if (D > bound) return static_cast<Sign>(v.sW);
      if (D < -bound) return static_cast<Sign>(-v.sW);
    }
    return side_slow(L, v, D, P);
  }

  [[gnu::noinline]] Sign side_slow(const Line& L, const Vertex& v, double D, double P) const {
    int s = certified_sign(D, P, kDet3);
    if (s == 2) {
      if (float_only_) {
        s = D > 0 ? 1 : (D < 0 ? -1 : 0);
      } else {
        const Row A = line_rows_.get(static_cast<std::size_t>(v.l1));
        const Row B = line_rows_.get(static_cast<std::size_t>(v.l2));
        const mpz_class a1 = mpz_of(A.a), b1 = mpz_of(A.b), c1 = mpz_of(A.c);
        const mpz_class a2 = mpz_of(B.a), b2 = mpz_of(B.b), c2 = mpz_of(B.c);
        const mpz_class e = mpz_of(L.exact.a) * (b1 * c2 - c1 * b2) + mpz_of(L.exact.b) * (c1 * a2 - a1 * c2) +
                            mpz_of(L.exact.c) * (a1 * b2 - b1 * a2);
        s = sgn(e);
      }
    }
    return static_cast<Sign>(s * v.sW);
  }


  // Edge e = (v0, v1) becomes (v0, w) and a new edge (w, v1); both incident faces get w.
  void split_edge(int e, int w) {
    const Edge old = edges_[static_cast<std::size_t>(e)];
    const int e2 = static_cast<int>(edges_.size());
    edges_.push_back(Edge{w, old.v1, old.line, old.pos, old.neg});
    edges_[static_cast<std::size_t>(e)].v1 = w;
    on_boundary_.push_back(on_boundary_[static_cast<std::size_t>(e)]);
    if (on_boundary_.back()) boundary_.push_back(e2);
    for (int g : {old.pos, old.neg}) {
      if (g == kNone) continue;
      Face& G = faces_[static_cast<std::size_t>(g)];
      std::size_t i = 0;
      while (G.edges()[i] != e) ++i;
      if (G.verts()[i] == old.v0) {  // G walks v0 -> v1: ..., v0, [e], w, [e2], v1, ...
        G.ring.insert(i + 1, w, e2);
      } else {  // G walks v1 -> v0: ..., v1, [e2], w, [e], v0, ...
        G.edges()[i] = e2;
        G.ring.insert(i + 1, w, e);
      }
    }
  }

  // Splits face f by the line (neuron m) if the line crosses its interior; otherwise records
  // the sign. Returns the new (negative) face or kNone. `line_id` is the stored copy of the
  // line, made on the first split of the group.
  int split_face(int f, const Line& L, int& line_id, std::size_t m) {
    std::vector<Sign>& signs = signs_;
    {
      const Face& F = faces_[static_cast<std::size_t>(f)];
      const std::span<const int> verts = F.verts();
      signs.resize(verts.size());
      bool pos = false, neg = false;
      for (std::size_t i = 0; i < verts.size(); ++i) {
        signs[i] = side(L, verts[i]);
        pos |= signs[i] == Sign::Positive;
        neg |= signs[i] == Sign::Negative;
      }
      if (!pos && !neg) throw std::logic_error("planar: a nonconstant line vanishes on a whole cell");
      if (!neg || !pos) {
        faces_[static_cast<std::size_t>(f)].pattern.set(m, pos ? Sign::Positive : Sign::Negative);
        return kNone;
      }
    }
    if (line_id == kNone) {
      line_id = store_line(L);
    }
    // Crossing points inside edges (signs + and - at the ends), from the last edge backwards
    // so that the earlier indices stay valid; the new vertex lands at index i + 1.
    crossed_.clear();
    for (std::size_t i = signs.size(); i-- > 0;) {
      const std::size_t j = (i + 1) % signs.size();
      if (signs[i] == Sign::Zero || signs[j] == Sign::Zero || signs[i] == signs[j]) continue;
      const int e = faces_[static_cast<std::size_t>(f)].edges()[i];
      const Edge& E = edges_[static_cast<std::size_t>(e)];
      crossed_.push_back(E.pos == f ? E.neg : E.pos);  // the line goes on into that cell
      const int w = make_vertex(line_id, edges_[static_cast<std::size_t>(e)].line);
      split_edge(e, w);
      signs.insert(signs.begin() + static_cast<std::ptrdiff_t>(i + 1), Sign::Zero);
    }
    std::size_t zeros[2], nz = 0;
    for (std::size_t i = 0; i < signs.size(); ++i)
      if (signs[i] == Sign::Zero) {
        if (nz == 2) throw std::logic_error("planar: a line meets a convex cell's boundary in more than two points");
        zeros[nz++] = i;
      }
    if (nz != 2) throw std::logic_error("planar: a crossing line does not meet the boundary twice");
    const std::size_t ip = zeros[0], iq = zeros[1];
    // Part A: verts ip..iq; part B: verts iq..end, 0..ip. Each has an interior vertex.
    const bool a_positive = signs[ip + 1] == Sign::Positive;
    Face& F = faces_[static_cast<std::size_t>(f)];
    const int ne = static_cast<int>(edges_.size());
    const int nf = static_cast<int>(faces_.size());
    // The parts are cut into scratch lists; the positive part is then written over F's own
    // lists (their capacity suffices: no allocation, and the slack serves later insertions)
    // and only the negative part gets new ones.
    const std::span<const int> fv = F.verts(), fe = F.edges();
    const auto at = [](std::span<const int> v, std::size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
    std::vector<int>& av = part_verts_[0];
    std::vector<int>& ae = part_edges_[0];
    std::vector<int>& bv = part_verts_[1];
    std::vector<int>& be = part_edges_[1];
    av.assign(at(fv, ip), at(fv, iq) + 1);
    ae.assign(at(fe, ip), at(fe, iq));
    ae.push_back(ne);  // v_iq -> v_ip
    bv.assign(at(fv, iq), fv.end());
    bv.insert(bv.end(), fv.begin(), at(fv, ip) + 1);
    be.assign(at(fe, iq), fe.end());
    be.insert(be.end(), fe.begin(), at(fe, ip));
    be.push_back(ne);  // v_ip -> v_iq
    const std::size_t pi = a_positive ? 0 : 1, ni = 1 - pi;
    Face N;
    N.ring.assign(part_verts_[ni], part_edges_[ni]);
    N.pattern = F.pattern;
    N.pattern.set(m, Sign::Negative);
    N.group = F.group;
    N.stamp = F.stamp;
    for (int e : N.edges()) {
      if (e == ne) continue;
      Edge& E = edges_[static_cast<std::size_t>(e)];
      if (E.pos == f) E.pos = nf;
      if (E.neg == f) E.neg = nf;
    }
    edges_.push_back(Edge{fv[ip], fv[iq], line_id, f, nf});
    on_boundary_.push_back(0);
    // F becomes the positive part and keeps its index, so its place in the group (slot), its
    // group and stamp; the rest as for a fresh face.
    F.ring.assign(part_verts_[pi], part_edges_[pi]);
    F.pattern.set(m, Sign::Positive);
    F.chain = 0;  // (its output row is still zero: rows are set when its group finishes, after every split)
    faces_.push_back(std::move(N));
    outs_.push_zero();
    return nf;
  }

  int store_line(const Line& L) {
    const std::size_t id = lines_.size();
    const auto side_index = static_cast<std::uint32_t>(L.owner == kNone ? L.origin.index : 0);
    lines_.push_back(StoredLine{L.a, L.b, L.c, L.owner, side_index});
    line_rows_.push_zero();
    line_rows_.set(id, L.exact);
    return static_cast<int>(id);
  }
  // Stored line `id` with its exact row (for the exact paths and the complex's rows).
  Line line(int id) const {
    const StoredLine& S = lines_[static_cast<std::size_t>(id)];
    const RowOrigin origin = S.owner == kNone ? RowOrigin{RowOrigin::Kind::Domain, S.domain_side}
                                              : RowOrigin{RowOrigin::Kind::Neuron, static_cast<std::size_t>(S.owner)};
    return Line{line_rows_.get(static_cast<std::size_t>(id)), S.a, S.b, S.c, origin, S.owner};
  }

  // ---------------------------------------------------------------------------------------
  // Driver
  // ---------------------------------------------------------------------------------------

  void make_box(const Domain& dom) {
    // Side lines with the box on the negative side: x - hi, lo - x, y - hi, lo - y (scaled).
    auto side_line = [&](std::size_t axis, bool upper) {
      const Rational& v = upper ? dom.hi[axis] : dom.lo[axis];
      const mpz_class& den = v.get_den();
      Row r;
      const Int256 unit = *Int256::from_mpz(upper ? den : mpz_class(-den));
      (axis == 0 ? r.a : r.b) = unit;
      r.c = *Int256::from_mpz(upper ? mpz_class(-v.get_num()) : v.get_num());
      return store_line(make_line(r, RowOrigin{RowOrigin::Kind::Domain, 2 * axis + (upper ? 1 : 0)}, kNone));
    };
    const int xlo = side_line(0, false), xhi = side_line(0, true), ylo = side_line(1, false), yhi = side_line(1, true);
    const int v0 = make_vertex(xlo, ylo), v1 = make_vertex(xhi, ylo), v2 = make_vertex(xhi, yhi), v3 = make_vertex(xlo, yhi);
    Face F;
    const int corners[4] = {v0, v1, v2, v3}, ids[4] = {0, 1, 2, 3};
    F.ring.assign(corners, ids);
    const int sides[4] = {ylo, xhi, yhi, xlo};
    for (int i = 0; i < 4; ++i)
      edges_.push_back(Edge{corners[i], corners[(i + 1) % 4], sides[i], kNone, 0});
    F.pattern = planar::Pattern(maps_.relu_count());
    faces_.push_back(std::move(F));
    outs_.push_zero();
    on_boundary_.assign(edges_.size(), 0);
  }

  // All faces, in the order of a Hilbert curve through their centroids (geometry/planar_hilbert.hpp
  // says why; ties in face order). The centroids are the vertices' means in double: only a hint.
  std::vector<int> spatial_order() const {
    const std::size_t n = faces_.size();
    std::vector<std::pair<double, double>> centre(n);
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
    for (std::size_t f = 0; f < n; ++f) {
      double sx = 0, sy = 0;
      const std::span<const int> vs = faces_[f].verts();
      for (int v : vs) {
        const Vertex& V = verts_[static_cast<std::size_t>(v)];
        sx += V.X / V.W;
        sy += V.Y / V.W;
      }
      centre[f] = {sx / static_cast<double>(vs.size()), sy / static_cast<double>(vs.size())};
      if (std::isfinite(centre[f].first) && std::isfinite(centre[f].second)) {
        lo[0] = std::min(lo[0], centre[f].first);
        hi[0] = std::max(hi[0], centre[f].first);
        lo[1] = std::min(lo[1], centre[f].second);
        hi[1] = std::max(hi[1], centre[f].second);
      }
    }
    constexpr int kBits = 16;
    std::vector<std::pair<std::uint64_t, int>> key(n);
    for (std::size_t f = 0; f < n; ++f)
      key[f] = {planar::hilbert_index(planar::hilbert_grid(centre[f].first, lo[0], hi[0], kBits),
                                      planar::hilbert_grid(centre[f].second, lo[1], hi[1], kBits), kBits),
                static_cast<int>(f)};
    planar::radix_sort_by_key(key);  // ties in face order
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = key[i].second;
    return order;
  }

  // Cell order[i] becomes cell i, for every i (order is a permutation of the cells), and its
  // boundary moves to a fresh block, so that the cells, their boundaries and their patterns lie
  // in memory in the order the next pass reads them (the cells of a pass are made in the order
  // of its groups, the groups of the first passes were made in line order, all over the box).
  // Every edge's sides are renamed. The output rows are still all zero (finish_group sets them
  // in the last pass, after its renumbering), so they need no permutation.
  void renumber_faces(const std::vector<int>& order) {
    const std::size_t n = faces_.size();
    if (order.size() != n) throw std::logic_error("planar: the renumbering is not a permutation");
    std::vector<int> new_of(n, kNone);
    for (std::size_t i = 0; i < n; ++i) {
      const auto f = static_cast<std::size_t>(order[i]);
      if (f >= n || new_of[f] != kNone) throw std::logic_error("planar: the renumbering is not a permutation");
      new_of[f] = static_cast<int>(i);
    }
    planar::ChunkedVector<Face> moved;
    for (std::size_t i = 0; i < n; ++i) {
      Face N = std::move(faces_[static_cast<std::size_t>(order[i])]);
      planar::Ring fresh;  // its blocks made anew, in the new order; the old ones freed as it goes
      fresh.assign(N.verts(), N.edges());
      N.ring = std::move(fresh);
      N.pattern = planar::Pattern(N.pattern);
      moved.push_back(std::move(N));
    }
    faces_ = std::move(moved);
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      Edge& E = edges_[e];
      if (E.pos != kNone) E.pos = new_of[static_cast<std::size_t>(E.pos)];
      if (E.neg != kNone) E.neg = new_of[static_cast<std::size_t>(E.neg)];
    }
  }

  // The subdivision is connected (an invariant of splitting convex cells; checked, as the
  // depth-first order that came before the Hilbert order did on the way).
  void check_connected() const {
    std::vector<char> seen(faces_.size(), 0);
    std::vector<int> stack{0};
    seen[0] = 1;
    std::size_t reached = 1;
    while (!stack.empty()) {
      const int f = stack.back();
      stack.pop_back();
      for (int e : faces_[static_cast<std::size_t>(f)].edges()) {
        const Edge& E = edges_[static_cast<std::size_t>(e)];
        const int g = E.pos == f ? E.neg : E.pos;
        if (g != kNone && !seen[static_cast<std::size_t>(g)]) {
          seen[static_cast<std::size_t>(g)] = 1;
          ++reached;
          stack.push_back(g);
        }
      }
    }
    if (reached != faces_.size()) throw std::logic_error("planar: the subdivision is not connected");
  }

  void check_limits() {
    if (limits_.max_cells && faces_.size() > limits_.max_cells) throw Aborted{BuildStatus::CellLimit};
    if (limits_.time_limit_seconds > 0 && ++limit_ticks_ % 64 == 0 &&
        std::chrono::duration<double>(Clock::now() - start_).count() > limits_.time_limit_seconds)
      throw Aborted{BuildStatus::TimeLimit};
    if (memory_limit_exceeded(limits_.max_memory_mb)) throw Aborted{BuildStatus::MemoryLimit};
  }

  // Splits the cell g (all its earlier-layer neurons settled) by every neuron of layer l; its
  // pieces share the map of layer l, since they differ only in layer-l neurons.
  void process_group(std::size_t l, int g) {
    maps_.ensure(l, faces_[static_cast<std::size_t>(g)].pattern);  // valid until finish_group
    const LayerPlan& P = maps_.layer(l);
    std::vector<int> group{g};
    faces_[static_cast<std::size_t>(g)].slot = 0;
    deferred_.clear();
    // The cell's corners, copied once: every piece of the group lies in their convex hull, so a
    // line with no sign change on them splits no piece (the common case), and the copy keeps
    // the test in cache. Vertices inserted later on the boundary are on the hull's edges.
    hull_.clear();
    box_.reset();
    for (int v : faces_[static_cast<std::size_t>(g)].verts()) {
      const Vertex& V = verts_[static_cast<std::size_t>(v)];
      hull_.push_back(V);
      box_.add_corner(V.X, V.Y, V.W, V.mX, V.mY, V.mW, V.sW);
    }
    const bool boxed = box_.finish();
    const unsigned serial = ++group_serial_;
    faces_[static_cast<std::size_t>(g)].group = serial;
    const std::span<const int> outer = faces_[static_cast<std::size_t>(g)].edges();
    boundary_.assign(outer.begin(), outer.end());
    for (int e : boundary_) on_boundary_[static_cast<std::size_t>(e)] = 1;
    // Pass 1, before any split (the group is one face): the neurons the box test settles get
    // their sign on that face, and every piece made later copies it. The test reads the
    // layer's double approximation (LayerMaps::approx, kept up to date by the same rank-one
    // steps as the exact map), so a settled neuron costs a few double operations. The others
    // wait for pass 2 in neuron order, so cells and edges are made in the same order as by one
    // pass over all neurons.
    planar::Pattern& first = faces_[static_cast<std::size_t>(g)].pattern;
    pending_.clear();
    const planar::Approx* approx = nullptr;
    if (boxed) {
      const planar::Approx& A = maps_.approx(l);
      approx = &A;
      box_codes_.resize((P.width + 31) / 32);
      box_.codes_on_box(A.a.data(), A.b.data(), A.c.data(), P.width, A.err * box_.error_weight(), box_codes_.data());
      first.set_codes(P.first_global, box_codes_.data(), P.width);  // most neurons miss the cell by a wide margin
      planar::Pattern::for_each_zero_code(box_codes_.data(), P.width, [&](std::size_t k) { pending_.push_back(k); });
    } else {
      for (std::size_t k = 0; k < P.width; ++k) pending_.push_back(k);
    }
    // Pass 2: the corner test (on the approximation when it is certain, else exact), then the split.
    for (const std::size_t k : pending_) {
      const std::size_t m = P.first_global + k;
      if (approx) {
        const Sign s = approx_side_of_hull(approx->a[k], approx->b[k], approx->c[k], approx->err, m);
        if (s != Sign::Zero) {
          for (int f : group) faces_[static_cast<std::size_t>(f)].pattern.set(m, s);
          continue;
        }
      }
      const Row& r = maps_.row(l, k);
      if (r.a.is_zero() && r.b.is_zero()) {  // constant on the cell: no split (THEORY.md §1, fine point 3)
        for (int f : group) faces_[static_cast<std::size_t>(f)].pattern.set(m, static_cast<Sign>(r.c.sign()));
        continue;
      }
      const Line L = make_line(r, RowOrigin{RowOrigin::Kind::Neuron, m}, static_cast<int>(m));
      bool pos = false, neg = false;
      for (const Vertex& v : hull_) {
        const Sign s = side(L, v);
        pos |= s == Sign::Positive;
        neg |= s == Sign::Negative;
      }
      if (!pos || !neg) {
        if (!pos && !neg) throw std::logic_error("planar: a nonconstant line vanishes on a whole cell");
        for (int f : group) faces_[static_cast<std::size_t>(f)].pattern.set(m, pos ? Sign::Positive : Sign::Negative);
        continue;
      }
      split_group(group, L, m, serial);
      check_limits();
    }
    propagate_sides(group, g, P.first_global, P.width);
    for (int e : boundary_) on_boundary_[static_cast<std::size_t>(e)] = 0;
    if (l == maps_.last_relu()) finish_group(group);
  }

  // Pass 2's corner test on the layer's double approximation (a, b, c within E of the exact row,
  // LayerMaps::approx): the side of the line on every corner of the group when each one is
  // certain and they agree (Positive / Negative), else Zero (the exact test then decides). Why:
  // most neurons the box test leaves open miss the cell all the same (measured at [512, 512]:
  // 62%), and this settles them without their exact row, i.e. without a lazy row's catch-up.
  //
  // Bound: with (X : Y : W) the exact corner, |X~ - X| <= 2^-50 mX and |X~| <= mX (1 + 2.01u)
  // (the vertex's 2x2 determinants), |A X - a X~| <= E (|X~| + 2^-50 mX) + |a| 2^-50 mX; the
  // computed D~ = fl(fl(fl(a X~) + fl(b Y~)) + fl(c W~)) is within 3.01u (|a X~| + |b Y~| + |c W~|)
  // of a X~ + b Y~ + c W~. So |D~ - D| <= E (mX + mY + mW)(1 + 2.02u + 2^-50) + 11.1u P with
  // P = |a| mX + |b| mY + |c| mW; the bound below takes 32u P and a factor 1 + 2^-40, which also
  // covers its own roundings. Range: P in [2^-900, 2^1000] and a finite bound (no underflow
  // worth a margin, no infinity), as in side(). A corner on the neuron's own zero set (its tag)
  // is exactly zero there, as in side().
  Sign approx_side_of_hull(double a, double b, double c, double E, std::size_t m) const {
    const int owner = static_cast<int>(m);
    const double aa = std::fabs(a), ab = std::fabs(b), ac = std::fabs(c), Ew = E * (1 + 0x1p-40);
    bool pos = false, neg = false;
    for (const Vertex& v : hull_) {
      if (v.tag1 == owner || v.tag2 == owner) continue;
      const double D = a * v.X + b * v.Y + c * v.W;
      const double P = aa * v.mX + ab * v.mY + ac * v.mW;
      const double bound = P * 0x1p-48 + Ew * (v.mX + v.mY + v.mW);
      if (!(P >= kTiny && P <= 0x1p+1000 && bound <= 0x1p+1000)) return Sign::Zero;
      if (D > bound) (v.sW > 0 ? pos : neg) = true;
      else if (D < -bound) (v.sW > 0 ? neg : pos) = true;
      else return Sign::Zero;
      if (pos && neg) return Sign::Zero;
    }
    return pos ? Sign::Positive : (neg ? Sign::Negative : Sign::Zero);
  }

  // Splits every piece of the group that the line crosses, in the order of the original
  // walk (kept because it fixes the numbering of cells and edges, hence the witness): from the
  // first boundary edge the line crosses inside, that piece and the next one along the line,
  // then the other crossed pieces in the group's list order.
  //
  // The crossed pieces are found first by find_chain, a read-only walk along the line, so the
  // pieces it misses are never visited: their side is left to propagate_sides (the neuron is
  // recorded in deferred_). When the walk meets a degenerate crossing (through a vertex
  // inside the group), every piece is tested in full, which is always correct.
  void split_group(std::vector<int>& group, const Line& L, std::size_t m, unsigned serial) {
    const unsigned step = ++step_serial_;
    const bool chained = find_chain(L, serial, step);
    int line_id = kNone;
    auto split = [&](int f) {
      faces_[static_cast<std::size_t>(f)].stamp = step;
      const int nf = split_face(f, L, line_id, m);
      if (nf != kNone) {
        faces_[static_cast<std::size_t>(nf)].slot = static_cast<unsigned>(group.size());
        group.push_back(nf);
      }
      return nf != kNone;
    };
    const int start = walk_start_;  // the first boundary edge crossed inside, unless a vertex comes first
    bool complete = false;
    if (start != kNone && faces_[static_cast<std::size_t>(start)].group == serial) {
      int f = start;
      while (true) {
        if (!split(f)) break;  // cannot happen in exact arithmetic; fall back to the full test
        if (crossed_.size() != 2) break;  // the line left through a vertex
        int next = kNone;
        for (int g : crossed_)
          if (g != kNone && faces_[static_cast<std::size_t>(g)].group == serial && faces_[static_cast<std::size_t>(g)].stamp != step)
            next = g;
        if (next == kNone) {
          complete = true;  // both crossings lead out of the group or back into the chain
          break;
        }
        f = next;
      }
    }
    if (chained) {
      // The remaining crossed pieces in list order: exactly those the full test would split.
      std::sort(chain_.begin(), chain_.end(), [&](int a, int b) {
        return faces_[static_cast<std::size_t>(a)].slot < faces_[static_cast<std::size_t>(b)].slot;
      });
      for (int f : chain_)
        if (faces_[static_cast<std::size_t>(f)].stamp != step && !split(f))
          throw std::logic_error("planar: a piece on the line's walk is not crossed by it");
      if (line_id == kNone) throw std::logic_error("planar: a line crossing the group split no piece");
      deferred_.push_back(Deferred{m, line_id});
      return;
    }
    const std::size_t count = group.size();
    for (std::size_t i = 0; i < count; ++i) {
      const int f = group[i];
      if (faces_[static_cast<std::size_t>(f)].stamp == step) continue;
      if (complete) settle(f, L, m);
      else split(f);
    }
  }

  // The pieces of the group whose interior the line crosses, into chain_ (each marked with
  // `step`), by a walk that never modifies the subdivision: the line meets the convex group in
  // one segment, entered through the group's boundary; in each piece the exit is a strict
  // sign change inside an edge (the next piece is across it) or a vertex on the group's
  // boundary (the end). False when the walk cannot be sure (an entry vertex shared by two
  // pieces, an exit through a vertex inside the group): the caller then tests every piece.
  bool find_chain(const Line& L, unsigned serial, unsigned step) {
    chain_.clear();
    auto in_group = [&](int f) { return f != kNone && faces_[static_cast<std::size_t>(f)].group == serial; };
    auto inner_side = [&](const Edge& E) { return in_group(E.pos) ? E.pos : E.neg; };
    int p = kNone, in_edge = kNone, in_vert = kNone;
    bool zero_first = false;
    for (int e : boundary_) {  // entry inside a boundary edge
      const Edge& E = edges_[static_cast<std::size_t>(e)];
      const Sign s0 = side(L, E.v0), s1 = side(L, E.v1);
      zero_first |= s0 == Sign::Zero || s1 == Sign::Zero;
      if (s0 != Sign::Zero && s1 != Sign::Zero && s0 != s1) {
        p = inner_side(E);
        in_edge = e;
        break;
      }
    }
    // split_group's walk starts there too, unless the scan met a zero vertex first (then it
    // does not walk at all): the rule of the original builder, which fixes the split order.
    walk_start_ = zero_first ? kNone : p;
    if (p == kNone) {  // entry through a boundary vertex: fine when one piece alone has it
      for (int e : boundary_) {
        const Edge& E = edges_[static_cast<std::size_t>(e)];
        if (side(L, E.v0) == Sign::Zero) in_vert = E.v0;
        else if (side(L, E.v1) == Sign::Zero) in_vert = E.v1;
        if (in_vert != kNone) break;
      }
      if (in_vert == kNone) return false;
      for (int e : boundary_) {
        const Edge& E = edges_[static_cast<std::size_t>(e)];
        if (E.v0 != in_vert && E.v1 != in_vert) continue;
        const int q = inner_side(E);
        if (p != kNone && q != p) return false;
        p = q;
      }
      if (!in_group(p)) return false;
    }
    while (true) {
      Face& F = faces_[static_cast<std::size_t>(p)];
      if (F.chain == step) return false;  // a piece twice: cannot happen on a convex walk
      F.chain = step;
      chain_.push_back(p);
      const std::span<const int> fv = F.verts(), fe = F.edges();
      const std::size_t n = fv.size();
      signs_.resize(n);
      for (std::size_t i = 0; i < n; ++i) signs_[i] = side(L, fv[i]);
      // The two places where the line meets the piece's boundary: a zero vertex (index i) or a
      // strict change along edge i (encoded n + i); the one that is not the entry is the exit.
      std::size_t events[2], ne = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const Sign a = signs_[i], b = signs_[(i + 1) % n];
        std::size_t ev = n + n;
        if (a == Sign::Zero) ev = i;
        else if (b != Sign::Zero && a != b) ev = n + i;
        if (ev == n + n) continue;
        if (ne == 2) return false;
        events[ne++] = ev;
      }
      if (ne != 2) return false;
      auto is_entry = [&](std::size_t ev) {
        return ev < n ? fv[ev] == in_vert : fe[ev - n] == in_edge;
      };
      std::size_t exit;
      if (is_entry(events[0])) exit = events[1];
      else if (is_entry(events[1])) exit = events[0];
      else return false;
      if (exit < n) {  // through vertex z: the end when z is on the group's boundary
        const std::size_t prev = (exit + n - 1) % n;
        return on_boundary_[static_cast<std::size_t>(fe[exit])] || on_boundary_[static_cast<std::size_t>(fe[prev])];
      }
      const int e = fe[exit - n];
      const Edge& E = edges_[static_cast<std::size_t>(e)];
      const int q = E.pos == p ? E.neg : E.pos;
      if (!in_group(q)) return true;  // the line leaves the group
      p = q;
      in_edge = e;
      in_vert = kNone;
    }
  }

  // The sides of the deferred neurons (split_group) on every piece of the group: each piece
  // got a copy of its parent's bits when it was made, right for the neurons settled before
  // and wrong for those deferred. Those bits are set on the group's first piece from one
  // vertex, then carried across the group's inner edges, each of which changes the side of
  // its own neuron only (a second neuron with the same zero line is never deferred: its walk
  // finds the entry vertex shared by two pieces, or no crossing piece).
  void propagate_sides(const std::vector<int>& group, int g, std::size_t first, std::size_t width) {
    if (deferred_.empty()) return;
    mask_.assign(maps_.relu_count() / 32 + 1, 0);
    for (const Deferred& d : deferred_) {
      mask_[d.m >> 5] |= std::uint64_t{3} << (2 * (d.m & 31));
      settle(g, line(d.line), d.m);
    }
    const unsigned seen = ++step_serial_;
    faces_[static_cast<std::size_t>(g)].stamp = seen;
    queue_.assign(1, g);
    for (std::size_t qi = 0; qi < queue_.size(); ++qi) {
      const int f = queue_[qi];
      for (int e : faces_[static_cast<std::size_t>(f)].edges()) {
        if (on_boundary_[static_cast<std::size_t>(e)]) continue;
        const Edge& E = edges_[static_cast<std::size_t>(e)];
        const int c = E.pos == f ? E.neg : E.pos;
        Face& C = faces_[static_cast<std::size_t>(c)];
        if (C.stamp == seen) continue;
        C.stamp = seen;
        C.pattern.copy_masked(faces_[static_cast<std::size_t>(f)].pattern, mask_, first >> 5, ((first + width) >> 5) + 1);
        const int owner = lines_[static_cast<std::size_t>(E.line)].owner;
        const auto o = static_cast<std::size_t>(owner);
        if (owner != kNone && (mask_[o >> 5] >> (2 * (o & 31)) & 1)) C.pattern.set(o, c == E.pos ? Sign::Positive : Sign::Negative);
        queue_.push_back(c);
      }
    }
    if (queue_.size() != group.size()) throw std::logic_error("planar: the pieces of a group are not connected");
    deferred_.clear();
  }

  // A piece the line does not cross: the first vertex off the line gives its side.
  void settle(int f, const Line& L, std::size_t m) {
    Face& F = faces_[static_cast<std::size_t>(f)];
    for (int v : F.verts()) {
      const Sign s = side(L, v);
      if (s != Sign::Zero) {
        F.pattern.set(m, s);
        return;
      }
    }
    throw std::logic_error("planar: a nonconstant line vanishes on a whole cell");
  }

  // The output map of each finished cell (the pieces of one last-layer group differ only in
  // last-layer neurons, so consecutive ones take the cheap update path).
  void finish_group(const std::vector<int>& group) {
    const std::size_t last = maps_.layer_count();
    for (int f : group) {
      Face& F = faces_[static_cast<std::size_t>(f)];
      maps_.ensure(last, F.pattern);
      outs_.set(static_cast<std::size_t>(f), maps_.active(F.pattern, last, 0) ? maps_.row(last, 0) : Row{});
      if (!keep_patterns_) F.pattern.release();
    }
  }

  const Network& net_;
  BuildLimits limits_;
  Clock::time_point start_;
  unsigned long limit_ticks_ = 0;
  bool float_only_ = arithmetic_mode() == ArithmeticMode::FloatOnly;
  bool keep_patterns_;
  LayerMaps maps_;
  planar::ChunkedVector<StoredLine> lines_;
  planar::CompactRows line_rows_;  // the exact row of each stored line
  planar::ChunkedVector<Vertex> verts_;
  planar::ChunkedVector<Edge> edges_;
  planar::ChunkedVector<Face> faces_;
  planar::CompactRows outs_;  // f on each cell, in the output layer's scale (set when the build completes)
  std::vector<Sign> signs_;     // scratch
  std::vector<int> part_verts_[2], part_edges_[2];  // scratch of split_face: the two parts' lists
  std::vector<Vertex> hull_;    // scratch: the corners of the group being split
  planar::BoxFilter box_;       // scratch: their bounding box
  std::vector<std::uint64_t> box_codes_;  // scratch: the box test's answers for a layer (Pattern codes)
  std::vector<std::size_t> pending_;  // scratch: the neurons the box test left to the corner test
  struct Deferred {
    std::size_t m;  // a neuron whose side is left to propagate_sides ...
    int line;       // ... and its line on the group
  };
  std::vector<Deferred> deferred_;
  std::vector<int> chain_;      // find_chain's output: the pieces the line crosses ...
  int walk_start_ = kNone;      // ... and where split_group's walk starts
  std::vector<int> queue_;      // scratch of propagate_sides
  std::vector<std::uint64_t> mask_;  // the deferred neurons' bits, as in planar::Pattern  // scratch: the neurons the box test left to the corner test
  std::vector<int> crossed_;    // split_face's output: the cells beyond its edge crossings
  std::vector<int> boundary_;   // the edges on the boundary of the group being split
  std::vector<char> on_boundary_;  // per edge
  unsigned group_serial_ = 0, step_serial_ = 0;

};

// Exact coordinates of a vertex: (X/W, Y/W) with (X : Y : W) = l1 x l2 in exact integers.
std::pair<Rational, Rational> exact_point(const Row& A, const Row& B) {
  const mpz_class a1 = mpz_of(A.a), b1 = mpz_of(A.b), c1 = mpz_of(A.c);
  const mpz_class a2 = mpz_of(B.a), b2 = mpz_of(B.b), c2 = mpz_of(B.c);
  const mpz_class W = a1 * b2 - b1 * a2;
  Rational x(mpz_class(b1 * c2 - c1 * b2), W), y(mpz_class(c1 * a2 - a1 * c2), W);
  x.canonicalize();
  y.canonicalize();
  return {std::move(x), std::move(y)};
}

std::uint64_t pair_key(int f, int g) {
  const auto lo = static_cast<std::uint64_t>(std::min(f, g)), hi = static_cast<std::uint64_t>(std::max(f, g));
  return (hi << 32) | lo;
}

std::vector<NeuronId> PlanarBuilder::neuron_ids() const {
  std::vector<NeuronId> ids;
  for (std::size_t l = 1; l <= maps_.layer_count(); ++l)
    if (maps_.layer(l).relu)
      for (std::size_t k = 0; k < maps_.layer(l).width; ++k) ids.push_back(NeuronId{l, k + 1});
  return ids;
}

std::pair<Rational, Rational> PlanarBuilder::vertex_point(int v) const {
  const Vertex& V = verts_[static_cast<std::size_t>(v)];
  return exact_point(line_rows_.get(static_cast<std::size_t>(V.l1)), line_rows_.get(static_cast<std::size_t>(V.l2)));
}

RegionComplex PlanarBuilder::to_region_complex(const Domain& dom, BuildStatus status) const {
  RegionComplex cx;
  cx.dim = 2;
  cx.domain = dom;
  cx.status = status;
  cx.neurons = neuron_ids();
  std::vector<std::pair<Rational, Rational>> where(verts_.size());
  std::vector<char> known(verts_.size(), 0);
  auto point_of = [&](int v) -> const std::pair<Rational, Rational>& {
    const auto i = static_cast<std::size_t>(v);
    if (!known[i]) {
      where[i] = vertex_point(v);
      known[i] = 1;
    }
    return where[i];
  };
  const Rational scale(maps_.layer(maps_.layer_count()).scale);
  cx.cells.resize(faces_.size());
  for (std::size_t f = 0; f < faces_.size(); ++f) {
    const Face& F = faces_[f];
    Cell& c = cx.cells[f];
    for (int e : F.edges()) {
      const Edge& E = edges_[static_cast<std::size_t>(e)];
      const Line L = line(E.line);
      const bool below = E.neg == static_cast<int>(f);  // the cell is on the side a x + b y + c <= 0
      mpz_class a = mpz_of(L.exact.a), b = mpz_of(L.exact.b), cc = mpz_of(L.exact.c);
      Halfspace h = below ? make_halfspace({a, b}, mpz_class(-cc), L.origin) : make_halfspace({mpz_class(-a), mpz_class(-b)}, cc, L.origin);
      bool dup = false;  // collinear edges (a vertex inserted by a neighbour's split) give one row
      for (const Halfspace& r : c.rows) dup |= r == h;
      if (!dup) c.rows.push_back(std::move(h));
    }
    // The vertex average of a convex polygon with nonempty interior is an interior point.
    Rational sx = 0, sy = 0;
    for (int v : F.verts()) {
      const auto& p = point_of(v);
      sx += p.first;
      sy += p.second;
    }
    const Rational n(static_cast<long>(F.ring.size()));
    c.point = {sx / n, sy / n};
    c.pattern = F.pattern.unpack(maps_.relu_count());
    if (status == BuildStatus::Complete) {
      const Row out = outs_.get(f);
      c.gradient = {Rational(out.a.to_mpz()) / scale, Rational(out.b.to_mpz()) / scale};
      c.offset = Rational(out.c.to_mpz()) / scale;
    }
  }
  std::unordered_map<std::uint64_t, std::size_t> seen;
  for (std::size_t ei = 0; ei < edges_.size(); ++ei) {
    const Edge& E = edges_[ei];
    if (E.pos == kNone || E.neg == kNone) continue;
    if (!seen.emplace(pair_key(E.pos, E.neg), cx.adjacencies.size()).second) continue;  // one pair, one adjacency
    const Line L = line(E.line);
    Adjacency adj;
    adj.lower = static_cast<std::size_t>(E.neg);
    adj.upper = static_cast<std::size_t>(E.pos);
    adj.facet = make_halfspace({mpz_of(L.exact.a), mpz_of(L.exact.b)}, mpz_class(-mpz_of(L.exact.c)), L.origin);
    const auto& p = point_of(E.v0);
    const auto& q = point_of(E.v1);
    adj.point = {(p.first + q.first) / 2, (p.second + q.second) / 2};
    cx.cells[adj.lower].adjacencies.push_back(cx.adjacencies.size());
    cx.cells[adj.upper].adjacencies.push_back(cx.adjacencies.size());
    cx.adjacencies.push_back(std::move(adj));
  }
  return cx;
}

// Reduction modulo the Mersenne prime p = 2^61 - 1 by folding (2^61 = 1 mod p): no division.
constexpr std::uint64_t kMersenne = (std::uint64_t{1} << 61) - 1;
std::uint64_t reduce_p(unsigned __int128 x) {
  x = (x & kMersenne) + (x >> 61);  // < 2^68
  x = (x & kMersenne) + (x >> 61);  // < 2^61 + 2^7
  auto r = static_cast<std::uint64_t>(x);
  return r >= kMersenne ? r - kMersenne : r;
}

// v mod (2^61 - 1), for the parallelism sanity check (2^64 = 8 mod p).
std::uint64_t mod_p(const Int256& v) {
  const Int256 a = v.negative() ? -v : v;
  int top = 3;  // leading zero limbs leave acc at 0: start at the first nonzero one (most values are narrow)
  while (top > 0 && a.w[top] == 0) --top;
  std::uint64_t acc = 0;
  for (int i = top; i >= 0; --i) acc = reduce_p(static_cast<unsigned __int128>(acc) * 8 + a.w[i]);
  return v.negative() && acc != 0 ? kMersenne - acc : acc;
}

struct RowHash {
  std::size_t operator()(const Row& r) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (const Int256* v : {&r.a, &r.b, &r.c})
      for (std::uint64_t x : v->w) h = (h ^ x) * 0x100000001b3ULL + (h >> 29);
    return static_cast<std::size_t>(h);
  }
};

PlanarVerdict PlanarBuilder::verdict(BuildStatus status) const {
  PlanarVerdict v;
  v.status = status;
  v.cells = faces_.size();
  if (status != BuildStatus::Complete) return v;
  // The residues the parallelism check needs, once per cell (gradient) and per line (normal)
  // instead of per edge: (x - y) mod p = (x mod p - y mod p) mod p, so the check is the same.
  std::vector<std::uint64_t> cell_mod(2 * faces_.size()), line_mod(2 * lines_.size());
  for (std::size_t f = 0; f < faces_.size(); ++f) {
    const Row out = outs_.get(f);
    cell_mod[2 * f] = mod_p(out.a);
    cell_mod[2 * f + 1] = mod_p(out.b);
  }
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Row n = line_rows_.get(i);
    line_mod[2 * i] = mod_p(n.a);
    line_mod[2 * i + 1] = mod_p(n.b);
  }
  auto sub_p = [](std::uint64_t x, std::uint64_t y) { return x >= y ? x - y : x + kMersenne - y; };
  // One pass over the cells, in the order they were made, and over each one's edges: an inner
  // edge is tested from its positive side, so the two output rows it reads are those of the
  // cell at hand and of a neighbour, made near it in time (the cells are made along the
  // groups' Hilbert order), not those of the cells an edge joins in edge order (edges of the
  // first layers join cells made far apart: the sweep in edge order had 40% of the build's
  // cache misses at [512, 512]). The kink is the concave edge of least number, as the sweep in
  // edge order found first.
  v.convex = true;
  std::size_t kink = edges_.size(), tested = 0;
  for (std::size_t f = 0; f < faces_.size(); ++f) {
    const std::span<const int> es = faces_[f].edges();
    for (std::size_t i = 0; i < es.size(); ++i) {
      const Edge& E = edges_[static_cast<std::size_t>(es[i])];
      const int g = E.pos == static_cast<int>(f) ? E.neg : E.pos;
      if (g == kNone) continue;
      // Pairs: two cells may share several edges (collinear ones, split by a neighbour's
      // vertex); each pair counts once, found among the edges of its lower-numbered cell.
      if (g > static_cast<int>(f)) {
        bool again = false;
        for (std::size_t j = 0; j < i && !again; ++j) {
          const Edge& D = edges_[static_cast<std::size_t>(es[j])];
          again = (D.pos == static_cast<int>(f) ? D.neg : D.pos) == g;
        }
        if (!again) ++v.pairs;
      }
      if (E.pos != static_cast<int>(f)) continue;
      ++tested;
      // Delta = g_pos - g_neg = lambda n with n = (a, b) pointing from neg into pos (THEORY.md §1,
      // Theorem A), all in the output scale. lambda's sign is read off one nonzero component of n.
      const Row up = outs_.get(f);
      const Row lo = outs_.get(static_cast<std::size_t>(E.neg));
      Int256 dx = up.a, dy = up.b;
      dx -= lo.a;
      dy -= lo.b;
      const Row n = line_rows_.get(static_cast<std::size_t>(E.line));
      // Continuity forces Delta to be parallel to n; a failure is an internal error. The check
      // is exact modulo a prime (a necessary condition; the full-complex path checks it in Q).
      const auto pu = 2 * f, pl = 2 * static_cast<std::size_t>(E.neg);
      const auto ln = 2 * static_cast<std::size_t>(E.line);
      const std::uint64_t mdx = sub_p(cell_mod[pu], cell_mod[pl]), mdy = sub_p(cell_mod[pu + 1], cell_mod[pl + 1]);
      const std::uint64_t lhs = reduce_p(static_cast<unsigned __int128>(mdx) * line_mod[ln + 1]);
      const std::uint64_t rhs = reduce_p(static_cast<unsigned __int128>(mdy) * line_mod[ln]);
      if (lhs != rhs) throw std::logic_error("planar: gradient jump is not parallel to the edge normal");
      const int sign = !n.a.is_zero() ? dx.sign() * n.a.sign() : dy.sign() * n.b.sign();
      if (sign < 0) kink = std::min(kink, static_cast<std::size_t>(es[i]));
    }
  }
  // Every inner edge is on its positive cell's boundary, once: as many as the edges say.
  std::size_t inner = 0;
  for (std::size_t ei = 0; ei < edges_.size(); ++ei) inner += edges_[ei].pos != kNone && edges_[ei].neg != kNone;
  if (inner != tested) throw std::logic_error("planar: an inner edge is missing from its cell's boundary");
  if (kink < edges_.size()) {  // the first concave edge: where the caller builds its witness
    const Edge& E = edges_[kink];
    v.convex = false;
    const Row n = line_rows_.get(static_cast<std::size_t>(E.line));
    const auto [x0, y0] = vertex_point(E.v0);
    const auto [x1, y1] = vertex_point(E.v1);
    v.kink_point = Vector{(x0 + x1) / 2, (y0 + y1) / 2};
    v.kink_normal = Vector{Rational(n.a.to_mpz()), Rational(n.b.to_mpz())};
    const int owner = lines_[static_cast<std::size_t>(E.line)].owner;
    if (owner != kNone) v.kink_neuron = neuron_ids().at(static_cast<std::size_t>(owner));
  }
  // Distinct affine pieces: cells sorted by the hash of their output row, then the cells of
  // one hash by the row itself, so equal rows are adjacent (a sort of 8-byte keys, rows compared
  // only on equal hashes, instead of a hash table of 96-byte rows).
  std::vector<std::pair<std::uint64_t, int>> keyed(faces_.size());
  for (std::size_t f = 0; f < faces_.size(); ++f) keyed[f] = {RowHash{}(outs_.get(f)), static_cast<int>(f)};
  planar::radix_sort_by_key(keyed);
  auto limbs = [&](int f) {
    const Row r = outs_.get(static_cast<std::size_t>(f));
    return std::tuple(r.a.w[0], r.a.w[1], r.a.w[2], r.a.w[3], r.b.w[0], r.b.w[1], r.b.w[2], r.b.w[3], r.c.w[0], r.c.w[1],
                      r.c.w[2], r.c.w[3]);
  };
  for (std::size_t i = 0; i < keyed.size();) {
    std::size_t j = i + 1;
    while (j < keyed.size() && keyed[j].first == keyed[i].first) ++j;
    if (j - i > 1)
      std::sort(keyed.begin() + static_cast<std::ptrdiff_t>(i), keyed.begin() + static_cast<std::ptrdiff_t>(j),
                [&](const auto& x, const auto& y) { return limbs(x.second) < limbs(y.second); });
    for (std::size_t k = i; k < j; ++k)
      if (k == i || limbs(keyed[k].second) != limbs(keyed[k - 1].second)) ++v.pieces;
    i = j;
  }
  return v;
}

std::optional<PlanarBuilder> start(const Network& net, const Domain& domain, const BuildLimits& limits, bool keep_patterns) {
  std::optional<PlanarBuilder> b;
  b.emplace(net, limits, keep_patterns);
  if (!b->prepare(domain)) return std::nullopt;
  return b;
}

// With a work share (BuildLimits::share) every rank builds the planar complex on its own: it asks
// no LP, so there is nothing worth dealing out. The ranks only agree on whether a limit stopped
// one of them, so that all of them take the same path afterwards (a rank that went on alone to
// the next collective would wait there forever).
BuildStatus agreed_status(const BuildLimits& limits, BuildStatus local) {
  if (!limits.share) return local;
  return static_cast<BuildStatus>(limits.share->max_of(static_cast<std::uint64_t>(local)));
}

}  // namespace

std::optional<RegionComplex> build_planar_complex(const Network& net, const Domain& domain, const BuildLimits& limits,
                                                  BuildObserver* observer) {
  if (observer) return std::nullopt;  // the certificate writer needs the general builder's events
  auto b = start(net, domain, limits, /*keep_patterns=*/true);
  if (!b) return std::nullopt;
  const BuildStatus status = agreed_status(limits, b->run());
  return b->to_region_complex(domain, status);
}

std::optional<PlanarVerdict> planar_convexity(const Network& net, const Domain& domain, const BuildLimits& limits) {
  auto b = start(net, domain, limits, /*keep_patterns=*/false);
  if (!b) return std::nullopt;
  return b->verdict(agreed_status(limits, b->run()));
}

void set_planar_builder_enabled(bool enabled) { g_enabled.store(enabled, std::memory_order_relaxed); }
bool planar_builder_enabled() { return g_enabled.load(std::memory_order_relaxed); }

}  // namespace relucert
