#pragma once
// Exact rationals (GMP) and their exact text forms.
#include <gmpxx.h>

#include <optional>
#include <string>
#include <string_view>

namespace relucert {

using Rational = mpq_class;
using Integer = mpz_class;

// Parses an exact rational from text. Accepted forms (optional leading sign):
//   "7", "-15/2", "0.1" (= 1/10), "1e-30", "2.5E+3", ".5", and C99 hex floats "0x1.8p-3"
//   (the exact binary value). Returns nullopt and sets *why on failure; "inf"/"nan" are
//   rejected as non-finite.
std::optional<Rational> parse_rational(std::string_view text, std::string* why = nullptr);

// Exact value of a double / float (every finite binary float is a dyadic rational).
Rational rational_from_double(double v);
Rational rational_from_float(float v);

// Canonical text "p/q" or "p" (q > 1 only when needed).
std::string to_string(const Rational& q);
// Approximate decimal for human-readable output only; never used to decide anything.
double approx(const Rational& q);

}  // namespace relucert

namespace relucert {
// The rational with the smallest denominator (then numerator) strictly between lo and hi
// (lo < hi). Keeps constructed points and witnesses short.
Rational simplest_between(const Rational& lo, const Rational& hi);
}  // namespace relucert
