#include "core/network.hpp"

#include <stdexcept>

namespace relucert {

std::string NeuronId::name() const { return "L" + std::to_string(layer) + ":N" + std::to_string(index); }

Network::Network(std::size_t input_dim, std::vector<Layer> layers) : input_dim_(input_dim), layers_(std::move(layers)) {
  // GMP requires canonical operands; callers building weights from (p, q) may not have
  // reduced them, so every stored value is canonicalised here once.
  for (Layer& L : layers_) {
    for (auto* m : {&L.W, &L.U})
      for (auto& row : *m)
        for (auto& v : row) v.canonicalize();
    for (auto& s : L.skips)
      for (auto& row : s.M)
        for (auto& v : row) v.canonicalize();
    for (auto& v : L.b) v.canonicalize();
  }
  std::size_t prev = input_dim_;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    if (L.width() == 0 || L.b.size() != L.width())
      throw std::invalid_argument("Network: layer " + std::to_string(l + 1) + " has inconsistent sizes");
    for (const auto& row : L.W)
      if (row.size() != prev) throw std::invalid_argument("Network: layer " + std::to_string(l + 1) + " W width mismatch");
    if (L.has_skip()) {
      if (L.U.size() != L.width())
        throw std::invalid_argument("Network: layer " + std::to_string(l + 1) + " U height mismatch");
      for (const auto& row : L.U)
        if (row.size() != input_dim_) throw std::invalid_argument("Network: layer " + std::to_string(l + 1) + " U width mismatch");
    }
    for (const LayerSkip& s : L.skips) {
      const std::string where = "Network: layer " + std::to_string(l + 1) + " skip from layer " + std::to_string(s.from);
      if (s.from == 0 || s.from > l) throw std::invalid_argument(where + ": the source must be an earlier layer");
      if (s.M.size() != L.width()) throw std::invalid_argument(where + ": height mismatch");
      for (const auto& row : s.M)
        if (row.size() != layers_[s.from - 1].width()) throw std::invalid_argument(where + ": width mismatch");
    }
    prev = L.width();
  }
}

bool Network::has_layer_skips() const {
  for (const auto& L : layers_)
    if (!L.skips.empty()) return true;
  return false;
}

std::size_t Network::relu_count() const {
  std::size_t n = 0;
  for (const auto& L : layers_)
    if (L.relu) n += L.width();
  return n;
}

Vector Network::forward(const Vector& x) const {
  if (x.size() != input_dim_) throw std::invalid_argument("Network::forward: wrong input size");
  std::vector<Vector> outputs;  // every layer's output, for skip terms
  outputs.reserve(layers_.size());
  const Vector* a = &x;
  for (const Layer& L : layers_) {
    Vector z = add(mat_vec(L.W, *a), L.b);
    if (L.has_skip()) z = add(z, mat_vec(L.U, x));
    for (const LayerSkip& s : L.skips) z = add(z, mat_vec(s.M, outputs[s.from - 1]));
    if (L.relu)
      for (auto& v : z)
        if (sgn(v) < 0) v = 0;
    outputs.push_back(std::move(z));
    a = &outputs.back();
  }
  return outputs.empty() ? x : outputs.back();
}

}  // namespace relucert
