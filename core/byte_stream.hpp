#pragma once
// Exact values as bytes, for answers that travel between processes (geometry/work_share.hpp,
// distributed/): unsigned varints, sign bytes and rationals as GMP magnitudes (mpz_export,
// big-endian), so a value read back is the same canonical mpq as the one written, bit for bit,
// on any machine. No text round trip: a decimal string of a 40-digit numerator costs about
// twice its bytes and a base conversion each way.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/linear.hpp"
#include "core/rational.hpp"

namespace relucert {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void u8(unsigned char v) { out_.push_back(static_cast<char>(v)); }
  void varint(std::uint64_t v);
  void u64(std::uint64_t v);  // fixed 8 bytes (headers that are patched or read at a known offset)
  void rational(const Rational& q);
  void vector(const Vector& v);  // its size, then its entries

 private:
  void magnitude(mpz_srcptr z);
  std::string& out_;
};

// Reads what ByteWriter wrote; throws std::runtime_error on truncated or malformed bytes (an
// internal error: the bytes come from another rank of the same program, never from a user).
class ByteReader {
 public:
  ByteReader(const char* begin, const char* end) : p_(begin), end_(end) {}
  explicit ByteReader(const std::string& s) : ByteReader(s.data(), s.data() + s.size()) {}
  unsigned char u8();
  std::uint64_t varint();
  std::uint64_t u64();
  Rational rational();
  Vector vector();
  bool at_end() const { return p_ == end_; }
  void expect_end() const;

 private:
  void magnitude(mpz_ptr z);
  const char* p_;
  const char* end_;
};

}  // namespace relucert
