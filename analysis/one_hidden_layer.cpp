#include "analysis/one_hidden_layer.hpp"

#include <algorithm>
#include <stdexcept>

#include "geometry/exact_lp.hpp"
#include "geometry/halfspace.hpp"
#include "geometry/strict_lp.hpp"

namespace relucert {

namespace {

Rational relu(const Rational& t) { return sgn(t) > 0 ? t : Rational(0); }

std::size_t first_nonzero(const Vector& w) {
  for (std::size_t i = 0; i < w.size(); ++i)
    if (sgn(w[i]) != 0) return i;
  return w.size();
}

Vector unit(std::size_t d, std::size_t i) {
  Vector e(d, Rational(0));
  e[i] = 1;
  return e;
}

// min and max of w.x + b over the box.
std::pair<Rational, Rational> range_on_box(const Vector& w, const Rational& b, const Domain& box) {
  Rational lo = b, hi = b;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const int s = sgn(w[i]);
    if (s == 0) continue;
    const Rational at_lo = w[i] * box.lo[i], at_hi = w[i] * box.hi[i];
    lo += s > 0 ? at_lo : at_hi;
    hi += s > 0 ? at_hi : at_lo;
  }
  return {lo, hi};
}

std::vector<Halfspace> box_rows(const Domain& box) {
  std::vector<Halfspace> rows;
  for (std::size_t i = 0; i < box.dim; ++i) {
    const Vector e = unit(box.dim, i);
    rows.push_back(make_halfspace(scale(Rational(-1), e), -box.lo[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i}));
    rows.push_back(make_halfspace(e, box.hi[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i + 1}));
  }
  return rows;
}

// A few exact points of the domain at which the canonical form is compared with the network.
std::vector<Vector> probe_points(const Domain& dom) {
  std::vector<Vector> pts;
  const std::size_t d = dom.dim;
  if (dom.is_box) {
    pts.push_back(dom.lo);
    pts.push_back(dom.hi);
    pts.push_back(dom.center());
    Vector p(d);
    for (std::size_t i = 0; i < d; ++i) p[i] = (dom.lo[i] * (i + 2) + dom.hi[i] * (2 * i + 3)) / (3 * i + 5);
    pts.push_back(p);
  } else {
    pts.push_back(Vector(d, Rational(0)));
    Vector p(d), q(d);
    for (std::size_t i = 0; i < d; ++i) {
      p[i] = Rational(static_cast<long>(i) + 1, 3);
      q[i] = Rational(-7 + 2 * static_cast<long>(i), 2);
      p[i].canonicalize();
      q[i].canonicalize();
    }
    pts.push_back(p);
    pts.push_back(q);
  }
  return pts;
}

std::string term_text(const Rational& coeff, const std::string& what, bool first) {
  // coeff * what, with a leading sign unless first.
  std::string s;
  const bool neg = sgn(coeff) < 0;
  if (first) s = neg ? "-" : "";
  else s = neg ? " - " : " + ";
  const Rational mag = abs(coeff);
  if (mag != 1) s += to_string(mag) + "*";
  return s + what;
}

// Exact Gauss-Jordan on the d x m matrix whose columns are `cols`: an invertible d x d matrix E
// with E M = [I_m; 0], or nullopt if the columns are linearly dependent.
std::optional<Matrix> left_reducer(const std::vector<const Vector*>& cols, std::size_t d) {
  const std::size_t m = cols.size();
  Matrix M(d, Vector(m + d, Rational(0)));
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t c = 0; c < m; ++c) M[i][c] = (*cols[c])[i];
    M[i][m + i] = 1;
  }
  for (std::size_t c = 0; c < m; ++c) {
    std::size_t p = c;
    while (p < d && sgn(M[p][c]) == 0) ++p;
    if (p == d) return std::nullopt;
    std::swap(M[p], M[c]);
    const Rational inv = 1 / M[c][c];
    for (auto& v : M[c]) v *= inv;
    for (std::size_t r = 0; r < d; ++r) {
      if (r == c || sgn(M[r][c]) == 0) continue;
      const Rational f = M[r][c];
      for (std::size_t j = 0; j < m + d; ++j) M[r][j] -= f * M[c][j];
    }
  }
  Matrix E(d, Vector(d));
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) E[i][j] = M[i][m + j];
  return E;
}

std::size_t rank_of(const std::vector<const Vector*>& vs, std::size_t d) {
  Matrix M;
  for (const Vector* v : vs) M.push_back(*v);
  std::size_t r = 0;
  for (std::size_t c = 0; c < d && r < M.size(); ++c) {
    std::size_t p = r;
    while (p < M.size() && sgn(M[p][c]) == 0) ++p;
    if (p == M.size()) continue;
    std::swap(M[p], M[r]);
    for (std::size_t i = r + 1; i < M.size(); ++i) {
      if (sgn(M[i][c]) == 0) continue;
      const Rational f = M[i][c] / M[r][c];
      for (std::size_t j = c; j < d; ++j) M[i][j] -= f * M[r][j];
    }
    ++r;
  }
  return r;
}

// Saturating C(k, m) * 2^(k-m).
unsigned long long level_cost(std::size_t k, std::size_t m) {
  const unsigned long long cap = ~0ull >> 2;
  if (k - m >= 60) return cap;
  unsigned long long c = 1;
  for (std::size_t i = 0; i < m; ++i) {
    c = c * (k - i) / (i + 1);  // exact at every step (a binomial coefficient)
    if (c > cap) return cap;
  }
  const unsigned long long p = 1ull << (k - m);
  return c > cap / p ? cap : c * p;
}

}  // namespace

// ---- Shape ---------------------------------------------------------------------------------

Network OneHiddenLayerNet::to_network() const {
  std::vector<Layer> layers;
  layers.push_back(Layer{W, b, {}, true, {}});
  layers.push_back(Layer{Matrix{v}, Vector{c}, {}, false, {}});
  return Network(dim, std::move(layers));
}

std::optional<OneHiddenLayerNet> as_one_hidden_layer(const Network& net, std::string* why) {
  auto fail = [&](const std::string& m) -> std::optional<OneHiddenLayerNet> {
    if (why) *why = m;
    return std::nullopt;
  };
  const auto& L = net.layers();
  if (L.size() != 2)
    return fail("has " + std::to_string(L.size()) + " layer" + (L.size() == 1 ? "" : "s") +
                "; one hidden layer means exactly 2 layers (hidden ReLU layer, then the linear output)");
  if (!L[0].relu) return fail("relu_after[0] is false: the first layer must be followed by a ReLU");
  if (L[1].relu) return fail("relu_after[1] is true: the output layer must be linear");
  if (L[1].width() != 1) return fail("the output layer must have exactly one output");
  if (L[1].has_skip()) return fail("the output layer has an input skip U: not a plain 1-hidden-layer net");
  OneHiddenLayerNet r;
  r.dim = net.input_dim();
  r.W = L[0].W;
  if (L[0].has_skip())
    for (std::size_t j = 0; j < r.W.size(); ++j) r.W[j] = add(r.W[j], L[0].U[j]);  // W a_0 + U x with a_0 = x
  r.b = L[0].b;
  r.v = L[1].W[0];
  // A skip into the output layer can only come from layer 1, the hidden layer W already reads:
  // M h_1 + W h_1 = (W + M) h_1, so it folds exactly into v.
  for (const LayerSkip& s : L[1].skips) r.v = add(r.v, s.M[0]);
  r.c = L[1].b[0];
  return r;
}

const char* neuron_role_name(NeuronRole r) {
  switch (r) {
    case NeuronRole::Crossing: return "crossing";
    case NeuronRole::ZeroOutput: return "zero output weight";
    case NeuronRole::ZeroWeights: return "zero input weights (constant)";
    case NeuronRole::Dead: return "dead on the box";
    case NeuronRole::AlwaysActive: return "always active on the box (affine)";
  }
  return "?";
}

// ---- Canonical form --------------------------------------------------------------------------

std::size_t CanonicalForm::positive_groups() const {
  return static_cast<std::size_t>(std::count_if(groups.begin(), groups.end(), [](const HyperplaneGroup& g) { return sgn(g.alpha) > 0; }));
}

std::optional<std::size_t> CanonicalForm::first_negative_group() const {
  for (std::size_t i = 0; i < groups.size(); ++i)
    if (sgn(groups[i].alpha) < 0) return i;
  return std::nullopt;
}

bool CanonicalForm::convex() const { return !first_negative_group(); }

Rational CanonicalForm::value(const Vector& x) const {
  Rational s = dot(A, x) + a0;
  for (const auto& g : groups) s += g.alpha * relu(dot(g.w, x) + g.b);
  return s;
}

CanonicalForm canonical_form(const OneHiddenLayerNet& net, const Domain& domain) {
  if (domain.dim != net.dim) throw std::invalid_argument("canonical_form: domain dimension differs from the network's");
  CanonicalForm cf;
  cf.domain = domain;
  cf.net = net;
  cf.A.assign(net.dim, Rational(0));
  cf.a0 = net.c;
  cf.roles.assign(net.width(), NeuronRole::Crossing);
  for (std::size_t j = 0; j < net.width(); ++j) {
    const Vector& w = net.W[j];
    const Rational& b = net.b[j];
    const Rational& v = net.v[j];
    if (sgn(v) == 0) {
      cf.roles[j] = NeuronRole::ZeroOutput;
      continue;
    }
    if (is_zero(w)) {
      cf.roles[j] = NeuronRole::ZeroWeights;
      cf.a0 += v * relu(b);
      continue;
    }
    if (domain.is_box) {
      const auto [lo, hi] = range_on_box(w, b, domain);
      if (sgn(hi) <= 0) {
        cf.roles[j] = NeuronRole::Dead;
        continue;
      }
      if (sgn(lo) >= 0) {
        cf.roles[j] = NeuronRole::AlwaysActive;
        cf.A = add(cf.A, scale(v, w));
        cf.a0 += v * b;
        continue;
      }
    }
    // Crossing: relu(s h) = |s| relu(h) for s > 0, |s| (relu(h) - h) for s < 0.
    const Rational s = w[first_nonzero(w)];
    const Vector wn = scale(1 / s, w);
    const Rational bn = b / s;
    auto it = std::find_if(cf.groups.begin(), cf.groups.end(), [&](const HyperplaneGroup& g) { return g.w == wn && g.b == bn; });
    if (it == cf.groups.end()) {
      cf.groups.push_back(HyperplaneGroup{wn, bn, Rational(0), {}});
      it = cf.groups.end() - 1;
    }
    const Rational weight = v * abs(s);
    it->alpha += weight;
    it->neurons.push_back(j);
    if (sgn(s) < 0) {
      cf.A = sub(cf.A, scale(weight, wn));
      cf.a0 -= weight * bn;
    }
  }
  // Self-check against the forward pass (the form is an identity on the domain).
  const Network f = net.to_network();
  for (const Vector& p : probe_points(domain))
    if (cf.value(p) != f.value(p)) throw std::logic_error("canonical_form: differs from the network at " + to_string(p));
  return cf;
}

std::string affine_text(const Vector& w, const Rational& b) {
  std::string s;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (sgn(w[i]) != 0) s += term_text(w[i], "x" + std::to_string(i + 1), s.empty());
  if (sgn(b) != 0 || s.empty()) {
    if (s.empty()) return to_string(b);
    s += (sgn(b) < 0 ? " - " : " + ") + to_string(abs(b));
  }
  return s;
}

// ---- Fold witness ----------------------------------------------------------------------------

Witness fold_witness(const CanonicalForm& cf, std::size_t gi, const Network& original) {
  const HyperplaneGroup& H = cf.groups.at(gi);
  if (sgn(H.alpha) >= 0) throw std::invalid_argument("fold_witness: the group has alpha >= 0");
  const Domain& dom = cf.domain;
  const std::size_t d = cf.net.dim;
  const std::size_t k0 = first_nonzero(H.w);
  // 1. q on H, strictly inside the domain.
  Vector q;
  if (dom.is_box) {
    const Halfspace h = make_halfspace(H.w, -H.b, RowOrigin{RowOrigin::Kind::Neuron, H.neurons.front()});
    auto p = find_strict_point_on_hyperplane(h, box_rows(dom), d);
    if (!p) throw std::logic_error("fold_witness: a crossing hyperplane has no point inside the box");
    q = *p;
  } else {
    q = scale(-H.b, unit(d, k0));
  }
  // 2. Move inside H along a direction u that meets every non-parallel other hyperplane at a
  //    single point, to a point p on no other hyperplane.
  std::vector<const HyperplaneGroup*> others;
  for (std::size_t i = 0; i < cf.groups.size(); ++i)
    if (i != gi) others.push_back(&cf.groups[i]);
  Vector p = q;
  if (d >= 2) {
    std::vector<Vector> basis;  // the direction space of H
    for (std::size_t j = 0; j < d; ++j)
      if (j != k0) basis.push_back(sub(unit(d, j), scale(H.w[j], unit(d, k0))));
    Vector u;
    for (long c = 1;; ++c) {
      u.assign(d, Rational(0));
      Rational power = 1;
      for (const auto& e : basis) {
        u = add(u, scale(power, e));
        power *= c;
      }
      bool ok = true;
      for (const auto* G : others)
        if (G->w != H.w && sgn(dot(G->w, u)) == 0) ok = false;
      if (ok) break;  // each G gives a nonzero polynomial in c of degree <= d-2: few bad c
      if (c > static_cast<long>(others.size() * d + 2)) throw std::logic_error("fold_witness: no generic direction");
    }
    // Admissible s > 0: q + s u strictly inside the domain (s < s_hi), and not on another
    // hyperplane (s below the first positive crossing).
    std::optional<Rational> s_hi;
    if (dom.is_box)
      for (std::size_t i = 0; i < d; ++i) {
        if (sgn(u[i]) == 0) continue;
        const Rational b = sgn(u[i]) > 0 ? (dom.hi[i] - q[i]) / u[i] : (dom.lo[i] - q[i]) / u[i];
        if (!s_hi || b < *s_hi) s_hi = b;
      }
    std::optional<Rational> bad_above;  // the smallest positive bad value
    bool zero_bad = false;
    for (const auto* G : others) {
      const Rational rate = dot(G->w, u);
      if (sgn(rate) == 0) continue;
      const Rational s = -(dot(G->w, q) + G->b) / rate;
      if (sgn(s) == 0) zero_bad = true;
      else if (sgn(s) > 0 && (!bad_above || s < *bad_above)) bad_above = s;
    }
    if (zero_bad) {
      std::optional<Rational> top = bad_above;
      if (s_hi && (!top || *s_hi < *top)) top = s_hi;
      const Rational s = top ? simplest_between(Rational(0), *top) : Rational(1);
      p = add(q, scale(s, u));
    }
  }
  if (sgn(dot(H.w, p) + H.b) != 0 || !dom.contains(p)) throw std::logic_error("fold_witness: the fold point left H or the domain");
  for (const auto* G : others)
    if (sgn(dot(G->w, p) + G->b) == 0) throw std::logic_error("fold_witness: the fold point lies on another hyperplane");
  // 3. t: p -+ t w stays in the domain and crosses no other hyperplane.
  std::optional<Rational> t_max;
  auto limit = [&](const Rational& t) {
    if (!t_max || t < *t_max) t_max = t;
  };
  for (const auto* G : others) {
    const Rational rate = dot(G->w, H.w);
    if (sgn(rate) != 0) limit(abs(dot(G->w, p) + G->b) / abs(rate));
  }
  if (dom.is_box)
    for (std::size_t i = 0; i < d; ++i) {
      if (sgn(H.w[i]) == 0) continue;
      limit((dom.hi[i] - p[i]) / abs(H.w[i]));
      limit((p[i] - dom.lo[i]) / abs(H.w[i]));
    }
  const Rational t = t_max ? simplest_between(Rational(0), *t_max) : Rational(1);
  Witness wit;
  wit.x = sub(p, scale(t, H.w));
  wit.y = add(p, scale(t, H.w));
  wit.gap = midpoint_gap(original, wit.x, wit.y);
  const Rational expected = -H.alpha * t * dot(H.w, H.w);
  if (wit.gap != expected || !verify_witness(original, dom, wit))
    throw std::logic_error("fold_witness: the witness fails exact re-verification");
  return wit;
}

// ---- Equality --------------------------------------------------------------------------------

OneHiddenLayerNet difference_net(const OneHiddenLayerNet& g, const OneHiddenLayerNet& f) {
  if (g.dim != f.dim) throw std::invalid_argument("difference_net: input dimensions differ");
  OneHiddenLayerNet r;
  r.dim = g.dim;
  r.W = g.W;
  r.W.insert(r.W.end(), f.W.begin(), f.W.end());
  r.b = g.b;
  r.b.insert(r.b.end(), f.b.begin(), f.b.end());
  r.v = g.v;
  for (const auto& x : f.v) r.v.push_back(-x);
  r.c = g.c - f.c;
  return r;
}

EqualityProof prove_equality(const OneHiddenLayerNet& g, const OneHiddenLayerNet& f, const Domain& domain,
                             const BuildLimits& limits) {
  EqualityProof proof;
  const Network diff = difference_net(g, f).to_network();
  const RegionComplex cx = build_region_complex(diff, domain, limits);
  if (cx.status != BuildStatus::Complete) {
    proof.status = EqualityProof::Status::Incomplete;
    proof.reason = limit_reason(cx.status);
    proof.cells = cx.cells.size();
    return proof;
  }
  const Network gn = g.to_network(), fn = f.to_network();
  for (const Cell& c : cx.cells) {
    ++proof.cells;
    if (!is_zero(c.gradient) || sgn(c.offset) != 0 || gn.value(c.point) != fn.value(c.point)) {
      proof.status = EqualityProof::Status::Refuted;
      // g - f is a nonzero affine piece on a full-dimensional cell. If it vanishes at the
      // interior point, it does not at a point moved along its gradient inside the cell.
      Vector x = c.point;
      if (gn.value(x) == fn.value(x) && !is_zero(c.gradient)) {
        std::optional<Rational> t_max;
        for (const auto& row : c.rows) {
          const Rational rate = row.normal_dot(c.gradient);
          if (sgn(rate) <= 0) continue;
          const Rational t = row.slack(c.point) / rate;
          if (!t_max || t < *t_max) t_max = t;
        }
        x = add(c.point, scale(t_max ? simplest_between(Rational(0), *t_max) : Rational(1), c.gradient));
      }
      proof.counterexample = x;
      return proof;
    }
  }
  proof.status = EqualityProof::Status::Proven;
  return proof;
}

// ---- Theorem D1 ------------------------------------------------------------------------------

bool is_icnn(const OneHiddenLayerNet& net) {
  return std::all_of(net.v.begin(), net.v.end(), [](const Rational& x) { return sgn(x) >= 0; });
}

OneHiddenLayerNet icnn_on_box(const CanonicalForm& cf) {
  if (!cf.domain.is_box) throw std::invalid_argument("icnn_on_box: the domain is not a box");
  if (!cf.convex()) throw std::invalid_argument("icnn_on_box: f is not convex on the box");
  const std::size_t n = cf.net.width(), d = cf.net.dim, k = cf.positive_groups();
  if (k == n) {
    // Every neuron crosses alone on its hyperplane with v_j > 0: already an ICNN.
    if (!is_icnn(cf.net)) throw std::logic_error("icnn_on_box: k = n but an output weight is negative");
    return cf.net;
  }
  OneHiddenLayerNet g;
  g.dim = d;
  g.c = cf.a0;
  for (const auto& H : cf.groups) {
    if (sgn(H.alpha) <= 0) continue;
    g.W.push_back(H.w);
    g.b.push_back(H.b);
    g.v.push_back(H.alpha);
  }
  if (!is_zero(cf.A)) {
    // relu(A.x + M) with M = -min_box A.x is A.x + M >= 0 on the box.
    const Rational M = -range_on_box(cf.A, Rational(0), cf.domain).first;
    g.W.push_back(cf.A);
    g.b.push_back(M);
    g.v.push_back(1);
    g.c -= M;
  }
  if (g.W.size() > n) throw std::logic_error("icnn_on_box: more neurons than the input width");
  while (g.W.size() < n) {
    g.W.push_back(Vector(d, Rational(0)));
    g.b.push_back(0);
    g.v.push_back(0);
  }
  return g;
}

// ---- Theorem D2 ------------------------------------------------------------------------------

OneHiddenLayerNet icnn_from_gamma(const CanonicalForm& cf, const Vector& gamma, std::size_t width) {
  if (gamma.size() != cf.groups.size()) throw std::invalid_argument("icnn_from_gamma: one gamma per group");
  const std::size_t d = cf.net.dim;
  OneHiddenLayerNet g;
  g.dim = d;
  g.c = cf.a0;
  for (std::size_t i = 0; i < cf.groups.size(); ++i) {
    const HyperplaneGroup& H = cf.groups[i];
    const Rational& gm = gamma[i];
    if (sgn(gm) < 0 || gm > H.alpha) throw std::invalid_argument("icnn_from_gamma: gamma outside [0, alpha]");
    const Rational beta = H.alpha - gm;
    if (sgn(beta) > 0) {
      g.W.push_back(H.w);
      g.b.push_back(H.b);
      g.v.push_back(beta);
    }
    if (sgn(gm) > 0) {  // gm relu(-h) = gm relu(h) - gm h
      g.W.push_back(scale(Rational(-1), H.w));
      g.b.push_back(-H.b);
      g.v.push_back(gm);
      g.c += gm * H.b;
    }
  }
  if (g.W.size() > width) throw std::invalid_argument("icnn_from_gamma: width too small for gamma");
  while (g.W.size() < std::max<std::size_t>(width, 1)) {
    g.W.push_back(Vector(d, Rational(0)));
    g.b.push_back(0);
    g.v.push_back(0);
  }
  return g;
}

WholeSpaceIcnn icnn_on_whole_space(const CanonicalForm& cf, const WholeSpaceSearchLimits& limits) {
  if (cf.domain.is_box) throw std::invalid_argument("icnn_on_whole_space: the domain is a box");
  if (!cf.convex()) throw std::invalid_argument("icnn_on_whole_space: f is not convex");
  const std::size_t d = cf.net.dim, n = cf.net.width();
  WholeSpaceIcnn r;
  r.width = n;
  std::vector<std::size_t> P;  // groups with alpha > 0
  for (std::size_t i = 0; i < cf.groups.size(); ++i)
    if (sgn(cf.groups[i].alpha) > 0) P.push_back(i);
  const std::size_t k = P.size();
  r.k = k;
  std::vector<const Vector*> ws;
  for (std::size_t i : P) ws.push_back(&cf.groups[i].w);
  r.rank = rank_of(ws, d);
  const Vector target = scale(Rational(-1), cf.A);  // sum_H gamma_H w_H = -A
  auto with_floor = [](std::size_t w) { return std::max<std::size_t>(w, 1); };

  // The zonotope LP in t_H = gamma_H / alpha_H in [0, 1].
  FeasibilityProblem lp;
  lp.vars = k;
  lp.lower.assign(k, Rational(0));
  lp.upper.assign(k, Rational(1));
  for (std::size_t i = 0; i < d; ++i) {
    LinearRow row;
    row.rel = Relation::Equal;
    row.b = target[i];
    for (std::size_t h : P) row.a.push_back(cf.groups[h].alpha * cf.groups[h].w[i]);
    lp.rows.push_back(std::move(row));
  }
  const FeasibilityAnswer ans = solve_feasibility(lp);
  r.zonotope_feasible = ans.feasible;
  if (!ans.feasible) {
    r.farkas = ans.farkas;
    r.descent_direction = scale(Rational(-1), ans.farkas);
    // f_inf(u) from the input weights: sum_j v_j relu(w_j.u) (every neuron, folded or not).
    Rational slope = 0;
    for (std::size_t j = 0; j < n; ++j) slope += cf.net.v[j] * relu(dot(cf.net.W[j], r.descent_direction));
    r.recession_slope = slope;
    if (sgn(slope) >= 0) throw std::logic_error("icnn_on_whole_space: the Farkas direction is not a descent direction");
    r.search_complete = true;
    r.same_width = false;
    return r;
  }
  r.lp_gamma.assign(cf.groups.size(), Rational(0));
  std::size_t lp_fractional = 0;
  for (std::size_t a = 0; a < k; ++a) {
    r.lp_gamma[P[a]] = cf.groups[P[a]].alpha * ans.point[a];
    if (sgn(ans.point[a]) > 0 && ans.point[a] < 1) ++lp_fractional;
  }

  // Exact search for the fewest fractional coordinates. A vertex of the (nonempty, bounded)
  // fibre polytope restricted to a fixed pattern has fractional coordinates with linearly
  // independent w_H, which then determine them uniquely; so it suffices to try, for m = 0, 1, ...,
  // every independent set F of m groups and every assignment {0, alpha_H} of the others.
  // The LP's point already has lp_fractional fractional coordinates, so only the levels below
  // that are searched.
  std::optional<std::size_t> found_m;
  Vector found_gamma;
  std::size_t m = 0;
  for (; m < lp_fractional && !found_m; ++m) {
    const unsigned long long cost = level_cost(k, m);
    if (r.search_steps + cost > limits.max_steps) break;
    std::vector<std::size_t> F(m);  // positions in P, increasing
    for (std::size_t i = 0; i < m; ++i) F[i] = i;
    while (!found_m) {
      std::vector<const Vector*> cols;
      for (std::size_t a : F) cols.push_back(&cf.groups[P[a]].w);
      ++r.search_steps;
      if (const auto E = left_reducer(cols, d)) {
        std::vector<std::size_t> rest;
        for (std::size_t a = 0; a < k; ++a)
          if (!std::binary_search(F.begin(), F.end(), a)) rest.push_back(a);
        std::vector<Vector> delta;  // E (alpha_H w_H) for H in rest
        for (std::size_t a : rest) delta.push_back(mat_vec(*E, scale(cf.groups[P[a]].alpha, cf.groups[P[a]].w)));
        Vector u = mat_vec(*E, target);  // E (target - sum_{H at alpha} alpha_H w_H)
        std::vector<bool> at_alpha(rest.size(), false);
        const unsigned long long total = 1ull << rest.size();
        for (unsigned long long step = 0; step < total; ++step) {
          if (step > 0) {
            const std::size_t bit = static_cast<std::size_t>(__builtin_ctzll(step));
            at_alpha[bit] = !at_alpha[bit];
            u = at_alpha[bit] ? sub(u, delta[bit]) : add(u, delta[bit]);
            ++r.search_steps;
          }
          bool ok = true;
          for (std::size_t i = m; i < d && ok; ++i) ok = sgn(u[i]) == 0;
          for (std::size_t i = 0; i < m && ok; ++i) ok = sgn(u[i]) >= 0 && u[i] <= cf.groups[P[F[i]]].alpha;
          if (!ok) continue;
          found_gamma.assign(cf.groups.size(), Rational(0));
          for (std::size_t i = 0; i < m; ++i) found_gamma[P[F[i]]] = u[i];
          for (std::size_t b = 0; b < rest.size(); ++b)
            if (at_alpha[b]) found_gamma[P[rest[b]]] = cf.groups[P[rest[b]]].alpha;
          // Found at the smallest level: its coordinates in F are strictly fractional.
          for (std::size_t i = 0; i < m; ++i)
            if (sgn(u[i]) == 0 || u[i] == cf.groups[P[F[i]]].alpha)
              throw std::logic_error("icnn_on_whole_space: width search found a solution at a level above its own");
          found_m = m;
          break;
        }
      }
      // Next combination of m positions out of k.
      std::size_t i = m;
      while (i > 0 && F[i - 1] == k - m + (i - 1)) --i;
      if (i == 0) break;
      ++F[i - 1];
      for (std::size_t j = i; j < m; ++j) F[j] = F[j - 1] + 1;
    }
  }
  if (found_m) {
    r.search_complete = true;
    r.minimal_width = with_floor(k + *found_m);
    r.width_lower_bound = *r.minimal_width;
    r.width_upper_bound = *r.minimal_width;
    r.gamma = found_gamma;
  } else if (m >= lp_fractional) {
    // No gamma with fewer fractional coordinates than the LP's point: it is optimal.
    r.search_complete = true;
    r.minimal_width = with_floor(k + lp_fractional);
    r.width_lower_bound = *r.minimal_width;
    r.width_upper_bound = *r.minimal_width;
    r.gamma = r.lp_gamma;
  } else {
    // Stopped by the limit before level m: no solution with fewer than m fractional coordinates.
    r.search_complete = false;
    r.width_lower_bound = with_floor(k + m);
    r.width_upper_bound = with_floor(k + lp_fractional);
    r.gamma = r.lp_gamma;
  }
  // Verify the chosen gamma exactly: in the box and solving the equation.
  Vector sum(d, Rational(0));
  for (std::size_t i = 0; i < cf.groups.size(); ++i) {
    if (sgn(r.gamma[i]) < 0 || r.gamma[i] > std::max(cf.groups[i].alpha, Rational(0)))
      throw std::logic_error("icnn_on_whole_space: gamma outside its box");
    sum = add(sum, scale(r.gamma[i], cf.groups[i].w));
  }
  if (sum != target) throw std::logic_error("icnn_on_whole_space: gamma does not solve sum gamma_H w_H = -A");
  if (r.width_lower_bound > n) r.same_width = false;
  else if (*r.width_upper_bound <= n) r.same_width = true;
  const std::size_t width = *r.width_upper_bound <= n ? n : *r.width_upper_bound;
  r.icnn = icnn_from_gamma(cf, r.gamma, width);
  return r;
}

}  // namespace relucert
