// Matrix products and convolution: exact affine maps of an input that may depend on the
// network input, with constant weights (the product of two input-dependent values is not
// piecewise linear and is refused).
#include "core/onnx/onnx_lowering.hpp"

namespace relucert::onnx_import {
namespace {

// out[m][n] = sum_k A[m][k] B[k][n] for row-major A (M x K) and B (K x N) given as element
// pointers; one factor of each product must be constant.
template <class Fail>
void matmul2(const Expr* const* A, const Expr* const* B, std::size_t M, std::size_t K, std::size_t N, Expr* out,
             const Fail& fail) {
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n) {
      Expr acc;
      for (std::size_t k = 0; k < K; ++k) {
        const Expr& a = *A[m * K + k];
        const Expr& b = *B[k * N + n];
        if (a.is_const()) add_scaled(acc, b, a.c);
        else if (b.is_const()) add_scaled(acc, a, b.c);
        else fail();
      }
      out[m * N + n] = std::move(acc);
    }
}

}  // namespace

bool Lowering::linear_op(const std::string& op) {
  auto product_fail = [&]() { fail("the product of two values that depend on the input is not piecewise linear"); };
  if (op == "Gemm") {
    // Y = alpha op(A) op(B) + beta C, op = transpose when transA / transB.
    const Value &A = in(0), &B = in(1);
    if (A.shape.size() != 2 || B.shape.size() != 2)
      fail("Gemm needs 2-D inputs, found " + shape_text(A.shape) + " and " + shape_text(B.shape));
    const bool ta = attr_int("transA", 0) != 0, tb = attr_int("transB", 0) != 0;
    const auto M = static_cast<std::size_t>(ta ? A.shape[1] : A.shape[0]), K = static_cast<std::size_t>(ta ? A.shape[0] : A.shape[1]);
    const auto K2 = static_cast<std::size_t>(tb ? B.shape[1] : B.shape[0]), N = static_cast<std::size_t>(tb ? B.shape[0] : B.shape[1]);
    if (K != K2) fail("inner dimensions differ: " + shape_text(A.shape) + " and " + shape_text(B.shape) + " (after transA/transB)");
    check_size({static_cast<std::int64_t>(M), static_cast<std::int64_t>(N)});
    std::vector<const Expr*> a(M * K), b(K * N);
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t k = 0; k < K; ++k) a[m * K + k] = &A.e[ta ? k * M + m : m * K + k];
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t n = 0; n < N; ++n) b[k * N + n] = &B.e[tb ? n * K + k : k * N + n];
    Value r{{static_cast<std::int64_t>(M), static_cast<std::int64_t>(N)}, std::vector<Expr>(M * N), A.elem_type};
    matmul2(a.data(), b.data(), M, K, N, r.e.data(), product_fail);
    const Rational alpha = attr_float("alpha", 1), beta = attr_float("beta", 1);
    if (alpha != 1)
      for (Expr& x : r.e) x = combine(x, alpha, x, 0);
    if (has_in(2)) {
      const Value& C = in(2);
      Shape s;
      if (!broadcast_shape(r.shape, C.shape, s) || s != r.shape) fail("C of shape " + shape_text(C.shape) + " does not broadcast to " + shape_text(r.shape));
      const auto map = broadcast_map(r.shape, C.shape);
      for (std::size_t i = 0; i < r.e.size(); ++i) add_scaled(r.e[i], C.e[map[i]], beta);
    }
    out(0, std::move(r));
  } else if (op == "MatMul") {
    // numpy matmul: 1-D operands are promoted (and the added axis removed), batch axes broadcast.
    Value A = in(0), B = in(1);
    const bool a1 = A.shape.size() == 1, b1 = B.shape.size() == 1;
    if (A.shape.empty() || B.shape.empty()) fail("MatMul of a scalar");
    if (a1) A.shape.insert(A.shape.begin(), 1);
    if (b1) B.shape.push_back(1);
    const auto M = static_cast<std::size_t>(A.shape[A.shape.size() - 2]), K = static_cast<std::size_t>(A.shape.back());
    const auto N = static_cast<std::size_t>(B.shape.back());
    if (static_cast<std::size_t>(B.shape[B.shape.size() - 2]) != K)
      fail("inner dimensions differ: " + shape_text(in(0).shape) + " and " + shape_text(in(1).shape));
    const Shape ba(A.shape.begin(), A.shape.end() - 2), bb(B.shape.begin(), B.shape.end() - 2);
    Shape batch;
    if (!broadcast_shape(ba, bb, batch)) fail("batch dimensions " + shape_text(ba) + " and " + shape_text(bb) + " do not broadcast");
    Shape full = batch;
    full.insert(full.end(), {static_cast<std::int64_t>(M), static_cast<std::int64_t>(N)});
    check_size(full);
    const auto mapa = broadcast_map(batch, ba), mapb = broadcast_map(batch, bb);
    Value r;
    r.elem_type = A.elem_type;
    r.e.resize(mapa.size() * M * N);
    std::vector<const Expr*> a(M * K), b(K * N);
    for (std::size_t t = 0; t < mapa.size(); ++t) {
      for (std::size_t i = 0; i < M * K; ++i) a[i] = &A.e[mapa[t] * M * K + i];
      for (std::size_t i = 0; i < K * N; ++i) b[i] = &B.e[mapb[t] * K * N + i];
      matmul2(a.data(), b.data(), M, K, N, r.e.data() + t * M * N, product_fail);
    }
    r.shape = batch;
    if (!a1) r.shape.push_back(static_cast<std::int64_t>(M));
    if (!b1) r.shape.push_back(static_cast<std::int64_t>(N));
    out(0, std::move(r));
  } else if (op == "Conv") {
    // The convolution for the fixed input shape is an affine map: each output element is
    // bias + the sum of weight * input over its receptive field (padding contributes 0).
    const Value& X = in(0);
    const Value& Wt = const_in(1, "the weight");
    if (X.shape.size() < 3 || Wt.shape.size() != X.shape.size())
      fail("expected input (N, C, spatial...) and weight (M, C/group, kernel...) of the same rank, found " + shape_text(X.shape) +
           " and " + shape_text(Wt.shape));
    const std::size_t r = X.shape.size() - 2;
    const std::int64_t N = X.shape[0], C = X.shape[1], Mo = Wt.shape[0], group = attr_int("group", 1);
    if (group < 1 || C % group != 0 || Mo % group != 0 || Wt.shape[1] != C / group)
      fail("channels do not match: input " + shape_text(X.shape) + ", weight " + shape_text(Wt.shape) + ", group " + std::to_string(group));
    auto per_axis = [&](const char* name, std::vector<std::int64_t> v, std::size_t n, std::int64_t fallback) {
      if (v.empty()) v.assign(n, fallback);
      if (v.size() != n) fail(std::string("attribute ") + name + " has the wrong length");
      return v;
    };
    const auto strides = per_axis("strides", attr_ints("strides"), r, 1);
    const auto dil = per_axis("dilations", attr_ints("dilations"), r, 1);
    std::vector<std::int64_t> kernel(Wt.shape.begin() + 2, Wt.shape.end());
    if (const auto ks = attr_ints("kernel_shape"); !ks.empty() && ks != kernel) fail("kernel_shape disagrees with the weight");
    auto pads = per_axis("pads", attr_ints("pads"), 2 * r, 0);
    const std::string auto_pad = attr_string("auto_pad", "NOTSET");
    std::vector<std::int64_t> outsz(r);
    for (std::size_t i = 0; i < r; ++i) {
      if (strides[i] < 1 || dil[i] < 1) fail("strides and dilations must be positive");
      if (pads[i] < 0 || pads[i + r] < 0 || pads[i] > kMaxElements || pads[i + r] > kMaxElements || kernel[i] < 1)
        fail("pads must be nonnegative and the kernel nonempty");
      const std::int64_t in_i = X.shape[2 + i], span = dil[i] * (kernel[i] - 1) + 1;
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        outsz[i] = (in_i + strides[i] - 1) / strides[i];
        const std::int64_t total = std::max<std::int64_t>(0, (outsz[i] - 1) * strides[i] + span - in_i);
        pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        pads[i + r] = total - pads[i];
      } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
        if (auto_pad == "VALID") pads[i] = pads[i + r] = 0;
        outsz[i] = (in_i + pads[i] + pads[i + r] - span) / strides[i] + 1;
      } else {
        fail("auto_pad " + auto_pad + " is not supported");
      }
      if (outsz[i] < 1) fail("the kernel is larger than the padded input");
    }
    const Value* bias = has_in(2) ? &const_in(2, "the bias") : nullptr;
    if (bias && bias->e.size() != static_cast<std::size_t>(Mo)) fail("the bias needs one value per output channel");
    Value y;
    y.elem_type = X.elem_type;
    y.shape = {N, Mo};
    y.shape.insert(y.shape.end(), outsz.begin(), outsz.end());
    check_size(y.shape);
    y.e.reserve(static_cast<std::size_t>(numel(y.shape)));
    const std::int64_t cg = C / group, mg = Mo / group, kn = numel(kernel), on = numel(outsz);
    std::vector<std::int64_t> o(r), k(r);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t m = 0; m < Mo; ++m)
        for (std::int64_t of = 0; of < on; ++of) {
          for (std::int64_t t = of, i = static_cast<std::int64_t>(r); i-- > 0;) o[i] = t % outsz[i], t /= outsz[i];
          Expr acc = bias ? bias->e[m] : constant(0);
          const std::int64_t g = m / mg;
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t kf = 0; kf < kn; ++kf) {
              for (std::int64_t t = kf, i = static_cast<std::int64_t>(r); i-- > 0;) k[i] = t % kernel[i], t /= kernel[i];
              std::int64_t xi = n * C + g * cg + c;  // flat index into X, built axis by axis
              bool inside = true;
              for (std::size_t i = 0; i < r && inside; ++i) {
                const std::int64_t p = o[i] * strides[i] - pads[i] + k[i] * dil[i];
                inside = p >= 0 && p < X.shape[2 + i];
                xi = xi * X.shape[2 + i] + p;
              }
              if (!inside) continue;
              const Expr& w = Wt.e[static_cast<std::size_t>((m * cg + c) * kn + kf)];
              add_scaled(acc, X.e[static_cast<std::size_t>(xi)], w.c);
            }
          y.e.push_back(std::move(acc));
        }
    out(0, std::move(y));
  } else {
    return false;
  }
  return true;
}

}  // namespace relucert::onnx_import
