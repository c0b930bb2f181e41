// PN on the facets of the exact region complex (THEORY.md §2.2).
//
// Face set. For a ReLU neuron m, the faces checked are the adjacencies F = C_lower ∩ C_upper of
// the complex (geometry/region_complex.hpp) with
//   (a) z_m ≡ 0 on F, read as z_m(p) = 0 at the stored relative-interior point p of F, and
//   (b) the two cells do not carry the same strict sign for m (both + or both −: m is tangent
//       to F and does not bend there, so it contributes nothing to the jump across F).
// Reading one point suffices: every pre-activation z is affine on each cell and has one sign on
// the cell's interior, hence one weak sign on F; an affine function of one weak sign on a convex
// set that vanishes at a relative-interior point vanishes on the whole set. For the same reason
// the downstream sign vector sigma_{>l}(F) is the sign vector of the z's at p. Its zeros are
// expanded both ways (Expand in §2.2: 0 -> {0, 1}, + -> 1, − -> 0).
//
// Why passing proves convexity (Theorem B2 with G = F itself, and Theorem A). Take any adjacency F
// and any neuron m = (l, k) that switches across it (D_m differs between the cells). By continuity
// z_m = 0 on F, and the cells' signs for m differ, so F is in m's face set by (a) and (b). For a
// downstream neuron m', D⁺_{m'} = 1 means z_{m'} > 0 on int C⁺, so z_{m'}(p) ≥ 0 (p lies in the
// closed cell C⁺) and Expand(sign z_{m'}(p)) contains 1; D⁺_{m'} = 0 means z_{m'} ≤ 0 on C⁺ and
// Expand contains 0. Hence D⁺_{>l} ∈ Expand(sigma_{>l}(F)) and PN gives c_m(D⁺_{>l}) ≥ 0. By the
// telescoping identity (★) (Lemma B1) the jump across F is lambda_F n = Σ μ_m c_m(D⁺_{>l}) n with
// μ_m ≥ 0 over the switching m, so lambda_F ≥ 0 for every adjacency and Theorem A (§1) says f is
// convex on the domain. Nothing here needs bounded cells, so the argument also holds on R^d.
// Lemma B1 survives input skips (their contribution to the gradient depends only on D⁺ of the
// layers after the switching neuron, identical on both sides of the telescoping step) and linear
// hidden layers (a fixed D = I). Including more faces than the switching ones (e.g. Zero/Negative
// pairs, the "pre-activation identically zero on an open set" kind) only makes the test stricter.
//
// Failing proves nothing: Proposition B3 needs the non-degeneracy condition (G), and the table of
// §2.2 lists convex networks that fail PN. Every decision below is an exact GMP comparison.
#include "analysis/path_lifting.hpp"

#include <chrono>
#include <set>
#include <stdexcept>

#include "core/sign.hpp"

namespace relucert {

namespace {

// The 0-based network layer of a ReLU neuron, validated.
std::size_t layer_index_of(const Network& net, const NeuronId& m) {
  if (m.layer == 0 || m.layer > net.layers().size() || !net.layers()[m.layer - 1].relu || m.index == 0 ||
      m.index > net.layers()[m.layer - 1].width())
    throw std::invalid_argument("not a ReLU neuron of this network: " + m.name());
  return m.layer - 1;
}

// Downstream pattern text: one character per downstream neuron, '|' between layers.
std::string grouped_pattern(const std::vector<NeuronId>& downstream, const std::vector<bool>& active) {
  std::string s;
  for (std::size_t i = 0; i < downstream.size(); ++i) {
    if (i > 0 && downstream[i].layer != downstream[i - 1].layer) s += '|';
    s += active[i] ? '1' : '0';
  }
  return s;
}

// "L2|L3": the layers of the downstream neurons, in the grouping of grouped_pattern.
std::string layer_legend(const std::vector<NeuronId>& downstream) {
  std::string s;
  for (std::size_t i = 0; i < downstream.size(); ++i)
    if (i == 0 || downstream[i].layer != downstream[i - 1].layer)
      s += (s.empty() ? "L" : "|L") + std::to_string(downstream[i].layer);
  return s;
}

// A cell's recorded sign must agree with the exact value at a point of its closure.
bool sign_allows(Sign cell_sign, Sign z) {
  switch (cell_sign) {
    case Sign::Positive: return z != Sign::Negative;
    case Sign::Negative: return z != Sign::Positive;
    case Sign::Zero: return z == Sign::Zero;  // z ≡ 0 on the cell
  }
  return false;
}

// Internal invariants of the complex at the facet point; a violation is a bug, never a verdict.
void check_facet_point(const RegionComplex& cx, const Adjacency& adj, const std::vector<Sign>& z) {
  if (sgn(adj.facet.slack(adj.point)) != 0) throw std::logic_error("path lifting: facet point is off its hyperplane");
  for (std::size_t g = 0; g < z.size(); ++g)
    if (!sign_allows(cx.cells[adj.lower].pattern[g], z[g]) || !sign_allows(cx.cells[adj.upper].pattern[g], z[g]))
      throw std::logic_error("path lifting: cell pattern disagrees with the pre-activation of " + cx.neurons[g].name() +
                             " at a facet point");
}

// Face-set membership (a) and (b) of the header comment.
bool facet_on_zero_set(Sign lower, Sign upper, Sign z) {
  if (z != Sign::Zero) return false;
  const bool tangent = lower == upper && lower != Sign::Zero;
  return !tangent;
}

// What the facets tell about one neuron: how many there are and their distinct downstream sign vectors.
struct NeuronFaces {
  std::size_t count = 0;
  std::set<std::vector<Sign>> downstream_signs;
};

// Index of the first ReLU neuron after m's layer, for every neuron (neurons are in layer order).
std::vector<std::size_t> downstream_begin(const std::vector<NeuronId>& neurons) {
  const std::size_t n = neurons.size();
  std::vector<std::size_t> begin(n, n);
  for (std::size_t g = n; g-- > 0;) {
    if (g + 1 == n) begin[g] = n;
    else if (neurons[g + 1].layer != neurons[g].layer) begin[g] = g + 1;
    else begin[g] = begin[g + 1];
  }
  return begin;
}

std::vector<NeuronFaces> collect_faces(const Network& net, const RegionComplex& cx) {
  const std::size_t n = cx.neurons.size();
  const std::vector<std::size_t> begin = downstream_begin(cx.neurons);
  std::vector<NeuronFaces> faces(n);
  for (const Adjacency& adj : cx.adjacencies) {
    // Only the signs matter: the integer pass gives them exactly, without a gcd per product.
    const std::vector<Sign> signs = relu_signs_at(net, adj.point);
    if (signs.size() != n) throw std::logic_error("path lifting: neuron count differs from the complex");
    check_facet_point(cx, adj, signs);
    for (std::size_t g = 0; g < n; ++g) {
      if (!facet_on_zero_set(cx.cells[adj.lower].pattern[g], cx.cells[adj.upper].pattern[g], signs[g])) continue;
      ++faces[g].count;
      faces[g].downstream_signs.emplace(signs.begin() + static_cast<std::ptrdiff_t>(begin[g]), signs.end());
    }
  }
  return faces;
}

struct PatternLimit {};

// Expand of §2.2 over every distinct sign vector, deduplicated. `budget` counts enumerated
// patterns across all neurons; exceeding it throws PatternLimit.
std::set<std::vector<bool>> expand_all(const std::set<std::vector<Sign>>& sign_vectors, std::size_t max_patterns,
                                       std::size_t& budget) {
  std::set<std::vector<bool>> patterns;
  for (const auto& s : sign_vectors) {
    std::vector<std::size_t> zeros;
    std::vector<bool> base(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      base[i] = s[i] == Sign::Positive;
      if (s[i] == Sign::Zero) zeros.push_back(i);
    }
    if (zeros.size() >= 63) throw PatternLimit{};
    const unsigned long long count = 1ULL << zeros.size();
    if (max_patterns && (count > max_patterns || budget + count > max_patterns)) throw PatternLimit{};
    budget += count;
    for (unsigned long long mask = 0; mask < count; ++mask) {
      std::vector<bool> d = base;
      for (std::size_t j = 0; j < zeros.size(); ++j) d[zeros[j]] = (mask >> j) & 1ULL;
      patterns.insert(std::move(d));
    }
  }
  return patterns;
}

NeuronPathLift evaluate_neuron(const Network& net, const NeuronId& m, const NeuronFaces& faces,
                               const PathLiftOptions& opt, std::size_t& budget) {
  NeuronPathLift r;
  r.neuron = m;
  const std::vector<NeuronId> downstream = downstream_neurons(net, m);
  r.downstream_layers = layer_legend(downstream);
  r.faces = faces.count;
  if (faces.count == 0) return r;  // NoFacet: m never bends inside the domain, nothing to check
  for (const std::vector<bool>& d : expand_all(faces.downstream_signs, opt.max_patterns, budget)) {
    ++r.patterns_checked;
    Rational c = path_lifting_value(net, m, d);
    if (opt.list_all_patterns) r.all_patterns.emplace_back(d, c);
    if (sgn(c) >= 0) continue;
    ++r.failing_count;
    if (r.failing.size() < opt.max_failures_listed) r.failing.push_back({grouped_pattern(downstream, d), std::move(c)});
  }
  r.status = r.failing_count ? NeuronPnStatus::Fail : NeuronPnStatus::Pass;
  return r;
}

}  // namespace

std::vector<NeuronId> downstream_neurons(const Network& net, const NeuronId& m) {
  const std::size_t l = layer_index_of(net, m);
  std::vector<NeuronId> out;
  for (std::size_t j = l + 1; j < net.layers().size(); ++j)
    if (net.layers()[j].relu)
      for (std::size_t k = 0; k < net.layers()[j].width(); ++k) out.push_back(NeuronId{j + 1, k + 1});
  return out;
}

void require_layered(const Network& net) {
  if (net.has_layer_skips())
    throw std::invalid_argument(
        "path lifting (PN) is stated for layered networks: this one has skip terms from earlier layers' outputs "
        "(residual connections), which THEORY.md §2.2 does not cover");
}

Rational path_lifting_value(const Network& net, const NeuronId& m, const std::vector<bool>& active) {
  require_layered(net);
  const std::size_t l = layer_index_of(net, m);
  const auto& layers = net.layers();
  // Offset of each later ReLU layer's neurons inside `active`.
  std::vector<std::size_t> offset(layers.size(), 0);
  std::size_t total = 0;
  for (std::size_t j = l + 1; j < layers.size(); ++j)
    if (layers[j].relu) {
      offset[j] = total;
      total += layers[j].width();
    }
  if (active.size() != total) throw std::invalid_argument("path_lifting_value: pattern has the wrong size for " + m.name());
  // Row vector r = d f / d a_j, from the output back to m's layer: r <- (r D_j) W^j.
  Vector r(layers.back().width(), Rational(0));
  r[0] = 1;  // f is output 0
  for (std::size_t j = layers.size(); j-- > l + 1;) {
    const Layer& L = layers[j];
    if (L.relu)
      for (std::size_t k = 0; k < L.width(); ++k)
        if (!active[offset[j] + k]) r[k] = 0;
    Vector next(L.W.front().size(), Rational(0));
    for (std::size_t k = 0; k < L.width(); ++k)
      if (sgn(r[k]) != 0)
        for (std::size_t i = 0; i < next.size(); ++i) next[i] += r[k] * L.W[k][i];
    r = std::move(next);
  }
  return r.at(m.index - 1);
}

const char* neuron_pn_status_name(NeuronPnStatus s) {
  switch (s) {
    case NeuronPnStatus::Pass: return "pass";
    case NeuronPnStatus::Fail: return "fail";
    case NeuronPnStatus::NoFacet: return "no facet on the domain";
  }
  return "?";
}

const char* pn_verdict_name(PnVerdict v) {
  switch (v) {
    case PnVerdict::Pass: return "pass";
    case PnVerdict::Fail: return "fail";
    case PnVerdict::Unknown: return "unknown";
  }
  return "unknown";
}

PathLiftResult check_path_lifting(const Network& net, const RegionComplex& cx, const PathLiftOptions& opt) {
  require_layered(net);
  const auto start = std::chrono::steady_clock::now();
  PathLiftResult r;
  r.cells = cx.cells.size();
  auto finish = [&]() {
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(r);
  };
  if (cx.status != BuildStatus::Complete) {
    r.unknown_reason = limit_reason(cx.status);
    return finish();
  }
  r.pairs = cx.adjacencies.size();
  const std::vector<NeuronFaces> faces = collect_faces(net, cx);
  std::size_t budget = 0;
  try {
    for (std::size_t g = 0; g < cx.neurons.size(); ++g) r.neurons.push_back(evaluate_neuron(net, cx.neurons[g], faces[g], opt, budget));
  } catch (const PatternLimit&) {
    r.neurons.clear();
    r.unknown_reason = "pattern limit reached (--max-patterns)";
    return finish();
  }
  r.verdict = PnVerdict::Pass;
  for (const auto& n : r.neurons)
    if (n.status == NeuronPnStatus::Fail) r.verdict = PnVerdict::Fail;
  return finish();
}

PathLiftResult check_path_lifting(const Network& net, const Domain& domain, const PathLiftOptions& opt) {
  require_layered(net);
  const auto start = std::chrono::steady_clock::now();
  const RegionComplex cx = build_region_complex(net, domain, opt.limits);
  PathLiftResult r = check_path_lifting(net, cx, opt);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace relucert
