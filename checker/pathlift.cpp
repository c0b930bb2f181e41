// Checks bounded path-lifting certificates (docs/certificate.md §9) and branch-and-bound
// certificates (§10), whose leaves are path-lifting certificates or region-complex certificates
// (§2) of parts of the box; the glue between complex parts is checked by glue.cpp. The bounds,
// the fixed bits and the lower bounds of c_m are all recomputed here; the certificate only says
// which rule settles each neuron, so a wrong claim is rejected, never trusted.
#include "tier_checks.hpp"

namespace rcv {
namespace {

using Bounds = std::vector<std::vector<Bound>>;  // pre-activation bounds [layer][neuron]

void require_layered(const Net& net) {
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    if (!net.layers[l].skips.empty()) throw Rejected{"path-lifting certificates need a net without skips from hidden layers"};
    if ((l + 1 < net.layers.size()) != net.layers[l].relu)
      throw Rejected{"path-lifting certificates need ReLU after every hidden layer and an affine last layer"};
  }
}

std::vector<Bound> layer_z(const Layer& L, const std::vector<Bound>& h, const Dom& dom) {
  std::vector<Bound> z;
  for (std::size_t k = 0; k < L.W.size(); ++k) {
    Bound r = Bound::point(L.b[k]);
    if (!L.U.empty())
      for (std::size_t i = 0; i < dom.dim; ++i)
        if (sgn(L.U[k][i]) != 0) r = sum(r, times(L.U[k][i], of_input(dom, i)));
    for (std::size_t j = 0; j < h.size(); ++j)
      if (sgn(L.W[k][j]) != 0) r = sum(r, times(L.W[k][j], h[j]));
    z.push_back(r);
  }
  return z;
}

std::vector<Bound> after_relu(const std::vector<Bound>& z) {
  std::vector<Bound> h;
  for (const Bound& b : z) h.push_back(relu(b));
  return h;
}

// Bounds on the domain; with `clamp`, on {z_m = 0} ∩ domain for m = clamp (h_m = 0 there).
Bounds bounds(const Net& net, const Dom& dom, const Bounds* base = nullptr, std::size_t cl = 0, std::size_t ck = 0) {
  Bounds z;
  std::vector<Bound> h;
  for (std::size_t i = 0; i < dom.dim; ++i) h.push_back(of_input(dom, i));
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    if (base && l <= cl) {
      z.push_back((*base)[l]);
      if (l == cl) z.back()[ck] = Bound::point(0);
    } else {
      z.push_back(layer_z(net.layers[l], h, dom));
    }
    h = net.layers[l].relu ? after_relu(z.back()) : z.back();
  }
  return z;
}

// The exact path-lifting value c_m(D) for m = (l, k) and a full pattern ('+'/'-' per downstream
// hidden neuron), forward from m: v = W^{l+1} e_k, then masks and weights up to the output row.
Q path_lifting(const Net& net, std::size_t l, std::size_t k, const std::string& pattern) {
  const std::size_t H = net.layers.size() - 1;
  Vec v;
  for (const Vec& row : net.layers[l + 1].W) v.push_back(row[k]);
  std::size_t at = 0;
  for (std::size_t j = l + 1; j < H; ++j) {
    for (Q& e : v) if (pattern[at++] == '-') e = 0;
    Vec next;
    for (const Vec& row : net.layers[j + 1].W) {
      Q s = 0;
      for (std::size_t i = 0; i < v.size(); ++i) s += row[i] * v[i];
      next.push_back(s);
    }
    v = std::move(next);
  }
  return v.at(0);
}

// The interval lower bound of docs/certificate.md §9: the row W^H[0] D_{H-1} W^{H-1} ... D_{l+1}
// computed from the output backwards as intervals ('*' gives conv{0, value}), then times
// column k of W^{l+1}.
Q interval_lower(const Net& net, std::size_t l, std::size_t k, const std::string& bits) {
  const std::size_t H = net.layers.size() - 1;
  if (l + 1 == H) return net.layers[H].W[0][k];
  std::vector<std::size_t> start(H + 1, 0);  // where each layer's bits start
  for (std::size_t j = l + 2; j <= H; ++j) start[j] = start[j - 1] + net.layers[j - 1].W.size();
  std::vector<Q> lo(net.layers[H].W[0]), hi(lo);
  for (std::size_t j = H - 1;; --j) {
    for (std::size_t r = 0; r < lo.size(); ++r) {
      const char b = bits[start[j] + r];
      if (b == '-') lo[r] = hi[r] = 0;
      if (b == '*') {
        if (sgn(lo[r]) > 0) lo[r] = 0;
        if (sgn(hi[r]) < 0) hi[r] = 0;
      }
    }
    if (j == l + 1) break;
    const std::vector<Vec>& W = net.layers[j].W;
    std::vector<Q> nlo(W[0].size(), Q(0)), nhi(W[0].size(), Q(0));
    for (std::size_t r = 0; r < W.size(); ++r)
      for (std::size_t c = 0; c < W[r].size(); ++c) {
        const Q& wv = W[r][c];
        if (sgn(wv) >= 0) nlo[c] += wv * lo[r], nhi[c] += wv * hi[r];
        else nlo[c] += wv * hi[r], nhi[c] += wv * lo[r];
      }
    lo = std::move(nlo);
    hi = std::move(nhi);
  }
  Q c = 0;
  for (std::size_t r = 0; r < lo.size(); ++r) {
    const Q& wv = net.layers[l + 1].W[r][k];
    c += sgn(wv) >= 0 ? Q(wv * lo[r]) : Q(wv * hi[r]);
  }
  return c;
}

Q exact_minimum(const Net& net, std::size_t l, std::size_t k, const std::string& bits, const std::string& name) {
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < bits.size(); ++i) if (bits[i] == '*') free.push_back(i);
  if (free.size() > 16) throw Rejected{name + ": 'exact' with more than 16 free bits"};
  std::string p = bits;
  Q best;
  for (std::size_t mask = 0; mask < (std::size_t{1} << free.size()); ++mask) {
    for (std::size_t t = 0; t < free.size(); ++t) p[free[t]] = (mask >> t) & 1 ? '+' : '-';
    const Q c = path_lifting(net, l, k, p);
    if (mask == 0 || c < best) best = c;
  }
  return best;
}

// The neuron lines of one part (the whole domain, or a leaf of a branch-and-bound tree).
void check_part(const Net& net, Words& w, const Dom& dom) {
  const Bounds base = bounds(net, dom);
  const std::size_t H = net.layers.size() - 1;
  for (const auto& [l, k] : net.neurons) {
    const std::string real = "L" + std::to_string(l + 1) + ":N" + std::to_string(k + 1);
    const auto& t = w.next();
    if (t[0] != "neuron" || t.size() < 3 || t[1] != real) w.fail("expected 'neuron " + real + " ...' here (every ReLU neuron, in topological order)");
    const Bound& zm = base[l][k];
    if (t[2] == "never-zero") {
      if (t.size() != 3) w.fail("'never-zero' takes no further words");
      if (!zm.positive() && !zm.negative()) throw Rejected{real + " is not strictly signed on the part: its zero set may meet it"};
      continue;
    }
    if ((t[2] != "domain" && t[2] != "zero-set") || t.size() != 6 || (t[4] != "interval" && t[4] != "exact"))
      w.fail("expected 'neuron " + real + " domain|zero-set BITS interval|exact LOWER' or 'never-zero'");
    std::size_t downstream = 0;
    for (std::size_t j = l + 1; j < H; ++j) downstream += net.layers[j].W.size();
    const std::string bits = t[3] == "." ? std::string() : t[3];
    if (bits.size() != downstream || bits.find_first_not_of("+-*") != std::string::npos)
      w.fail("BITS must have one of + - * per downstream hidden neuron (" + std::to_string(downstream) + "), or '.' for none");
    const Bounds zs = t[2] == "domain" ? base : bounds(net, dom, &base, l, k);
    std::size_t at = 0;
    for (std::size_t j = l + 1; j < H; ++j)
      for (std::size_t i = 0; i < zs[j].size(); ++i, ++at) {
        if (bits[at] == '+' && !zs[j][i].positive())
          throw Rejected{real + ": L" + std::to_string(j + 1) + ":N" + std::to_string(i + 1) + " is not proven active next to its zero set"};
        if (bits[at] == '-' && !zs[j][i].negative())
          throw Rejected{real + ": L" + std::to_string(j + 1) + ":N" + std::to_string(i + 1) + " is not proven inactive next to its zero set"};
      }
    const Q lower = t[4] == "exact" ? exact_minimum(net, l, k, bits, real) : interval_lower(net, l, k, bits);
    if (lower != w.number(t[5])) throw Rejected{real + ": the lower bound is " + str(lower) + ", not " + t[5]};
    if (sgn(lower) < 0) throw Rejected{real + ": the path-lifting value can be " + str(lower) + " < 0"};
  }
}

void expect_end(Words& w) {
  const auto& t = w.next();
  if (t.size() != 1 || t[0] != "end") w.fail("expected 'end'");
  if (!w.done()) w.next(), w.fail("text after 'end'");
}

struct Tree {
  const Net& net;
  Words& w;
  std::vector<PartRec> parts;  // preorder
  std::size_t pathlift = 0, complexes = 0;
  std::size_t walk(const Dom& part, std::size_t level) {
    if (level > 4096) w.fail("the split tree is deeper than 4096");
    const std::size_t id = parts.size();
    parts.emplace_back();
    parts[id].part = part;
    const auto& t = w.next();
    if (t[0] == "leaf") {
      if (t.size() != 1) w.fail("'leaf' takes no further words");
      check_part(net, w, part);
      parts[id].kind = PartRec::Kind::PathLift;
      ++pathlift;
      return id;
    }
    if (t[0] == "complex") {  // a region-complex certificate of the part, from "domain" to "end" (§2)
      if (t.size() != 1) w.fail("'complex' takes no further words");
      CheckedTree checked = check_complex_part(net, w.take_through_end(), part, w.file());
      parts[id].kind = PartRec::Kind::Complex;
      parts[id].tree = std::move(checked);
      parts[id].has_complex = true;
      ++complexes;
      return id;
    }
    if (t[0] != "split" || t.size() != 3) w.fail("expected 'split AXIS VALUE', 'leaf' or 'complex'");
    const Q axis_q = w.number(t[1]);
    if (axis_q.get_den() != 1 || axis_q < 1 || axis_q > static_cast<long>(part.dim)) w.fail("AXIS must be 1 .. " + std::to_string(part.dim));
    const std::size_t a = axis_q.get_num().get_ui() - 1;
    const Q v = w.number(t[2]);
    if (!(part.lo[a] < v && v < part.hi[a])) w.fail("the split value must lie strictly inside the part");
    Dom lower = part, upper = part;
    lower.hi[a] = v;
    upper.lo[a] = v;
    parts[id].axis = a;
    parts[id].value = v;
    const std::size_t lo = walk(lower, level + 1);
    const std::size_t hi = walk(upper, level + 1);
    parts[id].lower = lo;
    parts[id].upper = hi;
    parts[id].has_complex = parts[lo].has_complex || parts[hi].has_complex;
    return id;
  }
};

}  // namespace

std::string check_pathlift(const Net& net, Words& w) {
  const Dom dom = read_domain(w, net.dim);
  require_layered(net);
  check_part(net, w, dom);
  expect_end(w);
  return "convex on " + describe(dom) + " (bounded path-lifting: every c_m >= 0 next to its zero set)";
}

std::string check_branch_and_bound(const Net& net, Words& w) {
  const Dom dom = read_domain(w, net.dim);
  if (!dom.box) w.fail("a branch-and-bound certificate needs a box domain");
  require_layered(net);
  Tree tree{net, w, {}};
  tree.walk(dom, 0);
  const std::size_t glued = check_glue(w, tree.parts);
  expect_end(w);
  if (tree.complexes == 0) return "convex on " + describe(dom) + " (branch and bound: bounded path-lifting on " + std::to_string(tree.pathlift) + " parts)";
  return "convex on " + describe(dom) + " (branch and bound: " + std::to_string(tree.pathlift) + " parts by bounded path-lifting, " +
         std::to_string(tree.complexes) + " by part complexes, " + std::to_string(glued) + " glue records)";
}

}  // namespace rcv
