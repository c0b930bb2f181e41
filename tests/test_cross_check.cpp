// Differential test of the convexity decision on a few hundred deterministic random nets
// (tests/support/random_nets.hpp), on a box and on R^d, against two independent oracles:
//   (a) a z3 midpoint query in exact real arithmetic (tests/support/z3_midpoint.hpp), complete
//       when it answers;
//   (b) a brute force on exact rational lines: the breakpoints come from restrict_to_line,
//       but every slope is re-derived from exact forward passes between breakpoints, and an
//       equally spaced midpoint scan needs no engine code at all. It can only refute.
// Plus invariants of the region complex itself. Every witness, from anyone, is re-checked by
// an exact forward pass written here AND by the independent checker's code (checker/, the
// library behind relucert-verify, with its own JSON parser and forward pass); every convex
// verdict gets a convexity certificate (docs/certificate.md) that the checker must accept.
//
// Environment (the long run, scripts/differential-long.sh, uses them):
//   RELUCERT_XCHECK_GENERAL=N   general nets (default 240)
//   RELUCERT_XCHECK_ICNN=N      ICNN-style nets (default 80)
//   RELUCERT_XCHECK_SEED_OFFSET=K   added to every seed (default 0: the CI's fixed nets)
//   RELUCERT_XCHECK_VERBOSE=1   one line per (net, domain)
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "analysis/certificate.hpp"
#include "analysis/convexity.hpp"
#include "analysis/line_restriction.hpp"
#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/network_json.hpp"
#include "geometry/halfspace.hpp"
#include "geometry/region_complex.hpp"
#include "support/random_nets.hpp"
#include "support/z3_midpoint.hpp"
#include "checker/checker.hpp"

#include <filesystem>
#include <fstream>

using namespace relucert;
using namespace relucert::testing;

namespace {

constexpr unsigned kZ3TimeoutMs = 3000;

Z3MidpointOptions z3_opts(Z3Encoding enc = Z3Encoding::Disjunction, bool lemma = true) {
  Z3MidpointOptions o;
  o.timeout_ms = kZ3TimeoutMs;
  o.encoding = enc;
  o.first_layer_lemma = lemma;
  return o;
}

using PointPair = std::pair<Vector, Vector>;

// ---------------------------------------------------------------- own exact arithmetic

Vector own_point(const Vector& p, const Vector& u, const Rational& s) {
  Vector x(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) x[i] = p[i] + s * u[i];
  return x;
}

Rational own_f(const Network& net, const Vector& x) { return net.forward(x).at(0); }

// 2 f((x+y)/2) - f(x) - f(y), recomputed here from forward passes only.
Rational own_gap(const Network& net, const Vector& x, const Vector& y) {
  Vector m(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) m[i] = (x[i] + y[i]) / 2;
  return 2 * own_f(net, m) - own_f(net, x) - own_f(net, y);
}

bool own_in_domain(const Domain& dom, const Vector& x) {
  if (x.size() != dom.dim) return false;
  if (!dom.is_box) return true;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] < dom.lo[i] || x[i] > dom.hi[i]) return false;
  return true;
}

bool own_valid_witness(const Network& net, const Domain& dom, const Vector& x, const Vector& y) {
  return own_in_domain(dom, x) && own_in_domain(dom, y) && sgn(own_gap(net, x, y)) > 0;
}

// Pre-activations of every ReLU neuron at x, topological order, computed here.
std::vector<Rational> own_preactivations(const Network& net, const Vector& x) {
  std::vector<Rational> out;
  Vector a = x;
  std::vector<Vector> outputs;  // every layer's output, for skip terms
  for (const Layer& L : net.layers()) {
    Vector z(L.width());
    for (std::size_t k = 0; k < L.width(); ++k) {
      Rational acc = L.b[k];
      for (std::size_t j = 0; j < a.size(); ++j) acc += L.W[k][j] * a[j];
      if (L.has_skip())
        for (std::size_t j = 0; j < x.size(); ++j) acc += L.U[k][j] * x[j];
      for (const LayerSkip& sk : L.skips)
        for (std::size_t j = 0; j < sk.M[k].size(); ++j) acc += sk.M[k][j] * outputs[sk.from - 1][j];
      z[k] = acc;
      if (L.relu) {
        out.push_back(acc);
        if (sgn(z[k]) < 0) z[k] = 0;
      }
    }
    outputs.push_back(z);
    a = std::move(z);
  }
  return out;
}

std::string vec_str(const Vector& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + to_string(v[i]);
  return s + ")";
}

// ---------------------------------------------------------------- statistics

struct Stats {
  int nets = 0, icnn_nets = 0, domains = 0;
  int engine_convex = 0, engine_not_convex = 0;
  int refuter_decided = 0;
  int z3_convex = 0, z3_not_convex = 0, z3_unknown = 0;
  int z3_ite_runs = 0, exceptions = 0;
  int brute_witnesses = 0, lines = 0, cells = 0, adjacencies = 0;
  // Proofs accepted by the independent checker (checker/); disagreements of any two deciders.
  int certificates_verified = 0, witnesses_verified = 0, disagreements = 0;
  double t_engine = 0, t_z3 = 0, t_complex = 0, t_brute = 0, t_z3_max = 0;
  std::string report() const {
    std::ostringstream o;
    o << nets << " nets (" << icnn_nets << " ICNN-style), " << domains << " (net, domain) checks (" << exceptions
      << " threw); engine: " << engine_convex
      << " convex, " << engine_not_convex << " not convex (" << refuter_decided << " by the line refuter); z3: " << z3_convex
      << " unsat, " << z3_not_convex << " sat, " << z3_unknown << " unknown (+" << z3_ite_runs
      << " ite-encoding reruns); brute force: " << lines << " lines, "
      << brute_witnesses << " refutations; complexes: " << cells << " cells, " << adjacencies << " adjacencies; seconds: engine "
      << t_engine << ", z3 " << t_z3 << " (max " << t_z3_max << "), complex invariants " << t_complex << ", brute force " << t_brute
      << "; independent checker: " << certificates_verified << " certificates and " << witnesses_verified
      << " witnesses verified; disagreements: " << disagreements;
    return o.str();
  }
};

// ---------------------------------------------------------------- brute force on lines

// Parameter range of the line p + s u inside the box, computed here (p inside the box).
std::pair<Rational, Rational> own_box_range(const Domain& dom, const Vector& p, const Vector& u) {
  std::optional<Rational> lo, hi;
  for (std::size_t i = 0; i < dom.dim; ++i) {
    if (sgn(u[i]) == 0) continue;
    Rational a = (dom.lo[i] - p[i]) / u[i], b = (dom.hi[i] - p[i]) / u[i];
    if (a > b) std::swap(a, b);
    if (!lo || a > *lo) lo = a;
    if (!hi || b < *hi) hi = b;
  }
  return {*lo, *hi};
}

// Equally spaced exact midpoint scan on [lo, hi]: needs nothing but forward passes.
std::optional<PointPair> grid_scan(const Network& net, const Vector& p, const Vector& u, const Rational& lo,
                                   const Rational& hi, int n) {
  std::vector<Rational> f(static_cast<std::size_t>(n) + 1);
  std::vector<Rational> s(f.size());
  for (int k = 0; k <= n; ++k) {
    s[static_cast<std::size_t>(k)] = lo + (hi - lo) * frac(k, n);
    f[static_cast<std::size_t>(k)] = own_f(net, own_point(p, u, s[static_cast<std::size_t>(k)]));
  }
  for (std::size_t k = 1; k + 1 < f.size(); ++k)
    if (f[k - 1] + f[k + 1] < 2 * f[k]) return PointPair{own_point(p, u, s[k - 1]), own_point(p, u, s[k + 1])};
  return std::nullopt;
}

// Restricts f to the line with the engine, re-derives every slope from exact forward passes,
// and returns a witness (built and checked here) at the first verified slope decrease.
std::optional<PointPair> brute_line(const Network& net, const Domain& dom, const Vector& p, const Vector& u) {
  if (dom.is_box) {
    const auto [lo, hi] = own_box_range(dom, p, u);
    if (!(lo < hi)) return std::nullopt;  // the line only touches the box (p on a corner)
  }
  const LineRestriction lr = restrict_to_line(net, dom, p, u);
  auto f = [&](const Rational& s) { return own_f(net, own_point(p, u, s)); };
  REQUIRE(lr.slopes.size() == lr.changes.size() + 1);
  if (dom.is_box) {
    const auto [lo, hi] = own_box_range(dom, p, u);
    REQUIRE(lr.s_begin.has_value());
    REQUIRE(lr.s_end.has_value());
    CHECK(*lr.s_begin == lo);
    CHECK(*lr.s_end == hi);
  } else {
    CHECK(!lr.s_begin.has_value());
    CHECK(!lr.s_end.has_value());
  }
  for (std::size_t i = 0; i < lr.changes.size(); ++i) {
    if (i > 0) CHECK(lr.changes[i - 1] < lr.changes[i]);
    if (lr.s_begin) CHECK(*lr.s_begin < lr.changes[i]);
    if (lr.s_end) CHECK(lr.changes[i] < *lr.s_end);
  }
  const std::size_t n = lr.changes.size();
  std::vector<Rational> slope(n + 1);
  for (std::size_t i = 0; i <= n; ++i) {
    const std::optional<Rational> left = i == 0 ? lr.s_begin : std::optional<Rational>(lr.changes[i - 1]);
    const std::optional<Rational> right = i == n ? lr.s_end : std::optional<Rational>(lr.changes[i]);
    Rational a, b;
    if (left && right) {
      a = *left + (*right - *left) / 3;
      b = *left + 2 * (*right - *left) / 3;
    } else if (left) {
      a = *left + 1;
      b = *left + 2;
    } else if (right) {
      a = *right - 2;
      b = *right - 1;
    } else {
      a = -1;
      b = 1;
    }
    const Rational fa = f(a), fb = f(b);
    slope[i] = (fb - fa) / (b - a);
    INFO("line p=" << vec_str(p) << " u=" << vec_str(u) << " segment " << i);
    CHECK(slope[i] == lr.slopes[i]);
    // f is affine on the whole closed segment: midpoint, ends (or far points) on one line.
    const Rational mid = (a + b) / 2;
    CHECK(f(mid) == fa + slope[i] * (mid - a));
    const Rational l_end = left ? *left : a - 1000, r_end = right ? *right : b + 1000;
    CHECK(f(l_end) == fa + slope[i] * (l_end - a));
    CHECK(f(r_end) == fa + slope[i] * (r_end - a));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!(slope[i + 1] < slope[i])) continue;
    const Rational& t = lr.changes[i];
    std::optional<Rational> room;
    auto shrink = [&](const std::optional<Rational>& r) {
      if (r && (!room || *r < *room)) room = r;
    };
    shrink(i > 0 ? std::optional<Rational>(t - lr.changes[i - 1])
                 : (lr.s_begin ? std::optional<Rational>(t - *lr.s_begin) : std::nullopt));
    shrink(i + 1 < n ? std::optional<Rational>(lr.changes[i + 1] - t)
                     : (lr.s_end ? std::optional<Rational>(*lr.s_end - t) : std::nullopt));
    const Rational delta = room ? *room / 2 : Rational(1);
    Vector x = own_point(p, u, t - delta), y = own_point(p, u, t + delta);
    const Rational gap = own_gap(net, x, y);
    CHECK(gap == delta * (slope[i] - slope[i + 1]));
    CHECK(own_valid_witness(net, dom, x, y));
    if (own_valid_witness(net, dom, x, y)) return PointPair{std::move(x), std::move(y)};
  }
  return std::nullopt;
}

Vector random_point(std::mt19937_64& rng, const Domain& dom, int spread) {
  Vector p(dom.dim);
  for (std::size_t i = 0; i < dom.dim; ++i) {
    if (dom.is_box) {
      const long k = std::uniform_int_distribution<long>(0, 64)(rng);
      p[i] = dom.lo[i] + (dom.hi[i] - dom.lo[i]) * frac(k, 64);
    } else {
      const long k = std::uniform_int_distribution<long>(-16L * spread, 16L * spread)(rng);
      p[i] = frac(k, 16);
    }
    p[i].canonicalize();
  }
  return p;
}

Vector random_direction(std::mt19937_64& rng, std::size_t d) {
  Vector u(d);
  do {
    for (auto& c : u) c = Rational(static_cast<long>(std::uniform_int_distribution<int>(-3, 3)(rng)));
  } while (is_zero(u));
  return u;
}

// All lines: axis lines and random lines through random points (with a pure grid scan on each),
// and the facet-normal line through the relative-interior point of every adjacency (capped).
std::optional<PointPair> brute_force(const Network& net, const Domain& dom, const RegionComplex& cx, std::mt19937_64& rng,
                                     Stats& st) {
  const std::size_t d = dom.dim;
  std::optional<PointPair> found;
  auto keep = [&](std::optional<PointPair> w) {
    if (w && !found) found = std::move(w);
  };
  const int random_lines = static_cast<int>(d) + 6;
  for (int n = 0; n < random_lines; ++n) {
    const Vector p = random_point(rng, dom, n % 3 == 2 ? 64 : 4);
    Vector u(d, Rational(0));
    if (n < static_cast<int>(d))
      u[static_cast<std::size_t>(n)] = 1;
    else
      u = random_direction(rng, d);
    ++st.lines;
    keep(brute_line(net, dom, p, u));
    Rational lo = -8, hi = 8;
    if (dom.is_box) std::tie(lo, hi) = own_box_range(dom, p, u);
    if (lo < hi) keep(grid_scan(net, p, u, lo, hi, 16));
  }
  const std::size_t cap = 40, m = cx.adjacencies.size();
  for (std::size_t k = 0; k < std::min(cap, m); ++k) {
    const Adjacency& adj = cx.adjacencies[m <= cap ? k : k * m / cap];
    ++st.lines;
    keep(brute_line(net, dom, adj.point, adj.facet.normal()));
  }
  return found;
}

// ---------------------------------------------------------------- region-complex invariants

void check_complex_invariants(const Network& net, const Domain& dom, const RegionComplex& cx, std::mt19937_64& rng) {
  REQUIRE(cx.status == BuildStatus::Complete);
  CHECK(cx.dim == dom.dim);
  CHECK(cx.neurons.size() == net.relu_count());
  REQUIRE(!cx.cells.empty());
  const std::size_t d = dom.dim;
  for (std::size_t ci = 0; ci < cx.cells.size(); ++ci) {
    const Cell& c = cx.cells[ci];
    INFO("cell " << ci << " point " << vec_str(c.point) << " pattern " << cx.pattern_string(c));
    CHECK(strictly_inside(c.rows, c.point));
    for (const Halfspace& r : c.rows) CHECK(sgn(r.slack(c.point)) > 0);  // the same, spelt out
    CHECK(own_in_domain(dom, c.point));
    REQUIRE(c.gradient.size() == d);
    const Rational fp = own_f(net, c.point);
    CHECK(dot(c.gradient, c.point) + c.offset == fp);
    // The recorded pattern is the sign of every pre-activation at the interior point.
    const std::vector<Rational> z = own_preactivations(net, c.point);
    REQUIRE(c.pattern.size() == z.size());
    for (std::size_t m = 0; m < z.size(); ++m) {
      if (c.pattern[m] == Sign::Positive) CHECK(sgn(z[m]) > 0);
      if (c.pattern[m] == Sign::Negative) CHECK(sgn(z[m]) < 0);
      if (c.pattern[m] == Sign::Zero) CHECK(sgn(z[m]) == 0);
    }
    // Gradient by exact difference quotients along each axis, inside the cell.
    for (std::size_t i = 0; i < d; ++i) {
      std::optional<Rational> tmax;
      for (const Halfspace& r : c.rows) {
        if (sgn(r.a()[i]) <= 0) continue;
        Rational t = r.slack(c.point) / Rational(r.a()[i]);
        if (!tmax || t < *tmax) tmax = t;
      }
      Rational h = tmax ? *tmax / 2 : Rational(1);
      if (h > 1) h = 1;
      Vector q = c.point;
      q[i] += h;
      CHECK((own_f(net, q) - fp) / h == c.gradient[i]);
    }
    for (std::size_t e : c.adjacencies) {
      REQUIRE(e < cx.adjacencies.size());
      CHECK((cx.adjacencies[e].lower == ci || cx.adjacencies[e].upper == ci));
    }
  }
  for (std::size_t e = 0; e < cx.adjacencies.size(); ++e) {
    const Adjacency& adj = cx.adjacencies[e];
    INFO("adjacency " << e << " facet " << adj.facet.to_string() << " point " << vec_str(adj.point));
    REQUIRE(adj.lower < cx.cells.size());
    REQUIRE(adj.upper < cx.cells.size());
    CHECK(adj.lower != adj.upper);
    CHECK(sgn(adj.facet.slack(adj.point)) == 0);
    CHECK(own_in_domain(dom, adj.point));
    const Cell& lo = cx.cells[adj.lower];
    const Cell& up = cx.cells[adj.upper];
    for (const Cell* c : {&lo, &up}) {
      for (const Halfspace& r : c->rows) {
        if (r.same_hyperplane_as(adj.facet)) continue;
        CHECK(sgn(r.slack(adj.point)) > 0);
      }
    }
    // A (d-1)-dimensional piece of the boundary lies in a facet, and every H-representation of a
    // full-dimensional cell contains each facet row (canonical, so exactly this row).
    CHECK(std::find(lo.rows.begin(), lo.rows.end(), adj.facet) != lo.rows.end());
    CHECK(std::find(up.rows.begin(), up.rows.end(), adj.facet.flipped()) != up.rows.end());
    CHECK(sgn(adj.facet.slack(lo.point)) > 0);
    CHECK(sgn(adj.facet.slack(up.point)) < 0);
    // Continuity at the shared point.
    const Rational fp = own_f(net, adj.point);
    CHECK(dot(lo.gradient, adj.point) + lo.offset == fp);
    CHECK(dot(up.gradient, adj.point) + up.offset == fp);
    CHECK(std::find(lo.adjacencies.begin(), lo.adjacencies.end(), e) != lo.adjacencies.end());
    CHECK(std::find(up.adjacencies.begin(), up.adjacencies.end(), e) != up.adjacencies.end());
  }
  // Disjoint interiors: no cell's interior point is strictly inside another cell.
  if (cx.cells.size() <= 150)
    for (std::size_t i = 0; i < cx.cells.size(); ++i)
      for (std::size_t j = 0; j < cx.cells.size(); ++j)
        if (i != j) CHECK_FALSE(strictly_inside(cx.cells[j].rows, cx.cells[i].point));
  // Cover: random points of the domain lie in some closed cell, and every cell that contains a
  // point gives it the network's value there.
  for (int n = 0; n < 12; ++n) {
    const Vector x = random_point(rng, dom, n % 2 ? 4 : 64);
    const Rational fx = own_f(net, x);
    int containing = 0;
    for (const Cell& c : cx.cells) {
      bool in = true;
      for (const Halfspace& r : c.rows)
        if (sgn(r.slack(x)) < 0) {
          in = false;
          break;
        }
      if (!in) continue;
      ++containing;
      CHECK(dot(c.gradient, x) + c.offset == fx);
    }
    INFO("sample point " << vec_str(x));
    CHECK(containing >= 1);
  }
}

// ---------------------------------------------------------------- one (net, domain) check

struct DomainOutcome {
  Verdict verdict = Verdict::Unknown;
  std::optional<Witness> witness;
};

// ---------------------------------------------------------------- independent checker (checker/)

// The net as the checker reads it: written to a file in the loader's JSON format and parsed by
// the checker's own JSON reader (rcv::load_net), so nothing of the engine's loader is involved.
struct CheckerNet {
  std::string path;
  rcv::Net net;
};

CheckerNet checker_net(const Network& net) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "relucert_xcheck";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / ("net_" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << network_to_json(net);
  return CheckerNet{path, rcv::load_net(path)};
}

// rcv::check_* throw rcv::Rejected / rcv::Malformed (not std::exception) on failure.
bool checker_accepts(const std::function<std::string()>& check, std::string* why) {
  try {
    (void)check();
    return true;
  } catch (const rcv::Rejected& r) {
    *why = "rejected: " + r.why;
  } catch (const rcv::Malformed& m) {
    *why = "malformed: line " + std::to_string(m.line) + ": " + m.what;
  }
  return false;
}

// A witness (x, y) of anyone, checked by relucert-verify's code as a witness file.
bool checker_accepts_witness(const CheckerNet& cn, const Network& net, const Domain& dom, const Vector& x, const Vector& y,
                             Stats& st) {
  const Witness w{x, y, own_gap(net, x, y)};
  const std::string text = write_witness_file(w, dom, cn.path);
  std::string why;
  const bool ok = checker_accepts([&] { return rcv::check_witness(cn.net, text, "witness"); }, &why);
  INFO("witness file: " << text << "checker: " << why);
  CHECK(ok);
  if (ok) ++st.witnesses_verified;
  return ok;
}

// A convex verdict: the certificate, checked by relucert-verify's code.
bool checker_accepts_certificate(const CheckerNet& cn, const Network& net, const Domain& dom, Stats& st) {
  const std::optional<std::string> cert = write_convexity_certificate(net, dom);
  REQUIRE(cert.has_value());
  std::string why;
  const bool ok = checker_accepts([&] { return rcv::check_certificate(cn.net, *cert, "certificate"); }, &why);
  INFO("checker: " << why << "\ncertificate:\n" << *cert);
  CHECK(ok);
  if (ok) ++st.certificates_verified;
  return ok;
}

void check_engine_witness(const Network& net, const Domain& dom, const CheckResult& r) {
  if (r.verdict == Verdict::NotConvex) {
    REQUIRE(r.witness.has_value());
    const Witness& w = *r.witness;
    INFO("engine witness x=" << vec_str(w.x) << " y=" << vec_str(w.y) << " gap=" << to_string(w.gap) << " by " << r.method);
    CHECK(verify_witness(net, dom, w));
    CHECK(own_valid_witness(net, dom, w.x, w.y));
    CHECK(own_gap(net, w.x, w.y) == w.gap);
  } else {
    CHECK(!r.witness.has_value());
  }
}

DomainOutcome cross_check_domain_impl(const RandomCase& rc, const CheckerNet& cn, const Domain& dom, std::mt19937_64& rng,
                                      Stats& st) {
  const Network& net = rc.net;
  INFO("domain: " << domain_to_json(dom));
  ++st.domains;

  using clock = std::chrono::steady_clock;
  auto since = [](clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); };
  auto t0 = clock::now();
  const CheckResult with_lines = check_convexity(net, dom);
  CheckOptions complex_opts;
  complex_opts.refuter_lines = 0;
  complex_opts.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
  const CheckResult complex_only = check_convexity(net, dom, complex_opts);
  INFO("engine: default " << std::string(verdict_name(with_lines.verdict)) << " (" << with_lines.method << "), complex-only "
                          << std::string(verdict_name(complex_only.verdict)));
  REQUIRE(with_lines.verdict != Verdict::Unknown);
  REQUIRE(complex_only.verdict != Verdict::Unknown);
  CHECK(complex_only.method == "region-complex");
  CHECK(with_lines.verdict == complex_only.verdict);
  check_engine_witness(net, dom, with_lines);
  check_engine_witness(net, dom, complex_only);
  const Verdict engine = complex_only.verdict;
  const int disagreements_before = st.disagreements;
  auto disagree_if = [&](bool bad) { st.disagreements += bad ? 1 : 0; };
  disagree_if(with_lines.verdict != complex_only.verdict);
  // Every proof goes through the independent checker.
  if (engine == Verdict::Convex) {
    disagree_if(!checker_accepts_certificate(cn, net, dom, st));
  } else {
    for (const CheckResult* r : {&with_lines, &complex_only})
      if (r->witness) disagree_if(!checker_accepts_witness(cn, net, dom, r->witness->x, r->witness->y, st));
  }
  st.t_engine += since(t0);
  t0 = clock::now();
  (engine == Verdict::Convex ? st.engine_convex : st.engine_not_convex)++;
  if (with_lines.method == "line-refuter") ++st.refuter_decided;

  // (a) z3 midpoint query.
  const Z3MidpointResult z = z3_midpoint_check(net, dom, z3_opts());
  const double tz = since(t0);
  st.t_z3 += tz;
  st.t_z3_max = std::max(st.t_z3_max, tz);
  if (std::getenv("RELUCERT_XCHECK_VERBOSE"))
    MESSAGE(rc.recipe << " " << domain_to_json(dom) << " z3 " << tz << " s " << std::string(z3_answer_name(z.answer)) << " cells "
                      << complex_only.cells);
  INFO("z3: " << std::string(z3_answer_name(z.answer)) << " " << z.reason);
  if (z.answer == Z3Answer::NotConvex) {
    ++st.z3_not_convex;
    INFO("z3 model x=" << vec_str(z.x) << " y=" << vec_str(z.y));
    CHECK(own_valid_witness(net, dom, z.x, z.y));
    CHECK(verify_witness(net, dom, Witness{z.x, z.y, own_gap(net, z.x, z.y)}));
    disagree_if(!checker_accepts_witness(cn, net, dom, z.x, z.y, st));
    CHECK(engine == Verdict::NotConvex);
    disagree_if(engine != Verdict::NotConvex);
  } else if (z.answer == Z3Answer::Convex) {
    ++st.z3_convex;
    CHECK(engine == Verdict::Convex);
    disagree_if(engine != Verdict::Convex);
  } else {
    ++st.z3_unknown;
  }
  // On small nets, the literal ite encoding without the lemma must give the same answer.
  if (net.relu_count() <= 4) {
    const Z3MidpointResult zi = z3_midpoint_check(net, dom, z3_opts(Z3Encoding::Ite, false));
    ++st.z3_ite_runs;
    if (zi.answer != Z3Answer::Unknown && z.answer != Z3Answer::Unknown) CHECK(zi.answer == z.answer);
    if (zi.answer == Z3Answer::NotConvex) {
      CHECK(own_valid_witness(net, dom, zi.x, zi.y));
      disagree_if(!checker_accepts_witness(cn, net, dom, zi.x, zi.y, st));
      disagree_if(engine != Verdict::NotConvex);
    }
    if (zi.answer == Z3Answer::Convex) CHECK(engine == Verdict::Convex);
    disagree_if(zi.answer == Z3Answer::Convex && engine != Verdict::Convex);
  }

  // Region complex: invariants, and the lines through its adjacencies for the brute force.
  t0 = clock::now();
  const RegionComplex cx = build_region_complex(net, dom);
  st.cells += static_cast<int>(cx.cells.size());
  st.adjacencies += static_cast<int>(cx.adjacencies.size());
  CHECK(cx.cells.size() == complex_only.cells);
  CHECK(find_violating_adjacency(cx).has_value() == (engine == Verdict::NotConvex));
  check_complex_invariants(net, dom, cx, rng);

  st.t_complex += since(t0);
  // (b) brute force on lines: a refutation found here contradicts a convex verdict.
  t0 = clock::now();
  const std::optional<PointPair> bw = brute_force(net, dom, cx, rng, st);
  st.t_brute += since(t0);
  if (bw) {
    ++st.brute_witnesses;
    INFO("brute-force witness x=" << vec_str(bw->first) << " y=" << vec_str(bw->second));
    CHECK(own_valid_witness(net, dom, bw->first, bw->second));
    disagree_if(!checker_accepts_witness(cn, net, dom, bw->first, bw->second, st));
    CHECK(engine == Verdict::NotConvex);
    disagree_if(engine != Verdict::NotConvex);
  }

  if (rc.must_be_convex) {
    CHECK(engine == Verdict::Convex);
    CHECK(z.answer != Z3Answer::NotConvex);
    CHECK(!bw.has_value());
    disagree_if(engine != Verdict::Convex || z.answer == Z3Answer::NotConvex || bw.has_value());
  }
  if (st.disagreements != disagreements_before)
    MESSAGE("DISAGREEMENT on " << rc.recipe << " domain " << domain_to_json(dom) << " net " << network_to_json(net));
  return DomainOutcome{engine, complex_only.witness};
}

// An exception from the engine (or from z3) is a failure of this (net, domain) only: it is
// reported with the net and the domain, and the other nets still run.
DomainOutcome cross_check_domain(const RandomCase& rc, const CheckerNet& cn, const Domain& dom, std::mt19937_64& rng,
                                 Stats& st) {
  try {
    return cross_check_domain_impl(rc, cn, dom, rng, st);
  } catch (const std::exception& e) {
    ++st.exceptions;
    ++st.disagreements;
    FAIL_CHECK("exception on domain " << domain_to_json(dom) << ": " << std::string(e.what()));
  }
  return DomainOutcome{};
}

void cross_check_case(const RandomCase& rc, std::uint64_t seed, Stats& st) {
  INFO("seed " << seed << " recipe: " << rc.recipe);
  INFO("net: " << network_to_json(rc.net));
  ++st.nets;
  if (rc.must_be_convex) ++st.icnn_nets;
  // The net survives a round trip through the JSON loader (so a failure report is reproducible).
  const Network back = parse_network_json(network_to_json(rc.net), "random");
  CHECK(network_to_json(back) == network_to_json(rc.net));

  const CheckerNet cn = checker_net(rc.net);
  std::mt19937_64 rng(seed * 7919 + 17);
  const DomainOutcome on_box = cross_check_domain(rc, cn, rc.box, rng, st);
  const Domain whole = Domain::whole_space(rc.net.input_dim());
  const DomainOutcome on_rd = cross_check_domain(rc, cn, whole, rng, st);
  // Convex on R^d implies convex on every box; a box witness is an R^d witness.
  if (on_rd.verdict == Verdict::Convex && on_box.verdict != Verdict::Unknown) CHECK(on_box.verdict == Verdict::Convex);
  if (on_box.witness) {
    Witness w = *on_box.witness;
    CHECK(verify_witness(rc.net, whole, w));
  }
}

int env_count(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::uint64_t seed_offset() {
  const char* v = std::getenv("RELUCERT_XCHECK_SEED_OFFSET");
  return v && *v ? std::strtoull(v, nullptr, 10) : 0;
}

}  // namespace

TEST_CASE("the generator is deterministic and its nets load back exactly") {
  for (std::uint64_t seed : {1ULL, 2ULL, 99ULL}) {
    RandomNetGenerator a(seed), b(seed);
    for (int i = 0; i < 20; ++i) {
      const RandomCase x = i % 3 ? a.general() : a.icnn();
      const RandomCase y = i % 3 ? b.general() : b.icnn();
      CHECK(network_to_json(x.net) == network_to_json(y.net));
      CHECK(domain_to_json(x.box) == domain_to_json(y.box));
      CHECK(x.recipe == y.recipe);
    }
  }
}

TEST_CASE("the oracles themselves: known convex and non-convex nets") {
  // f = relu(x1) - relu(x1 - 1/2) on R and on [-1, 1]: concave fold at 1/2.
  Layer h{{{Rational(1)}, {Rational(1)}}, {Rational(0), Rational(-1, 2)}, {}, true, {}};
  Layer o{{{Rational(1), Rational(-1)}}, {Rational(0)}, {}, false, {}};
  const Network concave(1, {h, o});
  o.W[0][1] = 1;
  const Network convex(1, {h, o});
  // f = relu(x) - (1 + 1e-30) relu(x) on R^2 through two equal neurons: fold of size 1e-30.
  const Rational tiny(Integer(1), Integer("1000000000000000000000000000000"));
  Layer h2{{{Rational(1), Rational(0)}, {Rational(1), Rational(0)}, {Rational(0), Rational(1)}},
           {Rational(0), Rational(0), Rational(0)}, {}, true, {}};
  Layer o2{{{Rational(1), -(1 + tiny), Rational(1)}}, {Rational(0)}, {}, false, {}};
  const Network tiny_fold(2, {h2, o2});
  const Domain box1 = Domain::box({Rational(-1)}, {Rational(1)});
  const Domain box2 = Domain::box({Rational(-1), Rational(-1)}, {Rational(1), Rational(1)});

  for (const Domain& dom : {box1, Domain::whole_space(1)}) {
    auto z = z3_midpoint_check(concave, dom, z3_opts(Z3Encoding::Ite, false));
    REQUIRE(z.answer == Z3Answer::NotConvex);
    CHECK(own_valid_witness(concave, dom, z.x, z.y));
    CHECK(z3_midpoint_check(convex, dom, z3_opts(Z3Encoding::Ite, false)).answer == Z3Answer::Convex);
    CHECK(brute_line(concave, dom, {Rational(0)}, {Rational(1)}).has_value());
    CHECK(!brute_line(convex, dom, {Rational(0)}, {Rational(1)}).has_value());
    CHECK(check_convexity(concave, dom).verdict == Verdict::NotConvex);
    CHECK(check_convexity(convex, dom).verdict == Verdict::Convex);
  }
  for (const Domain& dom : {box2, Domain::whole_space(2)}) {
    auto z = z3_midpoint_check(tiny_fold, dom, z3_opts(Z3Encoding::Ite, false));
    REQUIRE(z.answer == Z3Answer::NotConvex);
    CHECK(own_valid_witness(tiny_fold, dom, z.x, z.y));
    CHECK(brute_line(tiny_fold, dom, {Rational(0), Rational(1, 3)}, {Rational(1), Rational(0)}).has_value());
    CheckOptions o0;
    o0.refuter_lines = 0;
    o0.method = tiers::Method::RegionComplex;  // the complex itself, not a tier
    const CheckResult r = check_convexity(tiny_fold, dom, o0);
    CHECK(r.verdict == Verdict::NotConvex);
    if (r.witness) CHECK(own_valid_witness(tiny_fold, dom, r.witness->x, r.witness->y));
  }
}

TEST_CASE("random nets: engine vs z3 midpoint query vs exact line brute force, on a box and on R^d") {
  const int count = env_count("RELUCERT_XCHECK_GENERAL", 240);
  const auto start = std::chrono::steady_clock::now();
  Stats st;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seed = seed_offset() + 1000 + static_cast<std::uint64_t>(i);
    RandomNetGenerator gen(seed);
    cross_check_case(gen.general(), seed, st);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("general: " << st.report() << "; " << secs << " s");
  // The oracles must not be vacuous: z3 answers most queries, and both verdicts occur.
  CHECK(st.z3_unknown * 5 <= st.domains);
  CHECK(st.engine_convex > 0);
  CHECK(st.engine_not_convex > 0);
  CHECK(st.disagreements == 0);
  CHECK(st.certificates_verified == st.engine_convex);
  CHECK(st.witnesses_verified >= st.engine_not_convex);
}

TEST_CASE("random residual nets (skips from earlier layers): engine vs z3 vs line brute force") {
  const int count = env_count("RELUCERT_XCHECK_RESIDUAL", 40);
  const auto start = std::chrono::steady_clock::now();
  Stats st;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seed = 700000 + static_cast<std::uint64_t>(i);
    RandomNetGenerator gen(seed);
    cross_check_case(gen.residual(/*icnn=*/i % 4 == 3), seed, st);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("residual: " << st.report() << "; " << secs << " s");
  CHECK(st.z3_unknown * 5 <= st.domains);
  CHECK(st.engine_convex > 0);
  CHECK(st.engine_not_convex > 0);
}

TEST_CASE("random ICNN-style nets are convex for everyone") {
  const int count = env_count("RELUCERT_XCHECK_ICNN", 80);
  const auto start = std::chrono::steady_clock::now();
  Stats st;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seed = seed_offset() + 500000 + static_cast<std::uint64_t>(i);
    RandomNetGenerator gen(seed);
    cross_check_case(gen.icnn(), seed, st);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("icnn: " << st.report() << "; " << secs << " s");
  CHECK(st.engine_not_convex == 0);
  CHECK(st.z3_unknown * 5 <= st.domains);
  CHECK(st.disagreements == 0);
  CHECK(st.certificates_verified == st.engine_convex);
}

// Engine bug found by this file (minimal nets reduced by hand from random float32 nets, seeds
// 1049, 1214, 500008, 500019, 500045 on R^d). f = relu(x - 2^20) + relu(x - 2^20 - 2^-31) is an
// ICNN, hence convex, but building its region complex throws
// std::invalid_argument("simplest_between: empty interval"): the strict-LP float filter
// (geometry/strict_lp.cpp, float_filter) rounds the margin-LP point x = 2^20 + 2^-32 of the cell
// (2^20, 2^20 + 2^-31) and asks for simplest_between(double(x - r), double(x + r)) with
// r = margin/4 = 2^-34, below half an ulp of x: both ends round to the same double.
TEST_CASE("regression: a cell 2^-31 wide at x = 2^20 (float-filter rounding) is handled exactly") {
  const char* nets[] = {
      // (1, 2, 1): the thin cell itself.
      R"({"input_dim": 1, "layers": [{"W": [["1"], ["1"]], "b": ["-1048576", "-2251799813685249/2147483648"]},
          {"W": [["1", "1"]], "b": ["0"]}], "relu_after": [true, false]})",
      // (2, 3, 1): the same strip cut by x2 = 0 (the adjacency point on the hyperplane fails too).
      R"({"input_dim": 2, "layers": [{"W": [["1", "0"], ["1", "0"], ["0", "1"]],
          "b": ["-1048576", "-2251799813685249/2147483648", "0"]},
          {"W": [["1", "1", "1"]], "b": ["0"]}], "relu_after": [true, false]})",
  };
  for (const char* text : nets) {
    const Network net = parse_network_json(text, "regression");
    const std::size_t d = net.input_dim();
    Vector lo(d, Rational(-1)), hi(d, Rational(1));
    lo[0] = 1048575;
    hi[0] = 1048577;
    for (const Domain& dom : {Domain::whole_space(d), Domain::box(lo, hi)}) {
      INFO("net " << std::string(text) << " on " << domain_to_json(dom));
      CHECK(z3_midpoint_check(net, dom, z3_opts()).answer == Z3Answer::Convex);
      for (std::size_t lines : {std::size_t(0), std::size_t(64)}) {
        CheckOptions o;
        o.refuter_lines = lines;
        if (lines == 0) o.method = tiers::Method::RegionComplex;  // the complex decides
        try {
          const CheckResult r = check_convexity(net, dom, o);
          CHECK(r.verdict == Verdict::Convex);
        } catch (const std::exception& e) {
          FAIL_CHECK("check_convexity threw: " << std::string(e.what()));
        }
      }
    }
  }
}
