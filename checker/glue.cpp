// Obligation G of docs/certificate.md §10: the facets on a split plane between two parts answered
// by their own region complexes. Neither part's certificate sees them (each treats the plane as a
// face of its domain), so for every split whose two sides both hold complex parts the checker
// itself walks the pairs (node of the lower side, node of the upper side) across the plane, as in
// O7, refining part-tree nodes and then the complexes' split-tree nodes. The engine's records only
// say where the walk may stop (a Motzkin prune) and give the jumps of the cell pairs it reaches;
// the set of pairs comes from the tree, not from the engine.
#include <map>

#include "tier_checks.hpp"

namespace rcv {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct Ref {  // part-tree node `part`, or node `node` of that part's complex
  std::size_t part = 0, node = kNone;
  bool operator<(const Ref& o) const { return part != o.part ? part < o.part : node < o.node; }
};

struct GlueRec {
  enum class Kind { Jump, Apart, Prune } kind = Kind::Jump;
  std::size_t line = 0;
  Q lambda;
  std::vector<Mult> y;
  bool used = false;
};

std::size_t count(const Words& w, const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) w.fail("expected a count, found '" + s + "'");
  return std::stoull(s);
}

// "P" or "P.N", which must name a part-tree node, or a node of the complex of a complex part.
Ref ref(const Words& w, const std::string& s, const std::vector<PartRec>& parts) {
  const std::size_t dot = s.find('.');
  Ref r{count(w, s.substr(0, dot)), kNone};
  if (r.part >= parts.size()) w.fail("no part-tree node " + s.substr(0, dot));
  if (dot != std::string::npos) {
    r.node = count(w, s.substr(dot + 1));
    if (parts[r.part].kind != PartRec::Kind::Complex || r.node >= parts[r.part].tree.leaf.size())
      w.fail("'" + s + "' is not a node of the complex of a complex part");
  }
  return r;
}

std::vector<Mult> multipliers(const Words& w, const std::vector<std::string>& t) {
  std::vector<Mult> y;
  for (std::size_t i = 3; i < t.size(); ++i) {
    const std::string& s = t[i];
    const std::size_t c = s.find(':');
    if (s.size() < 2 || (s[0] != '-' && s[0] != '+') || c == std::string::npos) w.fail("expected -ROW:Y or +ROW:Y, found '" + s + "'");
    Mult m;
    m.side = s[0];
    m.row = count(w, s.substr(1, c - 1));
    m.y = w.number(s.substr(c + 1));
    if (m.y < 0) w.fail("negative multiplier in '" + s + "'");
    for (const Mult& o : y)
      if (o.side == m.side && o.row == m.row) w.fail("row " + s.substr(0, c) + " has two multipliers");
    y.push_back(std::move(m));
  }
  return y;
}

std::vector<Row> box_rows(const Dom& d) {  // §3: row 2i is -x_i <= -lo_i, row 2i+1 is x_i <= hi_i
  std::vector<Row> rows;
  for (std::size_t i = 0; i < d.dim; ++i) {
    Vec e(d.dim, Q(0));
    e[i] = -1;
    rows.push_back(Row{e, -d.lo[i]});
    e[i] = 1;
    rows.push_back(Row{e, d.hi[i]});
  }
  return rows;
}

class Glue {
 public:
  Glue(const Words& w, const std::vector<PartRec>& parts) : w_(w), parts_(parts) {
    for (const PartRec& p : parts) box_rows_.push_back(box_rows(p.part));
  }

  void read(Words& w) {
    while (w.peek()[0] != "end") {
      const std::vector<std::string> t = w.next();
      GlueRec r;
      r.line = w.line();
      if (t[0] == "glue-jump" && t.size() == 4) {
        r.kind = GlueRec::Kind::Jump;
        r.lambda = w.number(t[3]);
      } else if (t[0] == "glue-apart" && t.size() == 3) {
        r.kind = GlueRec::Kind::Apart;
      } else if (t[0] == "glue-prune" && t.size() >= 4) {
        r.kind = GlueRec::Kind::Prune;
        r.y = multipliers(w, t);
      } else {
        w.fail("expected 'glue-jump A B LAMBDA', 'glue-apart A B', 'glue-prune A B (+|-)ROW:Y ...' or 'end'");
      }
      const Ref a = ref(w, t[1], parts_), b = ref(w, t[2], parts_);
      if (!records_.emplace(std::make_pair(a, b), std::move(r)).second) w.fail("a second glue record for " + t[1] + " " + t[2]);
    }
  }

  // The walk of split s; returns the records it checked.
  std::size_t walk(std::size_t s) {
    const PartRec& S = parts_[s];
    Vec n(S.part.dim, Q(0));
    n[S.axis] = 1;
    std::size_t checked = 0;
    std::vector<std::pair<Ref, Ref>> todo{{enter(S.lower), enter(S.upper)}};
    while (!todo.empty()) {
      const auto [a, b] = todo.back();
      todo.pop_back();
      // Every cell below a path-lifting-only node is covered by that part's proof (§10).
      if (!has_complex(a) || !has_complex(b)) continue;
      const auto it = records_.find({a, b});
      const std::string where = it == records_.end() ? std::string() : w_.file() + ":" + std::to_string(it->second.line) + ": ";
      if (it != records_.end() && it->second.kind == GlueRec::Kind::Prune) {
        it->second.used = true;
        check_motzkin(rows(a), rows(b), it->second.y, n, S.value, where + "glue-prune: ", w_.file(), it->second.line);
        ++checked;
      } else if (!is_leaf(a)) {
        const auto [c0, c1] = children(a);
        todo.push_back({c1, b});
        todo.push_back({c0, b});
      } else if (!is_leaf(b)) {
        const auto [c0, c1] = children(b);
        todo.push_back({a, c1});
        todo.push_back({a, c0});
      } else {
        if (it == records_.end())
          throw Rejected{"cells " + name(a) + " and " + name(b) + " (across the split of part-tree node " + std::to_string(s) +
                         ") have no glue record"};
        GlueRec& r = it->second;
        r.used = true;
        ++checked;
        const Vec& ga = parts_[a.part].tree.gradient[a.node];
        const Vec& gb = parts_[b.part].tree.gradient[b.node];
        bool parallel = true;
        for (std::size_t i = 0; i < n.size(); ++i) parallel = parallel && (i == S.axis || ga[i] == gb[i]);
        if (r.kind == GlueRec::Kind::Apart) {
          // f is continuous and affine on both cells: if they shared a (d-1)-dimensional piece
          // of the plane, g_B - g_A would be a multiple of its normal e_axis.
          if (parallel) throw Rejected{where + "glue-apart: the gradients of " + name(a) + " and " + name(b) + " differ only along the normal"};
        } else {
          if (r.lambda < 0) throw Rejected{where + "glue-jump: lambda " + str(r.lambda) + " is negative"};
          if (!parallel || gb[S.axis] - ga[S.axis] != r.lambda)
            throw Rejected{where + "glue-jump: the gradient jump from " + name(a) + " to " + name(b) + " is not lambda times the normal"};
        }
      }
    }
    return checked;
  }

  void all_used() const {
    for (const auto& [key, r] : records_)
      if (!r.used) throw Rejected{w_.file() + ":" + std::to_string(r.line) + ": the glue record for " + name(key.first) + " " + name(key.second) + " is not reached by any walk"};
  }

 private:
  // A complex part is walked from the root of its split tree, whose rows are the part's box rows.
  Ref enter(std::size_t p) const { return parts_[p].kind == PartRec::Kind::Complex ? Ref{p, 0} : Ref{p, kNone}; }
  bool has_complex(Ref q) const { return q.node != kNone || parts_[q.part].has_complex; }
  bool is_leaf(Ref q) const { return q.node != kNone && parts_[q.part].tree.leaf[q.node]; }
  const std::vector<Row>& rows(Ref q) const { return q.node == kNone ? box_rows_[q.part] : parts_[q.part].tree.rows[q.node]; }
  std::pair<Ref, Ref> children(Ref q) const {
    if (q.node == kNone) return {enter(parts_[q.part].lower), enter(parts_[q.part].upper)};
    const auto [neg, pos] = parts_[q.part].tree.children[q.node];
    return {Ref{q.part, neg}, Ref{q.part, pos}};
  }
  static std::string name(Ref q) { return std::to_string(q.part) + (q.node == kNone ? std::string() : "." + std::to_string(q.node)); }

  const Words& w_;
  const std::vector<PartRec>& parts_;
  std::vector<std::vector<Row>> box_rows_;
  std::map<std::pair<Ref, Ref>, GlueRec> records_;
};

}  // namespace

std::size_t check_glue(Words& w, const std::vector<PartRec>& parts) {
  Glue g(w, parts);
  g.read(w);
  std::size_t checked = 0;
  for (std::size_t s = 0; s < parts.size(); ++s)
    if (parts[s].kind == PartRec::Kind::Split && parts[parts[s].lower].has_complex && parts[parts[s].upper].has_complex)
      checked += g.walk(s);
  g.all_used();
  return checked;
}

}  // namespace rcv
