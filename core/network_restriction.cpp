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

FirstLayerFolder::FirstLayerFolder(const Network& net) : net_(net) {
  if (restriction_unsupported(net)) throw std::invalid_argument("fold_first_layer: unsupported network");
  const auto& Ls = net.layers();
  // The integer path needs the net's integer forms (no input skips: restriction_unsupported
  // already excludes skips from hidden layers).
  L1_ = net.integer_layer(0);
  L2_ = net.integer_layer(1);
  if (!L1_ || !L2_) return;
  W_den_ = L2_->W_den * L1_->W_den;
  b_den_ = L2_->W_den * L1_->b_den;
  tail_ = Network(Ls[0].width(), std::vector<Layer>(Ls.begin() + 1, Ls.end()));
}

Network FirstLayerFolder::fold(const std::vector<Sign>& pattern) const {
  const Layer& L1 = net_.layers()[0];
  if (pattern.size() != L1.width()) throw std::invalid_argument("fold_first_layer: pattern size differs from layer 1");
  if (!L1_ || !L2_) return fold_rational(pattern);
  // W1 = A / a, b1 = c / e, W2 = P / q (integer forms of the net, one denominator per layer):
  // row r of W2 D W1 is (sum over active k of P[r][k] A[k]) / (q a), and W2 D b1 likewise over
  // q e: integer sums, one canonicalisation per entry.
  const Layer& L2 = net_.layers()[1];
  const std::size_t d = net_.input_dim();
  Layer folded;
  folded.relu = L2.relu;
  folded.W.assign(L2.width(), Vector(d));
  folded.b.resize(L2.width());
  Integer S;
  // Float weights: the denominators are powers of two, and S / 2^e is made canonical by shifts.
  const long eW = power_of_two_exponent(W_den_), eb = power_of_two_exponent(b_den_);
  auto over = [&S](const Integer& den, long e) {  // S / den, canonical; S is left 0
    Rational q;
    if (e >= 0) {
      set_dyadic(q, S, static_cast<unsigned long>(e));
    } else {
      mpz_swap(q.get_num_mpz_t(), S.get_mpz_t());
      q.get_den() = den;
      q.canonicalize();
    }
    S = 0;
    return q;
  };
  for (std::size_t r = 0; r < L2.width(); ++r) {
    const std::vector<Integer>& P = L2_->W_num[r];
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < P.size(); ++k)
        if (pattern[k] == Sign::Positive && sgn(P[k]) != 0) mpz_addmul(S.get_mpz_t(), P[k].get_mpz_t(), L1_->W_num[k][j].get_mpz_t());
      folded.W[r][j] = over(W_den_, eW);
    }
    for (std::size_t k = 0; k < P.size(); ++k)
      if (pattern[k] == Sign::Positive && sgn(P[k]) != 0) mpz_addmul(S.get_mpz_t(), P[k].get_mpz_t(), L1_->b_num[k].get_mpz_t());
    folded.b[r] = over(b_den_, eb);
    add_in_place(folded.b[r], L2.b[r]);
  }
  return tail_.with_first_layer(d, std::move(folded));
}

Network fold_first_layer(const Network& net, const std::vector<Sign>& pattern) { return FirstLayerFolder(net).fold(pattern); }

Network FirstLayerFolder::fold_rational(const std::vector<Sign>& pattern) const {
  const Network& net = net_;
  const auto& Ls = net.layers();
  const Layer& L1 = Ls[0];
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
