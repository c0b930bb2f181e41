#include "analysis/witness.hpp"

#include <algorithm>
#include <stdexcept>

namespace relucert {

Rational midpoint_gap(const Network& net, const Vector& x, const Vector& y) {
  const Vector m = scale(Rational(1, 2), add(x, y));
  return 2 * net.value(m) - net.value(x) - net.value(y);
}

bool verify_witness(const Network& net, const Domain& domain, const Witness& w) {
  if (w.x.size() != net.input_dim() || w.y.size() != net.input_dim()) return false;
  if (!domain.contains(w.x) || !domain.contains(w.y)) return false;
  const Rational gap = midpoint_gap(net, w.x, w.y);
  return sgn(gap) > 0 && gap == w.gap;
}

std::optional<Witness> witness_from_adjacency(const Network& net, const RegionComplex& cx, std::size_t e) {
  const Adjacency& adj = cx.adjacencies.at(e);
  const Cell& lower = cx.cells.at(adj.lower);
  const Cell& upper = cx.cells.at(adj.upper);
  const Vector a = adj.facet.normal();
  const Rational jump = dot(sub(upper.gradient, lower.gradient), a);  // = lambda |a|^2
  if (sgn(jump) >= 0) return std::nullopt;
  // Largest t with p - t a in `lower` and p + t a in `upper` (rows on the facet hyperplane excluded).
  std::optional<Rational> t_max;
  auto limit = [&](const Cell& c, int dir) {
    for (const auto& r : c.rows) {
      if (r.same_hyperplane_as(adj.facet)) continue;
      const Rational rate = dir * r.normal_dot(a);
      if (sgn(rate) <= 0) continue;
      Rational t = r.slack(adj.point) / rate;
      if (!t_max || t < *t_max) t_max = std::move(t);
    }
  };
  limit(lower, -1);
  limit(upper, +1);
  // Any t in (0, t_max] works; the simplest one keeps the witness short.
  const Rational t = t_max ? simplest_between(Rational(0), *t_max) : Rational(1);
  Witness w;
  w.x = sub(adj.point, scale(t, a));
  w.y = add(adj.point, scale(t, a));
  w.gap = midpoint_gap(net, w.x, w.y);
  if (!verify_witness(net, cx.domain, w) || w.gap != -t * jump)
    throw std::logic_error("witness_from_adjacency: the constructed witness fails exact re-verification");
  return w;
}

std::optional<Witness> witness_across_kink(const Network& net, const Domain& domain, const Vector& p, const Vector& n) {
  Rational largest(0);
  for (const Rational& v : n) largest = std::max(largest, Rational(abs(v)));
  if (sgn(largest) == 0) return std::nullopt;
  Rational t = 1 / largest;  // t n has max |.| = 2^-k
  for (int k = 0; k <= 512; ++k, t /= 2) {
    Witness w;
    w.x = sub(p, scale(t, n));
    w.y = add(p, scale(t, n));
    if (!domain.contains(w.x) || !domain.contains(w.y)) continue;
    w.gap = midpoint_gap(net, w.x, w.y);
    if (sgn(w.gap) > 0 && verify_witness(net, domain, w)) return w;
  }
  return std::nullopt;
}

}  // namespace relucert
