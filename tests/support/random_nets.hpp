#pragma once
// Deterministic random small ReLU networks for differential testing (tests/test_cross_check.cpp).
//
// Every network has input dimension 1-4, 1-3 hidden ReLU layers of width 1-5 and a scalar
// output. Weights come in three kinds (small integers with many zeros, dyadic rationals,
// exact values of random float32s), and on top of that the generator applies deliberately
// degenerate constructions, the kinds of input THEORY.md §1-§2 calls traps:
//   duplicated neurons (possibly scaled), opposite neurons (w, -w), neurons dead or always
//   active on the box (also exactly touching it), several first-layer hyperplanes through one
//   point, a layer-2 neuron whose bent hyperplane coincides with a layer-1 hyperplane (or
//   whose pre-activation vanishes on an open set), folds of size 1e-30, zero rows and zero
//   output weights.
// `icnn()` draws ICNN-style nets (hidden-to-hidden and output weights >= 0, first layer and
// input skips free), which are convex on R^d (THEORY.md §5).
//
// Everything is driven by one std::mt19937_64 owned by the generator: same seed, same nets.
// Only uniform_int_distribution over integers is used for choices (its output is
// implementation-defined but fixed for a given standard library); float32 weights come from
// the raw 64-bit engine output, so they are identical everywhere.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/rational.hpp"

namespace relucert::testing {

// num/den in canonical form (mpq_class(num, den) alone does not canonicalise, and GMP
// arithmetic on non-canonical operands is undefined).
inline Rational frac(long num, long den) {
  Rational q(num, den);
  q.canonicalize();
  return q;
}

enum class WeightKind { SmallInt, Dyadic, Float32 };

inline const char* weight_kind_name(WeightKind k) {
  switch (k) {
    case WeightKind::SmallInt: return "int";
    case WeightKind::Dyadic: return "dyadic";
    case WeightKind::Float32: return "float32";
  }
  return "?";
}

struct RandomCase {
  Network net;
  Domain box;                   // a small random box of the right dimension
  bool must_be_convex = false;  // true for ICNN-style constructions (convex on R^d)
  std::string recipe;           // what was drawn, for failure messages
};

// Exact JSON in the loader's format (docs: core/network_json.hpp), for failure reports.
inline std::string network_to_json(const Network& net) {
  auto vec = [](const Vector& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + to_string(v[i]) + "\"";
    return s + "]";
  };
  auto mat = [&](const Matrix& m) {
    std::string s = "[";
    for (std::size_t i = 0; i < m.size(); ++i) s += (i ? ", " : "") + vec(m[i]);
    return s + "]";
  };
  std::string s = "{\"input_dim\": " + std::to_string(net.input_dim()) + ", \"layers\": [";
  std::string relu = "[";
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    const Layer& L = net.layers()[l];
    s += (l ? ", " : "") + std::string("{\"W\": ") + mat(L.W) + ", \"b\": " + vec(L.b);
    if (L.has_skip()) s += ", \"U\": " + mat(L.U);
    if (!L.skips.empty()) {
      s += ", \"skips\": [";
      for (std::size_t i = 0; i < L.skips.size(); ++i)
        s += (i ? ", " : "") + std::string("{\"from\": ") + std::to_string(L.skips[i].from) + ", \"W\": " + mat(L.skips[i].M) + "}";
      s += "]";
    }
    s += "}";
    relu += (l ? ", " : "") + std::string(L.relu ? "true" : "false");
  }
  return s + "], \"relu_after\": " + relu + "]}";
}

inline std::string domain_to_json(const Domain& d) {
  if (!d.is_box) return "\"R^d\"";
  auto vec = [](const Vector& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + to_string(v[i]) + "\"";
    return s + "]";
  };
  return "{\"lo\": " + vec(d.lo) + ", \"hi\": " + vec(d.hi) + "}";
}

class RandomNetGenerator {
 public:
  explicit RandomNetGenerator(std::uint64_t seed) : rng_(seed) {}

  // A general net: random signs, ICNN-like bases with sign flips or hidden linear parts, and
  // 0-3 degenerate constructions. Its verdict is unknown in advance.
  RandomCase general() {
    Shape sh = draw_shape();
    Domain box = draw_box(sh.d);
    std::string recipe;
    std::vector<Layer> layers;
    const int base = uni(0, 19);
    if (base < 8) {
      layers = random_layers(sh, false);
      recipe = "random";
    } else if (base < 13) {
      layers = random_layers(sh, true);
      const int flips = uni(1, 2);
      for (int f = 0; f < flips; ++f) flip_one_sign(layers);
      recipe = "icnn+signflip";
    } else if (base < 17) {
      layers = random_layers(sh, true);
      recipe = add_linear_pair(layers) ? "icnn+linearpair" : "icnn";
    } else {
      layers = random_layers(sh, true);
      recipe = add_cancelling_duplicate(layers) ? "icnn+cancelling-dup" : "icnn";
    }
    recipe += " " + kind_str_;
    const int degens = uni(0, 3);
    for (int i = 0; i < degens; ++i) recipe += " " + degenerate(layers, box, /*keep_icnn=*/false);
    if (maybe_skip(layers, sh.d, false)) recipe += " +skip";
    return RandomCase{Network(sh.d, std::move(layers)), box, false, recipe};
  }

  // An ICNN-style net: convex on R^d by construction.
  RandomCase icnn() {
    Shape sh = draw_shape();
    Domain box = draw_box(sh.d);
    std::vector<Layer> layers = random_layers(sh, true);
    std::string recipe = "icnn " + kind_str_;
    const int degens = uni(0, 3);
    for (int i = 0; i < degens; ++i) recipe += " " + degenerate(layers, box, /*keep_icnn=*/true);
    if (maybe_skip(layers, sh.d, true)) recipe += " +skip";
    return RandomCase{Network(sh.d, std::move(layers)), box, true, recipe};
  }

  // A residual net: a general (or, with icnn, an ICNN-style) net plus at least one skip term
  // M h_j from an earlier layer's output (with icnn, M >= 0, which keeps it convex on R^d).
  RandomCase residual(bool icnn) {
    Shape sh = draw_shape();
    if (sh.widths.size() < 2) sh.widths.push_back(static_cast<std::size_t>(uni(1, 3)));
    Domain box = draw_box(sh.d);
    std::vector<Layer> layers = random_layers(sh, icnn);
    std::string recipe = std::string(icnn ? "residual-icnn " : "residual ") + kind_str_;
    if (!icnn && coin(40)) {
      flip_one_sign(layers);
      recipe += " signflip";
    }
    recipe += " " + add_layer_skips(layers, icnn);
    if (maybe_skip(layers, sh.d, icnn)) recipe += " +skip";
    return RandomCase{Network(sh.d, std::move(layers)), box, icnn, recipe};
  }

  std::mt19937_64& rng() { return rng_; }
  int uni(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin(int percent) { return uni(0, 99) < percent; }

 private:
  struct Shape {
    std::size_t d = 1;
    std::vector<std::size_t> widths;  // hidden widths
    WeightKind kind = WeightKind::SmallInt;
  };

  std::mt19937_64 rng_;
  WeightKind kind_ = WeightKind::SmallInt;
  std::string kind_str_;

  static Rational tiny() { return Rational(Integer(1), Integer("1000000000000000000000000000000")); }  // 1e-30

  Shape draw_shape() {
    Shape s;
    s.d = static_cast<std::size_t>(uni(1, 4));
    const int L = uni(1, 3);
    // Keep the region complexes small enough for a fast test: wide layers mostly in low dimension.
    const int max_w = s.d <= 2 ? 5 : (L == 3 ? 3 : 4);
    for (int l = 0; l < L; ++l) s.widths.push_back(static_cast<std::size_t>(uni(1, max_w)));
    if (coin(8)) s.widths[0] = 5;  // occasionally a full-width first layer anyway
    const int k = uni(0, 9);
    s.kind = k < 5 ? WeightKind::SmallInt : (k < 8 ? WeightKind::Dyadic : WeightKind::Float32);
    // float32 weights make long numerals (z3 slows down a lot): at most 8 neurons then.
    if (s.kind == WeightKind::Float32)
      for (std::size_t total = 9; total > 8;) {
        total = 0;
        for (auto& w : s.widths) total += w;
        if (total > 8) {
          auto widest = std::max_element(s.widths.begin(), s.widths.end());
          --*widest;
        }
      }
    kind_ = s.kind;
    kind_str_ = weight_kind_name(s.kind) + std::string(" d=") + std::to_string(s.d) + " widths=";
    for (std::size_t l = 0; l < s.widths.size(); ++l) kind_str_ += (l ? "," : "") + std::to_string(s.widths[l]);
    return s;
  }

  Domain draw_box(std::size_t d) {
    Vector lo(d), hi(d);
    for (std::size_t i = 0; i < d; ++i) {
      const int k = uni(0, 9);
      if (k < 6) {
        lo[i] = -1;
        hi[i] = 1;
      } else {
        const int lo_num = uni(-6, 2), lo_den = 2 * uni(1, 2);  // sequenced: deterministic
        const int w_num = uni(1, 6), w_den = uni(1, 2);
        lo[i] = frac(lo_num, lo_den);
        hi[i] = lo[i] + frac(w_num, w_den);
      }
      lo[i].canonicalize();
      hi[i].canonicalize();
    }
    return Domain::box(lo, hi);
  }

  Rational weight() {
    switch (kind_) {
      case WeightKind::SmallInt:
        if (coin(35)) return Rational(0);
        return Rational(uni(-3, 3));
      case WeightKind::Dyadic: {
        if (coin(25)) return Rational(0);
        const int num = uni(-12, 12), den = 1 << uni(0, 4);
        return frac(num, den);
      }
      case WeightKind::Float32: {
        if (coin(15)) return Rational(0);
        // 24 random bits -> a float in [-2, 2), exactly; then its exact rational value.
        const std::uint64_t bits = rng_() >> 40;
        const float v = static_cast<float>(static_cast<double>(bits) / 4194304.0 - 2.0);
        return rational_from_float(v * 0.999f);
      }
    }
    return Rational(0);
  }
  Rational nonneg_weight() { return abs(weight()); }

  std::vector<Layer> random_layers(const Shape& sh, bool icnn) {
    std::vector<Layer> layers;
    std::size_t prev = sh.d;
    for (std::size_t l = 0; l <= sh.widths.size(); ++l) {
      const bool out = l == sh.widths.size();
      const std::size_t w = out ? 1 : sh.widths[l];
      Layer L;
      L.relu = !out;
      L.W.assign(w, Vector(prev));
      L.b.assign(w, Rational(0));
      for (std::size_t k = 0; k < w; ++k) {
        for (std::size_t j = 0; j < prev; ++j) L.W[k][j] = (icnn && l > 0) ? nonneg_weight() : weight();
        L.b[k] = weight();
      }
      // Avoid nets whose first layer is entirely zero too often: one nonzero entry per first-layer row
      // unless a zero row is requested later as a degeneration.
      if (l == 0)
        for (auto& row : L.W)
          if (std::all_of(row.begin(), row.end(), [](const Rational& q) { return sgn(q) == 0; }))
            row[static_cast<std::size_t>(uni(0, static_cast<int>(prev) - 1))] = Rational(coin(50) ? 1 : -1);
      layers.push_back(std::move(L));
      prev = w;
    }
    return layers;
  }

  std::size_t hidden_count(const std::vector<Layer>& layers) const { return layers.size() - 1; }
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(uni(0, static_cast<int>(n) - 1)); }
  // Two distinct indices below n (n >= 2).
  std::pair<std::size_t, std::size_t> pick2(std::size_t n) {
    const std::size_t a = pick(n);
    std::size_t b = pick(n - 1);
    if (b >= a) ++b;
    return {a, b};
  }
  Rational positive_scale() {
    static const int num[] = {1, 1, 2, 1, 3};
    static const int den[] = {1, 2, 1, 3, 2};
    const int i = uni(0, 4);
    return frac(num[i], den[i]);
  }
  Rational nonzero_weight() {
    for (int tries = 0; tries < 20; ++tries) {
      Rational w = weight();
      if (sgn(w) != 0) return w;
    }
    return Rational(1);
  }

  // Sets neuron row k of layer l to s * (row k2) (W, b and U).
  static void copy_row(Layer& L, std::size_t dst, std::size_t src, const Rational& s) {
    for (std::size_t j = 0; j < L.W[dst].size(); ++j) L.W[dst][j] = s * L.W[src][j];
    L.b[dst] = s * L.b[src];
    if (L.has_skip())
      for (std::size_t j = 0; j < L.U[dst].size(); ++j) L.U[dst][j] = s * L.U[src][j];
  }

  void flip_one_sign(std::vector<Layer>& layers) {
    // A hidden-to-hidden or output weight becomes negative.
    const std::size_t l = 1 + pick(layers.size() - 1);
    Layer& L = layers[l];
    const std::size_t k = pick(L.width()), j = pick(L.W[k].size());
    L.W[k][j] = -(sgn(L.W[k][j]) != 0 ? abs(L.W[k][j]) : abs(nonzero_weight()));
  }

  // In the last hidden layer: neuron k2 = -s * neuron k, output weights v and -v/s, so the pair
  // contributes the convex part v * z_k (z_k convex, v > 0): convex but not an ICNN.
  bool add_linear_pair(std::vector<Layer>& layers) {
    const std::size_t last = hidden_count(layers) - 1;
    Layer& H = layers[last];
    if (H.width() < 2) return false;
    auto [k, k2] = pick2(H.width());
    const Rational s = positive_scale();
    copy_row(H, k2, k, -s);
    Rational v = abs(nonzero_weight());
    layers.back().W[0][k] = v;
    layers.back().W[0][k2] = -v / s;
    return true;
  }

  // Duplicate neuron with output weights 2v and -v (THEORY.md deg_duplicate_neurons): convex.
  bool add_cancelling_duplicate(std::vector<Layer>& layers) {
    const std::size_t last = hidden_count(layers) - 1;
    Layer& H = layers[last];
    if (H.width() < 2) return false;
    auto [k, k2] = pick2(H.width());
    const Rational s = positive_scale();
    copy_row(H, k2, k, s);
    Rational v = abs(nonzero_weight());
    layers.back().W[0][k] = 2 * v;
    layers.back().W[0][k2] = -v / s;
    return true;
  }

  // Adds skip terms M h_from (from < l) to layers l >= 2 (1-based), at least one; with icnn the
  // weights are nonnegative. Sometimes M copies the identity (a residual block x + f(x)) or is
  // the negative of a row pattern of W (cancelling paths). Returns a recipe fragment.
  std::string add_layer_skips(std::vector<Layer>& layers, bool icnn) {
    std::string r = "skips:";
    bool any = false;
    for (std::size_t l = 1; l < layers.size(); ++l) {
      if (any && !coin(50)) continue;
      if (!any && l + 1 < layers.size() && coin(50)) continue;
      Layer& L = layers[l];
      const std::size_t from = 1 + pick(l);  // 1..l (1-based earlier layer)
      const std::size_t n_from = layers[from - 1].width();
      LayerSkip sk{from, Matrix(L.width(), Vector(n_from, Rational(0)))};
      const int style = uni(0, 3);
      for (std::size_t k = 0; k < L.width(); ++k)
        for (std::size_t j = 0; j < n_from; ++j) {
          if (style == 0) sk.M[k][j] = k == j ? Rational(1) : Rational(0);  // identity-like residual
          else if (style == 1 && from == l && !icnn) sk.M[k][j] = -L.W[k][j];  // cancels the direct path
          else sk.M[k][j] = icnn ? nonneg_weight() : weight();
        }
      L.skips.push_back(std::move(sk));
      r += " " + std::to_string(from) + "->" + std::to_string(l + 1) + "/" + std::to_string(style);
      any = true;
    }
    return r;
  }

  // Adds input skips U (free weights) to some layers after the first; returns whether it did.
  bool maybe_skip(std::vector<Layer>& layers, std::size_t d, bool icnn) {
    if (!coin(icnn ? 25 : 10) || layers.size() < 2) return false;
    for (std::size_t l = 1; l < layers.size(); ++l) {
      if (!coin(60)) continue;
      Layer& L = layers[l];
      L.U.assign(L.width(), Vector(d));
      for (auto& row : L.U)
        for (auto& u : row) u = weight();
    }
    return true;
  }

  // One degenerate construction; returns its name. keep_icnn: only constructions that keep
  // hidden-to-hidden and output weights nonnegative.
  std::string degenerate(std::vector<Layer>& layers, const Domain& box, bool keep_icnn) {
    const std::size_t H = hidden_count(layers);
    const std::size_t d = box.dim;
    const int what = uni(0, keep_icnn ? 6 : 10);
    switch (what) {
      case 0: {  // duplicated neuron (any layer), possibly scaled by a positive factor
        const std::size_t l = pick(H);
        if (layers[l].width() < 2) return "dup(skipped)";
        auto [k, k2] = pick2(layers[l].width());
        copy_row(layers[l], k2, k, positive_scale());
        return "dup(L" + std::to_string(l + 1) + ")";
      }
      case 1: {  // several first-layer hyperplanes through one point
        Layer& L = layers[0];
        if (L.width() < 2) return "concurrent(skipped)";
        Vector c(d);
        for (std::size_t i = 0; i < d; ++i) {
          c[i] = box.lo[i] + (box.hi[i] - box.lo[i]) * frac(uni(1, 7), 8);
          c[i].canonicalize();
        }
        if (coin(30)) c = box.center();
        int count = 0;
        for (std::size_t k = 0; k < L.width(); ++k)
          if (coin(75) || k < 2) {
            L.b[k] = 0;
            for (std::size_t j = 0; j < d; ++j) L.b[k] -= L.W[k][j] * c[j];
            ++count;
          }
        return "concurrent(" + std::to_string(count) + ")";
      }
      case 2: {  // first-layer neuron dead / always active on the box, possibly touching it
        Layer& L = layers[0];
        const std::size_t k = pick(L.width());
        Rational mx = 0, mn = 0;
        for (std::size_t j = 0; j < d; ++j) {
          const Rational a = L.W[k][j] * box.lo[j], b = L.W[k][j] * box.hi[j];
          mx += std::max(a, b);
          mn += std::min(a, b);
        }
        const Rational margin = frac(uni(0, 2), 2);  // 0: the zero set touches the box
        if (coin(50)) {
          L.b[k] = -mx - margin;
          return "dead-on-box";
        }
        L.b[k] = -mn + margin;
        return "active-on-box";
      }
      case 3: {  // zero row (constant neuron: +, - or identically zero)
        const std::size_t l = pick(H);
        Layer& L = layers[l];
        const std::size_t k = pick(L.width());
        for (auto& w : L.W[k]) w = 0;
        if (L.has_skip())
          for (auto& u : L.U[k]) u = 0;
        L.b[k] = coin(40) ? Rational(0) : weight();
        return "zero-row(L" + std::to_string(l + 1) + ")";
      }
      case 4: {  // zero output weight
        Layer& O = layers.back();
        O.W[0][pick(O.W[0].size())] = 0;
        return "zero-out";
      }
      case 5: {  // tiny positive fold: a duplicate of a last-layer neuron with output weight 1e-30
        Layer& L = layers[H - 1];
        if (L.width() < 2) {
          layers.back().W[0][0] = tiny();
          return "tiny-out";
        }
        auto [k, k2] = pick2(L.width());
        copy_row(L, k2, k, Rational(1));
        if (keep_icnn) {
          layers.back().W[0][k2] = tiny();
        } else {
          // Output weights v and -v +- 1e-30: the pair folds by +-1e-30.
          const Rational v = nonzero_weight();
          layers.back().W[0][k] = v;
          layers.back().W[0][k2] = -v + (coin(50) ? tiny() : -tiny());
        }
        return "tiny-fold";
      }
      case 6: {  // first-layer hyperplanes 1e-30 apart (parallel), or a 1e-30 weight
        Layer& L = layers[0];
        if (L.width() >= 2 && coin(60)) {
          auto [k, k2] = pick2(L.width());
          copy_row(L, k2, k, Rational(1));
          L.b[k2] += coin(50) ? tiny() : -tiny();
          return "eps-parallel";
        }
        const std::size_t k = pick(L.width());
        L.W[k][pick(d)] = coin(50) ? tiny() : -tiny();
        return "tiny-weight";
      }
      case 7: {  // opposite neurons w and -s w (any layer)
        const std::size_t l = pick(H);
        if (layers[l].width() < 2) return "opp(skipped)";
        auto [k, k2] = pick2(layers[l].width());
        copy_row(layers[l], k2, k, -positive_scale());
        return "opp(L" + std::to_string(l + 1) + ")";
      }
      case 8: {  // layer-2 neuron whose bent hyperplane is a layer-1 hyperplane
        if (H < 2 || layers[0].width() < 2) return "l2-coincide(skipped)";
        Layer& L1 = layers[0];
        Layer& L2 = layers[1];
        auto [k, k2] = pick2(L1.width());
        const Rational s = positive_scale();
        copy_row(L1, k2, k, -s);  // z_k2 = -s z_k
        const std::size_t j = pick(L2.width());
        for (auto& w : L2.W[j]) w = 0;
        if (L2.has_skip())
          for (auto& u : L2.U[j]) u = 0;
        L2.b[j] = 0;
        const Rational alpha = nonzero_weight();
        const int variant = uni(0, 2);
        if (variant == 0) {  // alpha (relu(z) - relu(-z)) = alpha z: zero set is exactly {z_k = 0}
          L2.W[j][k] = alpha;
          L2.W[j][k2] = -alpha / s;
          return "l2-coincide";
        }
        if (variant == 1) {  // alpha relu(z) + gamma relu(-z): zero only on {z_k = 0} or sign-definite
          L2.W[j][k] = alpha;
          L2.W[j][k2] = nonzero_weight();
          return "l2-touch";
        }
        L2.W[j][k] = alpha;  // alpha relu(z_k): identically zero on the open set z_k < 0
        return "l2-zero-open";
      }
      case 9: {  // deeper neuron dead or always active everywhere
        if (H < 2) return "dead-deep(skipped)";
        const std::size_t l = 1 + pick(H - 1);
        Layer& L = layers[l];
        const std::size_t k = pick(L.width());
        const bool dead = coin(50);
        for (auto& w : L.W[k]) w = dead ? Rational(-abs(w)) : Rational(abs(w));
        if (L.has_skip())
          for (auto& u : L.U[k]) u = 0;
        L.b[k] = dead ? Rational(-abs(weight())) : Rational(abs(nonzero_weight()));
        return dead ? "dead-deep" : "active-deep";
      }
      default: {  // tiny negative fold on top of a cancelling duplicate in the last hidden layer
        Layer& L = layers[H - 1];
        if (L.width() < 2) return "tiny-neg(skipped)";
        auto [k, k2] = pick2(L.width());
        copy_row(L, k2, k, Rational(1));
        const Rational v = abs(nonzero_weight());
        layers.back().W[0][k] = v;
        layers.back().W[0][k2] = -v - tiny();
        return "tiny-neg-fold";
      }
    }
  }
};

}  // namespace relucert::testing
