// Checks a convexity certificate: obligations O1-O9 of docs/certificate.md §4.
// No search, no LP: every inequality comes with its multipliers.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "checker.hpp"
#include "tier_checks.hpp"

namespace rcv {
namespace {

struct FixRec {
  std::size_t line = 0, neuron = 0;
  bool plus = false;
  std::vector<Mult> y;
};
struct NodeRec {
  std::size_t line = 0;
  Vec point;
  std::vector<FixRec> fixes;
  bool split = false;
  std::size_t split_line = 0, split_neuron = 0, neg = 0, pos = 0;
};
struct PairRec {
  std::size_t line = 0;
  bool prune = false;
  std::vector<Mult> y;
  Q lambda;
  bool used = false;
};

// ---------------------------------------------------------------- parsing
class Parser {
 public:
  Parser(const Net& net, const std::string& file) : net_(net), file_(file) {
    for (std::size_t m = 0; m < net.neurons.size(); ++m) names_[net.neuron_name(m)] = m;
  }
  [[noreturn]] void fail(const std::string& w) const { throw Malformed{file_, line_, w}; }

  void parse(const std::string& text) {
    Words words(text, file_);
    parse(words.take_all(), static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1, false);
  }

  // `lines`: the non-comment lines; `embedded`: a complex leaf of a branch-and-bound certificate
  // (§10), which starts at its "domain" line.
  void parse(const std::vector<NumberedLine>& lines, std::size_t text_lines, bool embedded) {
    enum { Header, Domain, Nodes, Body, Done } st = embedded ? Domain : Header;
    bool in_node = false;  // inside a node block that has not seen split/leaf yet
    for (const NumberedLine& nl : lines) {
      line_ = nl.number;
      const std::vector<std::string>& t = nl.words;
      if (st == Done) fail("text after 'end'");
      const std::string& k = t[0];
      if (st == Header) {
        if (k != "relucert-certificate" || t.size() != 2 || t[1] != "1") fail("expected 'relucert-certificate 1'");
        st = Domain;
      } else if (st == Domain) {
        if (k != "domain" || t.size() < 3) fail("expected 'domain R D' or 'domain box D LO1 HI1 ...'");
        dim = count(t[2]);
        if (dim != net_.dim) fail("domain dimension " + t[2] + " differs from the network's input dimension " + std::to_string(net_.dim));
        if (t[1] == "R") {
          if (t.size() != 3) fail("'domain R D' takes no bounds");
        } else if (t[1] == "box") {
          if (t.size() != 3 + 2 * dim) fail("'domain box D' needs 2*D bounds");
          is_box = true;
          for (std::size_t i = 0; i < dim; ++i) {
            lo.push_back(rat(t[3 + 2 * i]));
            hi.push_back(rat(t[4 + 2 * i]));
            if (!(lo[i] < hi[i])) fail("box interval " + std::to_string(i + 1) + " is empty (need LO < HI)");
          }
        } else {
          fail("unknown domain kind '" + t[1] + "'");
        }
        st = Nodes;
      } else if (st == Nodes) {
        if (k != "nodes" || t.size() != 2) fail("expected 'nodes N'");
        const std::size_t n = count(t[1]);
        if (n == 0) fail("a certificate has at least the root node");
        // Every node has its own 'node' line: a larger N is refused before anything is allocated
        // for it (found by fuzz/fuzz_certificate.cpp: 'nodes 666666666' reserved 64 GB).
        if (n > text_lines) fail("'nodes " + t[1] + "' declares more nodes than the certificate has lines");
        nodes.reserve(n);
        expected_nodes = n;
        st = Body;
      } else if (k == "node") {
        if (in_node) fail("node " + std::to_string(nodes.size() - 1) + " has no 'split' or 'leaf' record");
        if (!pairs.empty()) fail("node records must come before prune/jump records");
        if (t.size() != 3 + dim || t[2] != "point") fail("expected 'node ID point X1 ... XD'");
        if (count(t[1]) != nodes.size()) fail("expected node " + std::to_string(nodes.size()) + " (nodes appear in id order)");
        if (nodes.size() >= expected_nodes) fail("more nodes than declared");
        NodeRec n;
        n.line = line_;
        for (std::size_t i = 0; i < dim; ++i) n.point.push_back(rat(t[3 + i]));
        nodes.push_back(std::move(n));
        in_node = true;
      } else if (k == "fix") {
        if (!in_node) fail("'fix' outside a node block");
        if (t.size() < 3 || (t[2] != "+" && t[2] != "-")) fail("expected 'fix NEURON +|- ROW:Y ...'");
        FixRec f;
        f.line = line_;
        f.neuron = neuron(t[1]);
        f.plus = t[2] == "+";
        for (std::size_t i = 3; i < t.size(); ++i) f.y.push_back(mult(t[i], false));
        no_duplicates(f.y);
        nodes.back().fixes.push_back(std::move(f));
      } else if (k == "split" || k == "leaf") {
        if (!in_node) fail("'" + k + "' outside a node block");
        NodeRec& n = nodes.back();
        if (k == "leaf") {
          if (t.size() != 1) fail("'leaf' takes no arguments");
        } else {
          if (t.size() != 4) fail("expected 'split NEURON NEG POS'");
          const std::size_t id = nodes.size() - 1;
          n.split = true;
          n.split_line = line_;
          n.split_neuron = neuron(t[1]);
          n.neg = count(t[2]);
          n.pos = count(t[3]);
          if (n.neg <= id || n.pos <= id || n.neg == n.pos || n.neg >= expected_nodes || n.pos >= expected_nodes)
            fail("children must be two different nodes with larger ids below 'nodes N'");
          for (std::size_t c : {n.neg, n.pos})
            if (!children.insert(c).second) fail("node " + std::to_string(c) + " is a child twice");
        }
        in_node = false;
      } else if (k == "prune" || k == "jump") {
        if (in_node) fail("node " + std::to_string(nodes.size() - 1) + " has no 'split' or 'leaf' record");
        if (nodes.size() != expected_nodes) fail("only " + std::to_string(nodes.size()) + " of the declared nodes are given");
        PairRec p;
        p.line = line_;
        p.prune = k == "prune";
        if (t.size() < 4 || (!p.prune && t.size() != 4)) fail(p.prune ? "expected 'prune NEG POS (+|-)ROW:Y ...'" : "expected 'jump NEG POS LAMBDA'");
        const std::size_t a = count(t[1]), b = count(t[2]);
        if (a >= nodes.size() || b >= nodes.size()) fail("no such node");
        if (p.prune) {
          for (std::size_t i = 3; i < t.size(); ++i) p.y.push_back(mult(t[i], true));
          no_duplicates(p.y);
        } else {
          p.lambda = rat(t[3]);
        }
        if (!pairs.emplace(std::make_pair(a, b), std::move(p)).second) fail("a second record for the pair " + t[1] + " " + t[2]);
      } else if (k == "end") {
        if (t.size() != 1) fail("'end' takes no arguments");
        if (in_node) fail("node " + std::to_string(nodes.size() - 1) + " has no 'split' or 'leaf' record");
        if (nodes.size() != expected_nodes) fail("only " + std::to_string(nodes.size()) + " of the declared nodes are given");
        st = Done;
      } else {
        fail("unknown record '" + k + "'");
      }
    }
    if (st != Done) {
      ++line_;
      fail("the certificate ends without 'end' (truncated?)");
    }
    if (children.size() != nodes.size() - 1) {
      line_ = 0;
      fail("some node is not a child of any node (the nodes do not form one tree)");
    }
  }

  std::size_t dim = 0;
  bool is_box = false;
  Vec lo, hi;
  std::size_t expected_nodes = 0;
  std::vector<NodeRec> nodes;
  std::map<std::pair<std::size_t, std::size_t>, PairRec> pairs;

 private:
  std::size_t count(const std::string& s) const {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) fail("expected a count, found '" + s + "'");
    return std::stoull(s);
  }
  Q rat(const std::string& s) const {
    const std::size_t sl = s.find('/');
    const std::string p = s.substr(s[0] == '-' ? 1 : 0, sl == std::string::npos ? std::string::npos : sl - (s[0] == '-' ? 1 : 0));
    const std::string q = sl == std::string::npos ? "1" : s.substr(sl + 1);
    auto digits = [](const std::string& x) { return !x.empty() && x.find_first_not_of("0123456789") == std::string::npos; };
    if (!digits(p) || !digits(q)) fail("expected a rational p or p/q, found '" + s + "'");
    const mpz_class den(q, 10);
    if (den == 0) fail("zero denominator in '" + s + "'");
    Q v(mpz_class(p, 10), den);
    v.canonicalize();
    return s[0] == '-' ? Q(-v) : v;
  }
  std::size_t neuron(const std::string& s) const {
    const auto it = names_.find(s);
    if (it == names_.end()) fail("'" + s + "' is not a ReLU neuron of the network");
    return it->second;
  }
  Mult mult(const std::string& s, bool sided) const {
    Mult m;
    std::string r = s;
    if (sided) {
      if (r.empty() || (r[0] != '-' && r[0] != '+')) fail("expected -ROW:Y or +ROW:Y, found '" + s + "'");
      m.side = r[0];
      r.erase(0, 1);
    }
    const std::size_t c = r.find(':');
    if (c == std::string::npos) fail("expected ROW:Y, found '" + s + "'");
    m.row = count(r.substr(0, c));
    m.y = rat(r.substr(c + 1).empty() ? "x" : r.substr(c + 1));
    if (m.y < 0) fail("negative multiplier in '" + s + "'");
    return m;
  }
  void no_duplicates(const std::vector<Mult>& ys) const {
    std::set<std::pair<char, std::size_t>> seen;
    for (const Mult& m : ys)
      if (!seen.emplace(m.side, m.row).second) fail("row " + std::to_string(m.row) + " has two multipliers");
  }
  const Net& net_;
  std::string file_;
  std::size_t line_ = 0;
  std::map<std::string, std::size_t> names_;
  std::set<std::size_t> children;
};

// ---------------------------------------------------------------- symbolic forward pass
struct Affine {  // rows of functions x -> A[k].x + c[k]
  std::vector<Vec> A;
  Vec c;
};

struct State {
  std::vector<Row> rows;
  std::size_t layer = 0;  // layer whose pre-activations Z are held; == layers.size() when done
  std::size_t k = 0;      // next neuron within that layer
  Affine Z;               // pre-activations of `layer`, or the final output map when done
  std::vector<bool> D;    // activations settled in `layer`
  std::size_t settled = 0;
  std::vector<Affine> outs;  // outputs of the finished layers on this cell, for skip terms
};

// Pre-activations of L on the cell: W (input map `in`) + U x + b + sum M (earlier outputs).
Affine layer_map(const Layer& L, const Affine& in, std::size_t d, const std::vector<Affine>& outs) {
  Affine z;
  for (std::size_t k = 0; k < L.W.size(); ++k) {
    Vec a(d, Q(0));
    Q c = L.b[k];
    for (std::size_t j = 0; j < in.A.size(); ++j) {
      if (L.W[k][j] == 0) continue;
      for (std::size_t i = 0; i < d; ++i) a[i] += L.W[k][j] * in.A[j][i];
      c += L.W[k][j] * in.c[j];
    }
    if (!L.U.empty())
      for (std::size_t i = 0; i < d; ++i) a[i] += L.U[k][i];
    for (const Skip& sk : L.skips) {
      const Affine& h = outs.at(sk.from);
      for (std::size_t j = 0; j < h.A.size(); ++j) {
        if (sk.M[k][j] == 0) continue;
        for (std::size_t i = 0; i < d; ++i) a[i] += sk.M[k][j] * h.A[j][i];
        c += sk.M[k][j] * h.c[j];
      }
    }
    z.A.push_back(std::move(a));
    z.c.push_back(std::move(c));
  }
  return z;
}

// Moves past finished layers (and layers without ReLU) until the next neuron is available.
void normalize(const Net& net, State& s) {
  const std::size_t d = net.dim;
  while (s.layer < net.layers.size() && (!net.layers[s.layer].relu || s.k == net.layers[s.layer].W.size())) {
    Affine out = std::move(s.Z);
    if (net.layers[s.layer].relu)
      for (std::size_t k = 0; k < out.A.size(); ++k)
        if (!s.D[k]) {
          out.A[k].assign(d, Q(0));
          out.c[k] = 0;
        }
    ++s.layer;
    s.k = 0;
    s.D.clear();
    if (s.layer < net.layers.size()) {
      s.outs.push_back(out);  // before the next map: a skip may come from the layer just finished
      s.Z = layer_map(net.layers[s.layer], out, d, s.outs);
    } else {
      s.Z = std::move(out);
    }
  }
}

State root_state(const Net& net, const Parser& p) {
  State s;
  const std::size_t d = net.dim;
  if (p.is_box)
    for (std::size_t i = 0; i < d; ++i) {
      Vec e(d, Q(0));
      e[i] = -1;
      s.rows.push_back(Row{e, -p.lo[i]});
      e[i] = 1;
      s.rows.push_back(Row{e, p.hi[i]});
    }
  Affine id;
  for (std::size_t i = 0; i < d; ++i) {
    Vec e(d, Q(0));
    e[i] = 1;
    id.A.push_back(std::move(e));
    id.c.push_back(0);
  }
  s.Z = layer_map(net.layers[0], id, d, s.outs);
  normalize(net, s);
  return s;
}

void settle(const Net& net, State& s, bool active) {
  s.D.push_back(active);
  ++s.k;
  ++s.settled;
  normalize(net, s);
}

Q dot(const Vec& a, const Vec& b) {
  Q s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

std::string at(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line) + ": "; }

// ---------------------------------------------------------------- the checks
class Checker {
 public:
  Checker(const Net& net, Parser& p, const std::string& file) : net_(net), p_(p), file_(file) {}

  std::string run() {
    const std::size_t n = p_.nodes.size();
    rows_.resize(n);
    grad_.resize(n);
    is_leaf_.assign(n, false);
    // O2-O6 along the tree (iterative depth-first; children ids are larger than their parent's).
    std::vector<std::pair<std::size_t, State>> stack;
    stack.emplace_back(0, root_state(net_, p_));
    std::size_t leaves = 0;
    while (!stack.empty()) {
      auto [id, s] = std::move(stack.back());
      stack.pop_back();
      const NodeRec& nr = p_.nodes[id];
      const std::string where = at(file_, nr.line) + "node " + std::to_string(id) + ": ";
      for (const Row& r : s.rows)  // O2
        if (!(dot(r.a, nr.point) < r.b)) throw Rejected{where + "the point is not strictly inside the node"};
      for (const FixRec& f : nr.fixes) {  // O3, O4
        const std::string fw = at(file_, f.line) + "node " + std::to_string(id) + ": ";
        if (s.settled >= net_.neurons.size() || f.neuron != s.settled)
          throw Rejected{fw + "fix names " + net_.neuron_name(f.neuron) + " but the next neuron is " + next_name(s)};
        const Q sg = f.plus ? 1 : -1;
        Vec u(net_.dim);
        for (std::size_t i = 0; i < net_.dim; ++i) u[i] = sg * s.Z.A[s.k][i];
        Q c = sg * s.Z.c[s.k];
        Vec sum(net_.dim, Q(0));
        for (const Mult& m : f.y) {
          if (m.row >= s.rows.size()) throw Malformed{file_, f.line, "row " + std::to_string(m.row) + " does not exist at node " + std::to_string(id)};
          for (std::size_t i = 0; i < net_.dim; ++i) sum[i] -= m.y * s.rows[m.row].a[i];
          c -= m.y * s.rows[m.row].b;
        }
        if (sum != u) throw Rejected{fw + "the multipliers of " + net_.neuron_name(f.neuron) + " do not reproduce its gradient"};
        if (c < 0) throw Rejected{fw + "the multipliers of " + net_.neuron_name(f.neuron) + " leave a negative constant " + str(c)};
        settle(net_, s, f.plus);
      }
      if (nr.split) {  // O3, O5
        const std::string sw = at(file_, nr.split_line) + "node " + std::to_string(id) + ": ";
        if (s.settled >= net_.neurons.size() || nr.split_neuron != s.settled)
          throw Rejected{sw + "split names " + net_.neuron_name(nr.split_neuron) + " but the next neuron is " + next_name(s)};
        const Vec w = s.Z.A[s.k];
        const Q w0 = s.Z.c[s.k];
        bool zero = true;
        for (const Q& v : w) zero = zero && v == 0;
        if (zero) throw Rejected{sw + "split on " + net_.neuron_name(nr.split_neuron) + ", whose pre-activation is constant here"};
        normal_.emplace(id, std::make_pair(w, Q(-w0)));
        rows_[id] = s.rows;
        State neg = s, pos = std::move(s);
        Vec mw(w.size());
        for (std::size_t i = 0; i < w.size(); ++i) mw[i] = -w[i];
        neg.rows.push_back(Row{w, Q(-w0)});
        pos.rows.push_back(Row{mw, w0});
        settle(net_, neg, false);
        settle(net_, pos, true);
        stack.emplace_back(nr.pos, std::move(pos));
        stack.emplace_back(nr.neg, std::move(neg));
      } else {  // O3, O6
        if (s.settled != net_.neurons.size())
          throw Rejected{where + "is a leaf but neuron " + next_name(s) + " is not settled"};
        if (s.Z.A.size() != 1) throw Rejected{where + "internal: output is not scalar"};
        if (dot(s.Z.A[0], nr.point) + s.Z.c[0] != net_.value(nr.point))
          throw Rejected{where + "the affine piece disagrees with the forward pass at the point"};
        grad_[id] = s.Z.A[0];
        rows_[id] = std::move(s.rows);
        is_leaf_[id] = true;
        ++leaves;
      }
    }
    // O7-O9: the walk of every split node.
    std::size_t jumps = 0, prunes = 0;
    for (std::size_t id = 0; id < n; ++id) {
      if (!p_.nodes[id].split) continue;
      const auto& [nrm, beta] = normal_.at(id);
      std::vector<std::pair<std::size_t, std::size_t>> todo{{p_.nodes[id].neg, p_.nodes[id].pos}};
      while (!todo.empty()) {
        const auto [qn, qp] = todo.back();
        todo.pop_back();
        const auto it = p_.pairs.find({qn, qp});
        if (it != p_.pairs.end() && it->second.prune) {
          check_prune(it->second, qn, qp, nrm, beta);
          ++prunes;
        } else if (!is_leaf_[qn]) {
          todo.push_back({p_.nodes[qn].pos, qp});
          todo.push_back({p_.nodes[qn].neg, qp});
        } else if (!is_leaf_[qp]) {
          todo.push_back({qn, p_.nodes[qp].pos});
          todo.push_back({qn, p_.nodes[qp].neg});
        } else {
          if (it == p_.pairs.end())
            throw Rejected{"leaves " + std::to_string(qn) + " and " + std::to_string(qp) + " (across the split of node " +
                           std::to_string(id) + ") have neither a jump nor a prune record"};
          PairRec& r = it->second;
          r.used = true;
          Vec delta(net_.dim);
          for (std::size_t i = 0; i < net_.dim; ++i) delta[i] = grad_[qp][i] - grad_[qn][i];
          const std::string jw = at(file_, r.line) + "jump " + std::to_string(qn) + " " + std::to_string(qp) + ": ";
          if (r.lambda < 0) throw Rejected{jw + "lambda " + str(r.lambda) + " is negative"};
          for (std::size_t i = 0; i < net_.dim; ++i)
            if (delta[i] != r.lambda * nrm[i])
              throw Rejected{jw + "the gradient jump is not lambda times the normal (coordinate " + std::to_string(i + 1) + ")"};
          ++jumps;
        }
      }
    }
    for (const auto& [key, r] : p_.pairs)
      if (!r.used)
        throw Rejected{at(file_, r.line) + "the record for " + std::to_string(key.first) + " " + std::to_string(key.second) +
                       " is not reached by any walk"};
    std::string dom;
    if (!p_.is_box) {
      dom = "R^" + std::to_string(net_.dim);
    } else {
      for (std::size_t i = 0; i < net_.dim; ++i) dom += (i ? " x [" : "[") + str(p_.lo[i]) + ", " + str(p_.hi[i]) + "]";
    }
    return "convex on " + dom + " (" + std::to_string(n) + " nodes, " + std::to_string(leaves) + " leaves, " +
           std::to_string(jumps) + " jumps, " + std::to_string(prunes) + " prunes)";
  }

  // What the glue walk of a branch-and-bound certificate needs (valid after run()).
  CheckedTree tree(std::string claim) {
    CheckedTree t;
    t.rows = std::move(rows_);
    t.gradient = std::move(grad_);
    t.leaf = is_leaf_;
    for (const NodeRec& n : p_.nodes) t.children.emplace_back(n.neg, n.pos);
    t.claim = std::move(claim);
    return t;
  }

 private:
  std::string next_name(const State& s) const {
    return s.settled < net_.neurons.size() ? net_.neuron_name(s.settled) : std::string("(none: all settled)");
  }

  void check_prune(PairRec& r, std::size_t qn, std::size_t qp, const Vec& n, const Q& beta) {
    r.used = true;
    const std::string pw = at(file_, r.line) + "prune " + std::to_string(qn) + " " + std::to_string(qp) + ": ";
    check_motzkin(rows_[qn], rows_[qp], r.y, n, beta, pw, file_, r.line);
  }

  const Net& net_;
  Parser& p_;
  std::string file_;
  std::vector<std::vector<Row>> rows_;
  std::vector<Vec> grad_;
  std::vector<bool> is_leaf_;
  std::map<std::size_t, std::pair<Vec, Q>> normal_;
};

}  // namespace

// O8: sum y_r a_r = -mu n and sum y_r b_r + mu beta <= 0 over rows not on H, some y_r > 0.
void check_motzkin(const std::vector<Row>& neg, const std::vector<Row>& pos, const std::vector<Mult>& y, const Vec& n,
                   const Q& beta, const std::string& pw, const std::string& file, std::size_t line) {
  const std::size_t dim = n.size();
  std::size_t j = 0;
  while (n[j] == 0) ++j;  // n != 0 (checked at the split)
  Vec v(dim, Q(0));
  Q vb = 0;
  bool positive = false;
  for (const Mult& m : y) {
    const std::vector<Row>& rs = m.side == '-' ? neg : pos;
    if (m.row >= rs.size()) throw Malformed{file, line, "row " + std::string(1, m.side) + std::to_string(m.row) + " does not exist"};
    const Row& row = rs[m.row];
    const Q t = row.a[j] / n[j];
    bool on_h = t != 0 && row.b == t * beta;
    for (std::size_t i = 0; on_h && i < dim; ++i) on_h = row.a[i] == t * n[i];
    if (on_h && m.y != 0) throw Rejected{pw + "a multiplier is put on a row that lies on the split hyperplane"};
    positive = positive || m.y > 0;
    for (std::size_t i = 0; i < dim; ++i) v[i] += m.y * row.a[i];
    vb += m.y * row.b;
  }
  if (!positive) throw Rejected{pw + "all multipliers are zero"};
  const Q mu = -v[j] / n[j];
  for (std::size_t i = 0; i < dim; ++i)
    if (v[i] + mu * n[i] != 0) throw Rejected{pw + "the combination of the rows is not a multiple of the normal"};
  if (vb + mu * beta > 0) throw Rejected{pw + "the combination does not prove emptiness (constant " + str(vb + mu * beta) + " > 0)"};
}

CheckedTree check_complex_part(const Net& net, const std::vector<NumberedLine>& lines, const Dom& part, const std::string& file) {
  Parser p(net, file);
  p.parse(lines, lines.size(), true);
  if (!p.is_box || p.lo != part.lo || p.hi != part.hi)
    throw Rejected{at(file, lines.front().number) + "the complex leaf's domain is not its part " + describe(part)};
  Checker c(net, p, file);
  std::string claim = c.run();
  return c.tree(std::move(claim));
}

std::string check_certificate(const Net& net, const std::string& text, const std::string& file) {
  // The tier certificates (§8-§10) announce their kind in the header line.
  Words words(text, file);
  if (!words.done()) {
    const std::vector<std::string> head = words.peek();
    if (head.size() == 3 && head[0] == "relucert-certificate" && head[2] == "1" && head[1] != "1") {
      words.next();
      if (head[1] == "structural") return check_structural(net, words);
      if (head[1] == "pathlift") return check_pathlift(net, words);
      if (head[1] == "branch-and-bound") return check_branch_and_bound(net, words);
      words.fail("unknown certificate kind '" + head[1] + "'");
    }
  }
  Parser p(net, file);
  p.parse(text);
  return Checker(net, p, file).run();
}

}  // namespace rcv
