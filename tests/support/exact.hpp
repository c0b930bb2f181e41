#pragma once
// Exact values for hand-written test networks: rationals, vectors and layers from text.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "core/network.hpp"
#include "core/rational.hpp"

namespace relucert::test {

inline Rational q(const std::string& s) {
  auto r = parse_rational(s);
  REQUIRE_MESSAGE(r.has_value(), "not an exact rational: '" << s << "'");
  return *r;
}

inline Vector vec(std::initializer_list<const char*> xs) {
  Vector v;
  for (const char* x : xs) v.push_back(q(x));
  return v;
}

using StrMatrix = std::vector<std::vector<std::string>>;
using StrVector = std::vector<std::string>;

inline Matrix matrix(const StrMatrix& m) {
  Matrix out;
  for (const auto& row : m) {
    Vector r;
    for (const auto& s : row) r.push_back(q(s));
    out.push_back(std::move(r));
  }
  return out;
}

// A layer from exact text entries.
inline Layer layer(const StrMatrix& W, const StrVector& b, bool relu = true, const StrMatrix& U = {}) {
  Layer L;
  L.W = matrix(W);
  for (const auto& s : b) L.b.push_back(q(s));
  L.U = matrix(U);
  L.relu = relu;
  return L;
}

}  // namespace relucert::test
