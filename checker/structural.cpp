// Checks a structural certificate (docs/certificate.md §8): the listed rewrite of every ReLU
// neuron is re-justified here (bounds, exact proportionality), and the rewritten f must be a
// sum of an affine function and nonnegative multiples of ReLUs of convex arguments.
#include <map>

#include "tier_checks.hpp"

namespace rcv {
namespace {

// An exact combination of the inputs, a constant and atoms (the neurons kept as ReLUs).
struct Lin {
  Vec x;
  Q c;
  std::map<std::size_t, Q> atoms;  // nonzero coefficients only
};

void add_to(Lin& into, const Q& w, const Lin& e) {
  if (sgn(w) == 0) return;
  for (std::size_t i = 0; i < e.x.size(); ++i) into.x[i] += w * e.x[i];
  into.c += w * e.c;
  for (const auto& [a, v] : e.atoms) {
    Q& t = into.atoms[a];
    t += w * v;
    if (sgn(t) == 0) into.atoms.erase(a);
  }
}

bool same(const Lin& a, const Lin& b) { return a.x == b.x && a.c == b.c && a.atoms == b.atoms; }

enum Shape { Affine, Convex, Concave, Neither };

struct Atom {
  Lin z;
  Shape shape;  // Convex or Neither
  Bound h;      // bound of relu(z) on the domain
};

struct Pass {
  const Net& net;
  Words& w;
  Dom dom;
  std::size_t d;
  std::vector<Atom> atoms;
  std::map<std::string, std::size_t> atom_of;  // neuron name -> atom

  Lin zero() const { return Lin{Vec(d, Q(0)), Q(0), {}}; }

  Bound bound(const Lin& e) const {
    Bound r = Bound::point(e.c);
    for (std::size_t i = 0; i < d; ++i)
      if (sgn(e.x[i]) != 0) r = sum(r, times(e.x[i], of_input(dom, i)));
    for (const auto& [a, v] : e.atoms) r = sum(r, times(v, atoms[a].h));
    return r;
  }

  Shape shape(const Lin& e) const {
    Shape s = Affine;
    for (const auto& [a, v] : e.atoms) {
      const Shape t = atoms[a].shape == Convex ? (sgn(v) > 0 ? Convex : Concave) : Neither;
      if (t != s) s = s == Affine ? t : Neither;
    }
    return s;
  }

  Lin relu_neuron(const std::string& name, const Lin& z) {
    const auto& t = w.next();
    if (t[0] != "neuron" || t.size() < 3) w.fail("expected 'neuron " + name + " STATE'");
    if (t[1] != name) w.fail("expected neuron " + name + " here (neurons in topological order), got " + t[1]);
    const std::string& st = t[2];
    const Bound b = bound(z);
    if (st == "relu" || st == "dead" || st == "active") {
      if (t.size() != 3) w.fail("'" + st + "' takes no further words");
      if (st == "dead") {
        if (!(b.has_hi && sgn(b.hi) <= 0)) throw Rejected{name + " is not dead on the domain: its bound is not <= 0"};
        return zero();
      }
      if (st == "active") {
        if (!(b.has_lo && sgn(b.lo) >= 0)) throw Rejected{name + " is not always active on the domain: its bound is not >= 0"};
        return z;
      }
      const std::size_t a = atoms.size();
      const Shape s = shape(z);
      atoms.push_back({z, s == Affine || s == Convex ? Convex : Neither, relu(b)});
      atom_of[name] = a;
      Lin h = zero();
      h.atoms[a] = 1;
      return h;
    }
    if (st != "duplicate" && st != "opposite") w.fail("unknown neuron state '" + st + "'");
    if (t.size() != 5) w.fail("expected 'neuron " + name + " " + st + " EARLIER ALPHA'");
    const auto it = atom_of.find(t[3]);
    if (it == atom_of.end()) throw Rejected{name + ": " + t[3] + " is not an earlier neuron kept as a ReLU"};
    const Q alpha = w.number(t[4]);
    if (sgn(alpha) <= 0) throw Rejected{name + ": the factor must be > 0"};
    const Atom& of = atoms[it->second];
    Lin expect = zero();
    add_to(expect, st == "duplicate" ? alpha : Q(-alpha), of.z);
    if (!same(expect, z)) throw Rejected{name + "'s pre-activation is not " + (st == "duplicate" ? "" : "-") + str(alpha) + " times " + t[3] + "'s"};
    Lin h = zero();
    h.atoms[it->second] = alpha;
    if (st == "opposite") add_to(h, Q(-alpha), of.z);  // relu(-a z) = a relu(z) - a z
    return h;
  }

  std::string run() {
    std::vector<std::vector<Lin>> outs;  // layer outputs; the inputs are separate
    std::vector<Lin> inputs;
    for (std::size_t i = 0; i < d; ++i) {
      Lin e = zero();
      e.x[i] = 1;
      inputs.push_back(e);
    }
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
      const Layer& L = net.layers[l];
      const std::vector<Lin>& prev = l == 0 ? inputs : outs[l - 1];
      std::vector<Lin> out;
      for (std::size_t k = 0; k < L.W.size(); ++k) {
        Lin z = zero();
        z.c = L.b[k];
        for (std::size_t j = 0; j < prev.size(); ++j) add_to(z, L.W[k][j], prev[j]);
        if (!L.U.empty())
          for (std::size_t i = 0; i < d; ++i) z.x[i] += L.U[k][i];
        for (const Skip& s : L.skips)
          for (std::size_t j = 0; j < outs[s.from].size(); ++j) add_to(z, s.M[k][j], outs[s.from][j]);
        out.push_back(L.relu ? relu_neuron("L" + std::to_string(l + 1) + ":N" + std::to_string(k + 1), z) : z);
      }
      outs.push_back(std::move(out));
    }
    const auto& t = w.next();
    if (t.size() != 1 || t[0] != "end") w.fail("expected 'end' after the last neuron");
    if (!w.done()) w.next(), w.fail("text after 'end'");
    const Shape s = shape(outs.back().at(0));
    if (s != Affine && s != Convex)
      throw Rejected{"after the rewrites f still has a ReLU term with a negative coefficient or a non-convex argument"};
    return "convex on " + describe(dom) + " (structural: " + std::to_string(atoms.size()) + " ReLU terms, all convex, coefficients >= 0)";
  }
};

}  // namespace

std::string check_structural(const Net& net, Words& w) {
  Pass p{net, w, read_domain(w, net.dim), net.dim, {}, {}};
  return p.run();
}

}  // namespace rcv
