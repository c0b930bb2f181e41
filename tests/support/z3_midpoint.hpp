#pragma once
// Independent global convexity check (THEORY.md §1, "Independent global check") through z3's
// exact linear real arithmetic. It shares nothing with the engine but the Network data and
// the rational text form: is there x, y in the domain with f(x) + f(y) < 2 f((x+y)/2)?
//   unsat   -> f is midpoint convex on the domain, hence convex (f is continuous);
//   sat     -> the model's x, y, read back as exact rationals, are a candidate witness (the
//              caller re-verifies it with an exact forward pass);
//   unknown -> timeout or z3 gave up; reported as such, never guessed.
// Each ReLU gets fresh real constants per evaluation point (pre-activation t and output r), so
// the formula stays linear in the network size. Two equivalent encodings of r = relu(t):
//   Encoding::Ite          r = ite(t > 0, t, 0)
//   Encoding::Disjunction  r >= 0, r >= t, (r <= 0 or r <= t)        (the default: z3 4.8 is
//                          several times faster on it for unsat queries)
// Both add one redundant, valid lemma that helps z3 a lot: a first-layer neuron's
// pre-activation is affine in the input, and relu is convex, so at the midpoint
// relu(t(m)) <= (relu(t(x)) + relu(t(y))) / 2. It is implied by the other constraints, so it
// does not change satisfiability (set first_layer_lemma = false to drop it).
#include <z3++.h>

#include <optional>
#include <string>
#include <vector>

#include "core/domain.hpp"
#include "core/network.hpp"
#include "core/rational.hpp"

namespace relucert::testing {

enum class Z3Answer { Convex, NotConvex, Unknown };

inline const char* z3_answer_name(Z3Answer a) {
  return a == Z3Answer::Convex ? "convex" : (a == Z3Answer::NotConvex ? "not_convex" : "unknown");
}

enum class Z3Encoding { Ite, Disjunction };

struct Z3MidpointOptions {
  unsigned timeout_ms = 4000;
  Z3Encoding encoding = Z3Encoding::Disjunction;
  bool first_layer_lemma = true;
};

struct Z3MidpointResult {
  Z3Answer answer = Z3Answer::Unknown;
  Vector x, y;          // only for NotConvex: the model's points, exact
  std::string reason;   // for Unknown: z3's reason_unknown() or the exception text
};

namespace z3_detail {

inline z3::expr numeral(z3::context& ctx, const Rational& q) {
  // to_string gives "p" or "p/q"; Z3_mk_numeral reads both exactly for the real sort.
  return ctx.real_val(to_string(q).c_str());
}

// Symbolic forward pass at the point `in`; fresh constants per ReLU (tag distinguishes copies).
// The first layer's ReLU outputs are appended to *first_layer.
inline z3::expr forward(z3::context& ctx, z3::solver& s, const Network& net, const std::vector<z3::expr>& in,
                        const std::string& tag, Z3Encoding enc, std::vector<z3::expr>* first_layer) {
  std::vector<z3::expr> a = in;
  std::vector<std::vector<z3::expr>> outputs;  // every layer's output, for skip terms M h_from
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    const Layer& L = net.layers()[l];
    std::vector<z3::expr> next;
    for (std::size_t k = 0; k < L.width(); ++k) {
      z3::expr z = numeral(ctx, L.b[k]);
      for (std::size_t j = 0; j < a.size(); ++j)
        if (sgn(L.W[k][j]) != 0) z = z + numeral(ctx, L.W[k][j]) * a[j];
      if (L.has_skip())
        for (std::size_t j = 0; j < in.size(); ++j)
          if (sgn(L.U[k][j]) != 0) z = z + numeral(ctx, L.U[k][j]) * in[j];
      for (const LayerSkip& sk : L.skips)
        for (std::size_t j = 0; j < sk.M[k].size(); ++j)
          if (sgn(sk.M[k][j]) != 0) z = z + numeral(ctx, sk.M[k][j]) * outputs[sk.from - 1][j];
      if (L.relu) {
        const std::string name = tag + "_" + std::to_string(l + 1) + "_" + std::to_string(k + 1);
        z3::expr t = ctx.real_const(("t" + name).c_str());
        z3::expr r = ctx.real_const(("r" + name).c_str());
        const z3::expr zero = ctx.real_val(0);
        s.add(t == z);
        if (enc == Z3Encoding::Ite)
          s.add(r == z3::ite(t > zero, t, zero));
        else
          s.add(r >= zero && r >= t && (r <= zero || r <= t));
        if (l == 0) first_layer->push_back(r);
        next.push_back(r);
      } else {
        next.push_back(z);
      }
    }
    outputs.push_back(next);
    a = std::move(next);
  }
  return a.at(0);
}

inline std::optional<Rational> model_value(const z3::model& m, const z3::expr& v) {
  z3::expr e = m.eval(v, /*model_completion=*/true);
  std::string text;
  if (!e.is_numeral(text)) return std::nullopt;  // e.g. an algebraic number: cannot happen in LRA
  return parse_rational(text);
}

}  // namespace z3_detail

inline Z3MidpointResult z3_midpoint_check(const Network& net, const Domain& domain, const Z3MidpointOptions& opt = {}) {
  Z3MidpointResult out;
  try {
    z3::context ctx;
    z3::solver s(ctx);
    z3::params p(ctx);
    p.set("timeout", opt.timeout_ms);
    s.set(p);
    const std::size_t d = net.input_dim();
    std::vector<z3::expr> x, y, m;
    for (std::size_t i = 0; i < d; ++i) {
      x.push_back(ctx.real_const(("x" + std::to_string(i + 1)).c_str()));
      y.push_back(ctx.real_const(("y" + std::to_string(i + 1)).c_str()));
      m.push_back(ctx.real_const(("m" + std::to_string(i + 1)).c_str()));
      s.add(2 * m[i] == x[i] + y[i]);
      if (domain.is_box) {
        const z3::expr lo = z3_detail::numeral(ctx, domain.lo[i]), hi = z3_detail::numeral(ctx, domain.hi[i]);
        s.add(lo <= x[i] && x[i] <= hi && lo <= y[i] && y[i] <= hi);
      }
    }
    std::vector<z3::expr> rx, ry, rm;
    const z3::expr fx = z3_detail::forward(ctx, s, net, x, "x", opt.encoding, &rx);
    const z3::expr fy = z3_detail::forward(ctx, s, net, y, "y", opt.encoding, &ry);
    const z3::expr fm = z3_detail::forward(ctx, s, net, m, "m", opt.encoding, &rm);
    if (opt.first_layer_lemma)
      for (std::size_t k = 0; k < rm.size(); ++k) s.add(2 * rm[k] <= rx[k] + ry[k]);
    s.add(fx + fy < 2 * fm);
    switch (s.check()) {
      case z3::unsat:
        out.answer = Z3Answer::Convex;
        return out;
      case z3::sat: {
        const z3::model model = s.get_model();
        for (std::size_t i = 0; i < d; ++i) {
          auto xi = z3_detail::model_value(model, x[i]);
          auto yi = z3_detail::model_value(model, y[i]);
          if (!xi || !yi) {
            out.answer = Z3Answer::Unknown;
            out.reason = "model value is not a rational numeral";
            return out;
          }
          out.x.push_back(*xi);
          out.y.push_back(*yi);
        }
        out.answer = Z3Answer::NotConvex;
        return out;
      }
      case z3::unknown:
        out.answer = Z3Answer::Unknown;
        out.reason = s.reason_unknown();
        return out;
    }
  } catch (const z3::exception& e) {
    out.answer = Z3Answer::Unknown;
    out.reason = std::string("z3 exception: ") + e.msg();
  }
  return out;
}

}  // namespace relucert::testing
