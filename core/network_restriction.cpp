#include "core/network_restriction.hpp"

#include <algorithm>
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

namespace {

// The row v over one denominator: v = num / den, den the lcm of v's denominators.
void over_common_denominator(const Vector& v, std::vector<Integer>& num, Integer& den) {
  den = 1;
  for (const auto& q : v) mpz_lcm(den.get_mpz_t(), den.get_mpz_t(), q.get_den_mpz_t());
  num.resize(v.size());
  for (std::size_t j = 0; j < v.size(); ++j) num[j] = v[j].get_num() * (den / v[j].get_den());
}

}  // namespace

FirstLayerFolder::FirstLayerFolder(const Network& net) : net_(net) {
  if (restriction_unsupported(net)) throw std::invalid_argument("fold_first_layer: unsupported network");
  const auto& Ls = net.layers();
  integer_ = std::none_of(Ls.begin(), Ls.end(), [](const Layer& L) { return L.has_skip(); });
  if (!integer_) return;
  // Layer 1 as A = A_num / A_den (all of W1 over one denominator), b1 = c_num / c_den.
  const Layer& L1 = Ls[0];
  A_den_ = 1;
  for (const auto& row : L1.W)
    for (const auto& q : row) mpz_lcm(A_den_.get_mpz_t(), A_den_.get_mpz_t(), q.get_den_mpz_t());
  A_num_.resize(L1.width());
  for (std::size_t k = 0; k < L1.width(); ++k) {
    A_num_[k].resize(net.input_dim());
    for (std::size_t j = 0; j < net.input_dim(); ++j) A_num_[k][j] = L1.W[k][j].get_num() * (A_den_ / L1.W[k][j].get_den());
  }
  over_common_denominator(L1.b, c_num_, c_den_);
  // Layer 2's rows, each over its own denominator, and the denominators of the folded rows.
  const Layer& L2 = Ls[1];
  P_.resize(L2.width());
  W_den_.resize(L2.width());
  b_den_.resize(L2.width());
  for (std::size_t r = 0; r < L2.width(); ++r) {
    Integer q;
    over_common_denominator(L2.W[r], P_[r], q);
    W_den_[r] = q * A_den_;
    b_den_[r] = q * c_den_;
  }
  tail_ = Network(L1.width(), std::vector<Layer>(Ls.begin() + 1, Ls.end()));
}

Network FirstLayerFolder::fold(const std::vector<Sign>& pattern) const {
  const Layer& L1 = net_.layers()[0];
  if (pattern.size() != L1.width()) throw std::invalid_argument("fold_first_layer: pattern size differs from layer 1");
  if (!integer_) return fold_rational(pattern);
  // Row r of W2 D W1 is (sum over active k of P[r][k] A_num[k]) / (q_r A_den): integer sums, one
  // canonicalisation per entry; likewise W2 D b1.
  const Layer& L2 = net_.layers()[1];
  const std::size_t d = net_.input_dim();
  Layer folded;
  folded.relu = L2.relu;
  folded.W.assign(L2.width(), Vector(d));
  folded.b.resize(L2.width());
  Integer S;
  for (std::size_t r = 0; r < L2.width(); ++r) {
    const std::vector<Integer>& P = P_[r];
    for (std::size_t j = 0; j < d; ++j) {
      S = 0;
      for (std::size_t k = 0; k < P.size(); ++k)
        if (pattern[k] == Sign::Positive && sgn(P[k]) != 0) mpz_addmul(S.get_mpz_t(), P[k].get_mpz_t(), A_num_[k][j].get_mpz_t());
      Rational& w = folded.W[r][j];
      mpz_swap(w.get_num_mpz_t(), S.get_mpz_t());
      w.get_den() = W_den_[r];
      w.canonicalize();
    }
    S = 0;
    for (std::size_t k = 0; k < P.size(); ++k)
      if (pattern[k] == Sign::Positive && sgn(P[k]) != 0) mpz_addmul(S.get_mpz_t(), P[k].get_mpz_t(), c_num_[k].get_mpz_t());
    Rational t;
    mpz_swap(t.get_num_mpz_t(), S.get_mpz_t());
    t.get_den() = b_den_[r];
    t.canonicalize();
    folded.b[r] = t + L2.b[r];
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
