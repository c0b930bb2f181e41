// The graph walk, the ReLU neurons and the final grouping into layers (see onnx_lowering.hpp).
#include "core/onnx/onnx_lowering.hpp"

#include <algorithm>
#include <bit>
#include <set>

#include "core/input_error.hpp"

namespace relucert::onnx_import {
namespace {

// Refuse absurd sizes before building them (relucert analyses far smaller networks).
constexpr std::int64_t kMaxInputs = 100000;
constexpr std::size_t kMaxNeurons = 1000000;
// Each exact entry of a dense weight matrix costs about 50 bytes (a GMP rational, zeros included)
// and the network holds a few copies: 4M entries is about 0.7 GB. (The ONNX fuzzer found a
// 96-byte model whose elementwise Relu on a 63 x 36 input became a 2268 x 2268 identity: 0.9 GB
// under the earlier limit of 20M.)
constexpr std::size_t kMaxDenseEntries = 4'000'000;

bool is_float_type(std::int32_t t) {
  using TP = onnx::TensorProto;
  return t == TP::FLOAT || t == TP::DOUBLE || t == TP::FLOAT16 || t == TP::BFLOAT16;
}

std::string node_label(const onnx::NodeProto& n, std::size_t index) {
  const std::string op = n.op_type().empty() ? "?" : n.op_type();
  if (!n.name().empty()) return "node \"" + n.name() + "\" (" + op + ")";
  return "node #" + std::to_string(index) + " (" + op + (n.output_size() ? ", output \"" + n.output(0) + "\"" : "") + ")";
}

}  // namespace

void Lowering::fail(const std::string& what) const {
  throw InputError(source_, node_ ? node_label(*node_, node_index_) : "graph", what);
}

bool Lowering::has_in(int i) const { return i < node_->input_size() && !node_->input(i).empty(); }

const Value& Lowering::in(int i) const {
  if (!has_in(i)) fail("missing input " + std::to_string(i));
  auto it = values_.find(node_->input(i));
  if (it == values_.end())
    fail("input \"" + node_->input(i) + "\" is not produced by an earlier node (nor a graph input or initializer)");
  return it->second;
}

const Value& Lowering::const_in(int i, const char* role) const {
  const Value& v = in(i);
  if (!v.is_const()) fail(std::string(role) + " (input \"" + node_->input(i) + "\") must be a constant, but it depends on the network input");
  return v;
}

std::vector<std::int64_t> Lowering::ints_in(int i, const char* role) const {
  const Value& v = const_in(i, role);
  std::vector<std::int64_t> r;
  for (const Expr& x : v.e) {
    if (x.c.get_den() != 1 || !x.c.get_num().fits_slong_p()) fail(std::string(role) + " must hold integers");
    r.push_back(x.c.get_num().get_si());
  }
  return r;
}

void Lowering::check_size(const Shape& s) const {
  for (auto d : s)
    if (d < 0) fail("negative dimension in shape " + shape_text(s));
  if (numel(s) > kMaxElements) fail("a tensor of shape " + shape_text(s) + " has more than " + std::to_string(kMaxElements) + " elements");
}

void Lowering::out(int i, Value v) {
  if (i >= node_->output_size() || node_->output(i).empty()) return;  // output not requested
  if (static_cast<std::int64_t>(v.e.size()) != numel(v.shape)) fail("internal: shape and element count disagree");
  values_[node_->output(i)] = std::move(v);
}

const onnx::AttributeProto* Lowering::attr(const char* name) const {
  for (const auto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t Lowering::attr_int(const char* name, std::int64_t fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail(std::string("attribute ") + name + " must be an integer");
  return a->i();
}

std::vector<std::int64_t> Lowering::attr_ints(const char* name) const {
  const auto* a = attr(name);
  if (!a) return {};
  if (a->type() != onnx::AttributeProto::INTS) fail(std::string("attribute ") + name + " must be a list of integers");
  return {a->ints().begin(), a->ints().end()};
}

Rational Lowering::attr_float(const char* name, const Rational& fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT) fail(std::string("attribute ") + name + " must be a float");
  // Attributes are float32: their exact value is the number used (never a decimal reading).
  try {
    return float32_from_bits(std::bit_cast<std::uint32_t>(a->f()));
  } catch (const std::domain_error&) {
    fail(std::string("attribute ") + name + " is infinite or NaN");
  }
}

std::string Lowering::attr_string(const char* name, const std::string& fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) fail(std::string("attribute ") + name + " must be a string");
  return a->s();
}

std::int64_t Lowering::axis(std::int64_t a, std::size_t rank) const {
  const auto r = static_cast<std::int64_t>(rank);
  if (a < -r || a >= r) fail("axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
  return a < 0 ? a + r : a;
}

Value Lowering::decode(const onnx::TensorProto& t, const std::string& location) const {
  ExactTensor x = decode_tensor(t, TensorContext{source_, location, base_dir_});
  Value v;
  v.shape = x.dims;
  v.elem_type = x.elem_type;
  v.e.reserve(x.values.size());
  for (auto& q : x.values) v.e.push_back(constant(q));
  return v;
}

std::size_t Lowering::depth_of(const Expr& e) const {
  std::size_t depth = 0;
  for (const auto& [v, q] : e.coef)
    if (v >= d_) depth = std::max(depth, neurons_[v - d_].depth);
  return depth;
}

Expr Lowering::relu(const Expr& z) {
  if (z.is_const()) return constant(sgn(z.c) > 0 ? z.c : Rational(0));
  // relu(q * relu(y)) = q * relu(y) for q > 0: no new neuron (e.g. Relu after Clip(min 0)).
  if (sgn(z.c) == 0 && z.coef.size() == 1 && z.coef.begin()->first >= d_ && sgn(z.coef.begin()->second) > 0) return z;
  if (neurons_.size() >= kMaxNeurons) fail("more than " + std::to_string(kMaxNeurons) + " ReLU neurons");
  neurons_.push_back(Neuron{z, depth_of(z) + 1});
  Expr r;
  r.coef.emplace(d_ + neurons_.size() - 1, Rational(1));
  return r;
}

Value Lowering::input_value(const onnx::ValueInfoProto& vi) {
  const std::string where = "graph input \"" + vi.name() + "\"";
  if (!vi.type().has_tensor_type()) throw InputError(source_, where, "must be a tensor");
  const auto& tt = vi.type().tensor_type();
  if (!is_float_type(tt.elem_type()))
    throw InputError(source_, where, "element type " + elem_type_name(tt.elem_type()) + " is not a floating-point type");
  if (!tt.has_shape()) throw InputError(source_, where, "has no shape; relucert needs the input shape");
  Value v;
  v.elem_type = tt.elem_type();
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto& dim = tt.shape().dim(i);
    if (dim.has_dim_value() && dim.dim_value() > 0) v.shape.push_back(dim.dim_value());
    else if (i == 0) v.shape.push_back(1);  // a symbolic or unknown leading (batch) dimension: one sample
    else
      throw InputError(source_, where,
                       "dimension " + std::to_string(i) + " is " + (dim.has_dim_param() ? "symbolic (\"" + dim.dim_param() + "\")" : "unknown") +
                           "; only the leading (batch) dimension may be");
    if (numel(v.shape) > kMaxInputs) throw InputError(source_, where, "more than " + std::to_string(kMaxInputs) + " input values");
  }
  d_ = static_cast<std::size_t>(numel(v.shape));
  for (std::size_t i = 0; i < d_; ++i) {
    Expr x;
    x.coef.emplace(i, Rational(1));
    v.e.push_back(std::move(x));
  }
  return v;
}

Network Lowering::lower(const onnx::ModelProto& model) {
  if (!model.has_graph()) throw InputError(source_, "model", "has no graph");
  for (const auto& op : model.opset_import())
    if (!op.domain().empty() && op.domain() != "ai.onnx")
      throw InputError(source_, "opset_import", "operator set domain \"" + op.domain() + "\" is not supported (only the standard ONNX operators)");
  const auto& g = model.graph();
  std::set<std::string> init_names;
  for (const auto& t : g.initializer()) {
    init_names.insert(t.name());
    values_[t.name()] = decode(t, "initializer \"" + t.name() + "\"");
  }
  if (g.sparse_initializer_size() > 0) throw InputError(source_, "graph", "sparse initializers are not supported");
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& vi : g.input())
    if (!init_names.count(vi.name())) inputs.push_back(&vi);
  if (inputs.size() != 1) {
    std::string names;
    for (const auto* vi : inputs) names += (names.empty() ? "\"" : ", \"") + vi->name() + "\"";
    throw InputError(source_, "graph inputs",
                     "relucert analyses a function of one input tensor; this graph has " + std::to_string(inputs.size()) +
                         (inputs.empty() ? "" : " (" + names + ")"));
  }
  values_[inputs[0]->name()] = input_value(*inputs[0]);
  if (g.output_size() != 1) throw InputError(source_, "graph outputs", "expected exactly one graph output, found " + std::to_string(g.output_size()));
  output_name_ = g.output(0).name();

  for (int i = 0; i < g.node_size(); ++i) {
    node_ = &g.node(i);
    node_index_ = static_cast<std::size_t>(i);
    run_node(*node_);
  }
  node_ = nullptr;
  const auto it = values_.find(output_name_);
  if (it == values_.end()) throw InputError(source_, "graph output \"" + output_name_ + "\"", "is not produced by any node");
  if (it->second.e.empty()) throw InputError(source_, "graph output \"" + output_name_ + "\"", "has no elements");
  return assemble(it->second);
}

void Lowering::run_node(const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    fail("operator domain \"" + node.domain() + "\" is not supported (only the standard ONNX operators)");
  for (const auto& a : node.attribute())
    if (a.type() == onnx::AttributeProto::GRAPH || a.type() == onnx::AttributeProto::GRAPHS)
      fail("control flow (subgraph attribute \"" + a.name() + "\") is not supported");
  const std::string& op = node.op_type();
  if (pointwise_op(op) || linear_op(op) || shape_op(op)) return;
  refuse_known(op);
  fail("operator " + op + " is not supported (see docs/onnx.md for the supported operators)");
}

void Lowering::refuse_known(const std::string& op) const {
  static const std::set<std::string> smooth = {"Sigmoid", "Softplus", "Tanh", "Exp", "Log", "Softmax", "LogSoftmax",
                                               "Elu", "Selu", "Celu", "Gelu", "Erf", "HardSigmoid", "HardSwish",
                                               "Softsign", "Sqrt", "Pow", "Reciprocal", "Sin", "Cos", "Mish"};
  if (smooth.count(op))
    fail(op + " is not piecewise linear: relucert decides convexity of ReLU networks (piecewise linear functions) only");
  if (op == "BatchNormalization")
    fail("BatchNormalization divides by sqrt(var + eps), which is not an exact rational; fold it into the preceding "
         "layer before export (torch.onnx.export in eval mode folds Conv+BatchNorm) and so accept that rounding explicitly");
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool")
    fail(op + " is not supported yet (see docs/onnx.md)");
}

Network Lowering::assemble(const Value& output) const {
  // Layer l (1-based) holds the neurons of depth l, in creation order.
  std::size_t D = 0;
  for (const auto& n : neurons_) D = std::max(D, n.depth);
  std::vector<std::vector<std::size_t>> members(D + 1);
  std::vector<std::size_t> index_in_layer(neurons_.size());
  for (std::size_t i = 0; i < neurons_.size(); ++i) {
    index_in_layer[i] = members[neurons_[i].depth].size();
    members[neurons_[i].depth].push_back(i);
  }
  std::vector<Layer> layers;
  auto build = [&](const std::vector<const Expr*>& rows, std::size_t l, bool relu) {
    Layer L;
    L.relu = relu;
    const std::size_t prev_width = l == 1 ? d_ : members[l - 1].size();
    if (rows.size() * prev_width > kMaxDenseEntries)
      throw InputError(source_, "graph", "layer " + std::to_string(l) + " would have a " + std::to_string(rows.size()) + " x " +
                                             std::to_string(prev_width) + " weight matrix, too large to analyse");
    L.W = zeros(rows.size(), prev_width);
    std::map<std::size_t, std::size_t> skip_slot;  // source layer -> index in L.skips
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const Expr& z = *rows[k];
      L.b.push_back(z.c);
      for (const auto& [v, q] : z.coef) {
        if (v < d_) {
          if (l == 1) {
            L.W[k][v] = q;
          } else {
            if (L.U.empty()) L.U = zeros(rows.size(), d_);
            L.U[k][v] = q;
          }
          continue;
        }
        const std::size_t n = v - d_, from = neurons_[n].depth;
        if (from == l - 1) {
          L.W[k][index_in_layer[n]] = q;
          continue;
        }
        auto [it, fresh] = skip_slot.try_emplace(from, L.skips.size());
        if (fresh) L.skips.push_back(LayerSkip{from, zeros(rows.size(), members[from].size())});
        L.skips[it->second].M[k][index_in_layer[n]] = q;
      }
    }
    std::sort(L.skips.begin(), L.skips.end(), [](const LayerSkip& a, const LayerSkip& b) { return a.from < b.from; });
    layers.push_back(std::move(L));
  };
  for (std::size_t l = 1; l <= D; ++l) {
    std::vector<const Expr*> rows;
    for (std::size_t n : members[l]) rows.push_back(&neurons_[n].pre);
    build(rows, l, true);
  }
  std::vector<const Expr*> rows;
  for (const Expr& e : output.e) rows.push_back(&e);
  build(rows, D + 1, false);
  return Network(d_, std::move(layers));
}

}  // namespace relucert::onnx_import
