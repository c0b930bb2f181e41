#include "analysis/slice.hpp"

#include <stdexcept>

#include "core/input_error.hpp"

namespace relucert {

SliceFix parse_slice_spec(const std::string& spec, std::size_t dim) {
  SliceFix fix(dim);
  if (spec.empty()) throw InputError("--slice", spec, "empty (expected e.g. x3=0,x4=1/2)");
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = spec.find(',', start);
    const std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t eq = part.find('=');
    if (eq == std::string::npos || part.size() < 2 || part[0] != 'x')
      throw InputError("--slice", part, "expected xK=VALUE, e.g. x3=0 or x4=1/2");
    const std::string index_text = part.substr(1, eq - 1);
    std::size_t k = 0;
    bool ok = !index_text.empty() && index_text.size() <= 9 && index_text[0] != '0';
    for (char c : index_text) {
      if (c < '0' || c > '9') ok = false;
      else k = 10 * k + static_cast<std::size_t>(c - '0');
    }
    if (!ok) throw InputError("--slice", part, "expected an input name x1 ... x" + std::to_string(dim) + " before '='");
    if (k < 1 || k > dim)
      throw InputError("--slice", part, "no input x" + std::to_string(k) + " (the network has " + std::to_string(dim) + " inputs)");
    if (fix[k - 1]) throw InputError("--slice", part, "x" + std::to_string(k) + " fixed twice");
    std::string why;
    const auto v = parse_rational(part.substr(eq + 1), &why);
    if (!v) throw InputError("--slice", part, "the value is not an exact rational (" + why + ")");
    fix[k - 1] = *v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fix;
}

std::vector<std::size_t> free_inputs(const SliceFix& fix) {
  std::vector<std::size_t> r;
  for (std::size_t k = 0; k < fix.size(); ++k)
    if (!fix[k]) r.push_back(k);
  return r;
}

namespace {

// Drops the fixed columns of m and adds sum_k m[:, k] c_k to b, exactly.
void fold_columns(Matrix& m, Vector& b, const SliceFix& fix, const std::vector<std::size_t>& keep) {
  for (std::size_t i = 0; i < m.size(); ++i) {
    Vector row;
    row.reserve(keep.size());
    for (std::size_t k = 0; k < fix.size(); ++k) {
      if (fix[k]) b[i] += m[i][k] * *fix[k];
      else row.push_back(m[i][k]);
    }
    m[i] = std::move(row);
  }
}

}  // namespace

Network slice_network(const Network& net, const SliceFix& fix) {
  if (fix.size() != net.input_dim()) throw std::invalid_argument("slice_network: one entry per input expected");
  const std::vector<std::size_t> keep = free_inputs(fix);
  if (keep.empty()) throw std::invalid_argument("slice_network: every input is fixed");
  std::vector<Layer> layers = net.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    Layer& L = layers[l];
    if (l == 0) fold_columns(L.W, L.b, fix, keep);
    if (L.has_skip()) fold_columns(L.U, L.b, fix, keep);
  }
  return Network(keep.size(), std::move(layers));
}

std::string describe_slice(const SliceFix& fix) {
  std::string s;
  for (std::size_t k = 0; k < fix.size(); ++k)
    if (fix[k]) s += (s.empty() ? "" : ", ") + ("x" + std::to_string(k + 1)) + " = " + to_string(*fix[k]);
  return s;
}

}  // namespace relucert
