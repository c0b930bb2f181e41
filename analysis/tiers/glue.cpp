#include "analysis/tiers/glue.hpp"

#include <limits>
#include <stdexcept>

#include "geometry/strict_lp.hpp"

namespace relucert::tiers {

std::string glue_ref(std::size_t part, std::optional<std::size_t> node) {
  return std::to_string(part) + (node ? "." + std::to_string(*node) : std::string());
}

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// A node of the walk: part-tree node `part`, or node `node` of that part's complex.
struct Ref {
  std::size_t part = 0, node = kNone;
};

// The box rows of docs/certificate.md §3 (row 2i: -x_i <= -lo_i, row 2i+1: x_i <= hi_i).
std::vector<CertificateRow> box_rows(const Domain& box) {
  std::vector<CertificateRow> rows;
  for (std::size_t i = 0; i < box.dim; ++i) {
    Vector e(box.dim, Rational(0));
    e[i] = -1;
    rows.push_back({e, -box.lo[i]});
    e[i] = 1;
    rows.push_back({e, box.hi[i]});
  }
  return rows;
}

class Walk {
 public:
  Walk(const std::vector<PartNode>& tree, const std::vector<std::unique_ptr<RecordedComplex>>& cx,
       std::optional<std::chrono::steady_clock::time_point> deadline)
      : tree_(tree), cx_(cx), deadline_(deadline) {
    for (const PartNode& p : tree) part_rows_.push_back(box_rows(p.part));
  }

  // The walk of one split; false when it found a violation (then r.violation_point is set) or
  // ran out of time (r.out_of_time).
  bool split(std::size_t s, GlueResult& r) {
    const PartNode& S = tree_[s];
    n_.assign(S.part.dim, Rational(0));
    n_[S.axis] = 1;
    beta_ = S.value;
    plane_ = make_halfspace(n_, beta_, RowOrigin{});
    axis_ = S.axis;
    return visit(enter(S.lower), enter(S.upper), r);
  }

 private:
  // A complex leaf is walked from the root of its split tree (the same box).
  Ref enter(std::size_t part) const { return tree_[part].kind == PartNode::Kind::Complex ? Ref{part, 0} : Ref{part, kNone}; }
  const SplitNode* node(Ref q) const { return q.node == kNone ? nullptr : &cx_[tree_[q.part].complex]->tree()[q.node]; }
  bool has_complex(Ref q) const { return q.node != kNone || tree_[q.part].has_complex; }
  bool is_leaf(Ref q) const { return q.node != kNone && !node(q)->is_split; }
  const std::vector<CertificateRow>& rows(Ref q) const { return q.node == kNone ? part_rows_[q.part] : node(q)->rows; }
  std::pair<Ref, Ref> children(Ref q) const {
    if (q.node == kNone) return {enter(tree_[q.part].lower), enter(tree_[q.part].upper)};
    return {Ref{q.part, node(q)->neg}, Ref{q.part, node(q)->pos}};
  }
  const Vector& gradient(Ref q) const {
    const RecordedComplex& c = *cx_[tree_[q.part].complex];
    return c.complex().cells[node(q)->cell].gradient;
  }
  std::string ref(Ref q) const { return glue_ref(q.part, q.node == kNone ? std::nullopt : std::optional<std::size_t>(q.node)); }

  // A point of H strictly inside every row of a and b that does not lie on H, if any: then a and b
  // meet H in dimension d-1 (rows parallel to H with the wrong offset make the system infeasible).
  std::optional<Vector> meet(Ref a, Ref b) const {
    std::vector<Halfspace> hs;
    for (const Ref q : {a, b})
      for (const CertificateRow& row : rows(q)) {
        Halfspace h = make_halfspace(row.a, row.b, RowOrigin{});
        if (h.same_hyperplane_as(plane_)) {
          // On H, a row holds with equality or is the wrong side of a parallel offset; H itself
          // is never strictly inside it, but (like O8) a row lying on H only says the node touches H.
          continue;
        }
        hs.push_back(std::move(h));
      }
    return find_strict_point_on_hyperplane(plane_, hs, n_.size());
  }

  bool prune(Ref a, Ref b, GlueResult& r) {
    const auto y = motzkin_multipliers(rows(a), 0, rows(b), 0, n_, beta_);
    if (!y) throw std::logic_error("glue: two nodes that do not meet on the split plane have no Motzkin multipliers");
    r.records += "glue-prune " + ref(a) + " " + ref(b) + *y + "\n";
    ++r.prunes;
    return true;
  }

  bool visit(Ref a, Ref b, GlueResult& r) {
    if (!has_complex(a) || !has_complex(b)) return true;  // a path-lifting part covers these pairs
    if (deadline_ && ++visits_ % 64 == 0 && std::chrono::steady_clock::now() > *deadline_) {
      r.out_of_time = true;
      return false;
    }
    if (is_leaf(a) && is_leaf(b)) {
      const Vector delta = sub(gradient(b), gradient(a));
      bool parallel = true;
      for (std::size_t j = 0; j < delta.size(); ++j) parallel = parallel && (j == axis_ || sgn(delta[j]) == 0);
      if (!parallel) {
        r.records += "glue-apart " + ref(a) + " " + ref(b) + "\n";
        ++r.aparts;
        return true;
      }
      if (sgn(delta[axis_]) >= 0) {
        r.records += "glue-jump " + ref(a) + " " + ref(b) + " " + to_string(delta[axis_]) + "\n";
        ++r.jumps;
        return true;
      }
      // A negative jump: a witness if the cells really share a (d-1)-dimensional piece of H.
      if (auto q = meet(a, b)) {
        r.violation_point = std::move(q);
        r.violation_axis = axis_;
        return false;
      }
      return prune(a, b, r);
    }
    if (!meet(a, b)) return prune(a, b, r);
    const auto [a0, a1] = is_leaf(a) ? std::pair<Ref, Ref>{} : children(a);
    if (!is_leaf(a)) return visit(a0, b, r) && visit(a1, b, r);
    const auto [b0, b1] = children(b);
    return visit(a, b0, r) && visit(a, b1, r);
  }

  const std::vector<PartNode>& tree_;
  const std::vector<std::unique_ptr<RecordedComplex>>& cx_;
  std::vector<std::vector<CertificateRow>> part_rows_;
  Vector n_;
  Rational beta_;
  Halfspace plane_;
  std::size_t axis_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::size_t visits_ = 0;
};

}  // namespace

GlueResult glue_parts(const std::vector<PartNode>& tree, const std::vector<std::unique_ptr<RecordedComplex>>& complexes,
                      std::optional<std::chrono::steady_clock::time_point> deadline) {
  GlueResult r;
  Walk walk(tree, complexes, deadline);
  for (std::size_t s = 0; s < tree.size(); ++s) {
    const PartNode& S = tree[s];
    if (S.kind != PartNode::Kind::Split || !tree[S.lower].has_complex || !tree[S.upper].has_complex) continue;
    if (!walk.split(s, r)) return r;
  }
  return r;
}

}  // namespace relucert::tiers
