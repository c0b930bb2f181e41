// Elementwise operators: arithmetic with broadcasting, and the ReLU family. Every operator
// here is exact on rationals; the piecewise-linear ones are written as sums of ReLUs:
//   Max(a, b) = b + relu(a - b)         Min(a, b) = a - relu(a - b)
//   Clip(z, lo, hi) = lo + relu(z - lo) - relu(z - hi)   (lo <= hi; one side absent: one ReLU)
//   LeakyRelu / PRelu(z) = s z + (1 - s) relu(z)         Abs(z) = 2 relu(z) - z
#include <bit>
#include <functional>
#include <optional>

#include "core/onnx/onnx_lowering.hpp"

namespace relucert::onnx_import {
namespace {

bool is_integer_type(std::int32_t t) {
  using TP = onnx::TensorProto;
  return t == TP::INT8 || t == TP::INT16 || t == TP::INT32 || t == TP::INT64 || t == TP::UINT8 || t == TP::UINT16 ||
         t == TP::UINT32 || t == TP::UINT64 || t == TP::BOOL;
}

// Whether q is exactly a number of a binary floating-point format with `p` significand bits
// and exponents emin..emax (subnormals included).
bool representable(const Rational& q, int p, long emin, long emax) {
  if (sgn(q) == 0) return true;
  const Integer den = q.get_den();
  if (mpz_popcount(den.get_mpz_t()) != 1) return false;  // not dyadic
  Integer m = abs(q.get_num());
  long e = -static_cast<long>(mpz_sizeinbase(den.get_mpz_t(), 2) - 1);  // q = m 2^e
  const long tz = static_cast<long>(mpz_scan1(m.get_mpz_t(), 0));
  mpz_fdiv_q_2exp(m.get_mpz_t(), m.get_mpz_t(), static_cast<mp_bitcnt_t>(tz));
  e += tz;
  const long bits = static_cast<long>(mpz_sizeinbase(m.get_mpz_t(), 2));
  return bits <= p && e >= emin - p + 1 && e + bits - 1 <= emax;
}

}  // namespace

bool Lowering::pointwise_op(const std::string& op) {
  using TP = onnx::TensorProto;
  // Applies f elementwise to two broadcast inputs.
  auto binary = [&](const Value& a, const Value& b, const std::function<Expr(const Expr&, const Expr&)>& f) {
    Value r;
    if (!broadcast_shape(a.shape, b.shape, r.shape))
      fail("input shapes " + shape_text(a.shape) + " and " + shape_text(b.shape) + " do not broadcast");
    check_size(r.shape);
    const auto ma = broadcast_map(r.shape, a.shape), mb = broadcast_map(r.shape, b.shape);
    r.elem_type = a.elem_type;
    r.e.reserve(ma.size());
    for (std::size_t i = 0; i < ma.size(); ++i) r.e.push_back(f(a.e[ma[i]], b.e[mb[i]]));
    return r;
  };
  auto unary = [&](const Value& a, const std::function<Expr(const Expr&)>& f) {
    Value r{a.shape, {}, a.elem_type};
    r.e.reserve(a.e.size());
    for (const Expr& x : a.e) r.e.push_back(f(x));
    return r;
  };
  auto max2 = [&](const Expr& a, const Expr& b) { return combine(b, 1, relu(combine(a, 1, b, -1)), 1); };
  auto min2 = [&](const Expr& a, const Expr& b) { return combine(a, 1, relu(combine(a, 1, b, -1)), -1); };
  // s z + (1 - s) relu(z), for a constant slope s.
  auto leaky = [&](const Expr& z, const Expr& s) {
    if (!s.is_const()) fail("the slope must be a constant");
    return combine(z, s.c, relu(z), 1 - s.c);
  };

  if (op == "Identity") {
    out(0, in(0));
  } else if (op == "Dropout") {
    // Inference mode is the identity. Training mode (random masks) is refused.
    if (attr("is_test") && attr_int("is_test", 1) == 0) fail("Dropout in training mode (is_test = 0) is random, not a function");
    if (has_in(2)) {
      const Value& t = in(2);
      if (!t.is_const() || t.e.size() != 1) fail("training_mode must be a constant scalar");
      if (sgn(t.e[0].c) != 0) fail("Dropout in training mode (training_mode = true) is random, not a function; export the model in eval mode");
    }
    out(0, in(0));
    if (node_->output_size() > 1) {  // the mask: all true in inference mode
      Value mask{in(0).shape, std::vector<Expr>(in(0).e.size(), constant(1)), TP::BOOL};
      out(1, std::move(mask));
    }
  } else if (op == "Cast") {
    const auto to = static_cast<std::int32_t>(attr_int("to", 0));
    Value r = in(0);
    const bool to_float = to == TP::FLOAT || to == TP::DOUBLE || to == TP::FLOAT16 || to == TP::BFLOAT16;
    if (!to_float && !is_integer_type(to)) fail("Cast to " + elem_type_name(to) + " is not supported");
    if (!r.is_const()) {
      // The analysed function is the exact real function of the graph: a cast between float
      // types of a value computed from the input changes nothing in exact arithmetic.
      if (!to_float) fail("Cast of a value that depends on the input to " + elem_type_name(to) + " is not piecewise linear");
    } else {
      // A constant is cast exactly when the target type holds it; rounding a weight would be a
      // silent change of the function, so it is refused.
      for (std::size_t i = 0; i < r.e.size(); ++i) {
        const Rational& q = r.e[i].c;
        bool ok = true;
        if (to == TP::FLOAT) ok = representable(q, 24, -126, 127);
        else if (to == TP::DOUBLE) ok = representable(q, 53, -1022, 1023);
        else if (to == TP::FLOAT16) ok = representable(q, 11, -14, 15);
        else if (to == TP::BFLOAT16) ok = representable(q, 8, -126, 127);
        else if (to == TP::BOOL) r.e[i].c = sgn(q) != 0 ? 1 : 0;
        else ok = q.get_den() == 1;
        if (!ok)
          fail("Cast to " + elem_type_name(to) + " would round the constant " + to_string(q) + " (element " + std::to_string(i) +
               "); relucert refuses to change a weight silently");
      }
    }
    r.elem_type = to;
    out(0, std::move(r));
  } else if (op == "Relu") {
    out(0, unary(in(0), [&](const Expr& z) { return relu(z); }));
  } else if (op == "LeakyRelu") {
    // The default alpha is the float32 nearest 0.01, as every runtime uses.
    const Expr slope = constant(attr_float("alpha", float32_from_bits(std::bit_cast<std::uint32_t>(0.01f))));
    out(0, unary(in(0), [&](const Expr& z) { return leaky(z, slope); }));
  } else if (op == "PRelu") {
    out(0, binary(in(0), in(1), leaky));
  } else if (op == "Abs") {
    out(0, unary(in(0), [&](const Expr& z) { return combine(relu(z), 2, z, -1); }));
  } else if (op == "Neg") {
    out(0, unary(in(0), [&](const Expr& z) { return combine(z, -1, z, 0); }));
  } else if (op == "Clip") {
    // Bounds: inputs 1 and 2 (opset >= 11) or attributes min / max (opset < 11).
    std::optional<Rational> lo, hi;
    auto bound = [&](int i, const char* name, std::optional<Rational>& b) {
      if (has_in(i)) {
        const Value& v = const_in(i, name);
        if (v.e.size() != 1) fail(std::string(name) + " must be a scalar");
        b = v.e[0].c;
      } else if (attr(name)) {
        b = attr_float(name, 0);
      }
    };
    bound(1, "min", lo);
    bound(2, "max", hi);
    out(0, unary(in(0), [&](const Expr& z) {
      if (lo && hi && *lo <= *hi) return combine(combine(constant(*lo), 1, relu(combine(z, 1, constant(*lo), -1)), 1),
                                                 1, relu(combine(z, 1, constant(*hi), -1)), -1);
      Expr r = z;
      if (lo) r = max2(r, constant(*lo));
      if (hi) r = min2(r, constant(*hi));
      return r;
    }));
  } else if (op == "Max" || op == "Min") {
    if (node_->input_size() < 1) fail("needs at least one input");
    Value r = in(0);
    for (int i = 1; i < node_->input_size(); ++i) r = binary(r, in(i), op == "Max" ? std::function<Expr(const Expr&, const Expr&)>(max2) : min2);
    out(0, std::move(r));
  } else if (op == "Add" || op == "Sub") {
    const Rational s = op == "Add" ? 1 : -1;
    out(0, binary(in(0), in(1), [&](const Expr& a, const Expr& b) { return combine(a, 1, b, s); }));
  } else if (op == "Mul") {
    out(0, binary(in(0), in(1), [&](const Expr& a, const Expr& b) {
      if (!a.is_const() && !b.is_const()) fail("the product of two values that depend on the input is not piecewise linear");
      return a.is_const() ? combine(b, a.c, b, 0) : combine(a, b.c, a, 0);
    }));
  } else if (op == "Div") {
    const bool integer = is_integer_type(in(0).elem_type);
    out(0, binary(in(0), in(1), [&](const Expr& a, const Expr& b) {
      if (!b.is_const()) fail("division by a value that depends on the input is not piecewise linear");
      if (sgn(b.c) == 0) fail("division by zero");
      if (integer) {  // integer Div truncates (shape arithmetic)
        if (!a.is_const()) fail("integer division of a value that depends on the input");
        const Rational q = a.c / b.c;
        Integer qz;
        mpz_tdiv_q(qz.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
        return constant(Rational(qz));
      }
      return combine(a, 1 / b.c, a, 0);
    }));
  } else {
    return false;
  }
  return true;
}

}  // namespace relucert::onnx_import
