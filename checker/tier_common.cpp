// Words, domains and intervals for the tier certificates (tier_checks.hpp).
#include "tier_checks.hpp"

namespace rcv {

Q Words::number(const std::string& text) const {
  std::string why;
  const auto q = parse_number(text, &why);
  if (!q) fail("'" + text + "' is not an exact number: " + why);
  return *q;
}

Dom read_domain(Words& w, std::size_t dim) {
  const auto& t = w.next();
  if (t[0] != "domain" || t.size() < 3) w.fail("expected 'domain R D' or 'domain box D LO1 HI1 ...'");
  if (t[2] != std::to_string(dim)) w.fail("domain dimension " + t[2] + " differs from the network's input dimension " + std::to_string(dim));
  Dom d;
  d.dim = dim;
  if (t[1] == "R") {
    if (t.size() != 3) w.fail("'domain R D' takes no bounds");
    return d;
  }
  if (t[1] != "box") w.fail("unknown domain kind '" + t[1] + "'");
  if (t.size() != 3 + 2 * dim) w.fail("'domain box D' needs 2*D bounds");
  d.box = true;
  for (std::size_t i = 0; i < dim; ++i) {
    d.lo.push_back(w.number(t[3 + 2 * i]));
    d.hi.push_back(w.number(t[4 + 2 * i]));
    if (!(d.lo[i] < d.hi[i])) w.fail("box interval " + std::to_string(i + 1) + " is empty (need LO < HI)");
  }
  return d;
}

std::string describe(const Dom& d) {
  if (!d.box) return "R^" + std::to_string(d.dim);
  std::string s;
  for (std::size_t i = 0; i < d.lo.size(); ++i) s += (i ? " x [" : "[") + str(d.lo[i]) + ", " + str(d.hi[i]) + "]";
  return s;
}

Bound sum(const Bound& a, const Bound& b) {
  Bound r;
  r.has_lo = a.has_lo && b.has_lo;
  r.has_hi = a.has_hi && b.has_hi;
  if (r.has_lo) r.lo = a.lo + b.lo;
  if (r.has_hi) r.hi = a.hi + b.hi;
  return r;
}

Bound times(const Q& c, const Bound& a) {
  if (sgn(c) == 0) return Bound::point(0);
  Bound r;
  if (sgn(c) > 0) {
    r.has_lo = a.has_lo, r.has_hi = a.has_hi;
    if (a.has_lo) r.lo = c * a.lo;
    if (a.has_hi) r.hi = c * a.hi;
  } else {
    r.has_lo = a.has_hi, r.has_hi = a.has_lo;
    if (a.has_hi) r.lo = c * a.hi;
    if (a.has_lo) r.hi = c * a.lo;
  }
  return r;
}

Bound relu(const Bound& a) {
  Bound r;
  r.has_lo = true;
  r.lo = a.has_lo && sgn(a.lo) > 0 ? a.lo : Q(0);
  r.has_hi = a.has_hi;
  if (a.has_hi) r.hi = sgn(a.hi) > 0 ? a.hi : Q(0);
  return r;
}

Bound of_input(const Dom& d, std::size_t i) {
  if (!d.box) return Bound{};
  return Bound{true, true, d.lo[i], d.hi[i]};
}

}  // namespace rcv
