#include "core/scaled_map.hpp"

#include <algorithm>
#include <stdexcept>

namespace relucert {
namespace {

// num / den in double with relative error below 2^-52 (as to_double of the canonical rational);
// e = power_of_two_exponent(den), given (dyadic_to_double when it is one).
double quotient_to_double(const Integer& num, const Integer& den, long e) {
  if (sgn(num) == 0) return 0.0;
  double v = 0;
  if (e >= 0 && dyadic_to_double(num.get_mpz_t(), e, &v)) return v;
  Rational q(num, den);
  q.canonicalize();
  return to_double(q);
}

// Divides column j of s (numerators and denominator) by their common factor: the column's
// entries stay the same rationals with the shortest numerators this form allows. For a
// power-of-two denominator the factor is a power of two, found and divided out with shifts.
void reduce_column(ColumnScaledMatrix& s, std::size_t j) {
  Integer& den = s.den[j];
  const long e = power_of_two_exponent(den);
  if (e < 0) {
    Integer g = den;
    for (std::size_t t = 0; t < s.rows && g != 1; ++t) mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), s.num[t * s.cols + j].get_mpz_t());
    if (g == 1) return;
    for (std::size_t t = 0; t < s.rows; ++t) mpz_divexact(s.num[t * s.cols + j].get_mpz_t(), s.num[t * s.cols + j].get_mpz_t(), g.get_mpz_t());
    mpz_divexact(den.get_mpz_t(), den.get_mpz_t(), g.get_mpz_t());
    return;
  }
  if (e == 0) return;
  mp_bitcnt_t shift = static_cast<mp_bitcnt_t>(e);
  bool any = false;
  for (std::size_t t = 0; t < s.rows && shift > 0; ++t) {
    const Integer& v = s.num[t * s.cols + j];
    if (sgn(v) == 0) continue;
    any = true;
    shift = std::min(shift, mpz_scan1(v.get_mpz_t(), 0));
  }
  if (!any) {
    den = 1;
    return;
  }
  if (shift == 0) return;
  for (std::size_t t = 0; t < s.rows; ++t) {
    Integer& v = s.num[t * s.cols + j];
    if (sgn(v) != 0) mpz_tdiv_q_2exp(v.get_mpz_t(), v.get_mpz_t(), shift);  // exact: shift low zero bits
  }
  mpz_tdiv_q_2exp(den.get_mpz_t(), den.get_mpz_t(), shift);
}

void fill_approx(ScaledAffineMap& h) {
  const std::size_t n = h.m.cols;
  h.approx.resize(h.m.num.size());
  std::vector<long> e(n);
  for (std::size_t j = 0; j < n; ++j) e[j] = power_of_two_exponent(h.m.den[j]);
  for (std::size_t i = 0; i < h.m.rows; ++i)
    for (std::size_t j = 0; j < n; ++j) h.approx[i * n + j] = quotient_to_double(h.m.num[i * n + j], h.m.den[j], e[j]);
}

}  // namespace

Rational ScaledAffineMap::entry(std::size_t i, std::size_t j) const {
  const Integer& v = m.num[i * m.cols + j];
  Rational q;
  if (sgn(v) == 0) return q;
  const long e = power_of_two_exponent(m.den[j]);
  if (e >= 0) {  // canonical by the numerator's trailing zeros, no gcd
    set_dyadic(q, v, static_cast<unsigned long>(e));
    return q;
  }
  q = Rational(v, m.den[j]);
  q.canonicalize();
  return q;
}

Vector ScaledAffineMap::gradient(std::size_t i) const {
  Vector g(dim());
  for (std::size_t j = 0; j < dim(); ++j) g[j] = entry(i, j);
  return g;
}

bool ScaledAffineMap::gradient_is_zero(std::size_t i) const {
  for (std::size_t j = 0; j < dim(); ++j)
    if (sgn(m.num[i * m.cols + j]) != 0) return false;
  return true;
}

AffineMap ScaledAffineMap::to_affine() const {
  AffineMap h;
  h.A.resize(outputs());
  h.c.resize(outputs());
  for (std::size_t i = 0; i < outputs(); ++i) {
    h.A[i] = gradient(i);
    h.c[i] = constant(i);
  }
  return h;
}

void ScaledAffineMap::integer_row(std::size_t i, std::vector<Integer>& a, Integer& b) const {
  const std::size_t d = dim(), n = m.cols;
  a.resize(d);
  long top = 0;
  bool dyadic = true;
  for (std::size_t j = 0; j < n && dyadic; ++j) {
    const long e = power_of_two_exponent(m.den[j]);
    dyadic = e >= 0;
    top = std::max(top, e);
  }
  if (dyadic) {
    for (std::size_t j = 0; j < d; ++j)
      mpz_mul_2exp(a[j].get_mpz_t(), m.num[i * n + j].get_mpz_t(), static_cast<mp_bitcnt_t>(top - power_of_two_exponent(m.den[j])));
    mpz_mul_2exp(b.get_mpz_t(), m.num[i * n + d].get_mpz_t(), static_cast<mp_bitcnt_t>(top - power_of_two_exponent(m.den[d])));
    mpz_neg(b.get_mpz_t(), b.get_mpz_t());
    return;
  }
  Integer L = 1;
  for (const Integer& den : m.den) mpz_lcm(L.get_mpz_t(), L.get_mpz_t(), den.get_mpz_t());
  for (std::size_t j = 0; j < d; ++j) a[j] = m.num[i * n + j] * (L / m.den[j]);
  b = -(m.num[i * n + d] * (L / m.den[d]));
}

ScaledAffineMap scaled_affine(const AffineMap& h) {
  ScaledAffineMap out;
  out.m = column_scaled(h);
  for (std::size_t j = 0; j < out.m.cols; ++j) reduce_column(out.m, j);
  fill_approx(out);
  return out;
}

ScaledAffineMap compose_layer(const Network::IntegerLayer& layer, const ScaledAffineMap& h, const std::vector<char>* zero_rows) {
  const std::size_t k = layer.W_num.size(), r = h.outputs(), n = h.m.cols, d = h.dim();
  if (n == 0 || layer.b_num.size() != k || (zero_rows && zero_rows->size() != r)) throw std::logic_error("compose_layer: size mismatch");
  for (const auto& row : layer.W_num)
    if (row.size() != r) throw std::logic_error("compose_layer: size mismatch");
  ScaledAffineMap out;
  ColumnScaledMatrix& s = out.m;
  s.rows = k;
  s.cols = n;
  s.num.resize(k * n);
  s.den.resize(n);
  // Column j < d: (sum_t W_it H_tj) / (W_den den_j). Column d adds the bias:
  // (sum_t W_it H_td) / (W_den den_d) + b_i / b_den = (S b_den + b_i W_den den_d) / (W_den den_d b_den).
  for (std::size_t j = 0; j < n; ++j) s.den[j] = layer.W_den * h.m.den[j];
  const Integer bias_scale = s.den[d];  // W_den den_d
  s.den[d] *= layer.b_den;
  const long e_bden = power_of_two_exponent(layer.b_den), e_scale = power_of_two_exponent(bias_scale);
  static thread_local Integer t;
  for (std::size_t i = 0; i < k; ++i) {
    Integer* sum = &s.num[i * n];
    for (std::size_t u = 0; u < r; ++u) {
      const Integer& w = layer.W_num[i][u];
      if (sgn(w) == 0 || (zero_rows && (*zero_rows)[u])) continue;
      const Integer* col = &h.m.num[u * n];
      for (std::size_t j = 0; j < n; ++j)
        if (sgn(col[j]) != 0) add_product(sum[j], w, col[j]);
    }
    Integer& c = sum[d];
    if (e_bden >= 0) mpz_mul_2exp(c.get_mpz_t(), c.get_mpz_t(), static_cast<mp_bitcnt_t>(e_bden));
    else c *= layer.b_den;
    if (sgn(layer.b_num[i]) != 0) {
      if (e_scale >= 0) mpz_mul_2exp(t.get_mpz_t(), layer.b_num[i].get_mpz_t(), static_cast<mp_bitcnt_t>(e_scale));
      else mpz_mul(t.get_mpz_t(), layer.b_num[i].get_mpz_t(), bias_scale.get_mpz_t());
      c += t;
    }
  }
  for (std::size_t j = 0; j < n; ++j) reduce_column(s, j);
  fill_approx(out);
  return out;
}

}  // namespace relucert
