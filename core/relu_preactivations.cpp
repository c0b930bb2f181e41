#include "core/relu_preactivations.hpp"

#include <stdexcept>

namespace relucert {

Vector relu_preactivations(const Network& net, const Vector& x) {
  if (x.size() != net.input_dim()) throw std::invalid_argument("relu_preactivations: wrong input size");
  Vector zs;
  zs.reserve(net.relu_count());
  std::vector<Vector> outputs;  // every layer's output, for skip terms
  outputs.reserve(net.layers().size());
  for (const Layer& L : net.layers()) {
    Vector z = add(mat_vec(L.W, outputs.empty() ? x : outputs.back()), L.b);
    if (L.has_skip()) z = add(z, mat_vec(L.U, x));
    for (const LayerSkip& s : L.skips) z = add(z, mat_vec(s.M, outputs[s.from - 1]));
    if (L.relu)
      for (auto& v : z) {
        zs.push_back(v);
        if (sgn(v) < 0) v = 0;
      }
    outputs.push_back(std::move(z));
  }
  return zs;
}

std::vector<Sign> relu_signs_at(const Network& net, const Vector& x) {
  if (auto s = net.relu_signs(x)) return std::move(*s);
  std::vector<Sign> signs;
  for (const Rational& z : relu_preactivations(net, x)) signs.push_back(sign_of(z));
  return signs;
}

}  // namespace relucert
