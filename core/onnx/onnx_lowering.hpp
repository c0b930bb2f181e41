#pragma once
// Lowering of an ONNX graph to the network model (core/network.hpp), exactly.
//
// Every tensor is kept as an exact affine function of (input x, outputs of the ReLU neurons
// created so far) — core/onnx/onnx_affine.hpp. Linear operators (Gemm, MatMul, Conv, Add, Sub, Mul
// and Div by constants, reshapes, ...) compose these functions; Relu (and the operators that
// are sums of ReLUs: Clip, Max, Min, LeakyRelu, PRelu, Abs) creates neurons. At the end the
// neurons are grouped into layers by depth (1 + the deepest neuron their pre-activation reads),
// and each layer's pre-activation becomes W (previous layer) + U x + sum of skips + b.
// Private to the ONNX loader.
#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/network.hpp"
#include "core/onnx/onnx_affine.hpp"
#include "core/onnx/onnx_tensor.hpp"

namespace relucert::onnx_import {

class Lowering {
 public:
  Lowering(std::string source, std::string base_dir) : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  // Lowers the model's graph; the output is the flattened graph output (several outputs when
  // it has several elements). Throws InputError on anything unsupported.
  Network lower(const onnx::ModelProto& model);
  // Name of the graph output, for messages.
  const std::string& output_name() const { return output_name_; }

  // ---- used by the operator files (onnx_*_ops.cpp) ----
  [[noreturn]] void fail(const std::string& what) const;  // names the current node
  const Value& in(int i) const;                            // input i of the current node
  bool has_in(int i) const;                                // present and non-empty
  const Value& const_in(int i, const char* role) const;    // input i, required constant
  std::vector<std::int64_t> ints_in(int i, const char* role) const;  // constant integer input
  void out(int i, Value v);                                // defines output i
  void check_size(const Shape& s) const;                   // refuses tensors above kMaxElements
  const onnx::AttributeProto* attr(const char* name) const;
  std::int64_t attr_int(const char* name, std::int64_t fallback) const;
  std::vector<std::int64_t> attr_ints(const char* name) const;
  Rational attr_float(const char* name, const Rational& fallback) const;  // float32, exact
  std::string attr_string(const char* name, const std::string& fallback) const;
  std::int64_t axis(std::int64_t a, std::size_t rank) const;  // normalises a negative axis
  Value decode(const onnx::TensorProto& t, const std::string& location) const;
  Expr relu(const Expr& z);  // exact relu; creates a neuron unless z is constant or already >= 0

 private:
  void run_node(const onnx::NodeProto& node);
  bool linear_op(const std::string& op);     // onnx_linear_ops.cpp
  bool shape_op(const std::string& op);      // onnx_shape_ops.cpp
  bool pointwise_op(const std::string& op);  // onnx_pointwise_ops.cpp
  void refuse_known(const std::string& op) const;
  Value input_value(const onnx::ValueInfoProto& vi);
  Network assemble(const Value& output) const;

  struct Neuron {
    Expr pre;
    std::size_t depth = 1;
  };
  std::size_t depth_of(const Expr& e) const;

  std::string source_, base_dir_, output_name_;
  std::size_t d_ = 0;  // input dimension: variables 0..d-1 are the inputs
  std::vector<Neuron> neurons_;  // variable d + i is neuron i
  std::map<std::string, Value> values_;
  const onnx::NodeProto* node_ = nullptr;
  std::size_t node_index_ = 0;
};

}  // namespace relucert::onnx_import
