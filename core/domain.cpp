#include "core/domain.hpp"

#include <stdexcept>

#include "core/input_error.hpp"

namespace relucert {

Domain Domain::box(Vector lo, Vector hi) {
  if (lo.size() != hi.size() || lo.empty()) throw std::invalid_argument("Domain::box: bad sizes");
  for (auto* v : {&lo, &hi})
    for (auto& q : *v) q.canonicalize();
  for (std::size_t i = 0; i < lo.size(); ++i)
    if (!(lo[i] < hi[i])) throw std::invalid_argument("Domain::box: empty interval");
  return Domain{lo.size(), true, std::move(lo), std::move(hi)};
}

bool Domain::contains(const Vector& x) const {
  if (x.size() != dim) return false;
  if (!is_box) return true;
  for (std::size_t i = 0; i < dim; ++i)
    if (x[i] < lo[i] || x[i] > hi[i]) return false;
  return true;
}

Vector Domain::center() const {
  Vector c(dim, Rational(0));
  if (is_box)
    for (std::size_t i = 0; i < dim; ++i) c[i] = (lo[i] + hi[i]) / 2;
  return c;
}

std::string Domain::describe() const {
  if (!is_box) return "R^" + std::to_string(dim);
  std::string s;
  for (std::size_t i = 0; i < dim; ++i) {
    if (i) s += " x ";
    s += "[" + to_string(lo[i]) + ", " + to_string(hi[i]) + "]";
  }
  return s;
}

Domain parse_box_spec(const std::string& spec, std::size_t dim) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto comma = spec.find(',', start);
    parts.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() != 1 && parts.size() != dim)
    throw InputError("--box", spec, "expected LO:HI or " + std::to_string(dim) + " comma-separated LO:HI intervals (one per input), found " +
                                        std::to_string(parts.size()));
  Vector lo, hi;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    auto colon = p.find(':');
    if (colon == std::string::npos || p.find(':', colon + 1) != std::string::npos)
      throw InputError("--box", spec, "interval " + std::to_string(i + 1) + " '" + p + "' is not of the form LO:HI");
    std::string why;
    auto l = parse_rational(p.substr(0, colon), &why);
    if (!l) throw InputError("--box", spec, "interval " + std::to_string(i + 1) + ": lower bound: " + why);
    auto h = parse_rational(p.substr(colon + 1), &why);
    if (!h) throw InputError("--box", spec, "interval " + std::to_string(i + 1) + ": upper bound: " + why);
    if (!(*l < *h)) throw InputError("--box", spec, "interval " + std::to_string(i + 1) + " is empty or a single point (need LO < HI)");
    lo.push_back(*l);
    hi.push_back(*h);
  }
  if (parts.size() == 1 && dim > 1) {
    lo.assign(dim, lo[0]);
    hi.assign(dim, hi[0]);
  }
  return Domain::box(std::move(lo), std::move(hi));
}

}  // namespace relucert
