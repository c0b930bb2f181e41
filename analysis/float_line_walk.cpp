#include "analysis/float_line_walk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rational.hpp"

namespace relucert {

// ---- Float walk: proposes kinks where the slope decreases; never decides -----------------------


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

}  // namespace relucert
