#include "analysis/line_restriction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

namespace relucert {
namespace {

// An affine function of the line parameter: value + slope * s.
struct AffineInS {
  Rational value, slope;
  Rational at(const Rational& s) const { return value + slope * s; }
};

// Sign of an affine function just to the right of s (or at s -> -infinity when s is absent).
Sign sign_right_of(const AffineInS& z, const std::optional<Rational>& s) {
  if (!s) return sgn(z.slope) != 0 ? opposite(sign_of(z.slope)) : sign_of(z.value);
  const Sign here = sign_of(z.at(*s));
  return here != Sign::Zero ? here : sign_of(z.slope);
}

// One segment: the activation pattern right of `s` and the next pattern change after it.
struct SegmentScan {
  Rational slope;                   // slope of f on the segment
  std::optional<Rational> next;     // next pattern change (nullopt: none)
};

SegmentScan scan_segment(const Network& net, const Vector& p, const Vector& u, const std::optional<Rational>& s) {
  const std::size_t d = net.input_dim();
  std::vector<AffineInS> x(d);
  for (std::size_t i = 0; i < d; ++i) x[i] = AffineInS{p[i], u[i]};
  std::vector<AffineInS> a = x;
  std::vector<std::vector<AffineInS>> outputs;  // every layer's output, for skip terms
  outputs.reserve(net.layers().size());
  SegmentScan out;
  auto consider_root = [&](const AffineInS& z, Sign side) {
    // z keeps sign `side` right of s until its root, if it moves towards zero.
    if (side == Sign::Zero || sgn(z.slope) == 0 || sign_of(z.slope) == side) return;
    Rational root = -z.value / z.slope;
    if (!out.next || root < *out.next) out.next = std::move(root);
  };
  for (const Layer& L : net.layers()) {
    std::vector<AffineInS> z(L.width());
    for (std::size_t k = 0; k < L.width(); ++k) {
      AffineInS acc{L.b[k], Rational(0)};
      for (std::size_t j = 0; j < a.size(); ++j) {
        if (sgn(L.W[k][j]) == 0) continue;
        acc.value += L.W[k][j] * a[j].value;
        acc.slope += L.W[k][j] * a[j].slope;
      }
      if (L.has_skip())
        for (std::size_t j = 0; j < d; ++j) {
          acc.value += L.U[k][j] * x[j].value;
          acc.slope += L.U[k][j] * x[j].slope;
        }
      for (const LayerSkip& sk : L.skips) {
        const std::vector<AffineInS>& h = outputs[sk.from - 1];
        for (std::size_t j = 0; j < h.size(); ++j) {
          if (sgn(sk.M[k][j]) == 0) continue;
          acc.value += sk.M[k][j] * h[j].value;
          acc.slope += sk.M[k][j] * h[j].slope;
        }
      }
      if (L.relu) {
        const Sign side = sign_right_of(acc, s);
        consider_root(acc, side);
        if (side != Sign::Positive) acc = AffineInS{Rational(0), Rational(0)};
      }
      z[k] = std::move(acc);
    }
    outputs.push_back(z);
    a = std::move(z);
  }
  out.slope = a.at(0).slope;
  return out;
}

// ---- Float walk: proposes kinks where the slope decreases; never decides -----------------------

// A place on the line where the slope of f seems to drop, in double, with the free room on
// each side (to the neighbouring pattern changes or the ends of the domain).
struct FloatKink {
  double t = 0, room = 0, drop = 0;
};

// Walks s -> f(p + s u) over [s0, s1] in double, updating only what a flip changes (a flip of
// neuron j of layer l changes layer l+1 by a column of W, and later layers through the active
// neurons). Returns candidate concave kinks, best (largest room * drop) first, and sets
// *events to the number of pattern changes seen. Empty when the network has skip terms.
std::vector<FloatKink> float_concave_kinks(const Network& net, const std::vector<double>& p, const std::vector<double>& u,
                                           double s0, double s1, std::size_t* events, std::size_t events_per_neuron) {
  const auto& F = net.double_layers();
  *events = 0;
  if (F.empty() || !(s0 < s1)) return {};
  const std::size_t nl = F.size(), d = p.size();
  std::vector<std::size_t> width(nl), fan(nl);
  for (std::size_t l = 0; l < nl; ++l) {
    width[l] = F[l].b.size();
    fan[l] = l ? width[l - 1] : d;
  }
  // Pre-activations z = v + beta (s - cur), outputs h (value, slope), activity.
  std::vector<std::vector<double>> v(nl), beta(nl), hv(nl), hb(nl);
  std::vector<std::vector<char>> active(nl);
  double cur = s0;
  for (std::size_t l = 0; l < nl; ++l) {
    const std::size_t w = width[l], n = fan[l];
    v[l].assign(w, 0);
    beta[l].assign(w, 0);
    hv[l].assign(w, 0);
    hb[l].assign(w, 0);
    active[l].assign(w, 1);
    const bool relu = net.layers()[l].relu;
    for (std::size_t k = 0; k < w; ++k) {
      double a = F[l].b[k], b = 0;
      const double* row = &F[l].W[k * n];
      for (std::size_t j = 0; j < n; ++j) {
        const double xv = l ? hv[l - 1][j] : p[j] + cur * u[j];
        const double xb = l ? hb[l - 1][j] : u[j];
        a += row[j] * xv;
        b += row[j] * xb;
      }
      v[l][k] = a;
      beta[l][k] = b;
      if (relu) active[l][k] = a > 0 || (a == 0 && b > 0);
      hv[l][k] = active[l][k] ? a : 0;
      hb[l][k] = active[l][k] ? b : 0;
    }
  }
  std::vector<double> changes, slopes{hb[nl - 1][0]};
  const std::size_t max_events = events_per_neuron * (1 + [&] {
    std::size_t t = 0;
    for (auto w : width) t += w;
    return t;
  }());
  std::vector<double> dv, db, ndv, ndb;
  for (;;) {
    // Next flip: a neuron moving towards zero.
    double next = s1;
    std::size_t fl = nl, fk = 0;
    for (std::size_t l = 0; l < nl; ++l) {
      if (!net.layers()[l].relu) continue;
      for (std::size_t k = 0; k < width[l]; ++k) {
        const double b = beta[l][k];
        if (active[l][k] ? !(b < 0) : !(b > 0)) continue;
        double r = cur - v[l][k] / b;
        if (!(r > cur)) r = cur;
        if (r < next) {
          next = r;
          fl = l;
          fk = k;
        }
      }
    }
    if (fl == nl || ++*events > max_events) break;
    // Advance to the flip.
    const double step = next - cur;
    for (std::size_t l = 0; l < nl; ++l)
      for (std::size_t k = 0; k < width[l]; ++k) {
        v[l][k] += beta[l][k] * step;
        hv[l][k] = active[l][k] ? v[l][k] : 0;
      }
    cur = next;
    v[fl][fk] = 0;
    active[fl][fk] = !active[fl][fk];
    // The change of the flipped neuron's output, pushed through the later layers.
    dv.assign(1, 0);
    db.assign(1, active[fl][fk] ? beta[fl][fk] : -beta[fl][fk]);
    std::vector<std::size_t> idx{fk};
    hv[fl][fk] = 0;
    hb[fl][fk] = active[fl][fk] ? beta[fl][fk] : 0;
    for (std::size_t l = fl + 1; l < nl; ++l) {
      const std::size_t n = fan[l];
      const bool relu = net.layers()[l].relu;
      ndv.clear();
      ndb.clear();
      std::vector<std::size_t> nidx;
      for (std::size_t k = 0; k < width[l]; ++k) {
        const double* row = &F[l].W[k * n];
        double a = 0, b = 0;
        for (std::size_t i = 0; i < idx.size(); ++i) {
          a += row[idx[i]] * dv[i];
          b += row[idx[i]] * db[i];
        }
        v[l][k] += a;
        beta[l][k] += b;
        if (!relu || active[l][k]) {
          hv[l][k] = v[l][k];
          hb[l][k] = beta[l][k];
          nidx.push_back(k);
          ndv.push_back(a);
          ndb.push_back(b);
        }
      }
      idx = std::move(nidx);
      dv.swap(ndv);
      db.swap(ndb);
    }
    const double slope = hb[nl - 1][0];
    const double tol = 1e-12 * std::max(1.0, std::fabs(cur));
    if (!changes.empty() && cur - changes.back() <= tol) {
      slopes.back() = slope;  // the same place: merge
    } else {
      changes.push_back(cur);
      slopes.push_back(slope);
    }
  }
  std::vector<FloatKink> out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const double drop = slopes[i] - slopes[i + 1];
    if (!(drop > 1e-9 * (std::fabs(slopes[i]) + std::fabs(slopes[i + 1])))) continue;
    const double left = changes[i] - (i ? changes[i - 1] : s0), right = (i + 1 < changes.size() ? changes[i + 1] : s1) - changes[i];
    const double room = std::min(left, right);
    if (!(room > 0)) continue;
    out.push_back(FloatKink{changes[i], room, drop});
  }
  std::sort(out.begin(), out.end(), [](const FloatKink& a, const FloatKink& b) { return a.room * a.drop > b.room * b.drop; });
  return out;
}

// A witness from a float candidate: x, y = p + (T -/+ D) u with T within room/4 of the kink and
// D in [room/4, room/2] (simplest rationals), checked exactly by the forward pass.
std::optional<Witness> witness_from_float_kink(const Network& net, const Domain& domain, const Vector& p, const Vector& u,
                                               const FloatKink& k) {
  if (!std::isfinite(k.t) || !std::isfinite(k.room)) return std::nullopt;
  const Rational t = rational_from_double(k.t), q = rational_from_double(k.room / 4);
  if (sgn(q) <= 0) return std::nullopt;
  const Rational T = simplest_between(t - q, t + q);
  const Rational D = simplest_between(q, 2 * q);
  Witness w;
  w.x = add(p, scale(T - D, u));
  w.y = add(p, scale(T + D, u));
  if (!domain.contains(w.x) || !domain.contains(w.y)) return std::nullopt;
  w.gap = midpoint_gap(net, w.x, w.y);  // exact: this is the verification
  if (sgn(w.gap) <= 0) return std::nullopt;
  return w;
}

}  // namespace

std::vector<Rational> LineRestriction::kinks() const {
  std::vector<Rational> k;
  for (std::size_t i = 0; i < changes.size(); ++i)
    if (slopes[i] != slopes[i + 1]) k.push_back(changes[i]);
  return k;
}

LineRestriction restrict_to_line(const Network& net, const Domain& domain, const Vector& p, const Vector& u) {
  if (is_zero(u)) throw std::invalid_argument("restrict_to_line: zero direction");
  LineRestriction r;
  r.p = p;
  r.u = u;
  if (domain.is_box) {
    if (!domain.contains(p)) throw std::invalid_argument("restrict_to_line: base point outside the box");
    for (std::size_t i = 0; i < domain.dim; ++i) {
      if (sgn(u[i]) == 0) continue;
      Rational t1 = (domain.lo[i] - p[i]) / u[i], t2 = (domain.hi[i] - p[i]) / u[i];
      if (t1 > t2) std::swap(t1, t2);
      if (!r.s_begin || t1 > *r.s_begin) r.s_begin = t1;
      if (!r.s_end || t2 < *r.s_end) r.s_end = t2;
    }
  }
  std::optional<Rational> s = r.s_begin;
  while (true) {
    SegmentScan seg = scan_segment(net, p, u, s);
    r.slopes.push_back(seg.slope);
    if (!seg.next || (r.s_end && *seg.next >= *r.s_end)) break;
    r.changes.push_back(*seg.next);
    s = seg.next;
  }
  return r;
}

std::optional<Witness> witness_on_line(const Network& net, const Domain& domain, const LineRestriction& line) {
  for (std::size_t i = 0; i < line.changes.size(); ++i) {
    if (!(line.slopes[i + 1] < line.slopes[i])) continue;
    const Rational& t = line.changes[i];
    // Half-width: stay within the two neighbouring segments (and the domain).
    std::optional<Rational> room;
    auto shrink = [&](const std::optional<Rational>& r) {
      if (r && (!room || *r < *room)) room = r;
    };
    shrink(i > 0 ? std::optional<Rational>(t - line.changes[i - 1])
                 : (line.s_begin ? std::optional<Rational>(t - *line.s_begin) : std::nullopt));
    shrink(i + 1 < line.changes.size() ? std::optional<Rational>(line.changes[i + 1] - t)
                                       : (line.s_end ? std::optional<Rational>(*line.s_end - t) : std::nullopt));
    const Rational delta = room ? simplest_between(Rational(0), *room) : Rational(1);
    Witness w;
    w.x = add(line.p, scale(t - delta, line.u));
    w.y = add(line.p, scale(t + delta, line.u));
    w.gap = midpoint_gap(net, w.x, w.y);
    if (!verify_witness(net, domain, w) || w.gap != delta * (line.slopes[i] - line.slopes[i + 1]))
      throw std::logic_error("witness_on_line: witness fails exact re-verification");
    return w;
  }
  return std::nullopt;
}

std::optional<Witness> refute_on_random_lines(const Network& net, const Domain& domain, std::size_t lines, std::uint64_t seed,
                                              const LineBudget& budget) {
  std::mt19937_64 rng(seed);
  const std::size_t d = net.input_dim();
  auto uniform = [&](long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); };
  for (std::size_t n = 0; n < lines; ++n) {
    Vector p(d), u(d);
    for (std::size_t i = 0; i < d; ++i) {
      // The simplest rational in a random window of 1/32 of the range: spread out, yet short.
      const Rational lo = domain.is_box ? domain.lo[i] : Rational(-8);
      const Rational width = domain.is_box ? domain.hi[i] - domain.lo[i] : Rational(16);
      const long k = uniform(0, 31);
      Rational a(k, 32), b(k + 1, 32);
      a.canonicalize();  // gmpxx does not reduce (p, q) constructions; GMP needs reduced operands
      b.canonicalize();
      p[i] = simplest_between(lo + width * a, lo + width * b);
    }
    // Axis directions first (cheap and often decisive), then random small integer directions.
    if (n < d) {
      u.assign(d, Rational(0));
      u[n] = 1;
    } else {
      do {
        for (std::size_t i = 0; i < d; ++i) u[i] = Rational(uniform(-4, 4));
      } while (is_zero(u));
    }
    // Small nets: the exact walk alone (complete on the line, and cheap). Larger nets: a float
    // walk first, which proposes kinks, each checked exactly by forward passes.
    std::size_t weights = 0;
    for (const Layer& L : net.layers()) weights += L.width() * (L.W.empty() ? 0 : L.W[0].size());
    std::size_t events = 0;
    const bool float_ok = !net.double_layers().empty() && weights > budget.small_net_weights;
    if (!float_ok && weights > budget.small_net_weights && !budget.exact_fallback) continue;
    if (float_ok) {
      std::vector<double> pd(d), ud(d);
      for (std::size_t i = 0; i < d; ++i) {
        pd[i] = p[i].get_d();
        ud[i] = u[i].get_d();
      }
      double s0 = -1e6, s1 = 1e6;  // on R^d: a long stretch of the line
      if (domain.is_box) {
        s0 = -std::numeric_limits<double>::infinity();
        s1 = std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < d; ++i) {
          if (sgn(u[i]) == 0) continue;
          double t1 = Rational((domain.lo[i] - p[i]) / u[i]).get_d(), t2 = Rational((domain.hi[i] - p[i]) / u[i]).get_d();
          if (t1 > t2) std::swap(t1, t2);
          s0 = std::max(s0, t1);
          s1 = std::min(s1, t2);
        }
      }
      const std::vector<FloatKink> kinks = float_concave_kinks(net, pd, ud, s0, s1, &events, budget.events_per_neuron);
      for (std::size_t i = 0; i < kinks.size() && i < 3; ++i)
        if (auto w = witness_from_float_kink(net, domain, p, u, kinks[i])) return w;
    }
    // The exact walk when the float walk was not used, or when it is still cheap: about
    // (weights) x (pattern changes) exact operations.
    if (!float_ok || weights * (events + 1) <= 200000) {
      const LineRestriction line = restrict_to_line(net, domain, p, u);
      if (auto w = witness_on_line(net, domain, line)) return w;
    }
  }
  return std::nullopt;
}

}  // namespace relucert
