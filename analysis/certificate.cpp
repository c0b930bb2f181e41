#include "analysis/certificate.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/input_error.hpp"
#include "geometry/exact_lp.hpp"
#include "geometry/work_share.hpp"

namespace relucert {
namespace {

using Row = CertificateRow;
using Node = SplitNode;
using Fix = SplitFix;

// Records the split tree while the complex is built (geometry/region_complex.hpp, BuildObserver).
class TreeRecorder : public BuildObserver {
 public:
  explicit TreeRecorder(const Domain& dom) {
    Node root;
    if (dom.is_box)
      for (std::size_t i = 0; i < dom.dim; ++i) {
        Vector e(dom.dim, Rational(0));
        e[i] = -1;
        root.rows.push_back(Row{e, -dom.lo[i]});
        e[i] = 1;
        root.rows.push_back(Row{e, dom.hi[i]});
      }
    root.point = dom.center();
    nodes.push_back(std::move(root));
    cell_node.push_back(0);
  }
  void on_nosplit(std::size_t cell, std::size_t neuron, const Vector& w, const Rational& w0, Sign s) override {
    nodes[cell_node.at(cell)].fixes.push_back(Fix{neuron, s, w, w0});
  }
  void on_split(std::size_t cell, std::size_t neg_cell, std::size_t neuron, const Vector& w, const Rational& w0,
                const Vector& p_pos, const Vector& p_neg) override {
    const std::size_t parent = cell_node.at(cell);
    Node neg, pos;
    neg.rows = pos.rows = nodes[parent].rows;
    neg.rows.push_back(Row{w, -w0});                 // z <= 0
    pos.rows.push_back(Row{scale(Rational(-1), w), w0});  // z >= 0
    neg.point = p_neg;
    pos.point = p_pos;
    Node& p = nodes[parent];
    p.is_split = true;
    p.split_neuron = neuron;
    p.w = w;
    p.w0 = w0;
    p.neg = nodes.size();
    p.pos = nodes.size() + 1;
    nodes.push_back(std::move(neg));
    nodes.push_back(std::move(pos));
    if (cell_node.size() <= neg_cell) cell_node.resize(neg_cell + 1);
    cell_node[neg_cell] = nodes.size() - 2;
    cell_node[cell] = nodes.size() - 1;
  }
  std::vector<Node> nodes;
  std::vector<std::size_t> cell_node;  // current tree node of each cell
};

std::string rat(const Rational& q) { return to_string(q); }

// y >= 0 with sum y_r (b_r - a_r.x) + c = u.x + u0, c >= 0 (docs/certificate.md O4), by an exact LP.
std::vector<std::pair<std::size_t, Rational>> fix_multipliers(const std::vector<Row>& rows, const Vector& u, const Rational& u0) {
  if (is_zero(u)) {
    if (sgn(u0) < 0) throw std::logic_error("certificate: a constant pre-activation has the wrong sign");
    return {};
  }
  const std::size_t d = u.size(), k = rows.size();
  FeasibilityProblem p;
  p.vars = k;
  for (std::size_t j = 0; j < d; ++j) {
    LinearRow r{Vector(k), Relation::Equal, -u[j]};
    for (std::size_t i = 0; i < k; ++i) r.a[i] = rows[i].a[j];
    p.rows.push_back(std::move(r));
  }
  LinearRow last{Vector(k), Relation::LessEqual, u0};
  for (std::size_t i = 0; i < k; ++i) last.a[i] = rows[i].b;
  p.rows.push_back(std::move(last));
  p.lower.assign(k, Rational(0));
  p.upper.assign(k, std::nullopt);
  const FeasibilityAnswer ans = solve_feasibility(p);
  if (!ans.feasible) throw std::logic_error("certificate: no Farkas multipliers for a settled neuron");
  std::vector<std::pair<std::size_t, Rational>> y;
  for (std::size_t i = 0; i < k; ++i)
    if (sgn(ans.point[i]) != 0) y.emplace_back(i, ans.point[i]);
  return y;
}

bool lies_on(const Row& r, const Vector& n, const Rational& beta) {
  std::size_t j = 0;
  while (j < n.size() && sgn(n[j]) == 0) ++j;
  if (j == n.size() || sgn(r.a[j]) == 0) return false;
  const Rational t = r.a[j] / n[j];
  for (std::size_t i = 0; i < n.size(); ++i)
    if (r.a[i] != t * n[i]) return false;
  return r.b == t * beta;
}

std::string json_string(const std::string& s) {
  std::string r = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      r += '\\';
      r += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      r += buf;
    } else {
      r += static_cast<char>(ch);
    }
  }
  return r + "\"";
}

std::string json_rationals(const Vector& v) {
  std::string r = "[";
  for (std::size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + json_string(to_string(v[i]));
  return r + "]";
}

}  // namespace

// Motzkin multipliers: y >= 0, sum y = 1, sum y_r a_r + mu n = 0, sum y_r b_r + mu beta <= 0.
std::optional<std::string> motzkin_multipliers(const std::vector<CertificateRow>& neg, std::size_t neg_from,
                                               const std::vector<CertificateRow>& pos, std::size_t pos_from, const Vector& n,
                                               const Rational& beta) {
  std::vector<std::pair<char, std::size_t>> tags;
  std::vector<const Row*> rows;
  for (std::size_t i = neg_from; i < neg.size(); ++i)
    if (!lies_on(neg[i], n, beta)) tags.emplace_back('-', i), rows.push_back(&neg[i]);
  for (std::size_t i = pos_from; i < pos.size(); ++i)
    if (!lies_on(pos[i], n, beta)) tags.emplace_back('+', i), rows.push_back(&pos[i]);
  const std::size_t k = rows.size(), d = n.size();
  FeasibilityProblem p;
  p.vars = k + 1;  // y, then mu
  for (std::size_t j = 0; j < d; ++j) {
    LinearRow r{Vector(k + 1), Relation::Equal, Rational(0)};
    for (std::size_t i = 0; i < k; ++i) r.a[i] = rows[i]->a[j];
    r.a[k] = n[j];
    p.rows.push_back(std::move(r));
  }
  LinearRow rb{Vector(k + 1), Relation::LessEqual, Rational(0)};
  for (std::size_t i = 0; i < k; ++i) rb.a[i] = rows[i]->b;
  rb.a[k] = beta;
  p.rows.push_back(std::move(rb));
  LinearRow one{Vector(k + 1, Rational(1)), Relation::Equal, Rational(1)};
  one.a[k] = 0;
  p.rows.push_back(std::move(one));
  p.lower.assign(k + 1, Rational(0));
  p.lower[k] = std::nullopt;
  p.upper.assign(k + 1, std::nullopt);
  const FeasibilityAnswer ans = solve_feasibility(p);
  if (!ans.feasible) return std::nullopt;
  std::string s;
  for (std::size_t i = 0; i < k; ++i)
    if (sgn(ans.point[i]) != 0) s += std::string(" ") + tags[i].first + std::to_string(tags[i].second) + ':' + rat(ans.point[i]);
  return s;
}

class RecordedComplex::Impl {
 public:
  Impl(const Network& net, const Domain& dom) : net_(net), dom_(dom), rec_(dom) {}

  void build(const BuildLimits& limits) {
    cx_ = build_region_complex(net_, dom_, limits, &rec_);
    if (cx_.status != BuildStatus::Complete) return;
    // With a work share the build is collective, but only rank 0 writes the file: the others
    // have taken their part and skip the text (which needs no collective).
    skip_text_ = limits.share && limits.share->rank() != 0;
    std::vector<Node>& nodes = rec_.nodes;
    for (std::size_t c = 0; c < cx_.cells.size(); ++c) nodes.at(rec_.cell_node.at(c)).cell = c;
    // Leaves in depth-first order: every node's leaves are one interval [first_, last_).
    first_.assign(nodes.size(), 0);
    last_.assign(nodes.size(), 0);
    leaf_index_.assign(cx_.cells.size(), 0);
    number_leaves(0);
    leaf_cells_.assign(cx_.cells.size(), 0);
    for (std::size_t c = 0; c < cx_.cells.size(); ++c) leaf_cells_[leaf_index_[c]] = c;
  }

  std::optional<std::string> write(CertificateStats* stats, bool embedded) {
    if (cx_.status != BuildStatus::Complete) return std::nullopt;
    if (skip_text_) return std::string();
    const std::vector<Node>& nodes = rec_.nodes;
    std::ostringstream out;
    if (!embedded) {
      out << "c relucert convexity certificate, format: docs/certificate.md\n";
      out << "relucert-certificate 1\n";
    }
    if (dom_.is_box) {
      out << "domain box " << dom_.dim;
      for (std::size_t i = 0; i < dom_.dim; ++i) out << ' ' << rat(dom_.lo[i]) << ' ' << rat(dom_.hi[i]);
      out << "\n";
    } else {
      out << "domain R " << dom_.dim << "\n";
    }
    out << "nodes " << nodes.size() << "\n";
    for (std::size_t id = 0; id < nodes.size(); ++id) {
      const Node& n = nodes[id];
      out << "node " << id << " point";
      for (const auto& x : n.point) out << ' ' << rat(x);
      out << "\n";
      for (const Fix& f : n.fixes) {
        const bool plus = f.sign == Sign::Positive;
        const Vector u = plus ? f.w : scale(Rational(-1), f.w);
        const Rational u0 = plus ? f.w0 : Rational(-f.w0);
        out << "fix " << cx_.neurons.at(f.neuron).name() << (plus ? " +" : " -");
        for (const auto& [r, y] : fix_multipliers(n.rows, u, u0)) out << ' ' << r << ':' << rat(y);
        out << "\n";
      }
      if (n.is_split)
        out << "split " << cx_.neurons.at(n.split_neuron).name() << ' ' << n.neg << ' ' << n.pos << "\n";
      else
        out << "leaf\n";
    }
    for (std::size_t id = 0; id < nodes.size(); ++id)
      if (nodes[id].is_split) {
        cur_ = id;
        visit(nodes[id].neg, nodes[id].pos, out);
      }
    out << "end\n";
    if (stats) {
      stats->nodes = nodes.size();
      stats->leaves = cx_.cells.size();
      stats->jumps = jumps_;
      stats->prunes = prunes_;
    }
    return out.str();
  }

 public:
  const Network& net_;
  const Domain dom_;
  TreeRecorder rec_;
  RegionComplex cx_;
  bool skip_text_ = false;  // a work share's rank other than 0: its part of the build only

 private:
  void number_leaves(std::size_t id) {
    // Iterative to stay safe on deep trees.
    std::vector<std::pair<std::size_t, bool>> stack{{id, false}};
    std::size_t next = 0;
    while (!stack.empty()) {
      auto [v, done] = stack.back();
      stack.pop_back();
      const Node& n = rec_.nodes[v];
      if (done) {
        last_[v] = next;
        continue;
      }
      first_[v] = next;
      if (!n.is_split) {
        leaf_index_[n.cell] = next++;
        last_[v] = next;
        continue;
      }
      stack.push_back({v, true});
      stack.push_back({n.pos, false});
      stack.push_back({n.neg, false});
    }
  }

  // Does the engine know an adjacent pair (A, B) with A below qn and B below qp?
  bool live(std::size_t qn, std::size_t qp) const {
    for (std::size_t li = first_[qn]; li < last_[qn]; ++li) {
      const std::size_t c = leaf_cells_[li];
      for (std::size_t e : cx_.cells[c].adjacencies) {
        const Adjacency& adj = cx_.adjacencies[e];
        const std::size_t other = adj.lower == c ? adj.upper : adj.lower;
        const std::size_t lo = leaf_index_[other];
        if (lo >= first_[qp] && lo < last_[qp]) return true;
      }
    }
    return false;
  }

  void visit(std::size_t qn, std::size_t qp, std::ostringstream& out) {
    const auto& nodes = rec_.nodes;
    if (!live(qn, qp)) {
      prune(qn, qp, out);
      return;
    }
    if (nodes[qn].is_split) {
      visit(nodes[qn].neg, qp, out);
      visit(nodes[qn].pos, qp, out);
    } else if (nodes[qp].is_split) {
      visit(qn, nodes[qp].neg, out);
      visit(qn, nodes[qp].pos, out);
    } else {
      jump(qn, qp, out);
    }
  }

  void jump(std::size_t a, std::size_t b, std::ostringstream& out) {
    const Node& P = rec_.nodes[cur_];
    const Vector delta = sub(cx_.cells[rec_.nodes[b].cell].gradient, cx_.cells[rec_.nodes[a].cell].gradient);
    const Rational lambda = dot(delta, P.w) / dot(P.w, P.w);
    if (delta != scale(lambda, P.w)) throw std::logic_error("certificate: a gradient jump is not parallel to its facet normal");
    if (sgn(lambda) < 0) throw std::logic_error("certificate: a concave fold (the network is not convex)");
    out << "jump " << a << ' ' << b << ' ' << rat(lambda) << "\n";
    ++jumps_;
  }

  void prune(std::size_t qn, std::size_t qp, std::ostringstream& out) {
    const auto& nodes = rec_.nodes;
    const Node& P = nodes[cur_];
    // Rows of P (common to both nodes) are listed once, as rows of qn.
    const auto y = motzkin_multipliers(nodes[qn].rows, 0, nodes[qp].rows, P.rows.size(), P.w, -P.w0);
    if (!y) throw std::logic_error("certificate: two nodes share a facet piece that the region complex did not report");
    out << "prune " << qn << ' ' << qp << *y << "\n";
    ++prunes_;
  }

  std::vector<std::size_t> first_, last_, leaf_index_, leaf_cells_;
  std::size_t cur_ = 0, jumps_ = 0, prunes_ = 0;
};

RecordedComplex::RecordedComplex(const Network& net, const Domain& domain, const BuildLimits& limits)
    : impl_(std::make_unique<Impl>(net, domain)) {
  impl_->build(limits);
}
RecordedComplex::~RecordedComplex() = default;
const RegionComplex& RecordedComplex::complex() const { return impl_->cx_; }
const std::vector<SplitNode>& RecordedComplex::tree() const { return impl_->rec_.nodes; }
std::optional<std::string> RecordedComplex::certificate(CertificateStats* stats, bool embedded) {
  return impl_->write(stats, embedded);
}

std::optional<std::string> write_convexity_certificate(const Network& net, const Domain& domain, const BuildLimits& limits,
                                                       CertificateStats* stats) {
  return RecordedComplex(net, domain, limits).certificate(stats, false);
}

std::string write_witness_file(const Witness& w, const Domain& domain, const std::string& net_path) {
  std::string s = "{\"net\": " + json_string(net_path) + ", \"domain\": ";
  s += domain.is_box ? "{\"lo\": " + json_rationals(domain.lo) + ", \"hi\": " + json_rationals(domain.hi) + "}"
                     : std::string("\"R^d\"");
  s += ", \"x\": " + json_rationals(w.x) + ", \"y\": " + json_rationals(w.y) + ", \"gap\": " + json_string(to_string(w.gap)) + "}\n";
  return s;
}

}  // namespace relucert
