#include "core/network_json_writer.hpp"


#include "core/atomic_file.hpp"

namespace relucert {
namespace {

std::string vector_text(const Vector& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + to_string(v[i]) + "\"";
  return s + "]";
}

std::string matrix_text(const Matrix& m, const std::string& indent) {
  std::string s = "[";
  for (std::size_t i = 0; i < m.size(); ++i) s += (i ? ",\n" + indent : "") + vector_text(m[i]);
  return s + "]";
}

}  // namespace

std::string network_json_text(const Network& net) {
  std::string s = "{\n \"input_dim\": " + std::to_string(net.input_dim()) + ",\n \"layers\": [\n";
  std::string relu = "[";
  const auto& layers = net.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Layer& L = layers[l];
    s += "  {\"W\": " + matrix_text(L.W, "        ") + ",\n   \"b\": " + vector_text(L.b);
    if (L.has_skip()) s += ",\n   \"U\": " + matrix_text(L.U, "        ");
    if (!L.skips.empty()) {
      s += ",\n   \"skips\": [";
      for (std::size_t i = 0; i < L.skips.size(); ++i)
        s += std::string(i ? ",\n             " : "") + "{\"from\": " + std::to_string(L.skips[i].from) +
             ", \"W\": " + matrix_text(L.skips[i].M, "                ") + "}";
      s += "]";
    }
    s += l + 1 < layers.size() ? "},\n" : "}\n";
    relu += (l ? ", " : "") + std::string(L.relu ? "true" : "false");
  }
  return s + " ],\n \"relu_after\": " + relu + "]\n}\n";
}

void write_network_json_file(const Network& net, const std::string& path) {
  write_file_atomically(path, network_json_text(net));
}

}  // namespace relucert
