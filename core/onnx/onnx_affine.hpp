#pragma once
// The values the ONNX lowering computes with: every tensor element is an exact affine function
// of the variables (the d network inputs, then one variable per ReLU neuron created so far).
// A tensor whose elements have no variable terms is a constant, so constant folding needs no
// separate code path. Private to the ONNX loader.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/rational.hpp"

namespace relucert::onnx_import {

// c + sum coef[v] * var_v; zero coefficients are never stored.
struct Expr {
  std::map<std::size_t, Rational> coef;
  Rational c;
  bool is_const() const { return coef.empty(); }
};

inline Expr constant(const Rational& c) { return Expr{{}, c}; }

// acc += s * e, exactly.
inline void add_scaled(Expr& acc, const Expr& e, const Rational& s) {
  if (sgn(s) == 0) return;
  acc.c += s * e.c;
  for (const auto& [v, q] : e.coef) {
    auto [it, fresh] = acc.coef.try_emplace(v, s * q);
    if (!fresh) {
      it->second += s * q;
      if (sgn(it->second) == 0) acc.coef.erase(it);
    }
  }
}

inline Expr combine(const Expr& a, const Rational& sa, const Expr& b, const Rational& sb) {
  Expr r;
  add_scaled(r, a, sa);
  add_scaled(r, b, sb);
  return r;
}

using Shape = std::vector<std::int64_t>;

// Element counts saturate here, far above any tensor the loader accepts (kMaxElements), so
// hostile shapes cannot overflow the arithmetic.
constexpr std::int64_t kSaturated = std::int64_t(1) << 62;
constexpr std::int64_t kMaxElements = 4'000'000;

inline std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) {
    if (d < 0) return kSaturated;
    if (d != 0 && n > kSaturated / d) return kSaturated;
    n *= d;
  }
  return n;
}

// A tensor: row-major elements. elem_type is the ONNX element type (for Cast and integer Div).
struct Value {
  Shape shape;
  std::vector<Expr> e;
  std::int32_t elem_type = 1;  // FLOAT
  bool is_const() const {
    for (const auto& x : e)
      if (!x.is_const()) return false;
    return true;
  }
};

// Numpy-style (multidirectional) broadcast of two shapes; false when they are incompatible.
inline bool broadcast_shape(const Shape& a, const Shape& b, Shape& out) {
  const std::size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x != y && x != 1 && y != 1) return false;
    out[i] = x == 1 ? y : x;
  }
  return true;
}

// For each element of `out` (row-major), the index of the element of a tensor of shape `in`
// that broadcasts to it (in must broadcast to out).
inline std::vector<std::size_t> broadcast_map(const Shape& out, const Shape& in) {
  const std::size_t r = out.size(), off = r - in.size();
  std::vector<std::size_t> map(static_cast<std::size_t>(numel(out)));
  std::vector<std::int64_t> idx(r, 0);
  for (std::size_t flat = 0; flat < map.size(); ++flat) {
    std::size_t k = 0;
    for (std::size_t i = off; i < r; ++i) k = k * static_cast<std::size_t>(in[i - off]) + (in[i - off] == 1 ? 0 : static_cast<std::size_t>(idx[i]));
    map[flat] = k;
    for (std::size_t i = r; i-- > 0;) {  // next multi-index
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return map;
}

inline std::string shape_text(const Shape& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

}  // namespace relucert::onnx_import
