#include "analysis/tiers/layer_bounds.hpp"

#include <string>

namespace relucert::tiers {

bool is_layered_mlp(const Network& net, std::string* why) {
  auto no = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  const auto& Ls = net.layers();
  if (Ls.empty()) return no("the network has no layers");
  if (net.has_layer_skips()) return no("the network has skips from hidden layers");
  for (std::size_t l = 0; l + 1 < Ls.size(); ++l)
    if (!Ls[l].relu) return no("hidden layer " + std::to_string(l + 1) + " has no ReLU");
  if (Ls.back().relu) return no("the last layer has a ReLU");
  return true;
}

namespace {

Interval input_term(const Layer& L, std::size_t n, const Domain& dom) {
  Interval r = Interval::point(L.b[n]);
  if (!L.has_skip()) return r;
  for (std::size_t i = 0; i < dom.dim; ++i) {
    if (sgn(L.U[n][i]) == 0) continue;
    r = r + (dom.is_box ? scaled(L.U[n][i], Interval{dom.lo[i], dom.hi[i]}) : Interval{});
  }
  return r;
}

// z of layer l from the outputs `h` of the layer before (or the inputs for l = 0).
std::vector<Interval> next_layer(const Layer& L, const std::vector<Interval>& h, const Domain& dom) {
  std::vector<Interval> z(L.width());
  for (std::size_t n = 0; n < L.width(); ++n) {
    Interval r = input_term(L, n, dom);
    for (std::size_t j = 0; j < h.size(); ++j)
      if (sgn(L.W[n][j]) != 0) r = r + scaled(L.W[n][j], h[j]);
    z[n] = std::move(r);
  }
  return z;
}

std::vector<Interval> outputs(const Layer& L, const std::vector<Interval>& z) {
  if (!L.relu) return z;
  std::vector<Interval> h;
  h.reserve(z.size());
  for (const auto& v : z) h.push_back(relu(v));
  return h;
}

std::vector<Interval> inputs(const Domain& dom) {
  std::vector<Interval> x(dom.dim);
  if (dom.is_box)
    for (std::size_t i = 0; i < dom.dim; ++i) x[i] = Interval{dom.lo[i], dom.hi[i]};
  return x;
}

}  // namespace

LayerBounds domain_bounds(const Network& net, const Domain& domain) {
  LayerBounds z;
  std::vector<Interval> h = inputs(domain);
  for (const Layer& L : net.layers()) {
    z.push_back(next_layer(L, h, domain));
    h = outputs(L, z.back());
  }
  return z;
}

LayerBounds zero_set_bounds(const Network& net, const Domain& domain, const LayerBounds& base, std::size_t layer,
                            std::size_t index) {
  LayerBounds z(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(layer + 1));
  z[layer][index] = Interval::point(Rational(0));
  std::vector<Interval> h = outputs(net.layers()[layer], z[layer]);
  for (std::size_t l = layer + 1; l < net.layers().size(); ++l) {
    z.push_back(next_layer(net.layers()[l], h, domain));
    h = outputs(net.layers()[l], z.back());
  }
  return z;
}

}  // namespace relucert::tiers
