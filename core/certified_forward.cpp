#include "core/certified_forward.hpp"

#include <algorithm>
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The computed z of an n-term affine form with M = |b~| + sum |w~_j a~_j| and E = sum |w~_j| e_j,
// and the header's bound e_z around it.
CertifiedDouble with_error_bound(double z, double M, double E, std::size_t n) {
  const double k = static_cast<double>(n + 4);
  return {z, (E + k * 2 * kU * M) * (1 + k * 4 * kU) + static_cast<double>(n + 2) * 0x1p-1070};
}

// b + sum_j w_j a_j for a_j within e_j (the bound of the header). The bound holds for any order
// of the sums, so the loop keeps two running sums per quantity (even and odd j) and does not
// wait on one addition chain. With SSE2 (the x86-64 baseline) one product w_j (a_j, e_j) gives
// w_j a_j and, its absolute value, (|w_j a_j|, |w_j| e_j): z, M and E in two instructions'
// worth of lanes (the odd lane of the z sums is unused). A zero weight adds exact zeros.
CertifiedDouble affine(const double* w, double b, const std::vector<CertifiedDouble>& a) {
  const std::size_t n = a.size();
  static_assert(sizeof(CertifiedDouble) == 2 * sizeof(double), "CertifiedDouble is {value, error}");
  double z, M, E;
#if defined(__SSE2__)
  const double* ve = reinterpret_cast<const double*>(a.data());  // value_0, error_0, value_1, error_1, ...
  const __m128d sign_mask = _mm_set1_pd(-0.0);
  __m128d z0 = _mm_set_sd(b), z1 = _mm_setzero_pd(), m0 = _mm_set_sd(std::fabs(b)), m1 = _mm_setzero_pd();
  std::size_t j = 0;
  for (; j + 1 < n; j += 2) {
    const __m128d t0 = _mm_mul_pd(_mm_set1_pd(w[j]), _mm_loadu_pd(ve + 2 * j));
    const __m128d t1 = _mm_mul_pd(_mm_set1_pd(w[j + 1]), _mm_loadu_pd(ve + 2 * j + 2));
    z0 = _mm_add_pd(z0, t0);
    z1 = _mm_add_pd(z1, t1);
    m0 = _mm_add_pd(m0, _mm_andnot_pd(sign_mask, t0));
    m1 = _mm_add_pd(m1, _mm_andnot_pd(sign_mask, t1));
  }
  if (j < n) {
    const __m128d t = _mm_mul_pd(_mm_set1_pd(w[j]), _mm_loadu_pd(ve + 2 * j));
    z0 = _mm_add_pd(z0, t);
    m0 = _mm_add_pd(m0, _mm_andnot_pd(sign_mask, t));
  }
  const __m128d zs = _mm_add_pd(z0, z1), ms = _mm_add_pd(m0, m1);
  z = _mm_cvtsd_f64(zs);
  M = _mm_cvtsd_f64(ms);
  E = _mm_cvtsd_f64(_mm_unpackhi_pd(ms, ms));
#else
  double z0 = b, z1 = 0, M0 = std::fabs(b), M1 = 0, E0 = 0, E1 = 0;
  std::size_t j = 0;
  for (; j + 1 < n; j += 2) {
    const double t0 = w[j] * a[j].value, t1 = w[j + 1] * a[j + 1].value;
    z0 += t0;
    z1 += t1;
    M0 += std::fabs(t0);
    M1 += std::fabs(t1);
    E0 += std::fabs(w[j]) * a[j].error;
    E1 += std::fabs(w[j + 1]) * a[j + 1].error;
  }
  if (j < n) {
    const double t = w[j] * a[j].value;
    z0 += t;
    M0 += std::fabs(t);
    E0 += std::fabs(w[j]) * a[j].error;
  }
  z = z0 + z1, M = M0 + M1, E = E0 + E1;
#endif
  return with_error_bound(z, M, E, n);
}

// sum over j in nz of w_j a_j, the other a_j being exactly 0: the bound of affine (with n the
// full length, b = 0), and exactly {0, 0} when nz is empty (no product formed).
CertifiedDouble sparse_affine(const double* w, const std::vector<CertifiedDouble>& a, const std::vector<std::size_t>& nz) {
  if (nz.empty()) return {0, 0};
  double z = 0, M = 0, E = 0;
  for (std::size_t j : nz) {
    const double t = w[j] * a[j].value;
    z += t;
    M += std::fabs(t);
    E += std::fabs(w[j]) * a[j].error;
  }
  return with_error_bound(z, M, E, a.size());
}

bool is_exact_zero(const CertifiedDouble& c) { return c.value == 0 && c.error == 0; }

// max(c, 0) when the sign of c is certified (exactly 0 unless c is certified positive).
std::optional<CertifiedDouble> certified_relu(const CertifiedDouble& c) {
  const auto s = c.sign();
  if (!s) return std::nullopt;
  return *s == Sign::Positive ? c : CertifiedDouble{0, 0};
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

std::optional<std::vector<Sign>> CertifiedForward::relu_signs(const Vector& x, std::optional<std::size_t> on_first_layer_plane) const {
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
          // The first layer's pre-activation is one exact affine form in x: decide it here,
          // unless the caller knows x is on its hyperplane.
          const Layer& exact = net_.layers()[0];
          s = on_first_layer_plane == k ? Sign::Zero : sign_of_affine(exact.W[k], exact.b[k], x);
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

std::optional<CertifiedDouble> CertifiedForward::slope_jump(const std::vector<Sign>& signs_at_x, const Vector& u) const {
  if (!usable_ || u.size() != net_.input_dim() || signs_at_x.size() != net_.relu_count()) return std::nullopt;
  // Two passes side by side: the derivative along u (p), as one_sided_slope does it, and the sum
  // s = p + m with the derivative along -u (m), by its own recurrence: linear where p and m are
  // (s = W s), 0 at neurons negative at x, passed on at positive ones, and relu(p) + relu(m) at
  // neurons zero at x, where m = s - p. So s is exactly 0 (no product formed) until a kink, and
  // the jump of an inactive kink comes out as an exact 0, which a difference of two rounded
  // slopes never would; while s is 0, m = -p exactly. Only zero neurons read p, so p is carried
  // up to the last layer that has one; s is mostly zeros (one kink spreads through the active
  // neurons only), so its sums run over its nonzero entries.
  std::size_t layers_with_zero = 0;  // p is needed in layers [0, layers_with_zero)
  {
    std::size_t neuron = 0;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      if (!layers_[l].relu) continue;
      for (std::size_t k = 0; k < layers_[l].b.size(); ++k)
        if (signs_at_x[neuron++] == Sign::Zero) layers_with_zero = l + 1;
    }
  }
  if (layers_with_zero == 0) return CertifiedDouble{0, 0};  // f is affine around x
  auto converted = convert_inputs(u);
  if (!converted) return std::nullopt;
  std::vector<CertifiedDouble> p = std::move(*converted), s(p.size());
  std::vector<std::size_t> nz, next_nz;  // the entries of s that are not exactly {0, 0}
  std::size_t neuron = 0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DoubleLayer& L = layers_[l];
    const bool need_p = l < layers_with_zero;
    std::vector<CertifiedDouble> np(need_p ? L.b.size() : 0), ns(L.b.size());
    next_nz.clear();
    for (std::size_t k = 0; k < L.b.size(); ++k) {
      const double* w = &L.W[k * L.fan_in];
      CertifiedDouble dp = need_p ? affine(w, 0.0, p) : CertifiedDouble{0, 0};
      CertifiedDouble ds = sparse_affine(w, s, nz);
      if (!finite_and_small(dp) || !finite_and_small(ds)) return std::nullopt;
      if (L.relu) {
        const Sign sx = signs_at_x[neuron++];
        if (sx == Sign::Negative) {
          dp = ds = {0, 0};
        } else if (sx == Sign::Zero) {
          const CertifiedDouble dm = is_exact_zero(ds) ? CertifiedDouble{-dp.value, dp.error} : certified_difference(ds, dp);
          const auto rp = certified_relu(dp), rm = certified_relu(dm);
          if (!rp || !rm) return std::nullopt;
          dp = *rp;
          ds = is_exact_zero(*rp) ? *rm : is_exact_zero(*rm) ? *rp : certified_difference(*rp, {-rm->value, rm->error});
        }
      }
      if (!is_exact_zero(ds)) next_nz.push_back(k);
      if (need_p) np[k] = dp;
      ns[k] = ds;
    }
    p = std::move(np);
    s = std::move(ns);
    nz.swap(next_nz);
  }
  if (s.size() != 1) return std::nullopt;
  return s[0];
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
