#include "core/byte_stream.hpp"

#include <stdexcept>

namespace relucert {

void ByteWriter::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void ByteWriter::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void ByteWriter::magnitude(mpz_srcptr z) {
  const std::size_t n = mpz_sgn(z) == 0 ? 0 : (mpz_sizeinbase(z, 2) + 7) / 8;
  varint(n);
  const std::size_t at = out_.size();
  out_.resize(at + n);
  // The magnitude's bytes, most significant first, read off the limbs with shifts (the bytes
  // mpz_export(.., 1, 1, 1, 0, ..) writes; it goes byte by byte through a general loop, which
  // cost a few thousand instructions per number in the streamed check's piece keys).
  constexpr std::size_t kLimbBytes = sizeof(mp_limb_t);
  const mp_limb_t* limbs = z->_mp_d;
  char* p = out_.data() + at + n;  // one past the least significant byte
  for (std::size_t i = 0; i < n; ++i) {
    const mp_limb_t limb = limbs[i / kLimbBytes];
    *--p = static_cast<char>((limb >> (8 * (i % kLimbBytes))) & 0xff);
  }
}

// Header varint: 2 * (numerator is negative) + (denominator is 1), then |numerator| and, unless
// it is 1, the denominator. Most coordinates of the builder's points are dyadic or integral.
void ByteWriter::rational(const Rational& q) {
  const bool neg = sgn(q) < 0, unit_den = q.get_den() == 1;
  u8(static_cast<unsigned char>((neg ? 2 : 0) | (unit_den ? 1 : 0)));
  magnitude(q.get_num_mpz_t());
  if (!unit_den) magnitude(q.get_den_mpz_t());
}

void ByteWriter::vector(const Vector& v) {
  varint(v.size());
  for (const Rational& x : v) rational(x);
}

unsigned char ByteReader::u8() {
  if (p_ == end_) throw std::runtime_error("ByteReader: truncated answer bytes");
  return static_cast<unsigned char>(*p_++);
}

std::uint64_t ByteReader::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const unsigned char b = u8();
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("ByteReader: malformed varint");
}

std::uint64_t ByteReader::u64() {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(u8()) << (8 * i);
  return v;
}

void ByteReader::magnitude(mpz_ptr z) {
  const std::uint64_t n = varint();
  if (n > static_cast<std::uint64_t>(end_ - p_)) throw std::runtime_error("ByteReader: truncated number");
  if (n) mpz_import(z, n, 1, 1, 1, 0, p_);
  else mpz_set_ui(z, 0);
  p_ += n;
}

Rational ByteReader::rational() {
  const unsigned char h = u8();
  if (h > 3) throw std::runtime_error("ByteReader: malformed rational header");
  Rational q;
  magnitude(q.get_num_mpz_t());
  if (!(h & 1)) {
    magnitude(q.get_den_mpz_t());
    if (mpz_sgn(q.get_den_mpz_t()) == 0) throw std::runtime_error("ByteReader: zero denominator");
  }
  if (h & 2) mpz_neg(q.get_num_mpz_t(), q.get_num_mpz_t());
  return q;
}

Vector ByteReader::vector() {
  const std::uint64_t n = varint();
  if (n > static_cast<std::uint64_t>(end_ - p_)) throw std::runtime_error("ByteReader: truncated vector");
  Vector v(n);
  for (auto& x : v) x = rational();
  return v;
}

void ByteReader::expect_end() const {
  if (p_ != end_) throw std::runtime_error("ByteReader: trailing answer bytes");
}

}  // namespace relucert
