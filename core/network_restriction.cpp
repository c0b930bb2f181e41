#include "core/network_restriction.hpp"

#include <stdexcept>

namespace relucert {

std::optional<std::string> restriction_unsupported(const Network& net) {
  const auto& Ls = net.layers();
  if (Ls.size() < 2) return std::string("one layer only");
  if (!Ls[0].relu) return std::string("no ReLU after the first layer");
  for (const Layer& L : Ls)
    if (!L.skips.empty()) return std::string("skip terms from hidden layers");
  return std::nullopt;
}

Network fold_first_layer(const Network& net, const std::vector<Sign>& pattern) {
  if (restriction_unsupported(net)) throw std::invalid_argument("fold_first_layer: unsupported network");
  const auto& Ls = net.layers();
  const Layer& L1 = Ls[0];
  if (pattern.size() != L1.width()) throw std::invalid_argument("fold_first_layer: pattern size differs from layer 1");
  // The first layer's output on the cell: D (W1 + U1) x + D b1, as a matrix and a vector.
  Matrix A = L1.W;
  Vector c = L1.b;
  for (std::size_t k = 0; k < A.size(); ++k) {
    if (L1.has_skip()) A[k] = add(A[k], L1.U[k]);
    if (pattern[k] != Sign::Positive) {
      A[k].assign(net.input_dim(), Rational(0));
      c[k] = 0;
    }
  }
  std::vector<Layer> out(Ls.begin() + 1, Ls.end());
  Layer& L2 = out[0];
  Matrix W = mat_mul(L2.W, A);
  Vector b = add(mat_vec(L2.W, c), L2.b);
  if (L2.has_skip())
    for (std::size_t k = 0; k < W.size(); ++k) W[k] = add(W[k], L2.U[k]);
  L2.W = std::move(W);
  L2.b = std::move(b);
  L2.U.clear();
  return Network(net.input_dim(), std::move(out));
}

}  // namespace relucert
