#pragma once
// Three-valued sign, used for activations, sides of hyperplanes and jumps.
// "On the hyperplane" is never folded into a side (see STYLE.md, CGAL habit).
#include <gmpxx.h>

namespace relucert {

enum class Sign : signed char { Negative = -1, Zero = 0, Positive = 1 };

inline Sign sign_of(const mpq_class& q) {
  const int s = sgn(q);
  return s > 0 ? Sign::Positive : (s < 0 ? Sign::Negative : Sign::Zero);
}
inline Sign sign_of(const mpz_class& z) {
  const int s = sgn(z);
  return s > 0 ? Sign::Positive : (s < 0 ? Sign::Negative : Sign::Zero);
}
inline Sign opposite(Sign s) { return static_cast<Sign>(-static_cast<int>(s)); }
inline char sign_char(Sign s) { return s == Sign::Positive ? '+' : (s == Sign::Negative ? '-' : '0'); }

}  // namespace relucert
