#pragma once
// Bit-exact decoding of ONNX TensorProto constants (initializers, Constant nodes, attributes)
// into exact rationals. Private to the ONNX loader (core/onnx_*.cpp): it exposes the protobuf
// classes, which nothing outside core/ links against.
#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/rational.hpp"

namespace relucert::onnx_import {

// A constant tensor: row-major values, each the exact value of the stored number
// (a float32/float16/bfloat16/double is a dyadic rational; integers are integers).
struct ExactTensor {
  std::vector<std::int64_t> dims;
  std::vector<Rational> values;
  std::int32_t elem_type = 0;  // onnx::TensorProto::DataType
};

// Where messages point and where external data lives.
struct TensorContext {
  std::string source;    // the model's display name (first part of InputError)
  std::string location;  // e.g. `initializer "fc1.weight"`
  std::string base_dir;  // the model's folder, for external data ("" : refused)
};

// Throws InputError(ctx.source, ctx.location, ...) on non-finite values, unsupported element
// types (string, complex), sizes that disagree with dims, or unreadable external data.
ExactTensor decode_tensor(const onnx::TensorProto& t, const TensorContext& ctx);

// "FLOAT", "INT64", ... for messages.
std::string elem_type_name(std::int32_t t);

// Exact value of the float32 with these bits / the IEEE binary16 with these bits (throws
// std::domain_error for inf/NaN).
Rational float32_from_bits(std::uint32_t bits);
Rational float16_from_bits(std::uint16_t bits);

}  // namespace relucert::onnx_import
