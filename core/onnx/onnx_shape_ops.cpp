// Operators that only move elements around (or produce constants): Flatten, Reshape, Squeeze,
// Unsqueeze, Transpose, Concat, Gather, Slice, Shape, Constant, ConstantOfShape. They are exact
// by nature; shape arithmetic (torch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain)
// is carried out on constant integer tensors like any other constant folding.
#include <algorithm>
#include <bit>

#include "core/onnx/onnx_lowering.hpp"

namespace relucert::onnx_import {
namespace {

// Row-major strides of a shape.
std::vector<std::int64_t> strides_of(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

Value int_tensor(const std::vector<std::int64_t>& v) {
  Value r{{static_cast<std::int64_t>(v.size())}, {}, onnx::TensorProto::INT64};
  for (auto x : v) r.e.push_back(constant(Rational(static_cast<long>(x))));
  return r;
}

}  // namespace

bool Lowering::shape_op(const std::string& op) {
  auto reshaped = [&](Value v, Shape s) {
    if (numel(s) != numel(v.shape)) fail("cannot reshape " + shape_text(v.shape) + " to " + shape_text(s));
    v.shape = std::move(s);
    return v;
  };
  // Axes from input i (newer opsets) or the attribute "axes" (older ones).
  auto axes_of = [&](int i) { return has_in(i) ? ints_in(i, "axes") : attr_ints("axes"); };

  if (op == "Flatten") {
    const Value& x = in(0);
    const std::int64_t a = attr_int("axis", 1);
    const std::int64_t ax = a == static_cast<std::int64_t>(x.shape.size()) ? a : axis(a, x.shape.size());
    const Shape head(x.shape.begin(), x.shape.begin() + ax), tail(x.shape.begin() + ax, x.shape.end());
    out(0, reshaped(x, {numel(head), numel(tail)}));
  } else if (op == "Reshape") {
    const Value& x = in(0);
    std::vector<std::int64_t> s = ints_in(1, "the shape");
    const bool allowzero = attr_int("allowzero", 0) != 0;
    std::int64_t known = 1;
    int infer = -1;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == 0 && !allowzero) {
        if (i >= x.shape.size()) fail("shape entry 0 at position " + std::to_string(i) + " has no input dimension to copy");
        s[i] = x.shape[i];
      }
      if (s[i] == -1) {
        if (infer >= 0) fail("more than one -1 in the shape");
        infer = static_cast<int>(i);
      } else if (s[i] < 0) {
        fail("negative shape entry " + std::to_string(s[i]));
      } else {
        known = numel({known, s[i]});
      }
    }
    if (infer >= 0) {
      if (known == 0 || numel(x.shape) % known != 0) fail("cannot infer the -1 in the shape for " + shape_text(x.shape));
      s[static_cast<std::size_t>(infer)] = numel(x.shape) / known;
    }
    out(0, reshaped(x, s));
  } else if (op == "Squeeze") {
    const Value& x = in(0);
    std::vector<std::int64_t> ax = axes_of(1);
    std::vector<bool> drop(x.shape.size(), false);
    if (ax.empty())
      for (std::size_t i = 0; i < x.shape.size(); ++i) drop[i] = x.shape[i] == 1;
    for (auto a : ax) {
      const auto i = static_cast<std::size_t>(axis(a, x.shape.size()));
      if (x.shape[i] != 1) fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(x.shape[i]));
      drop[i] = true;
    }
    Shape s;
    for (std::size_t i = 0; i < x.shape.size(); ++i)
      if (!drop[i]) s.push_back(x.shape[i]);
    out(0, reshaped(x, s));
  } else if (op == "Unsqueeze") {
    const Value& x = in(0);
    const std::vector<std::int64_t> ax = axes_of(1);
    const std::size_t rank = x.shape.size() + ax.size();
    std::vector<bool> added(rank, false);
    for (auto a : ax) {
      const auto i = static_cast<std::size_t>(axis(a, rank));
      if (added[i]) fail("axis " + std::to_string(a) + " repeated");
      added[i] = true;
    }
    Shape s;
    for (std::size_t i = 0, j = 0; i < rank; ++i) s.push_back(added[i] ? 1 : x.shape[j++]);
    out(0, reshaped(x, s));
  } else if (op == "Transpose") {
    const Value& x = in(0);
    const std::size_t r = x.shape.size();
    std::vector<std::int64_t> perm = attr_ints("perm");
    if (perm.empty())
      for (std::size_t i = 0; i < r; ++i) perm.push_back(static_cast<std::int64_t>(r - 1 - i));
    std::vector<std::int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (sorted.size() != r || sorted[i] != static_cast<std::int64_t>(i)) fail("perm is not a permutation of the axes");
    Value y{Shape(r), {}, x.elem_type};
    for (std::size_t i = 0; i < r; ++i) y.shape[i] = x.shape[static_cast<std::size_t>(perm[i])];
    const auto xs = strides_of(x.shape);
    y.e.reserve(x.e.size());
    std::vector<std::int64_t> idx(r, 0);
    for (std::size_t f = 0; f < x.e.size(); ++f) {
      std::int64_t src = 0;
      for (std::size_t i = 0; i < r; ++i) src += idx[i] * xs[static_cast<std::size_t>(perm[i])];
      y.e.push_back(x.e[static_cast<std::size_t>(src)]);
      for (std::size_t i = r; i-- > 0;) {
        if (++idx[i] < y.shape[i]) break;
        idx[i] = 0;
      }
    }
    out(0, std::move(y));
  } else if (op == "Concat") {
    if (node_->input_size() < 1) fail("needs at least one input");
    const Value& first = in(0);
    const auto ax = static_cast<std::size_t>(axis(attr_int("axis", 0), first.shape.size()));
    Shape s = first.shape;
    s[ax] = 0;
    for (int i = 0; i < node_->input_size(); ++i) {
      const Value& v = in(i);
      for (std::size_t j = 0; j < s.size(); ++j)
        if (v.shape.size() != s.size() || (j != ax && v.shape[j] != first.shape[j]))
          fail("input shapes " + shape_text(first.shape) + " and " + shape_text(v.shape) + " do not concatenate on axis " + std::to_string(ax));
      s[ax] += v.shape[ax];
    }
    // Outer blocks (axes before ax) interleave the inputs' contiguous chunks.
    const std::int64_t outer = numel(Shape(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(ax)));
    Value y{s, {}, first.elem_type};
    for (std::int64_t o = 0; o < outer; ++o)
      for (int i = 0; i < node_->input_size(); ++i) {
        const Value& v = in(i);
        const std::int64_t chunk = numel(Shape(v.shape.begin() + static_cast<std::ptrdiff_t>(ax), v.shape.end()));
        for (std::int64_t c = 0; c < chunk; ++c) y.e.push_back(v.e[static_cast<std::size_t>(o * chunk + c)]);
      }
    out(0, std::move(y));
  } else if (op == "Gather") {
    const Value& x = in(0);
    const Value& ind = const_in(1, "the indices");
    const std::vector<std::int64_t> idx = ints_in(1, "the indices");
    const auto ax = static_cast<std::size_t>(axis(attr_int("axis", 0), x.shape.size()));
    Shape s(x.shape.begin(), x.shape.begin() + static_cast<std::ptrdiff_t>(ax));
    s.insert(s.end(), ind.shape.begin(), ind.shape.end());
    s.insert(s.end(), x.shape.begin() + static_cast<std::ptrdiff_t>(ax) + 1, x.shape.end());
    const std::int64_t outer = numel(Shape(x.shape.begin(), x.shape.begin() + static_cast<std::ptrdiff_t>(ax)));
    const std::int64_t inner = numel(Shape(x.shape.begin() + static_cast<std::ptrdiff_t>(ax) + 1, x.shape.end()));
    const std::int64_t n = x.shape[ax];
    check_size(s);
    Value y{s, {}, x.elem_type};
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t j : idx) {
        if (j < -n || j >= n) fail("index " + std::to_string(j) + " out of range for an axis of size " + std::to_string(n));
        if (j < 0) j += n;
        for (std::int64_t c = 0; c < inner; ++c) y.e.push_back(x.e[static_cast<std::size_t>((o * n + j) * inner + c)]);
      }
    out(0, std::move(y));
  } else if (op == "Slice") {
    const Value& x = in(0);
    const std::size_t r = x.shape.size();
    // Opset >= 10: inputs starts, ends, axes, steps; opset < 10: attributes starts, ends, axes.
    const bool inputs = has_in(1);
    const auto starts = inputs ? ints_in(1, "starts") : attr_ints("starts");
    const auto ends = inputs ? ints_in(2, "ends") : attr_ints("ends");
    std::vector<std::int64_t> axes = inputs ? (has_in(3) ? ints_in(3, "axes") : std::vector<std::int64_t>{}) : attr_ints("axes");
    std::vector<std::int64_t> steps = inputs && has_in(4) ? ints_in(4, "steps") : std::vector<std::int64_t>{};
    if (axes.empty())
      for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      fail("starts, ends, axes and steps must have the same length");
    std::vector<std::int64_t> lo(r, 0), step(r, 1), cnt(x.shape.begin(), x.shape.end());
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const auto a = static_cast<std::size_t>(axis(axes[k], r));
      const std::int64_t n = x.shape[a], st = steps[k];
      if (st == 0) fail("step 0");
      auto clampi = [&](std::int64_t v, std::int64_t mn, std::int64_t mx) { return std::min(std::max(v < 0 ? v + n : v, mn), mx); };
      const std::int64_t b = st > 0 ? clampi(starts[k], 0, n) : clampi(starts[k], -1, n - 1);
      const std::int64_t e = st > 0 ? clampi(ends[k], 0, n) : clampi(ends[k], -1, n - 1);
      lo[a] = b;
      step[a] = st;
      cnt[a] = st > 0 ? std::max<std::int64_t>(0, (e - b + st - 1) / st) : std::max<std::int64_t>(0, (b - e - st - 1) / -st);
    }
    const auto xs = strides_of(x.shape);
    Value y{Shape(cnt.begin(), cnt.end()), {}, x.elem_type};
    std::vector<std::int64_t> idx(r, 0);
    for (std::int64_t f = 0; f < numel(y.shape); ++f) {
      std::int64_t src = 0;
      for (std::size_t i = 0; i < r; ++i) src += (lo[i] + idx[i] * step[i]) * xs[i];
      y.e.push_back(x.e[static_cast<std::size_t>(src)]);
      for (std::size_t i = r; i-- > 0;) {
        if (++idx[i] < y.shape[i]) break;
        idx[i] = 0;
      }
    }
    out(0, std::move(y));
  } else if (op == "Shape") {
    const Shape& s = in(0).shape;
    const auto r = static_cast<std::int64_t>(s.size());
    auto clampi = [&](std::int64_t v) { return std::min(std::max(v < 0 ? v + r : v, std::int64_t(0)), r); };
    const std::int64_t b = clampi(attr_int("start", 0)), e = clampi(attr_int("end", r));
    out(0, int_tensor(b < e ? std::vector<std::int64_t>(s.begin() + b, s.begin() + e) : std::vector<std::int64_t>{}));
  } else if (op == "Constant") {
    if (const auto* a = attr("value")) {
      out(0, decode(a->t(), "the value attribute"));
    } else if (const auto* f = attr("value_float")) {
      out(0, Value{{}, {constant(attr_float("value_float", 0))}, onnx::TensorProto::FLOAT});
      (void)f;
    } else if (const auto* fs = attr("value_floats")) {
      Value v{{fs->floats_size()}, {}, onnx::TensorProto::FLOAT};
      for (float x : fs->floats()) {
        try {
          v.e.push_back(constant(float32_from_bits(std::bit_cast<std::uint32_t>(x))));
        } catch (const std::domain_error&) {
          fail("value_floats holds an infinite or NaN value");
        }
      }
      out(0, std::move(v));
    } else if (attr("value_int")) {
      Value v = int_tensor({attr_int("value_int", 0)});
      v.shape.clear();
      out(0, std::move(v));
    } else if (attr("value_ints")) {
      out(0, int_tensor(attr_ints("value_ints")));
    } else {
      fail("only numeric dense constants (value, value_float(s), value_int(s)) are supported");
    }
  } else if (op == "ConstantOfShape") {
    const std::vector<std::int64_t> s = ints_in(0, "the shape");
    Value fill{{}, {constant(0)}, onnx::TensorProto::FLOAT};
    if (const auto* a = attr("value")) fill = decode(a->t(), "the value attribute");
    if (fill.e.size() != 1) fail("value must hold one element");
    Value y{Shape(s.begin(), s.end()), {}, fill.elem_type};
    check_size(y.shape);
    y.e.assign(static_cast<std::size_t>(numel(y.shape)), fill.e[0]);
    out(0, std::move(y));
  } else {
    return false;
  }
  return true;
}

}  // namespace relucert::onnx_import
