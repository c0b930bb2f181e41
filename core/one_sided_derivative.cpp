#include "core/one_sided_derivative.hpp"

#include <stdexcept>

namespace relucert {

Rational one_sided_derivative(const Network& net, const std::vector<Sign>& signs_at_x, const Vector& u) {
  if (u.size() != net.input_dim()) throw std::invalid_argument("one_sided_derivative: wrong direction size");
  if (signs_at_x.size() != net.relu_count()) throw std::invalid_argument("one_sided_derivative: wrong sign count");
  if (auto s = net.one_sided_slope(signs_at_x, u)) return std::move(*s);
  std::vector<Vector> slopes;  // every layer's output derivative, for skip terms
  slopes.reserve(net.layers().size());
  const Vector* da = &u;
  std::size_t neuron = 0;
  for (const Layer& L : net.layers()) {
    Vector dz = mat_vec(L.W, *da);
    if (L.has_skip()) dz = add(dz, mat_vec(L.U, u));
    for (const LayerSkip& s : L.skips) dz = add(dz, mat_vec(s.M, slopes[s.from - 1]));
    if (L.relu)
      for (auto& v : dz) {
        const Sign s = signs_at_x[neuron++];
        if (s == Sign::Negative || (s == Sign::Zero && sgn(v) <= 0)) v = 0;
      }
    slopes.push_back(std::move(dz));
    da = &slopes.back();
  }
  if (slopes.empty() || slopes.back().size() != 1) throw std::invalid_argument("one_sided_derivative: output is not scalar");
  return slopes.back()[0];
}

}  // namespace relucert
