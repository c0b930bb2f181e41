#include "core/network.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace relucert {

std::string NeuronId::name() const { return "L" + std::to_string(layer) + ":N" + std::to_string(index); }

namespace {

// GMP requires canonical operands; callers building weights from (p, q) may not have reduced
// them, so every stored value is canonicalised once, when its layer is stored.
void canonicalize_layer(Layer& L) {
  for (auto* m : {&L.W, &L.U})
    for (auto& row : *m)
      for (auto& v : row) v.canonicalize();
  for (auto& s : L.skips)
    for (auto& row : s.M)
      for (auto& v : row) v.canonicalize();
  for (auto& v : L.b) v.canonicalize();
}

bool plain_layer(const Layer& L) { return !L.has_skip() && L.skips.empty(); }

// derive's arithmetic, by shifts where the denominators are powers of two (float weights: nearly
// always, and the streamed check derives a folded layer per part), with the same results.
// lcm = lcm(lcm, den) (both positive).
void lcm_into(Integer& lcm, const Integer& den) {
  const long a = power_of_two_exponent(lcm), b = power_of_two_exponent(den);
  if (a >= 0 && b >= 0) {
    if (b > a) lcm = den;
    return;
  }
  mpz_lcm(lcm.get_mpz_t(), lcm.get_mpz_t(), den.get_mpz_t());
}

// num = v * D, an integer (D a multiple of v's denominator).
void numerator_over(const Rational& v, const Integer& D, Integer& num) {
  const long e = power_of_two_exponent(v.get_den()), eD = power_of_two_exponent(D);
  if (e >= 0 && eD >= 0) mpz_mul_2exp(num.get_mpz_t(), v.get_num_mpz_t(), static_cast<mp_bitcnt_t>(eD - e));
  else num = v.get_num() * (D / v.get_den());
}

// v.get_d() (truncated), without its division for a power-of-two denominator.
double truncated_double(const Rational& v) {
  if (sgn(v) == 0) return 0.0;
  double x = 0;
  if (const long e = power_of_two_exponent(v.get_den()); e >= 0 && dyadic_to_double(v.get_num_mpz_t(), e, &x)) return x;
  return v.get_d();
}

}  // namespace

Network::Network(std::size_t input_dim, std::vector<Layer> layers) : input_dim_(input_dim), layers_(std::move(layers)) {
  for (Layer& L : layers_) canonicalize_layer(L);
  validate();
  derive(0, layers_.size());
}

Network Network::with_first_layer(std::size_t input_dim, Layer first) const {
  if (layers_.empty()) throw std::invalid_argument("Network::with_first_layer: no layers");
  // Layers 2.. and their derived forms are copied (the integer forms are shared pointers: not
  // recomputed); layer 1 is not: copying it only to replace it was a third of a streamed part's
  // fold at d = 3 [10, 10] (its rationals, one allocation each).
  Network out;
  out.input_dim_ = input_dim;
  canonicalize_layer(first);
  out.layers_.reserve(layers_.size());
  out.layers_.push_back(std::move(first));
  out.layers_.insert(out.layers_.end(), layers_.begin() + 1, layers_.end());
  out.integer_layers_ = integer_layers_;
  if (!double_layers_.empty()) {
    out.double_layers_.reserve(double_layers_.size());
    out.double_layers_.emplace_back();
    out.double_layers_.insert(out.double_layers_.end(), double_layers_.begin() + 1, double_layers_.end());
  }
  out.validate();
  out.derive(0, integer_layers_.size() == layers_.size() ? 1 : layers_.size());
  return out;
}

void Network::validate() const {
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

void Network::derive(std::size_t first, std::size_t last) {
  if (!std::all_of(layers_.begin(), layers_.end(), plain_layer)) {
    integer_layers_.clear();
    double_layers_.clear();
    return;
  }
  integer_layers_.resize(layers_.size());
  double_layers_.resize(layers_.size());
  for (std::size_t l = first; l < last; ++l) {
    const Layer& L = layers_[l];
    auto I = std::make_shared<IntegerLayer>();
    I->W_den = 1;
    for (const auto& row : L.W)
      for (const auto& v : row) lcm_into(I->W_den, v.get_den());
    I->b_den = 1;
    for (const auto& v : L.b) lcm_into(I->b_den, v.get_den());
    DoubleLayer F;
    I->W_num.resize(L.W.size());
    for (std::size_t k = 0; k < L.W.size(); ++k) {
      I->W_num[k].resize(L.W[k].size());
      for (std::size_t j = 0; j < L.W[k].size(); ++j) {
        numerator_over(L.W[k][j], I->W_den, I->W_num[k][j]);
        F.W.push_back(truncated_double(L.W[k][j]));
      }
    }
    I->b_num.resize(L.b.size());
    for (std::size_t k = 0; k < L.b.size(); ++k) {
      numerator_over(L.b[k], I->b_den, I->b_num[k]);
      F.b.push_back(truncated_double(L.b[k]));
    }
    integer_layers_[l] = std::move(I);
    double_layers_[l] = std::move(F);
  }
}

// a = A / D (integers A, one denominator D). Per layer: z = W a + b = (b_den S + b_num W_den D) / (W_den D b_den)
// with S = W_num A, accumulated in integers (mpz_addmul: no canonicalisation per product).
Vector Network::forward_integer(const Vector& x, std::vector<Sign>* relu_signs) const {
  Integer D = 1;
  for (const auto& v : x) mpz_lcm(D.get_mpz_t(), D.get_mpz_t(), v.get_den_mpz_t());
  // Two per-thread buffers, swapped per layer: their integers keep their limbs between layers
  // and calls (a fresh vector per layer reallocated every entry as it grew).
  static thread_local std::vector<Integer> A, Z;
  A.resize(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    mpz_divexact(A[j].get_mpz_t(), D.get_mpz_t(), x[j].get_den_mpz_t());
    A[j] *= x[j].get_num();
  }
  static thread_local Integer S, t;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const IntegerLayer& I = *integer_layers_[l];
    const Integer bias_scale = I.W_den * D;
    // Float weights and dyadic points: the scales are powers of two, and products by them shifts.
    const long e_bden = power_of_two_exponent(I.b_den), e_scale = power_of_two_exponent(bias_scale);
    Z.resize(I.W_num.size());
    for (std::size_t k = 0; k < I.W_num.size(); ++k) {
      S = 0;
      const auto& row = I.W_num[k];
      for (std::size_t j = 0; j < row.size(); ++j)
        if (sgn(A[j]) != 0 && sgn(row[j]) != 0) add_product(S, row[j], A[j]);
      if (e_bden >= 0) mpz_mul_2exp(Z[k].get_mpz_t(), S.get_mpz_t(), static_cast<mp_bitcnt_t>(e_bden));
      else mpz_mul(Z[k].get_mpz_t(), S.get_mpz_t(), I.b_den.get_mpz_t());
      if (e_scale >= 0) mpz_mul_2exp(t.get_mpz_t(), I.b_num[k].get_mpz_t(), static_cast<mp_bitcnt_t>(e_scale));
      else mpz_mul(t.get_mpz_t(), I.b_num[k].get_mpz_t(), bias_scale.get_mpz_t());
      Z[k] += t;
      if (layers_[l].relu && relu_signs) relu_signs->push_back(sign_of(Z[k]));  // D > 0: the sign of z
      if (layers_[l].relu && sgn(Z[k]) < 0) Z[k] = 0;
    }
    D = bias_scale * I.b_den;
    // Keep the numbers short: divide out the common factor of D and every numerator. For
    // D = 2^E that factor is 2^min(E, trailing zeros of each numerator): shifts, no gcds.
    if (const long e = power_of_two_exponent(D); e >= 0) {
      mp_bitcnt_t shift = static_cast<mp_bitcnt_t>(e);
      for (const auto& z : Z)
        if (sgn(z) != 0) shift = std::min(shift, mpz_scan1(z.get_mpz_t(), 0));
      if (shift > 0) {
        for (auto& z : Z) mpz_tdiv_q_2exp(z.get_mpz_t(), z.get_mpz_t(), shift);  // exact
        mpz_tdiv_q_2exp(D.get_mpz_t(), D.get_mpz_t(), shift);
      }
      A.swap(Z);
      continue;
    }
    Integer g = D;
    for (const auto& z : Z) {
      if (g == 1) break;
      mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), z.get_mpz_t());
    }
    if (g != 1) {
      for (auto& z : Z) mpz_divexact(z.get_mpz_t(), z.get_mpz_t(), g.get_mpz_t());
      mpz_divexact(D.get_mpz_t(), D.get_mpz_t(), g.get_mpz_t());
    }
    A.swap(Z);
  }
  Vector out(A.size());
  for (std::size_t k = 0; k < A.size(); ++k) {
    out[k] = Rational(A[k], D);
    out[k].canonicalize();
  }
  return out;
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
  if (!integer_layers_.empty()) return forward_integer(x, nullptr);
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

std::optional<std::vector<Sign>> Network::relu_signs(const Vector& x) const {
  if (integer_layers_.empty()) return std::nullopt;
  if (x.size() != input_dim_) throw std::invalid_argument("relu_signs: wrong input size");
  std::vector<Sign> s;
  s.reserve(relu_count());
  (void)forward_integer(x, &s);
  return s;
}

std::optional<Rational> Network::one_sided_slope(const std::vector<Sign>& signs, const Vector& u) const {
  if (integer_layers_.empty()) return std::nullopt;
  if (u.size() != input_dim_ || signs.size() != relu_count()) throw std::invalid_argument("one_sided_slope: wrong size");
  // du = A / D with integers A; per layer dz = W du = (W_num A) / (W_den D): no bias, one product.
  Integer D = 1;
  for (const auto& v : u) mpz_lcm(D.get_mpz_t(), D.get_mpz_t(), v.get_den_mpz_t());
  std::vector<Integer> A(u.size());
  for (std::size_t j = 0; j < u.size(); ++j) A[j] = u[j].get_num() * (D / u[j].get_den());
  std::size_t neuron = 0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const IntegerLayer& I = *integer_layers_[l];
    std::vector<Integer> Z(I.W_num.size());
    for (std::size_t k = 0; k < I.W_num.size(); ++k) {
      const auto& row = I.W_num[k];
      for (std::size_t j = 0; j < row.size(); ++j)
        if (sgn(A[j]) != 0 && sgn(row[j]) != 0) mpz_addmul(Z[k].get_mpz_t(), row[j].get_mpz_t(), A[j].get_mpz_t());
      if (layers_[l].relu) {
        const Sign s = signs[neuron++];  // inactive, or zero and not increasing along u: no slope
        if (s == Sign::Negative || (s == Sign::Zero && sgn(Z[k]) <= 0)) Z[k] = 0;
      }
    }
    D *= I.W_den;
    A = std::move(Z);
  }
  if (A.size() != 1) throw std::invalid_argument("one_sided_slope: output is not scalar");
  Rational r(A[0], D);
  r.canonicalize();
  return r;
}

}  // namespace relucert
