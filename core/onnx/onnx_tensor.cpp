// Bit-exact tensor decoding. Every stored float is read from its bits (never parsed from text
// or converted through another width), so the rationals are exactly the model's weights.
#include "core/onnx/onnx_tensor.hpp"

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>

#include "core/input_error.hpp"

namespace relucert::onnx_import {
namespace {

using TP = onnx::TensorProto;

// Refuse absurd sizes before allocating for them (a relucert network is far smaller).
constexpr std::uint64_t kMaxTensorElements = 4'000'000;

[[noreturn]] void fail(const TensorContext& ctx, const std::string& what) { throw InputError(ctx.source, ctx.location, what); }

// Bytes per element in raw_data, 0 for types we do not read.
std::size_t raw_width(std::int32_t t) {
  switch (t) {
    case TP::FLOAT: case TP::INT32: case TP::UINT32: return 4;
    case TP::DOUBLE: case TP::INT64: case TP::UINT64: return 8;
    case TP::FLOAT16: case TP::BFLOAT16: case TP::INT16: case TP::UINT16: return 2;
    case TP::INT8: case TP::UINT8: case TP::BOOL: return 1;
    default: return 0;
  }
}

// Little-endian unsigned integer of `w` bytes (ONNX raw_data is little-endian on every host).
std::uint64_t le(const unsigned char* p, std::size_t w) {
  std::uint64_t v = 0;
  for (std::size_t i = w; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

Rational signed_value(std::uint64_t bits, std::size_t w) {
  if (w == 8) return Rational(Integer(std::to_string(static_cast<std::int64_t>(bits))));
  const std::uint64_t sign = std::uint64_t(1) << (8 * w - 1);
  const std::int64_t v = (bits & sign) ? static_cast<std::int64_t>(bits) - static_cast<std::int64_t>(sign << 1)
                                       : static_cast<std::int64_t>(bits);
  return Rational(static_cast<long>(v));
}

Rational unsigned_value(std::uint64_t bits) { return Rational(Integer(std::to_string(bits))); }

// The exact value of one element given its storage bits.
Rational from_bits(std::int32_t t, std::uint64_t bits) {
  switch (t) {
    case TP::FLOAT: return float32_from_bits(static_cast<std::uint32_t>(bits));
    case TP::DOUBLE: {
      const double d = std::bit_cast<double>(bits);
      if (!std::isfinite(d)) throw std::domain_error("non-finite value");
      return rational_from_double(d);
    }
    case TP::FLOAT16: return float16_from_bits(static_cast<std::uint16_t>(bits));
    case TP::BFLOAT16: return float32_from_bits(static_cast<std::uint32_t>(bits) << 16);  // the top half of a float32
    case TP::INT8: return signed_value(bits & 0xff, 1);
    case TP::INT16: return signed_value(bits & 0xffff, 2);
    case TP::INT32: return signed_value(bits & 0xffffffffu, 4);
    case TP::INT64: return signed_value(bits, 8);
    case TP::BOOL: return Rational(bits & 0xff ? 1 : 0);
    default: return unsigned_value(bits);  // UINT8/16/32/64
  }
}

// A relative path below the model's folder; absolute paths and ".." are refused so that a
// model cannot make the tool read arbitrary files.
std::string external_path(const TensorContext& ctx, const std::string& location) {
  if (ctx.base_dir.empty())
    fail(ctx, "the tensor's data is stored in an external file (\"" + location +
                  "\"), which is only read when the model is loaded from a file");
  const std::filesystem::path rel(location);
  if (location.empty() || rel.is_absolute()) fail(ctx, "external data location \"" + location + "\" must be a relative path");
  for (const auto& part : rel)
    if (part == "..") fail(ctx, "external data location \"" + location + "\" must not leave the model's folder");
  return (std::filesystem::path(ctx.base_dir) / rel).string();
}

std::string read_external(const onnx::TensorProto& t, const TensorContext& ctx, std::uint64_t expected_bytes) {
  std::string location;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  for (const auto& kv : t.external_data()) {
    auto number = [&](const std::string& v) {
      try {
        std::size_t used = 0;
        const unsigned long long n = std::stoull(v, &used);
        if (used != v.size()) throw std::invalid_argument("trailing text");
        return static_cast<std::uint64_t>(n);
      } catch (const std::exception&) {
        fail(ctx, "external data " + kv.key() + " \"" + v + "\" is not a non-negative integer");
      }
    };
    if (kv.key() == "location") location = kv.value();
    else if (kv.key() == "offset") offset = number(kv.value());
    else if (kv.key() == "length") length = number(kv.value());
  }
  const std::string path = external_path(ctx, location);
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(ctx, "cannot open the external data file " + path);
  f.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(f.tellg());
  const std::uint64_t n = length.value_or(expected_bytes);
  if (n != expected_bytes)
    fail(ctx, "external data length " + std::to_string(n) + " does not match the " + std::to_string(expected_bytes) +
                  " bytes the dims call for");
  if (offset > size || size - offset < n)
    fail(ctx, "external data file " + path + " has " + std::to_string(size) + " bytes, too few for offset " +
                  std::to_string(offset) + " and length " + std::to_string(n));
  std::string bytes(n, '\0');
  f.seekg(static_cast<std::streamoff>(offset));
  f.read(bytes.data(), static_cast<std::streamsize>(n));
  if (!f) fail(ctx, "cannot read the external data file " + path);
  return bytes;
}

}  // namespace

Rational float32_from_bits(std::uint32_t bits) {
  const float f = std::bit_cast<float>(bits);
  if (!std::isfinite(f)) throw std::domain_error("non-finite value");
  return rational_from_float(f);
}

Rational float16_from_bits(std::uint16_t bits) {
  const unsigned e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
  if (e == 0x1f) throw std::domain_error("non-finite value");
  // Subnormal: m * 2^-24; normal: (1024 + m) * 2^(e - 25).
  Rational v = e == 0 ? Rational(m) : Rational(1024 + m);
  const int shift = e == 0 ? 24 : 25 - static_cast<int>(e);
  if (shift >= 0) mpq_div_2exp(v.get_mpq_t(), v.get_mpq_t(), static_cast<mp_bitcnt_t>(shift));
  else mpq_mul_2exp(v.get_mpq_t(), v.get_mpq_t(), static_cast<mp_bitcnt_t>(-shift));
  return (bits & 0x8000) ? Rational(-v) : v;
}

std::string elem_type_name(std::int32_t t) {
  if (TP::DataType_IsValid(t)) return TP::DataType_Name(static_cast<TP::DataType>(t));
  return "type " + std::to_string(t);
}

ExactTensor decode_tensor(const onnx::TensorProto& t, const TensorContext& ctx) {
  ExactTensor r;
  r.elem_type = t.data_type();
  const std::size_t w = raw_width(r.elem_type);
  if (w == 0) fail(ctx, "element type " + elem_type_name(r.elem_type) + " is not a number type relucert reads");
  if (t.has_segment()) fail(ctx, "segmented tensors are not supported");
  std::uint64_t n = 1;
  for (auto d : t.dims()) {
    if (d < 0) fail(ctx, "negative dimension " + std::to_string(d));
    if (d > 0 && n > kMaxTensorElements / static_cast<std::uint64_t>(d))
      fail(ctx, "more than " + std::to_string(kMaxTensorElements) + " elements");
    n *= static_cast<std::uint64_t>(d);
    r.dims.push_back(d);
  }
  r.values.reserve(n);
  auto add = [&](std::uint64_t bits) {
    try {
      r.values.push_back(from_bits(r.elem_type, bits));
    } catch (const std::domain_error&) {
      fail(ctx, "element " + std::to_string(r.values.size()) + " is infinite or NaN");
    }
  };
  auto check_count = [&](std::uint64_t found, const char* field) {
    if (found != n)
      fail(ctx, std::string(field) + " holds " + std::to_string(found) + " elements, the dims call for " + std::to_string(n));
  };
  const bool external = t.data_location() == TP::EXTERNAL;
  if (external || t.has_raw_data()) {
    const std::string bytes = external ? read_external(t, ctx, n * w) : t.raw_data();
    if (bytes.size() != n * w)
      fail(ctx, "raw_data has " + std::to_string(bytes.size()) + " bytes, the dims call for " + std::to_string(n * w));
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    for (std::uint64_t i = 0; i < n; ++i) add(le(p + i * w, w));
    return r;
  }
  switch (r.elem_type) {
    case TP::FLOAT:
      check_count(static_cast<std::uint64_t>(t.float_data_size()), "float_data");
      for (float f : t.float_data()) add(std::bit_cast<std::uint32_t>(f));
      break;
    case TP::DOUBLE:
      check_count(static_cast<std::uint64_t>(t.double_data_size()), "double_data");
      for (double d : t.double_data()) add(std::bit_cast<std::uint64_t>(d));
      break;
    case TP::INT64:
      check_count(static_cast<std::uint64_t>(t.int64_data_size()), "int64_data");
      for (auto v : t.int64_data()) add(static_cast<std::uint64_t>(v));
      break;
    case TP::UINT32: case TP::UINT64:
      check_count(static_cast<std::uint64_t>(t.uint64_data_size()), "uint64_data");
      for (auto v : t.uint64_data()) add(v);
      break;
    default:  // FLOAT16, BFLOAT16 (their 16 bits), and the narrow integer types live in int32_data
      check_count(static_cast<std::uint64_t>(t.int32_data_size()), "int32_data");
      for (auto v : t.int32_data()) add(static_cast<std::uint32_t>(v));
      break;
  }
  return r;
}

}  // namespace relucert::onnx_import
