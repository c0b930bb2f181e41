#include "core/certified_forward.hpp"

#include <algorithm>
#include <cmath>

#include "core/filter_range.hpp"
#include "core/filtered_sign.hpp"
#include "core/rational.hpp"

namespace relucert {

namespace {

constexpr double kU = 0x1p-53;
constexpr double kHuge = 0x1p+600;  // computed values and bounds stay below


// An exact number converted with relative error below 2u: within 4u |v| of v (header).
std::optional<CertifiedDouble> convert_input(const Rational& q) {
  const auto v = to_filter_double(q);
  if (!v) return std::nullopt;
  return CertifiedDouble{*v, 4 * kU * std::fabs(*v)};
}

// Every entry converted (convert_input), or nullopt when one is out of the filter's range.
std::optional<std::vector<CertifiedDouble>> convert_inputs(const Vector& x) {
  std::vector<CertifiedDouble> out;
  out.reserve(x.size());
  for (const Rational& v : x) {
    const auto c = convert_input(v);
    if (!c) return std::nullopt;
    out.push_back(*c);
  }
  return out;
}

bool finite_and_small(const CertifiedDouble& c) { return std::fabs(c.value) < kHuge && c.error < kHuge; }

// b + sum_j w_j a_j for a_j within e_j (the bound of the header).
CertifiedDouble affine(const double* w, double b, const std::vector<CertifiedDouble>& a) {
  double z = b, M = std::fabs(b), E = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    if (w[j] == 0) continue;
    const double t = w[j] * a[j].value;
    z += t;
    M += std::fabs(t);
    E += std::fabs(w[j]) * a[j].error;
  }
  const double k = static_cast<double>(a.size() + 4);
  const double err = (E + k * 2 * kU * M) * (1 + k * 4 * kU) + static_cast<double>(a.size() + 2) * 0x1p-1070;
  return {z, err};
}

}  // namespace

std::optional<Sign> CertifiedDouble::sign() const {
  if (value - error > 0) return Sign::Positive;
  if (value + error < 0) return Sign::Negative;
  if (value == 0 && error == 0) return Sign::Zero;
  return std::nullopt;
}

CertifiedForward::CertifiedForward(const Network& net) : net_(net) {
  usable_ = true;
  std::size_t fan_in = net.input_dim();
  for (const Layer& L : net.layers()) {
    if (L.has_skip() || !L.skips.empty()) usable_ = false;
    DoubleLayer D;
    D.fan_in = fan_in;
    D.relu = L.relu;
    for (const auto& row : L.W)
      for (const auto& v : row) {
        const auto c = to_filter_double(v);
        usable_ = usable_ && c.has_value();
        D.W.push_back(c.value_or(0.0));
      }
    for (const auto& v : L.b) {
      const auto c = to_filter_double(v);
      usable_ = usable_ && c.has_value();
      D.b.push_back(c.value_or(0.0));
    }
    fan_in = L.width();
    layers_.push_back(std::move(D));
  }
  if (!usable_) layers_.clear();
}

std::optional<std::vector<Sign>> CertifiedForward::relu_signs(const Vector& x) const {
  if (!usable_ || x.size() != net_.input_dim()) return std::nullopt;
  std::size_t relu_layers_left = 0;
  for (const DoubleLayer& L : layers_) relu_layers_left += L.relu ? 1 : 0;
  auto converted = convert_inputs(x);
  if (!converted) return std::nullopt;
  std::vector<CertifiedDouble> a = std::move(*converted);
  std::vector<Sign> signs;
  signs.reserve(net_.relu_count());
  for (std::size_t l = 0; l < layers_.size() && relu_layers_left > 0; ++l) {
    const DoubleLayer& L = layers_[l];
    std::vector<CertifiedDouble> next(L.b.size());
    for (std::size_t k = 0; k < L.b.size(); ++k) {
      CertifiedDouble z = affine(&L.W[k * L.fan_in], L.b[k], a);
      if (!finite_and_small(z)) return std::nullopt;
      if (L.relu) {
        std::optional<Sign> s = z.sign();
        if (!s) {
          if (l != 0) return std::nullopt;
          // The first layer's pre-activation is one exact affine form in x: decide it here.
          const Layer& exact = net_.layers()[0];
          s = sign_of_affine(exact.W[k], exact.b[k], x);
        }
        signs.push_back(*s);
        if (*s != Sign::Positive) z = {0, 0};  // ReLU: exactly 0
        else z.value = std::max(z.value, 0.0);  // ReLU is 1-Lipschitz: the error stays
      }
      next[k] = z;
    }
    relu_layers_left -= L.relu ? 1 : 0;
    a = std::move(next);
  }
  return signs;
}

std::optional<CertifiedDouble> CertifiedForward::one_sided_slope(const std::vector<Sign>& signs_at_x, const Vector& u) const {
  if (!usable_ || u.size() != net_.input_dim() || signs_at_x.size() != net_.relu_count()) return std::nullopt;
  auto converted = convert_inputs(u);
  if (!converted) return std::nullopt;
  std::vector<CertifiedDouble> da = std::move(*converted);
  std::size_t neuron = 0;
  for (const DoubleLayer& L : layers_) {
    std::vector<CertifiedDouble> next(L.b.size());
    for (std::size_t k = 0; k < L.b.size(); ++k) {
      CertifiedDouble dz = affine(&L.W[k * L.fan_in], 0.0, da);
      if (!finite_and_small(dz)) return std::nullopt;
      if (L.relu) {
        const Sign s = signs_at_x[neuron++];
        if (s == Sign::Zero) {
          // Active along u iff dz > 0 (core/one_sided_derivative.hpp): that sign is needed.
          const auto ds = dz.sign();
          if (!ds) return std::nullopt;
          if (*ds != Sign::Positive) dz = {0, 0};
        } else if (s == Sign::Negative) {
          dz = {0, 0};
        }
      }
      next[k] = dz;
    }
    da = std::move(next);
  }
  if (da.size() != 1) return std::nullopt;
  return da[0];
}

std::optional<CertifiedDouble> certified_dot(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) return std::nullopt;
  std::vector<double> w(a.size());
  std::vector<CertifiedDouble> v(b.size());
  for (std::size_t j = 0; j < a.size(); ++j) {
    const auto x = to_filter_double(a[j]);
    const auto y = convert_input(b[j]);
    if (!x || !y) return std::nullopt;
    w[j] = *x;
    v[j] = *y;
  }
  const CertifiedDouble r = affine(w.data(), 0.0, v);
  if (!finite_and_small(r)) return std::nullopt;
  return r;
}

CertifiedDouble certified_difference(const CertifiedDouble& a, const CertifiedDouble& b) {
  const double v = a.value - b.value;  // rounded: within u |v| (1 + 2u) of the difference of the values
  return {v, (a.error + b.error + 2 * kU * std::fabs(v)) * (1 + 4 * kU)};
}

}  // namespace relucert
