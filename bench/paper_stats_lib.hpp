#pragma once
// Reusable parts of bench/paper_stats.cpp (and tests/test_paper_stats.cpp): statistics in the
// style of the paper's experiments (Gagneux et al., THEORY.md §2.1) on random networks with
// PyTorch's default nn.Linear initialisation.
//
//  * Generation: weights and biases uniform in ±1/sqrt(fan_in), drawn with a fixed-seed
//    std::mt19937_64 and rounded to float32; the analysed net is exactly those float32 values.
//  * Verdicts: only relucert::check_convexity (exact) on the box [-1,1]^d.
//  * ICNN: hidden-to-hidden and output weights all >= 0 (THEORY.md §5).
//  * Audit: the per-neuron path-lifting test (THEORY.md §2) evaluated on the faces of the exact
//    region complex, once in float32 arithmetic (what the authors' float32 code would compute on
//    those faces) and once exactly. Floats appear here and nowhere else; they never decide a
//    verdict, they are what is being audited.
//
// Header-only: every function is inline.
#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iomanip>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "analysis/convexity.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/rational.hpp"
#include "geometry/region_complex.hpp"

namespace relucert::paper_stats {

// ------------------------------------------------------------------------------------------
// Architectures and random networks
// ------------------------------------------------------------------------------------------

// (input_dim, width, ..., width, 1) with `depth` hidden ReLU layers.
struct Arch {
  std::size_t input_dim = 1;
  std::size_t width = 1;
  std::size_t depth = 1;
  auto key() const { return std::make_tuple(input_dim, width, depth); }
  bool operator<(const Arch& o) const { return key() < o.key(); }
  bool operator==(const Arch& o) const { return key() == o.key(); }
  std::string name() const {
    std::string s = "(" + std::to_string(input_dim);
    for (std::size_t l = 0; l < depth; ++l) s += "," + std::to_string(width);
    return s + ",1)";
  }
};

// The weights exactly as drawn (float32). Layer l maps n_{l-1} -> n_l; the last layer is the
// linear output layer (width 1).
struct Float32Net {
  std::size_t input_dim = 0;
  std::vector<std::vector<std::vector<float>>> W;  // W[l][row][col]
  std::vector<std::vector<float>> b;               // b[l][row]
};

// splitmix64 finaliser: a fixed, portable bit mixer.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of net number `index` of architecture `a` in a run with base seed `base`. A net depends
// only on (base, a, index), so cells shared by two grids hold the same nets.
inline std::uint64_t net_seed(std::uint64_t base, const Arch& a, std::size_t index) {
  std::uint64_t h = mix64(base);
  for (std::uint64_t v : {std::uint64_t(a.input_dim), std::uint64_t(a.width), std::uint64_t(a.depth), std::uint64_t(index)})
    h = mix64(h ^ v);
  return h;
}

// True iff |v| <= 1/sqrt(fan_in), decided exactly (v^2 * fan_in <= 1).
inline bool within_init_bound(float v, std::size_t fan_in) {
  const Rational q = rational_from_float(v);
  return q * q * Rational(static_cast<unsigned long>(fan_in)) <= 1;
}

// One draw of PyTorch's default nn.Linear initialisation (kaiming_uniform_ with a = sqrt(5) for
// W, and the same bound for b): uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)], stored as float32.
// The uniform double is made from the top 53 bits of the engine (portable, unlike
// std::uniform_real_distribution); the rare float that rounds beyond the exact bound is redrawn.
inline float draw_init_value(std::mt19937_64& rng, std::size_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  for (;;) {
    const double u = static_cast<double>(rng() >> 11) * 0x1p-53;  // [0, 1)
    const float v = static_cast<float>((2.0 * u - 1.0) * bound);
    if (within_init_bound(v, fan_in)) return v;
  }
}

// Draws all layers in order, each W row by row and then b (PyTorch's order within nn.Linear).
inline Float32Net draw_float32_net(const Arch& a, std::uint64_t seed) {
  if (a.input_dim == 0 || a.width == 0 || a.depth == 0) throw std::invalid_argument("draw_float32_net: empty architecture");
  std::mt19937_64 rng(seed);
  Float32Net n;
  n.input_dim = a.input_dim;
  std::size_t fan_in = a.input_dim;
  for (std::size_t l = 0; l <= a.depth; ++l) {
    const std::size_t rows = l < a.depth ? a.width : 1;
    std::vector<std::vector<float>> W(rows, std::vector<float>(fan_in));
    std::vector<float> b(rows);
    for (auto& row : W)
      for (auto& v : row) v = draw_init_value(rng, fan_in);
    for (auto& v : b) v = draw_init_value(rng, fan_in);
    n.W.push_back(std::move(W));
    n.b.push_back(std::move(b));
    fan_in = rows;
  }
  return n;
}

// The exact network of the float32 values (ReLU after every layer but the last).
inline Network to_network(const Float32Net& f) {
  std::vector<Layer> layers;
  for (std::size_t l = 0; l < f.W.size(); ++l) {
    Layer L;
    for (const auto& row : f.W[l]) {
      Vector r;
      for (float v : row) r.push_back(rational_from_float(v));
      L.W.push_back(std::move(r));
    }
    for (float v : f.b[l]) L.b.push_back(rational_from_float(v));
    L.relu = l + 1 < f.W.size();
    layers.push_back(std::move(L));
  }
  return Network(f.input_dim, std::move(layers));
}

inline Network draw_network(const Arch& a, std::uint64_t seed) { return to_network(draw_float32_net(a, seed)); }

// The nets analysed here: ReLU after every layer but the last, a scalar linear output, no skips.
inline void require_plain_mlp(const Network& net) {
  const auto& Ls = net.layers();
  if (Ls.size() < 2) throw std::invalid_argument("paper_stats: need at least one hidden layer");
  for (std::size_t l = 0; l < Ls.size(); ++l) {
    if (Ls[l].has_skip()) throw std::invalid_argument("paper_stats: input-skip weights are not supported");
    if (Ls[l].relu != (l + 1 < Ls.size())) throw std::invalid_argument("paper_stats: ReLU must follow every layer but the last");
  }
  if (Ls.back().width() != 1) throw std::invalid_argument("paper_stats: the output must be scalar");
}

// ICNN (THEORY.md §5): every weight after the first layer (hidden-to-hidden and output) is >= 0.
inline bool is_icnn(const Network& net) {
  require_plain_mlp(net);
  const auto& Ls = net.layers();
  for (std::size_t l = 1; l < Ls.size(); ++l)
    for (const auto& row : Ls[l].W)
      for (const auto& v : row)
        if (sgn(v) < 0) return false;
  return true;
}

// ------------------------------------------------------------------------------------------
// The path-lifting audit
// ------------------------------------------------------------------------------------------

// The float32 nearest to q (ties to even), as a framework converting the weights would store it.
inline float nearest_float(const Rational& q) {
  const double t = q.get_d();  // truncates toward zero; the nearest float is next to float(t)
  const float f = static_cast<float>(t);
  if (!std::isfinite(f)) throw std::overflow_error("nearest_float: out of float range");
  float best = f;
  Rational best_err = abs(Rational(rational_from_float(f) - q));
  for (float c : {std::nextafter(f, -std::numeric_limits<float>::infinity()),
                  std::nextafter(f, std::numeric_limits<float>::infinity())}) {
    if (!std::isfinite(c)) continue;
    const Rational err = abs(Rational(rational_from_float(c) - q));
    const bool even = (std::bit_cast<std::uint32_t>(c) & 1u) == 0;
    if (err < best_err || (err == best_err && even)) {
      best = c;
      best_err = err;
    }
  }
  return best;
}

// The weight matrices rounded to float32 (exact for nets drawn by draw_float32_net).
struct Float32Weights {
  std::vector<std::vector<std::vector<float>>> W;
};

inline Float32Weights float32_weights(const Network& net) {
  Float32Weights fw;
  for (const auto& L : net.layers()) {
    std::vector<std::vector<float>> M;
    for (const auto& row : L.W) {
      std::vector<float> r;
      for (const auto& v : row) r.push_back(nearest_float(v));
      M.push_back(std::move(r));
    }
    fw.W.push_back(std::move(M));
  }
  return fw;
}

// First global (topological) ReLU index of each hidden layer, plus the total at the end.
inline std::vector<std::size_t> layer_offsets(const Network& net) {
  std::vector<std::size_t> off{0};
  for (std::size_t l = 0; l + 1 < net.layers().size(); ++l) off.push_back(off.back() + net.layers()[l].width());
  return off;
}

// Downstream activation pattern: one entry per ReLU neuron in topological order (1 = active);
// only the entries of layers after the neuron's own layer are read.
using Activation = std::vector<unsigned char>;

// c_m(D) = W^{L+1} D_L W^L ... D_{l+1} W^{l+1} e_k for neuron m = (layer, k) (both 0-based;
// layer indexes the hidden layers). For the last hidden layer it is the output weight.
inline Rational path_lifting_exact(const Network& net, std::size_t layer, std::size_t k, const Activation& D) {
  const auto& Ls = net.layers();
  const std::vector<std::size_t> off = layer_offsets(net);
  Vector v;
  for (const auto& row : Ls[layer + 1].W) v.push_back(row.at(k));
  for (std::size_t j = layer + 1; j + 1 < Ls.size(); ++j) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!D.at(off[j] + i)) v[i] = 0;
    Vector next;
    for (const auto& row : Ls[j + 1].W) {
      Rational acc = 0;
      for (std::size_t i = 0; i < row.size(); ++i) acc += row[i] * v[i];
      next.push_back(acc);
    }
    v = std::move(next);
  }
  return v.at(0);
}

// The same product in float32 arithmetic: every product and every partial sum is rounded to
// float (the compiler is not allowed to contract to FMA in ISO C++ mode, and x86-64 evaluates
// float in float). Sums run over the input index in order, as a plain matrix-vector product.
inline float path_lifting_f32(const Float32Weights& fw, std::size_t layer, std::size_t k, const Activation& D,
                              const std::vector<std::size_t>& off) {
  std::vector<float> v;
  for (const auto& row : fw.W[layer + 1]) v.push_back(row.at(k));
  for (std::size_t j = layer + 1; j + 1 < fw.W.size(); ++j) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!D.at(off[j] + i)) v[i] = 0.0f;
    std::vector<float> next;
    for (const auto& row : fw.W[j + 1]) {
      float acc = 0.0f;
      for (std::size_t i = 0; i < row.size(); ++i) {
        const float prod = row[i] * v[i];
        acc = acc + prod;
      }
      next.push_back(acc);
    }
    v = std::move(next);
  }
  return v.at(0);
}

// Exact pre-activations of every ReLU neuron at x, in topological order.
inline Vector preactivations(const Network& net, const Vector& x) {
  Vector z, a = x;
  const auto& Ls = net.layers();
  for (std::size_t l = 0; l + 1 < Ls.size(); ++l) {
    Vector next;
    for (std::size_t k = 0; k < Ls[l].width(); ++k) {
      Rational s = Ls[l].b[k];
      for (std::size_t i = 0; i < a.size(); ++i) s += Ls[l].W[k][i] * a[i];
      z.push_back(s);
      next.push_back(sgn(s) > 0 ? s : Rational(0));
    }
    a = std::move(next);
  }
  return z;
}

// One checked value: neuron m (global index), downstream pattern D, and c_m(D) both ways.
struct PathLiftingValue {
  std::size_t neuron = 0;
  Activation pattern;
  Rational exact;
  float f32 = 0.0f;
};

enum class AuditStatus { Done, SkippedCellLimit, SkippedTimeLimit, SkippedDegenerate };

inline const char* audit_status_name(AuditStatus s) {
  switch (s) {
    case AuditStatus::Done: return "done";
    case AuditStatus::SkippedCellLimit: return "skipped_cell_limit";
    case AuditStatus::SkippedTimeLimit: return "skipped_time_limit";
    case AuditStatus::SkippedDegenerate: return "skipped_degenerate";
  }
  return "?";
}

struct Audit {
  AuditStatus status = AuditStatus::Done;
  // The per-neuron test as the reference code states it: every checked c_m(D) >= 0, and
  // (unconditionally) every output weight of the last hidden layer >= 0.
  bool pn_f32_convex = false;
  bool pn_exact_convex = false;
  // Exact, facets only (without the unconditional last-layer rule): THEORY.md Theorem B2 says
  // this implies convexity on the box.
  bool pn_exact_facets_convex = false;
  std::size_t adjacencies = 0;
  std::size_t cells = 0;
  std::size_t pieces = 0;                // distinct affine pieces of f on the box (complete complex only)
  std::vector<PathLiftingValue> values;  // distinct (neuron, pattern) pairs checked
  std::size_t sign_disagreements = 0;    // values with (f32 >= 0) != (exact >= 0)
  std::size_t zero_values = 0;           // values with c_m(D) = 0 exactly (all paths blocked)
  std::optional<Rational> min_abs_exact; // smallest nonzero |c_m(D)| among the checked values
  double max_rel_error = 0;              // max |f32 - exact| / |exact| over nonzero values (display only)
  // The exact jump test on the same complex (Theorem A), for a consistency check against the
  // engine's verdict.
  bool jump_test_convex = false;
};

// Largest number of zero downstream signs expanded at one facet (2^this patterns).
inline constexpr std::size_t kMaxExpandedZeros = 16;

// The audit on a complex built by build_region_complex. Faces used: the relative interior of
// every adjacency (a facet shared by two cells), at its exact point. Neuron m is checked there iff
// its pre-activation is 0 at that point (then it is 0 on the whole shared facet, because z_m has
// one weak sign on each closed cell). Downstream signs at the point are the signs on the facet;
// zeros are expanded both ways, as generate_hyperplanes does.
inline Audit audit_path_lifting(const Network& net, const RegionComplex& cx) {
  require_plain_mlp(net);
  Audit out;
  out.cells = cx.cells.size();
  out.adjacencies = cx.adjacencies.size();
  if (cx.status == BuildStatus::CellLimit || cx.status == BuildStatus::MemoryLimit) {
    out.status = AuditStatus::SkippedCellLimit;
    return out;
  }
  if (cx.status == BuildStatus::TimeLimit) {
    out.status = AuditStatus::SkippedTimeLimit;
    return out;
  }
  out.jump_test_convex = !find_violating_adjacency(cx).has_value();
  out.pieces = cx.distinct_affine_pieces();

  const auto& Ls = net.layers();
  const std::size_t hidden = Ls.size() - 1;
  const std::vector<std::size_t> off = layer_offsets(net);
  const std::size_t N = off.back();
  std::vector<std::size_t> layer_of(N);
  for (std::size_t l = 0; l < hidden; ++l)
    for (std::size_t i = off[l]; i < off[l + 1]; ++i) layer_of[i] = l;
  const Float32Weights fw = float32_weights(net);

  std::set<std::pair<std::size_t, Activation>> seen;
  for (const Adjacency& adj : cx.adjacencies) {
    const Vector z = preactivations(net, adj.point);
    for (std::size_t m = 0; m < N; ++m) {
      if (sgn(z[m]) != 0) continue;
      const std::size_t l = layer_of[m];
      std::vector<std::size_t> zeros;
      Activation base(N, 0);
      for (std::size_t i = off[l + 1]; i < N; ++i) {
        const int s = sgn(z[i]);
        base[i] = s > 0 ? 1 : 0;
        if (s == 0) zeros.push_back(i);
      }
      if (zeros.size() > kMaxExpandedZeros) {
        out.status = AuditStatus::SkippedDegenerate;
        out.values.clear();
        return out;
      }
      for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << zeros.size()); ++mask) {
        Activation D = base;
        for (std::size_t t = 0; t < zeros.size(); ++t) D[zeros[t]] = (mask >> t) & 1u;
        if (!seen.emplace(m, D).second) continue;
        PathLiftingValue pv;
        pv.neuron = m;
        pv.exact = path_lifting_exact(net, l, m - off[l], D);
        pv.f32 = path_lifting_f32(fw, l, m - off[l], D, off);
        pv.pattern = std::move(D);
        out.values.push_back(std::move(pv));
      }
    }
  }

  bool f32_ok = true, exact_ok = true;
  for (const auto& pv : out.values) {
    const bool e = sgn(pv.exact) >= 0, f = pv.f32 >= 0.0f;
    exact_ok = exact_ok && e;
    f32_ok = f32_ok && f;
    if (e != f) ++out.sign_disagreements;
    if (sgn(pv.exact) == 0) {
      ++out.zero_values;
    } else {
      const Rational a = abs(pv.exact);
      if (!out.min_abs_exact || a < *out.min_abs_exact) out.min_abs_exact = a;
      const double rel = approx(abs(Rational(rational_from_float(pv.f32) - pv.exact)) / a);
      out.max_rel_error = std::max(out.max_rel_error, rel);
    }
  }
  out.pn_exact_facets_convex = exact_ok;
  // The reference code's unconditional rule for the last hidden layer (THEORY.md §2.1 item 4).
  bool out_f32 = true, out_exact = true;
  for (std::size_t k = 0; k < Ls.back().W[0].size(); ++k) {
    out_exact = out_exact && sgn(Ls.back().W[0][k]) >= 0;
    out_f32 = out_f32 && fw.W.back()[0][k] >= 0.0f;
  }
  out.pn_exact_convex = exact_ok && out_exact;
  out.pn_f32_convex = f32_ok && out_f32;
  return out;
}

// ------------------------------------------------------------------------------------------
// One net, one cell, a whole run
// ------------------------------------------------------------------------------------------

struct RunOptions {
  std::size_t nets_per_cell = 100;
  std::uint64_t seed = 1;
  double time_limit_seconds = 60;  // per net, for the verdict and again for the audit's complex
  std::size_t max_cells = 20000;   // per net, for the verdict and for the audit's complex
  std::size_t refuter_lines = 24;  // relucert's default
  unsigned jobs = 1;               // worker threads
};

struct NetResult {
  Arch arch;
  std::size_t index = 0;
  std::uint64_t seed = 0;
  Verdict verdict = Verdict::Unknown;
  std::string method;
  std::string unknown_reason;
  bool icnn = false;
  double check_seconds = 0, audit_seconds = 0;
  Audit audit;
  std::string error;  // an exception from the engine (an internal error): never expected
};

inline Domain unit_box(std::size_t d) { return Domain::box(Vector(d, Rational(-1)), Vector(d, Rational(1))); }

inline NetResult analyse_network(const Network& net, const RunOptions& opt) {
  using Clock = std::chrono::steady_clock;
  NetResult r;
  const Domain box = unit_box(net.input_dim());
  r.icnn = is_icnn(net);
  CheckOptions co;
  co.refuter_lines = opt.refuter_lines;
  co.limits.max_cells = opt.max_cells;
  co.limits.time_limit_seconds = opt.time_limit_seconds;
  const CheckResult cr = check_convexity(net, box, co);
  r.verdict = cr.verdict;
  r.method = cr.method;
  r.unknown_reason = cr.unknown_reason;
  r.check_seconds = cr.seconds;
  const auto t0 = Clock::now();
  const RegionComplex cx = build_region_complex(net, box, co.limits);
  r.audit = audit_path_lifting(net, cx);
  r.audit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

inline NetResult run_net(const Arch& a, std::size_t index, const RunOptions& opt) {
  NetResult r;
  const std::uint64_t seed = net_seed(opt.seed, a, index);
  try {
    r = analyse_network(draw_network(a, seed), opt);
  } catch (const std::exception& e) {
    r = NetResult{};
    r.error = e.what();
  }
  r.arch = a;
  r.index = index;
  r.seed = seed;
  return r;
}

// Consistency of one result with the theory; an empty string when everything agrees.
inline std::string inconsistency(const NetResult& r) {
  if (!r.error.empty()) return "engine error: " + r.error;
  if (r.icnn && r.verdict == Verdict::NotConvex) return "an ICNN was decided not convex";
  if (r.audit.status == AuditStatus::Done && r.verdict != Verdict::Unknown) {
    if (r.audit.jump_test_convex != (r.verdict == Verdict::Convex)) return "jump test on the audit complex disagrees with the verdict";
    if (r.audit.pn_exact_facets_convex && r.verdict == Verdict::NotConvex) return "exact PN passes but the net is not convex (Theorem B2)";
  }
  return {};
}

struct CellStats {
  Arch arch;
  std::size_t nets = 0, convex = 0, not_convex = 0, unknown = 0;
  std::size_t icnn = 0, icnn_convex = 0;
  std::size_t convex_affine = 0;         // convex and affine on the whole box (one piece)
  std::size_t convex_other = 0;          // convex, not an ICNN, and not affine on the box
  std::size_t by_refuter = 0;            // not convex, found by the line refuter
  std::size_t audited = 0, audit_skipped = 0;
  // Over audited nets with a decided verdict:
  std::size_t pn_f32_convex = 0, pn_exact_convex = 0;
  std::size_t f32_dangerous = 0;         // float32 PN convex, exactly not convex
  std::size_t f32_overly_strict = 0;     // float32 PN not convex, exactly convex
  std::size_t rounding_flips = 0;        // nets where float32 PN != exact PN
  std::size_t exact_pn_overly_strict = 0;  // exact PN not convex, exactly convex
  std::size_t last_layer_rule_only = 0;  // ... of which only because of the last-layer rule
  std::size_t value_sign_disagreements = 0;  // single c-values whose float32 sign is wrong
  std::size_t values_checked = 0;
  std::optional<Rational> min_abs_c;
  double max_rel_error = 0;
  std::size_t inconsistencies = 0;
  double seconds = 0;  // sum over nets of check + audit time
};

inline CellStats summarise(const Arch& a, const std::vector<const NetResult*>& rs) {
  CellStats s;
  s.arch = a;
  for (const NetResult* r : rs) {
    ++s.nets;
    s.seconds += r->check_seconds + r->audit_seconds;
    if (!inconsistency(*r).empty()) ++s.inconsistencies;
    if (!r->error.empty()) {
      ++s.unknown;
      ++s.audit_skipped;
      continue;
    }
    switch (r->verdict) {
      case Verdict::Convex: ++s.convex; break;
      case Verdict::NotConvex: ++s.not_convex; if (r->method == "line-refuter") ++s.by_refuter; break;
      case Verdict::Unknown: ++s.unknown; break;
    }
    if (r->icnn) {
      ++s.icnn;
      if (r->verdict == Verdict::Convex) ++s.icnn_convex;
    }
    const Audit& au = r->audit;
    if (au.status != AuditStatus::Done || r->verdict == Verdict::Unknown) {
      ++s.audit_skipped;
      continue;
    }
    ++s.audited;
    const bool convex = r->verdict == Verdict::Convex;
    s.convex_affine += convex && au.pieces == 1;
    s.convex_other += convex && !r->icnn && au.pieces > 1;
    s.pn_f32_convex += au.pn_f32_convex;
    s.pn_exact_convex += au.pn_exact_convex;
    s.f32_dangerous += au.pn_f32_convex && !convex;
    s.f32_overly_strict += !au.pn_f32_convex && convex;
    s.rounding_flips += au.pn_f32_convex != au.pn_exact_convex;
    s.exact_pn_overly_strict += !au.pn_exact_convex && convex;
    s.last_layer_rule_only += !au.pn_exact_convex && au.pn_exact_facets_convex && convex;
    s.value_sign_disagreements += au.sign_disagreements;
    s.values_checked += au.values.size();
    if (au.min_abs_exact && (!s.min_abs_c || *au.min_abs_exact < *s.min_abs_c)) s.min_abs_c = au.min_abs_exact;
    s.max_rel_error = std::max(s.max_rel_error, au.max_rel_error);
  }
  return s;
}

// A rectangular grid of cells: rows are depths (input dim fixed) or input dims (depth fixed).
struct Grid {
  std::string name;       // file stem, e.g. "width_depth"
  std::string title;      // e.g. "(a) width x depth, input dim 3"
  bool rows_are_depth = true;
  std::size_t fixed = 3;  // the input dim (rows_are_depth) or the depth
  std::vector<std::size_t> widths, rows;
  std::string row_label() const { return rows_are_depth ? "depth" : "input dim"; }
  Arch arch(std::size_t row, std::size_t width) const {
    return rows_are_depth ? Arch{fixed, width, row} : Arch{row, width, fixed};
  }
  std::vector<Arch> archs() const {
    std::vector<Arch> v;
    for (std::size_t r : rows)
      for (std::size_t w : widths) v.push_back(arch(r, w));
    return v;
  }
};

struct RunResult {
  std::vector<NetResult> nets;         // in job order: architecture, then index
  std::map<Arch, CellStats> cells;
  double wall_seconds = 0;
};

// Every net of every cell of the grids (shared cells once), on opt.jobs threads. Results do not
// depend on the number of threads, except through the time limits.
inline RunResult run_grids(const std::vector<Grid>& grids, const RunOptions& opt,
                           const std::function<void(std::size_t done, std::size_t total, const NetResult&)>& progress = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  std::set<Arch> archs;
  for (const Grid& g : grids)
    for (const Arch& a : g.archs()) archs.insert(a);
  std::vector<std::pair<Arch, std::size_t>> jobs;
  for (const Arch& a : archs)
    for (std::size_t i = 0; i < opt.nets_per_cell; ++i) jobs.emplace_back(a, i);
  // Expensive cells first, so that two threads finish together.
  std::stable_sort(jobs.begin(), jobs.end(), [](const auto& x, const auto& y) {
    return x.first.width * x.first.depth * x.first.input_dim > y.first.width * y.first.depth * y.first.input_dim;
  });
  RunResult out;
  out.nets.resize(jobs.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mu;
  auto worker = [&] {
    for (;;) {
      const std::size_t j = next.fetch_add(1);
      if (j >= jobs.size()) return;
      out.nets[j] = run_net(jobs[j].first, jobs[j].second, opt);
      const std::size_t d = done.fetch_add(1) + 1;
      if (progress) {
        std::lock_guard<std::mutex> lock(mu);
        progress(d, jobs.size(), out.nets[j]);
      }
    }
  };
  const unsigned n = std::max(1u, opt.jobs);
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::stable_sort(out.nets.begin(), out.nets.end(), [](const NetResult& x, const NetResult& y) {
    return std::make_tuple(x.arch.key(), x.index) < std::make_tuple(y.arch.key(), y.index);
  });
  std::map<Arch, std::vector<const NetResult*>> by;
  for (const NetResult& r : out.nets) by[r.arch].push_back(&r);
  for (const auto& [a, rs] : by) out.cells[a] = summarise(a, rs);
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

// ------------------------------------------------------------------------------------------
// Reports
// ------------------------------------------------------------------------------------------

inline std::string fmt_double(double v, int digits = 3) {
  std::ostringstream s;
  s << std::setprecision(digits) << v;
  return s.str();
}

// |c| in a short, exact-enough form: "0" or "1.23e-05" (display only).
inline std::string fmt_min_abs(const std::optional<Rational>& q) {
  if (!q) return "";
  if (sgn(*q) == 0) return "0";
  std::ostringstream s;
  s << std::setprecision(3) << std::scientific << approx(*q);
  return s.str();
}

inline constexpr const char* kCsvHeader =
    "grid,input_dim,width,depth,nets,convex,not_convex,unknown,not_convex_by_refuter,icnn,icnn_convex,convex_not_icnn,convex_affine,"
    "convex_not_icnn_not_affine,"
    "audited,audit_skipped,pn_f32_convex,pn_exact_convex,f32_dangerous,f32_overly_strict,f32_rounding_flips,"
    "exact_pn_overly_strict,last_layer_rule_only,values_checked,value_sign_disagreements,min_abs_c,"
    "max_rel_error_f32,inconsistencies,seconds";

inline void write_csv(std::ostream& os, const std::vector<Grid>& grids, const RunResult& rr) {
  os << kCsvHeader << "\n";
  for (const Grid& g : grids)
    for (const Arch& a : g.archs()) {
      const CellStats& s = rr.cells.at(a);
      os << g.name << ',' << a.input_dim << ',' << a.width << ',' << a.depth << ',' << s.nets << ',' << s.convex << ','
         << s.not_convex << ',' << s.unknown << ',' << s.by_refuter << ',' << s.icnn << ',' << s.icnn_convex << ','
         << s.convex - s.icnn_convex << ',' << s.convex_affine << ',' << s.convex_other << ',' << s.audited << ',' << s.audit_skipped << ',' << s.pn_f32_convex << ',' << s.pn_exact_convex << ','
         << s.f32_dangerous << ',' << s.f32_overly_strict << ',' << s.rounding_flips << ','
         << s.exact_pn_overly_strict << ',' << s.last_layer_rule_only << ',' << s.values_checked << ','
         << s.value_sign_disagreements << ',' << fmt_min_abs(s.min_abs_c) << ',' << fmt_double(s.max_rel_error) << ','
         << s.inconsistencies << ',' << std::fixed << std::setprecision(2) << s.seconds << std::defaultfloat << "\n";
    }
}

// One line per net, for digging into a cell.
inline void write_nets_csv(std::ostream& os, const RunResult& rr) {
  os << "input_dim,width,depth,index,seed,verdict,method,icnn,audit,pn_f32,pn_exact,pn_exact_facets,"
        "values,sign_disagreements,min_abs_c,cells,adjacencies,pieces,check_seconds,audit_seconds,note\n";
  for (const NetResult& r : rr.nets) {
    const Audit& au = r.audit;
    const bool done = au.status == AuditStatus::Done && r.error.empty();
    auto yn = [&](bool v) { return done ? (v ? "convex" : "not_convex") : ""; };
    std::string note = inconsistency(r);
    if (note.empty() && r.verdict == Verdict::Unknown) note = r.unknown_reason;
    os << r.arch.input_dim << ',' << r.arch.width << ',' << r.arch.depth << ',' << r.index << ',' << r.seed << ','
       << verdict_name(r.verdict) << ',' << r.method << ',' << (r.icnn ? 1 : 0) << ','
       << (r.error.empty() ? audit_status_name(au.status) : "error") << ',' << yn(au.pn_f32_convex) << ','
       << yn(au.pn_exact_convex) << ',' << yn(au.pn_exact_facets_convex) << ',' << au.values.size() << ','
       << au.sign_disagreements << ',' << (done ? fmt_min_abs(au.min_abs_exact) : "") << ',' << au.cells << ','
       << au.adjacencies << ',' << au.pieces << ',' << std::fixed << std::setprecision(4) << r.check_seconds << ',' << r.audit_seconds
       << std::defaultfloat << ',' << '"' << note << '"' << "\n";
  }
}

// "37 (12)": nets decided convex, and in parentheses the ICNNs among the nets; "+2?" unknowns.
inline std::string matrix_entry(const CellStats& s) {
  std::string e = std::to_string(s.convex) + " (" + std::to_string(s.icnn) + ")";
  if (s.unknown) e += " +" + std::to_string(s.unknown) + "?";
  return e;
}

inline void write_markdown_grid(std::ostream& os, const Grid& g, const RunResult& rr, std::size_t nets) {
  os << "### " << g.title << "\n\n";
  os << "Nets decided **convex** on [-1,1]^d out of " << nets << " per cell, and in parentheses how many of them"
     << " are ICNNs (every ICNN is convex, so it is counted in both).";
  bool any_unknown = false;
  for (const Arch& a : g.archs()) any_unknown = any_unknown || rr.cells.at(a).unknown > 0;
  if (any_unknown) os << " `+k?`: k nets reached a limit (unknown).";
  os << "\n\n| " << g.row_label() << " \\ width |";
  for (std::size_t w : g.widths) os << ' ' << w << " |";
  os << "\n|---|";
  for (std::size_t i = 0; i < g.widths.size(); ++i) os << "---:|";
  os << "\n";
  for (std::size_t r : g.rows) {
    os << "| **" << r << "** |";
    for (std::size_t w : g.widths) os << ' ' << matrix_entry(rr.cells.at(g.arch(r, w))) << " |";
    os << "\n";
  }
  auto header = [&os](std::initializer_list<const char*> cols) {
    os << "|";
    for (const char* c : cols) os << ' ' << c << " |";
    os << "\n|---|";
    for (std::size_t i = 1; i < cols.size(); ++i) os << "---:|";
    os << "\n";
  };
  os << "\nVerdicts per architecture (d, w, ..., w, 1):\n\n";
  header({"arch", "convex", "ICNN", "convex, affine on the box", "convex, not ICNN, not affine", "not convex",
          "not convex, by line refuter", "unknown", "seconds"});
  for (std::size_t r : g.rows)
    for (std::size_t w : g.widths) {
      const CellStats& s = rr.cells.at(g.arch(r, w));
      os << "| " << s.arch.name() << " | " << s.convex << " | " << s.icnn << " | " << s.convex_affine << " | "
         << s.convex_other << " | " << s.not_convex << " | " << s.by_refuter << " | " << s.unknown << " | " << std::fixed
         << std::setprecision(1) << s.seconds << std::defaultfloat << " |\n";
    }
  os << "\nFloat32 audit of the per-neuron path-lifting test (PN) on the faces of the exact complex:\n\n";
  header({"arch", "audited", "PN f32 says convex", "PN exact says convex", "f32 wrong: says convex (dangerous)",
          "f32 wrong: says not convex (overly strict)", "f32 PN != exact PN", "exact PN overly strict",
          "... only by the last-layer rule", "c-values", "c-values with wrong f32 sign", "min nonzero abs c",
          "max rel err f32"});
  for (std::size_t r : g.rows)
    for (std::size_t w : g.widths) {
      const CellStats& s = rr.cells.at(g.arch(r, w));
      os << "| " << s.arch.name() << " | " << s.audited << " | " << s.pn_f32_convex << " | " << s.pn_exact_convex
         << " | " << s.f32_dangerous << " | " << s.f32_overly_strict << " | " << s.rounding_flips << " | "
         << s.exact_pn_overly_strict << " | " << s.last_layer_rule_only << " | " << s.values_checked << " | "
         << s.value_sign_disagreements << " | " << fmt_min_abs(s.min_abs_c) << " | " << fmt_double(s.max_rel_error, 2)
         << " |\n";
    }
  os << "\n";
}

// Colour for a fraction in [0,1]: light yellow -> teal -> dark blue (like ColorBrewer YlGnBu).
inline std::string heat_colour(double f) {
  f = std::clamp(f, 0.0, 1.0);
  const double stops[3][3] = {{255, 255, 217}, {65, 182, 196}, {8, 29, 88}};
  const int i = f < 0.5 ? 0 : 1;
  const double t = f < 0.5 ? f / 0.5 : (f - 0.5) / 0.5;
  std::ostringstream s;
  s << "rgb(";
  for (int c = 0; c < 3; ++c) s << (c ? "," : "") << static_cast<int>(std::lround(stops[i][c] + t * (stops[i + 1][c] - stops[i][c])));
  s << ")";
  return s.str();
}

// A heatmap of one grid, written by hand: one square per cell coloured by the fraction of nets
// decided convex, with the counts written in it.
inline void write_svg(std::ostream& os, const Grid& g, const RunResult& rr, std::size_t nets) {
  const int cw = 96, ch = 72, left = 110, top = 70, legend_w = 90;
  const int W = left + cw * static_cast<int>(g.widths.size()) + legend_w + 20;
  const int H = top + ch * static_cast<int>(g.rows.size()) + 40;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
     << ' ' << H << "\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << left << "\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Convex on [-1,1]^d: " << g.title
     << "</text>\n";
  os << "<text x=\"" << left << "\" y=\"44\" font-size=\"12\">" << nets
     << " random nets per cell (PyTorch default init, float32); big: nets decided convex; small: ICNNs among them"
     << "</text>\n";
  for (std::size_t j = 0; j < g.widths.size(); ++j)
    os << "<text x=\"" << left + cw * static_cast<int>(j) + cw / 2 << "\" y=\"" << top - 8
       << "\" font-size=\"13\" text-anchor=\"middle\">w=" << g.widths[j] << "</text>\n";
  os << "<text x=\"" << left + cw * static_cast<int>(g.widths.size()) / 2 << "\" y=\"" << H - 14
     << "\" font-size=\"13\" text-anchor=\"middle\">hidden width w</text>\n";
  for (std::size_t i = 0; i < g.rows.size(); ++i) {
    const int y = top + ch * static_cast<int>(i);
    os << "<text x=\"" << left - 10 << "\" y=\"" << y + ch / 2 + 5 << "\" font-size=\"13\" text-anchor=\"end\">"
       << (g.rows_are_depth ? "depth " : "d = ") << g.rows[i] << "</text>\n";
    for (std::size_t j = 0; j < g.widths.size(); ++j) {
      const CellStats& s = rr.cells.at(g.arch(g.rows[i], g.widths[j]));
      const double f = s.nets ? static_cast<double>(s.convex) / static_cast<double>(s.nets) : 0.0;
      const int x = left + cw * static_cast<int>(j);
      const char* ink = f > 0.55 ? "white" : "black";
      os << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << cw << "\" height=\"" << ch << "\" fill=\""
         << heat_colour(f) << "\" stroke=\"white\" stroke-width=\"2\"><title>" << s.arch.name() << ": " << s.convex
         << " convex, " << s.not_convex << " not convex, " << s.unknown << " unknown, " << s.icnn
         << " ICNN</title></rect>\n";
      os << "<text x=\"" << x + cw / 2 << "\" y=\"" << y + 34 << "\" font-size=\"20\" font-weight=\"bold\" "
         << "text-anchor=\"middle\" fill=\"" << ink << "\">" << s.convex << "</text>\n";
      std::string small = "ICNN " + std::to_string(s.icnn);
      if (s.unknown) small += ", ? " + std::to_string(s.unknown);
      os << "<text x=\"" << x + cw / 2 << "\" y=\"" << y + 56 << "\" font-size=\"11\" text-anchor=\"middle\" fill=\""
         << ink << "\">" << small << "</text>\n";
    }
  }
  // Legend: a vertical colour bar from 0 (bottom) to 1 (top).
  const int lx = left + cw * static_cast<int>(g.widths.size()) + 24, ly = top, lh = ch * static_cast<int>(g.rows.size());
  const int steps = 20;
  for (int k = 0; k < steps; ++k) {
    const double f = 1.0 - (k + 0.5) / steps;
    os << "<rect x=\"" << lx << "\" y=\"" << ly + lh * k / steps << "\" width=\"18\" height=\"" << lh / steps + 1
       << "\" fill=\"" << heat_colour(f) << "\"/>\n";
  }
  os << "<rect x=\"" << lx << "\" y=\"" << ly << "\" width=\"18\" height=\"" << lh
     << "\" fill=\"none\" stroke=\"#888\"/>\n";
  for (double f : {0.0, 0.5, 1.0})
    os << "<text x=\"" << lx + 24 << "\" y=\"" << ly + static_cast<int>(lh * (1.0 - f)) + 4 << "\" font-size=\"11\">"
       << fmt_double(f, 2) << "</text>\n";
  os << "<text x=\"" << lx - 8 << "\" y=\"" << ly - 8 << "\" font-size=\"11\">fraction</text>\n";
  os << "</svg>\n";
}

}  // namespace relucert::paper_stats
