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

}  // namespace relucert
