#include "analysis/tiers/bounded_pathlift.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace relucert::tiers {

namespace {

constexpr std::size_t kMaxEnumeratedBits = 8;  // 256 exact patterns at most per neuron

struct Range {  // a finite interval: path-lifting factors never need infinite ends
  Rational lo, hi;
};

// Hidden layers are 0 .. H-1, the output layer is H. The bits of m = (l, k) cover the hidden
// layers l+1 .. H-1 in order.
class PathLifts {
 public:
  PathLifts(const Network& net) : Ls_(net.layers()), H_(Ls_.size() - 1) {}

  std::size_t offset(std::size_t l, std::size_t j) const {  // where layer j starts in m's bits
    std::size_t o = 0;
    for (std::size_t t = l + 1; t < j; ++t) o += Ls_[t].width();
    return o;
  }

  std::string bits(const LayerBounds& z, std::size_t l) const {
    std::string s;
    for (std::size_t j = l + 1; j < H_; ++j)
      for (const Interval& v : z[j]) s += v.strictly_positive() ? '+' : v.strictly_negative() ? '-' : '*';
    return s;
  }

  // The row W^H[0] D_{H-1} W^{H-1} ... D_{l+1} as intervals (bits '*' give conv{0, value}).
  std::vector<Range> row(std::size_t l, const std::string& bits) const {
    std::vector<Range> u;
    for (const Rational& w : Ls_[H_].W[0]) u.push_back({w, w});
    for (std::size_t j = H_ - 1; j >= l + 1; --j) {
      const std::size_t o = offset(l, j);
      for (std::size_t r = 0; r < u.size(); ++r) {
        const char b = bits[o + r];
        if (b == '-') u[r] = {Rational(0), Rational(0)};
        else if (b == '*') u[r] = {sgn(u[r].lo) < 0 ? u[r].lo : Rational(0), sgn(u[r].hi) > 0 ? u[r].hi : Rational(0)};
      }
      if (j == l + 1) break;
      u = times(u, Ls_[j].W);
    }
    return u;
  }

  Rational lower_from_row(const std::vector<Range>& u, std::size_t l, std::size_t k) const {
    if (l + 1 == H_) return Ls_[H_].W[0][k];
    Rational lo = 0;
    for (std::size_t r = 0; r < u.size(); ++r) {
      const Rational& w = Ls_[l + 1].W[r][k];
      lo += sgn(w) >= 0 ? Rational(w * u[r].lo) : Rational(w * u[r].hi);
    }
    return lo;
  }

  // The exact minimum of c_m over the patterns the bits admit (few free bits).
  Rational exact_minimum(std::size_t l, std::size_t k, const std::string& bits) const {
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < bits.size(); ++i)
      if (bits[i] == '*') free.push_back(i);
    std::optional<Rational> best;
    std::string pattern = bits;
    for (std::size_t mask = 0; mask < (std::size_t{1} << free.size()); ++mask) {
      for (std::size_t t = 0; t < free.size(); ++t) pattern[free[t]] = (mask >> t) & 1 ? '+' : '-';
      const Rational c = lower_from_row(row(l, pattern), l, k);  // no '*': the row is exact
      if (!best || c < *best) best = c;
    }
    return *best;
  }

 private:
  const std::vector<Layer>& Ls_;
  std::size_t H_;

  static std::vector<Range> times(const std::vector<Range>& u, const Matrix& W) {
    std::vector<Range> r(W.empty() ? 0 : W[0].size(), Range{Rational(0), Rational(0)});
    for (std::size_t i = 0; i < u.size(); ++i) {
      if (sgn(u[i].lo) == 0 && sgn(u[i].hi) == 0) continue;
      for (std::size_t c = 0; c < r.size(); ++c) {
        const Rational& w = W[i][c];
        const int s = sgn(w);
        if (s == 0) continue;
        if (s > 0) {
          r[c].lo += w * u[i].lo;
          r[c].hi += w * u[i].hi;
        } else {
          r[c].lo += w * u[i].hi;
          r[c].hi += w * u[i].lo;
        }
      }
    }
    return r;
  }
};

}  // namespace

PathLiftAnalysis analyse_bounded_pathlift(const Network& net, const Domain& domain) {
  PathLiftAnalysis a;
  if (!is_layered_mlp(net, &a.blocker)) return a;
  const LayerBounds base = domain_bounds(net, domain);
  const PathLifts pl(net);
  const std::size_t H = net.layers().size() - 1;
  std::vector<NeuronPathLift> found;
  for (std::size_t l = H; l-- > 0;) {
    const std::string domain_bits = pl.bits(base, l);
    const std::vector<Range> domain_row = pl.row(l, domain_bits);
    for (std::size_t k = net.layers()[l].width(); k-- > 0;) {
      NeuronPathLift p;
      p.neuron = NeuronId{l + 1, k + 1};
      const Interval& zm = base[l][k];
      if (zm.strictly_positive() || zm.strictly_negative()) {
        found.push_back(std::move(p));
        continue;
      }
      p.scope = PathLiftScope::Domain;
      p.bits = domain_bits;
      p.lower = pl.lower_from_row(domain_row, l, k);
      if (sgn(p.lower) < 0) {
        p.scope = PathLiftScope::ZeroSet;
        p.bits = pl.bits(zero_set_bounds(net, domain, base, l, k), l);
        p.lower = pl.lower_from_row(pl.row(l, p.bits), l, k);
        if (sgn(p.lower) < 0 && std::count(p.bits.begin(), p.bits.end(), '*') <= static_cast<long>(kMaxEnumeratedBits)) {
          p.enumerated = true;
          p.lower = pl.exact_minimum(l, k, p.bits);
        }
      }
      if (sgn(p.lower) < 0) {
        a.blocking_neuron = p.neuron.name();
        a.blocker = p.neuron.name() + ": its path-lifting value can be " + to_string(p.lower) +
                    (p.enumerated ? " (exactly) " : " (interval bound) ") + "for a pattern next to its zero set";
        return a;
      }
      found.push_back(std::move(p));
    }
  }
  std::reverse(found.begin(), found.end());
  a.neurons = std::move(found);
  a.proves_convex = true;
  return a;
}

std::string pathlift_lines(const PathLiftAnalysis& a) {
  std::ostringstream out;
  for (const NeuronPathLift& p : a.neurons) {
    out << "neuron " << p.neuron.name();
    if (p.scope == PathLiftScope::NeverZero) {
      out << " never-zero\n";
      continue;
    }
    out << (p.scope == PathLiftScope::Domain ? " domain " : " zero-set ") << (p.bits.empty() ? "." : p.bits)
        << (p.enumerated ? " exact " : " interval ") << to_string(p.lower) << "\n";
  }
  return out.str();
}

std::string pathlift_summary(const PathLiftAnalysis& a) {
  std::size_t never = 0, dom = 0, zero = 0, exact = 0;
  for (const auto& p : a.neurons) {
    if (p.scope == PathLiftScope::NeverZero) ++never;
    else if (p.scope == PathLiftScope::Domain) ++dom;
    else ++zero;
    exact += p.enumerated;
  }
  return "path-lifting values >= 0 next to every zero set (" + std::to_string(never) + " neurons never switch, " +
         std::to_string(dom) + " by domain bounds, " + std::to_string(zero) + " by zero-set bounds, " +
         std::to_string(exact) + " of them enumerated)";
}

TierProof pathlift_proof(const PathLiftAnalysis& a, const Domain& domain) {
  TierProof p;
  p.tier = TierKind::BoundedPathLift;
  p.certificate = "c relucert bounded path-lifting certificate, format: docs/certificate.md section 9\n"
                  "relucert-certificate pathlift 1\n" +
                  certificate_domain_line(domain) + pathlift_lines(a) + "end\n";
  p.summary = pathlift_summary(a);
  return p;
}

std::optional<TierProof> prove_bounded_pathlift(const Network& net, const Domain& domain) {
  const PathLiftAnalysis a = analyse_bounded_pathlift(net, domain);
  if (!a.proves_convex) return std::nullopt;
  return pathlift_proof(a, domain);
}

}  // namespace relucert::tiers
