#include "analysis/tiers/structural.hpp"

#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace relucert::tiers {

const char* state_name(NeuronState s) {
  switch (s) {
    case NeuronState::Relu: return "relu";
    case NeuronState::Dead: return "dead";
    case NeuronState::Active: return "active";
    case NeuronState::Duplicate: return "duplicate";
    case NeuronState::Opposite: return "opposite";
  }
  return "relu";
}

namespace {

Shape join(Shape a, Shape b) {
  if (a == b || b == Shape::Affine) return a;
  if (a == Shape::Affine) return b;
  return Shape::Neither;
}

// Sums of scaled combinations, dense over the atoms seen so far (reset through a touched list,
// so one accumulator serves a whole layer).
class Accumulator {
 public:
  explicit Accumulator(std::size_t d) : x_(d, Rational(0)) {}
  void add_constant(const Rational& v) { c_ += v; }
  void add_input(std::size_t i, const Rational& v) { x_[i] += v; }
  void add(const Rational& w, const Combination& e) {
    if (sgn(w) == 0) return;
    for (std::size_t i = 0; i < e.x.size(); ++i)
      if (sgn(e.x[i]) != 0) x_[i] += w * e.x[i];
    c_ += w * e.c;
    for (const auto& [a, v] : e.atoms) add_atom(a, w * v);
  }
  void add_atom(std::size_t a, const Rational& v) {
    if (a >= atoms_.size()) {
      atoms_.resize(a + 1, Rational(0));
      touched_.resize(a + 1, 0);
    }
    if (!touched_[a]) {
      touched_[a] = 1;
      order_.push_back(a);
    }
    atoms_[a] += v;
  }
  // The accumulated combination; the accumulator is empty afterwards.
  Combination take() {
    Combination r;
    r.x = x_;
    r.c = c_;
    std::sort(order_.begin(), order_.end());
    for (std::size_t a : order_) {
      if (sgn(atoms_[a]) != 0) r.atoms.emplace_back(a, atoms_[a]);
      atoms_[a] = 0;
      touched_[a] = 0;
    }
    order_.clear();
    for (auto& v : x_) v = 0;
    c_ = 0;
    return r;
  }

 private:
  Vector x_;
  Rational c_ = 0;
  std::vector<Rational> atoms_;
  std::vector<char> touched_;
  std::vector<std::size_t> order_;
};

Combination input_combination(std::size_t d, std::size_t i) {
  Combination e;
  e.x.assign(d, Rational(0));
  e.x[i] = 1;
  return e;
}

Combination atom_combination(std::size_t d, std::size_t a, const Rational& coef) {
  Combination e;
  e.x.assign(d, Rational(0));
  if (sgn(coef) != 0) e.atoms.emplace_back(a, coef);
  return e;
}

// The first nonzero coefficient (atoms by index, then inputs, then the constant); 0 if none.
Rational lead(const Combination& e) {
  if (!e.atoms.empty()) return e.atoms.front().second;
  for (const auto& v : e.x)
    if (sgn(v) != 0) return v;
  return e.c;
}

// Text of e / lead(e): equal keys <=> proportional combinations.
std::string proportionality_key(const Combination& e, const Rational& l) {
  std::string k;
  for (const auto& [a, v] : e.atoms) k += "a" + std::to_string(a) + ":" + to_string(Rational(v / l)) + " ";
  for (std::size_t i = 0; i < e.x.size(); ++i)
    if (sgn(e.x[i]) != 0) k += "x" + std::to_string(i) + ":" + to_string(Rational(e.x[i] / l)) + " ";
  k += "c:" + to_string(Rational(e.c / l));
  return k;
}

class Analyser {
 public:
  Analyser(const Network& net, const Domain& dom) : net_(net), dom_(dom), d_(net.input_dim()) {}

  StructuralAnalysis run() {
    std::vector<std::vector<Combination>> outs;  // outs[0] = inputs, outs[l] = layer l's output
    outs.emplace_back();
    for (std::size_t i = 0; i < d_; ++i) outs[0].push_back(input_combination(d_, i));
    Accumulator acc(d_);
    for (std::size_t li = 0; li < net_.layers().size(); ++li) {
      const Layer& L = net_.layers()[li];
      std::vector<Combination> out;
      out.reserve(L.width());
      for (std::size_t n = 0; n < L.width(); ++n) {
        acc.add_constant(L.b[n]);
        if (L.has_skip())
          for (std::size_t i = 0; i < d_; ++i) acc.add_input(i, L.U[n][i]);
        for (std::size_t j = 0; j < L.W[n].size(); ++j) acc.add(L.W[n][j], outs[li][j]);
        for (const LayerSkip& s : L.skips)
          for (std::size_t j = 0; j < s.M[n].size(); ++j) acc.add(s.M[n][j], outs[s.from][j]);
        Combination z = acc.take();
        out.push_back(L.relu ? relu_output(NeuronId{li + 1, n + 1}, std::move(z), acc) : std::move(z));
      }
      outs.push_back(std::move(out));
    }
    a_.f = outs.back().at(0);
    a_.f_shape = shape(a_.f, &a_.blocker);
    return std::move(a_);
  }

 private:
  const Network& net_;
  const Domain& dom_;
  std::size_t d_;
  StructuralAnalysis a_;
  std::vector<Interval> atom_h_;  // bound of each atom's output on the domain
  std::unordered_map<std::string, std::size_t> by_key_;  // proportionality key -> atom

  Interval bound(const Combination& e) const {
    Interval r = Interval::point(e.c);
    for (std::size_t i = 0; i < d_; ++i) {
      if (sgn(e.x[i]) == 0) continue;
      r = r + (dom_.is_box ? scaled(e.x[i], Interval{dom_.lo[i], dom_.hi[i]}) : Interval{});
    }
    for (const auto& [a, v] : e.atoms) r = r + scaled(v, atom_h_[a]);
    return r;
  }

  Shape shape(const Combination& e, std::string* why) const {
    Shape s = Shape::Affine;
    for (const auto& [a, v] : e.atoms) {
      const Shape t = a_.atom_shapes[a] == Shape::Convex ? (sgn(v) > 0 ? Shape::Convex : Shape::Concave) : Shape::Neither;
      const Shape j = join(s, t);
      if (j == Shape::Neither && s != Shape::Neither && why && why->empty()) {
        const std::string who = a_.atom_neurons[a].name();
        *why = t == Shape::Neither ? who + " applies ReLU to a non-convex argument"
                                   : who + " enters with coefficient " + to_string(v) + " beside terms of the other sign";
      }
      s = j;
    }
    return s;
  }

  Combination relu_output(NeuronId id, Combination z, Accumulator& acc) {
    StructuralStep step;
    step.neuron = id;
    step.bound = bound(z);
    Combination h;
    if (step.bound.nonpositive()) {
      step.state = NeuronState::Dead;
      h.x.assign(d_, Rational(0));
      ++a_.dead;
    } else if (step.bound.nonnegative()) {
      step.state = NeuronState::Active;
      h = z;
      ++a_.active;
    } else {
      const Rational l = lead(z);
      const std::string key = proportionality_key(z, l);
      if (const auto it = by_key_.find(key); it != by_key_.end()) {
        const std::size_t i = it->second;
        const Rational ratio = l / lead(a_.atom_inputs[i]);  // z = ratio * z_i
        step.of = a_.atom_neurons[i];
        ++a_.merged;
        if (sgn(ratio) > 0) {
          step.state = NeuronState::Duplicate;
          step.alpha = ratio;
          h = atom_combination(d_, i, ratio);
        } else {  // relu(-alpha z_i) = alpha (relu(z_i) - z_i)
          step.state = NeuronState::Opposite;
          step.alpha = -ratio;
          acc.add(step.alpha, atom_combination(d_, i, Rational(1)));
          acc.add(Rational(-step.alpha), a_.atom_inputs[i]);
          h = acc.take();
        }
      } else {
        const std::size_t a = a_.atom_neurons.size();
        by_key_.emplace(key, a);
        const Shape s = shape(z, nullptr);
        a_.atom_neurons.push_back(id);
        a_.atom_shapes.push_back(s == Shape::Affine || s == Shape::Convex ? Shape::Convex : Shape::Neither);
        a_.atom_inputs.push_back(std::move(z));
        atom_h_.push_back(relu(step.bound));
        h = atom_combination(d_, a, Rational(1));
      }
    }
    a_.steps.push_back(std::move(step));
    return h;
  }
};

Rational evaluate(const Combination& e, const Vector& x, const std::vector<Rational>& atom_values) {
  Rational r = e.c;
  for (std::size_t i = 0; i < e.x.size(); ++i) r += e.x[i] * x[i];
  for (const auto& [a, v] : e.atoms) r += v * atom_values[a];
  return r;
}

}  // namespace

StructuralAnalysis analyse_structure(const Network& net, const Domain& domain) {
  if (domain.dim != net.input_dim()) throw std::invalid_argument("structural tier: domain and network dimensions differ");
  return Analyser(net, domain).run();
}

Rational evaluate_rewritten(const StructuralAnalysis& a, const Vector& x) {
  std::vector<Rational> values;
  values.reserve(a.atom_inputs.size());
  for (const Combination& z : a.atom_inputs) {
    const Rational v = evaluate(z, x, values);
    values.push_back(sgn(v) > 0 ? v : Rational(0));
  }
  return evaluate(a.f, x, values);
}

TierProof structural_proof(const StructuralAnalysis& a, const Domain& domain) {
  std::ostringstream out;
  out << "c relucert structural convexity certificate, format: docs/certificate.md section 8\n";
  out << "relucert-certificate structural 1\n" << certificate_domain_line(domain);
  for (const StructuralStep& s : a.steps) {
    out << "neuron " << s.neuron.name() << ' ' << state_name(s.state);
    if (s.state == NeuronState::Duplicate || s.state == NeuronState::Opposite)
      out << ' ' << s.of.name() << ' ' << to_string(s.alpha);
    out << "\n";
  }
  out << "end\n";
  TierProof p;
  p.tier = TierKind::Structural;
  p.certificate = out.str();
  p.summary = a.dead + a.active + a.merged == 0
                  ? std::string("an ICNN as stored (every ReLU output enters with a coefficient >= 0)")
                  : "an ICNN after exact rewrites (" + std::to_string(a.dead) + " dead, " + std::to_string(a.active) +
                        " always active, " + std::to_string(a.merged) + " merged)";
  return p;
}

std::optional<TierProof> prove_structural(const Network& net, const Domain& domain) {
  const StructuralAnalysis a = analyse_structure(net, domain);
  if (!a.proves_convex()) return std::nullopt;
  return structural_proof(a, domain);
}

}  // namespace relucert::tiers
