#include "geometry/region_complex.hpp"

#include <optional>
#include <set>
#include <stdexcept>

#include "core/filtered_sign.hpp"
#include "geometry/planar_complex.hpp"
#include "geometry/strict_lp.hpp"

namespace relucert {
namespace {

using Clock = std::chrono::steady_clock;

struct BuildAborted {
  BuildStatus status;
};

class Builder {
 public:
  Builder(const Network& net, const Domain& domain, const BuildLimits& limits, BuildObserver* observer)
      : net_(net), limits_(limits), observer_(observer), start_(Clock::now()) {
    out_.dim = net.input_dim();
    out_.domain = domain;
    for (std::size_t l = 0; l < net.layers().size(); ++l)
      if (net.layers()[l].relu)
        for (std::size_t k = 0; k < net.layers()[l].width(); ++k) out_.neurons.push_back(NeuronId{l + 1, k + 1});
  }

  RegionComplex run() {
    const LpCounters before = lp_counters();
    make_initial_cell();
    try {
      std::size_t global = 0;
      for (const Layer& L : net_.layers())
        for (const LayerSkip& sk : L.skips) is_skip_source_.at(sk.from - 1) = true;
      for (std::size_t l = 0; l < net_.layers().size(); ++l) {
        process_layer(l, global);
        if (net_.layers()[l].relu) global += net_.layers()[l].width();
      }
      finish_cells();
    } catch (const BuildAborted& a) {
      out_.status = a.status;
    }
    const LpCounters& after = lp_counters();
    out_.lp_exact_solves = after.solves - before.solves;
    out_.lp_questions = out_.lp_exact_solves + (after.filtered_points - before.filtered_points) +
                        (after.filtered_empty - before.filtered_empty) + (after.trivial - before.trivial);
    return std::move(out_);
  }

 private:
  void make_initial_cell() {
    const std::size_t d = out_.dim;
    Cell c;
    const Domain& dom = out_.domain;
    if (dom.is_box) {
      for (std::size_t i = 0; i < d; ++i) {
        Vector e(d, Rational(0));
        e[i] = 1;
        c.rows.push_back(make_halfspace(e, dom.hi[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i + 1}));
        e[i] = -1;
        c.rows.push_back(make_halfspace(e, -dom.lo[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i}));
      }
    }
    c.point = dom.center();
    c.pattern.assign(out_.neurons.size(), Sign::Zero);
    c.layer_input.A = zeros(d, d);
    for (std::size_t i = 0; i < d; ++i) c.layer_input.A[i][i] = 1;
    c.layer_input.c.assign(d, Rational(0));
    out_.cells.push_back(std::move(c));
  }

  void process_layer(std::size_t l, std::size_t first_global) {
    const Layer& L = net_.layers()[l];
    for (Cell& c : out_.cells) {
      c.preactivation.A = mat_mul(L.W, c.layer_input.A);
      c.preactivation.c = add(mat_vec(L.W, c.layer_input.c), L.b);
      if (L.has_skip())
        for (std::size_t k = 0; k < L.width(); ++k) c.preactivation.A[k] = add(c.preactivation.A[k], L.U[k]);
      for (const LayerSkip& sk : L.skips) {
        const AffineMap& h = c.skip_sources[sk.from - 1];
        const Matrix MA = mat_mul(sk.M, h.A);
        const Vector Mc = mat_vec(sk.M, h.c);
        for (std::size_t k = 0; k < L.width(); ++k) {
          c.preactivation.A[k] = add(c.preactivation.A[k], MA[k]);
          c.preactivation.c[k] += Mc[k];
        }
      }
    }
    if (L.relu) {
      for (std::size_t k = 0; k < L.width(); ++k) {
        const std::size_t existing = out_.cells.size();  // cells made by this neuron already know their side
        for (std::size_t ci = 0; ci < existing; ++ci) {
          check_limits();
          // Copies: split() appends to out_.cells, which may move the cell.
          const Vector w = out_.cells[ci].preactivation.A[k];
          const Rational w0 = out_.cells[ci].preactivation.c[k];
          split(ci, first_global + k, w, w0);
        }
        check_limits();  // also after the last split: the limit bounds the finished complex too
      }
    }
    for (Cell& c : out_.cells) {
      c.layer_input = std::move(c.preactivation);
      c.preactivation = AffineMap{};
      if (L.relu)
        for (std::size_t k = 0; k < L.width(); ++k)
          if (c.pattern[first_global + k] != Sign::Positive) {
            c.layer_input.A[k].assign(out_.dim, Rational(0));
            c.layer_input.c[k] = 0;
          }
      if (is_skip_source_[l]) {
        c.skip_sources.resize(net_.layers().size());
        c.skip_sources[l] = c.layer_input;
      }
    }
  }

  void check_limits() const {
    if (limits_.max_cells && out_.cells.size() > limits_.max_cells) throw BuildAborted{BuildStatus::CellLimit};
    if (limits_.time_limit_seconds > 0 &&
        std::chrono::duration<double>(Clock::now() - start_).count() > limits_.time_limit_seconds)
      throw BuildAborted{BuildStatus::TimeLimit};
  }

  // A point strictly inside the cell with z strictly of sign `side`, or nullopt if none.
  // (An exact ray probe from the cell's point was tried here first; measured, the filtered LP
  // alone costs about 30% fewer instructions, so it is the only path.)
  std::optional<Vector> cell_point_on_side(const Cell& c, const Halfspace& strict_side_row) {
    std::vector<const Halfspace*> rows;
    rows.reserve(c.rows.size() + 1);
    for (const auto& r : c.rows) rows.push_back(&r);
    rows.push_back(&strict_side_row);
    return find_strict_point(rows, out_.dim);
  }

  // A point in the relative interior of (cell ∩ other ∩ facet hyperplane) where the side row
  // holds strictly, or nullopt. `cell_rows` already contains that side row.
  std::optional<Vector> facet_point_on_side(const std::vector<Halfspace>& cell_rows, const Cell& other, const Adjacency& adj) {
    std::vector<const Halfspace*> rows;
    rows.reserve(cell_rows.size() + other.rows.size());
    for (const auto* set : {&cell_rows, &other.rows})
      for (const auto& r : *set)
        if (!r.same_hyperplane_as(adj.facet)) rows.push_back(&r);
    return find_strict_point_on_hyperplane(adj.facet, rows, out_.dim);
  }

  void split(std::size_t ci, std::size_t m, const Vector& w, const Rational& w0) {
    if (is_zero(w)) {  // constant pre-activation on the cell: no split (THEORY.md §1, fine point 3)
      out_.cells[ci].pattern[m] = sign_of(w0);
      if (observer_) observer_->on_nosplit(ci, m, w, w0, sign_of(w0));
      return;
    }
    const RowOrigin origin{RowOrigin::Kind::Neuron, m};
    const Halfspace z_ge_0 = make_halfspace(scale(Rational(-1), w), w0, origin);  // -w.x <= w0
    const Halfspace z_le_0 = make_halfspace(w, -w0, origin);                      //  w.x <= -w0
    std::optional<Vector> p_pos, p_neg;
    {
      const Cell& c = out_.cells[ci];
      const Sign zp = sign_of_affine(w, w0, c.point);
      p_pos = zp == Sign::Positive ? std::optional<Vector>(c.point) : cell_point_on_side(c, z_ge_0);
      p_neg = zp == Sign::Negative ? std::optional<Vector>(c.point) : cell_point_on_side(c, z_le_0);
    }
    if (!p_pos && !p_neg) throw std::logic_error("split: a nonconstant affine function has no side on a full cell");
    if (!p_neg) {
      out_.cells[ci].pattern[m] = Sign::Positive;
      if (observer_) observer_->on_nosplit(ci, m, w, w0, Sign::Positive);
      return;
    }
    if (!p_pos) {
      out_.cells[ci].pattern[m] = Sign::Negative;
      if (observer_) observer_->on_nosplit(ci, m, w, w0, Sign::Negative);
      return;
    }
    if (observer_) observer_->on_split(ci, out_.cells.size(), m, w, w0, *p_pos, *p_neg);

    const std::size_t ni = out_.cells.size();
    Cell neg;
    {
      Cell& pos = out_.cells[ci];
      neg.rows = pos.rows;
      neg.rows.push_back(z_le_0);
      neg.point = *p_neg;
      neg.pattern = pos.pattern;
      neg.pattern[m] = Sign::Negative;
      neg.layer_input = pos.layer_input;
      neg.preactivation = pos.preactivation;
      neg.skip_sources = pos.skip_sources;
      pos.rows.push_back(z_ge_0);
      pos.point = *p_pos;
      pos.pattern[m] = Sign::Positive;
    }

    const std::vector<std::size_t> old = std::move(out_.cells[ci].adjacencies);
    out_.cells[ci].adjacencies.clear();
    for (std::size_t e : old) {
      const std::size_t other = out_.adjacencies[e].lower == ci ? out_.adjacencies[e].upper : out_.adjacencies[e].lower;
      const Adjacency& adj = out_.adjacencies[e];
      if (z_ge_0.same_hyperplane_as(adj.facet)) throw std::logic_error("split: a cell is split along its own facet");
      const Sign zq = sign_of_affine(w, w0, adj.point);
      const Cell& other_cell = out_.cells[other];
      std::optional<Vector> q_pos =
          zq == Sign::Positive ? std::optional<Vector>(adj.point) : facet_point_on_side(out_.cells[ci].rows, other_cell, adj);
      std::optional<Vector> q_neg =
          zq == Sign::Negative ? std::optional<Vector>(adj.point) : facet_point_on_side(neg.rows, other_cell, adj);
      if (q_pos && q_neg) {
        Adjacency copy = out_.adjacencies[e];
        (copy.lower == ci ? copy.lower : copy.upper) = ni;
        copy.point = std::move(*q_neg);
        out_.adjacencies[e].point = std::move(*q_pos);
        out_.cells[ci].adjacencies.push_back(e);
        const std::size_t id = out_.adjacencies.size();
        out_.adjacencies.push_back(std::move(copy));
        neg.adjacencies.push_back(id);
        out_.cells[other].adjacencies.push_back(id);
      } else if (q_pos) {
        out_.adjacencies[e].point = std::move(*q_pos);
        out_.cells[ci].adjacencies.push_back(e);
      } else if (q_neg) {
        Adjacency& moved = out_.adjacencies[e];
        (moved.lower == ci ? moved.lower : moved.upper) = ni;
        moved.point = std::move(*q_neg);
        neg.adjacencies.push_back(e);
      } else {
        throw std::logic_error("split: a shared facet vanished on both sides");
      }
    }

    // The new facet between the two halves: the segment between their interior points
    // crosses z = 0 inside the old cell, so the crossing is in the relative interior.
    Adjacency fresh;
    fresh.lower = ni;
    fresh.upper = ci;
    fresh.facet = z_le_0;
    {
      const Rational zn = dot(w, *p_neg) + w0, zpos = dot(w, *p_pos) + w0;
      const Rational t = zn / (zn - zpos);
      fresh.point = add(*p_neg, scale(t, sub(*p_pos, *p_neg)));
    }
    const std::size_t id = out_.adjacencies.size();
    out_.adjacencies.push_back(std::move(fresh));
    neg.adjacencies.push_back(id);
    out_.cells[ci].adjacencies.push_back(id);
    out_.cells.push_back(std::move(neg));
  }

  void finish_cells() {
    for (Cell& c : out_.cells) {
      if (c.layer_input.A.size() != 1) throw std::logic_error("finish: output is not scalar");
      c.gradient = std::move(c.layer_input.A[0]);
      c.offset = c.layer_input.c[0];
      c.layer_input = AffineMap{};
      c.skip_sources.clear();
      // Invariant: the affine piece agrees with the exact forward pass inside the cell.
      if (dot(c.gradient, c.point) + c.offset != net_.value(c.point))
        throw std::logic_error("finish: affine piece disagrees with the forward pass");
    }
  }

  const Network& net_;
  std::vector<bool> is_skip_source_ = std::vector<bool>(net_.layers().size(), false);
  BuildLimits limits_;
  BuildObserver* observer_ = nullptr;  // optional split-tree listener (certificate writer)
  Clock::time_point start_;
  RegionComplex out_;
};

}  // namespace

std::size_t RegionComplex::distinct_affine_pieces() const {
  std::set<std::pair<std::vector<std::string>, std::string>> seen;
  for (const Cell& c : cells) {
    std::vector<std::string> g;
    for (const auto& v : c.gradient) g.push_back(v.get_str());
    seen.emplace(std::move(g), c.offset.get_str());
  }
  return seen.size();
}

std::string RegionComplex::pattern_string(const Cell& c) const {
  std::string s;
  for (Sign x : c.pattern) s += sign_char(x);
  return s;
}

RegionComplex build_region_complex(const Network& net, const Domain& domain, const BuildLimits& limits,
                                   BuildObserver* observer) {
  if (auto planar = planar_builder_enabled() ? build_planar_complex(net, domain, limits, observer) : std::nullopt) return std::move(*planar);
  if (domain.dim != net.input_dim()) throw std::invalid_argument("build_region_complex: domain dimension differs from the network's");
  return Builder(net, domain, limits, observer).run();
}

}  // namespace relucert
