#pragma once
// A fixed-width 256-bit two's-complement integer for the planar builder's exact affine maps
// (geometry/planar_complex.*). It has no overflow detection: the builder proves, before it
// starts, that every value it will form is below 2^240 in magnitude (a bound over all
// activation patterns), and declines the network otherwise. GMP is used only to convert.
#include <gmpxx.h>

#include <cmath>
#include <bit>
#include <cstdint>
#include <optional>

namespace relucert {

struct Int256 {
  using u128 = unsigned __int128;
  std::uint64_t w[4] = {0, 0, 0, 0};  // little-endian limbs

  static Int256 from_i64(std::int64_t v) {
    Int256 r;
    const std::uint64_t fill = v < 0 ? ~std::uint64_t{0} : 0;
    r.w[0] = static_cast<std::uint64_t>(v);
    r.w[1] = r.w[2] = r.w[3] = fill;
    return r;
  }
  static Int256 from_i128(__int128 v) {
    Int256 r;
    r.w[0] = static_cast<std::uint64_t>(v);
    r.w[1] = static_cast<std::uint64_t>(static_cast<u128>(v) >> 64);
    r.w[2] = r.w[3] = v < 0 ? ~std::uint64_t{0} : 0;
    return r;
  }
  // True when the value is a signed 128-bit integer (then to_i128 is exact).
  bool fits_i128() const {
    const std::uint64_t fill = (w[1] >> 63) ? ~std::uint64_t{0} : 0;
    return w[2] == fill && w[3] == fill;
  }
  __int128 to_i128() const { return static_cast<__int128>((static_cast<u128>(w[1]) << 64) | w[0]); }
  // nullopt when |z| >= 2^250 (outside the range the builder's bounds allow).
  static std::optional<Int256> from_mpz(const mpz_class& z) {
    if (sgn(z) == 0) return Int256{};
    if (mpz_sizeinbase(z.get_mpz_t(), 2) > 250) return std::nullopt;
    Int256 r;
    std::size_t count = 0;
    mpz_export(r.w, &count, -1, sizeof(std::uint64_t), 0, 0, z.get_mpz_t());  // |z|
    return sgn(z) < 0 ? -r : r;
  }

  bool negative() const { return (w[3] >> 63) != 0; }
  bool is_zero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
  int sign() const { return negative() ? -1 : (is_zero() ? 0 : 1); }
  bool operator==(const Int256& o) const { return w[0] == o.w[0] && w[1] == o.w[1] && w[2] == o.w[2] && w[3] == o.w[3]; }

  Int256 operator-() const {
    Int256 r;
    u128 c = 1;
    for (int i = 0; i < 4; ++i) {
      c += static_cast<u128>(~w[i]);
      r.w[i] = static_cast<std::uint64_t>(c);
      c >>= 64;
    }
    return r;
  }
  Int256& operator+=(const Int256& o) {
    u128 c = 0;
    for (int i = 0; i < 4; ++i) {
      c += static_cast<u128>(w[i]) + o.w[i];
      w[i] = static_cast<std::uint64_t>(c);
      c >>= 64;
    }
    return *this;
  }
  Int256& operator-=(const Int256& o) {
    std::uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
      const u128 d = static_cast<u128>(w[i]) - o.w[i] - borrow;
      w[i] = static_cast<std::uint64_t>(d);
      borrow = static_cast<std::uint64_t>(d >> 64) & 1;
    }
    return *this;
  }
  // *this += m * x (exact, given the caller's magnitude bound). Two's complement is arithmetic
  // modulo 2^256, so x times m read as unsigned (m + 2^64 when m < 0) is x*m + x*2^64: add it,
  // then take x*2^64 back off for a negative m. No branch on the sign of x.
  void add_mul(std::int64_t m, const Int256& x) {
    const auto um = static_cast<std::uint64_t>(m);
    u128 carry = 0;       // carry of the product x * um
    u128 acc_carry = 0;   // carry of the accumulation
    for (int i = 0; i < 4; ++i) {
      carry += static_cast<u128>(x.w[i]) * um;
      acc_carry += static_cast<u128>(w[i]) + static_cast<std::uint64_t>(carry);
      w[i] = static_cast<std::uint64_t>(acc_carry);
      acc_carry >>= 64;
      carry >>= 64;
    }
    if (m < 0) {  // subtract x shifted by one limb
      std::uint64_t borrow = 0;
      for (int i = 1; i < 4; ++i) {
        const u128 d = static_cast<u128>(w[i]) - x.w[i - 1] - borrow;
        w[i] = static_cast<std::uint64_t>(d);
        borrow = static_cast<std::uint64_t>(d >> 64) & 1;
      }
    }
  }

  // The product modulo 2^256, which is the exact signed product when it is below 2^255 in
  // magnitude (two's complement is arithmetic modulo 2^256, so no sign handling is needed).
  Int256 operator*(const Int256& o) const {
    Int256 r;
    for (int i = 0; i < 4; ++i) {
      u128 carry = 0;
      for (int j = 0; i + j < 4; ++j) {
        carry += static_cast<u128>(w[i]) * o.w[j] + r.w[i + j];
        r.w[i + j] = static_cast<std::uint64_t>(carry);
        carry >>= 64;
      }
    }
    return r;
  }

  // True when the value is an int64 (then add_mul_small applies).
  bool fits_i64() const {
    const std::uint64_t fill = (w[0] >> 63) ? ~std::uint64_t{0} : 0;
    return w[1] == fill && w[2] == fill && w[3] == fill;
  }
  // *this += m * x for int64 x: one 64x64 -> 128-bit product, sign-extended.
  void add_mul_small(std::int64_t m, std::int64_t x) {
    const __int128 p = static_cast<__int128>(m) * x;  // |p| < 2^126: no overflow
    const auto lo = static_cast<std::uint64_t>(p), hi = static_cast<std::uint64_t>(static_cast<u128>(p) >> 64);
    const std::uint64_t fill = p < 0 ? ~std::uint64_t{0} : 0;
    u128 c = static_cast<u128>(w[0]) + lo;
    w[0] = static_cast<std::uint64_t>(c);
    c = (c >> 64) + w[1] + hi;
    w[1] = static_cast<std::uint64_t>(c);
    c = (c >> 64) + w[2] + fill;
    w[2] = static_cast<std::uint64_t>(c);
    w[3] = static_cast<std::uint64_t>((c >> 64) + w[3] + fill);
  }

  // Relative error below 2.01 * 2^-53: the top two limbs are converted separately (one
  // rounding each, exact scaling by 2^64) and added (one more rounding); the dropped limbs
  // weigh less than 2^-64 of the value. (One conversion of the top 128 bits would round once,
  // but GCC's __floatuntidf costs more than the whole filtered predicate.)
  double to_double() const {
    // Values within 128 bits (most rows of the planar builder, converted once per neuron and
    // cell): branch-free magnitude and sign, the same two roundings as below.
    const std::uint64_t fill = static_cast<std::uint64_t>(static_cast<std::int64_t>(w[3]) >> 63);
    if (w[3] == fill && w[2] == fill && ((w[1] ^ fill) >> 63) == 0) {
      const u128 f = (static_cast<u128>(fill) << 64) | fill;
      const u128 m = ((((static_cast<u128>(w[1]) << 64) | w[0]) ^ f) - f);  // |value|
      const double d = static_cast<double>(static_cast<std::uint64_t>(m >> 64)) * 0x1p64 +
                       static_cast<double>(static_cast<std::uint64_t>(m));
      return std::bit_cast<double>(std::bit_cast<std::uint64_t>(d) ^ (fill & 0x8000000000000000ULL));
    }
    if (negative()) return -(-*this).to_double();
    int i = 3;
    while (i > 0 && w[i] == 0) --i;
    if (i == 0) return static_cast<double>(w[0]);
    constexpr double kLimb[3] = {1.0, 0x1p64, 0x1p128};  // exact powers of two: no rounding
    return (static_cast<double>(w[i]) * 0x1p64 + static_cast<double>(w[i - 1])) * kLimb[i - 1];
  }
  mpz_class to_mpz() const {
    const Int256 a = negative() ? -*this : *this;
    mpz_class z;
    mpz_import(z.get_mpz_t(), 4, -1, sizeof(std::uint64_t), 0, 0, a.w);
    return negative() ? mpz_class(-z) : z;
  }
};

}  // namespace relucert
