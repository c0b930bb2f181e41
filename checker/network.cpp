// The checker's own network loader (docs/format.md §1) and exact forward pass.
#include <fstream>
#include <sstream>

#include "checker.hpp"

namespace rcv {
namespace {

bool is_metadata(const std::string& k) {
  return k == "name" || k == "description" || k == "comment" || k == "metadata" || k == "format" || k == "version" ||
         (!k.empty() && k[0] == '_');
}

struct Loader {
  const std::string& file;
  [[noreturn]] void fail(const Json& at, const std::string& field, const std::string& what) const {
    throw Malformed{file, at.line, field + ": " + what};
  }
  Q number(const Json& v, const std::string& field) const {
    if (v.kind != Json::Number && v.kind != Json::String) fail(v, field, "expected a number");
    std::string why;
    const auto q = parse_number(v.text, &why);
    if (!q) fail(v, field, why + " in '" + v.text + "'");
    return *q;
  }
  Vec row(const Json& v, const std::string& field, std::size_t n) const {
    if (v.kind != Json::Array) fail(v, field, "expected an array");
    if (v.items.size() != n) fail(v, field, "expected " + std::to_string(n) + " entries, found " + std::to_string(v.items.size()));
    Vec r;
    for (std::size_t i = 0; i < n; ++i) r.push_back(number(v.items[i], field + "[" + std::to_string(i) + "]"));
    return r;
  }
  std::vector<Vec> matrix(const Json& v, const std::string& field, std::size_t rows, std::size_t cols) const {
    if (v.kind != Json::Array) fail(v, field, "expected an array of rows");
    if (rows != 0 && v.items.size() != rows) fail(v, field, "expected " + std::to_string(rows) + " rows");
    if (v.items.empty() || v.items.size() > 100000) fail(v, field, "expected 1 to 100000 rows");
    std::vector<Vec> m;
    for (std::size_t i = 0; i < v.items.size(); ++i) m.push_back(row(v.items[i], field + "[" + std::to_string(i) + "]", cols));
    return m;
  }
};

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Malformed{path, 0, "cannot open file"};
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw Malformed{path, 0, "cannot read file"};
  return ss.str();
}

Net load_net(const std::string& path) {
  const Json doc = parse_json(read_file(path), path);
  const Loader L{path};
  if (doc.kind != Json::Object) L.fail(doc, "(top level)", "expected an object");
  for (const auto& [k, v] : doc.members)
    if (k != "input_dim" && k != "layers" && k != "relu_after" && !is_metadata(k)) L.fail(v, k, "unknown field");
  Net net;
  const Json* d = doc.find("input_dim");
  if (!d) L.fail(doc, "input_dim", "missing");
  const Q dq = L.number(*d, "input_dim");
  if (dq.get_den() != 1 || dq <= 0 || dq > 100000) L.fail(*d, "input_dim", "expected a positive integer at most 100000");
  net.dim = dq.get_num().get_ui();
  const Json* layers = doc.find("layers");
  if (!layers) L.fail(doc, "layers", "missing");
  if (layers->kind != Json::Array || layers->items.empty() || layers->items.size() > 1000)
    L.fail(*layers, "layers", "expected a non-empty array of at most 1000 layers");
  const std::size_t n = layers->items.size();
  std::vector<bool> relu(n, true);
  relu[n - 1] = false;
  if (const Json* ra = doc.find("relu_after")) {
    if (ra->kind != Json::Array || ra->items.size() != n) L.fail(*ra, "relu_after", "expected one boolean per layer");
    for (std::size_t i = 0; i < n; ++i) {
      if (ra->items[i].kind != Json::Bool) L.fail(ra->items[i], "relu_after[" + std::to_string(i) + "]", "expected a boolean");
      relu[i] = ra->items[i].boolean;
    }
  }
  std::size_t prev = net.dim;
  for (std::size_t l = 0; l < n; ++l) {
    const Json& lj = layers->items[l];
    const std::string at = "layers[" + std::to_string(l) + "]";
    if (lj.kind != Json::Object) L.fail(lj, at, "expected an object");
    for (const auto& [k, v] : lj.members)
      if (k != "W" && k != "b" && k != "U" && k != "skips" && !is_metadata(k)) L.fail(v, at + "." + k, "unknown field");
    const Json* W = lj.find("W");
    const Json* b = lj.find("b");
    if (!W) L.fail(lj, at + ".W", "missing");
    if (!b) L.fail(lj, at + ".b", "missing");
    Layer layer;
    layer.W = L.matrix(*W, at + ".W", 0, prev);
    layer.b = L.row(*b, at + ".b", layer.W.size());
    if (const Json* U = lj.find("U")) layer.U = L.matrix(*U, at + ".U", layer.W.size(), net.dim);
    if (const Json* S = lj.find("skips")) {
      if (S->kind != Json::Array || S->items.empty()) L.fail(*S, at + ".skips", "expected a non-empty array");
      for (std::size_t i = 0; i < S->items.size(); ++i) {
        const Json& sj = S->items[i];
        const std::string sat = at + ".skips[" + std::to_string(i) + "]";
        if (sj.kind != Json::Object) L.fail(sj, sat, "expected an object");
        for (const auto& [k, v] : sj.members)
          if (k != "from" && k != "W" && !is_metadata(k)) L.fail(v, sat + "." + k, "unknown field");
        const Json* from = sj.find("from");
        const Json* M = sj.find("W");
        if (!from) L.fail(sj, sat + ".from", "missing");
        if (!M) L.fail(sj, sat + ".W", "missing");
        const Q fq = L.number(*from, sat + ".from");
        if (fq.get_den() != 1 || fq < 1 || fq > Q(static_cast<unsigned long>(l)))
          L.fail(*from, sat + ".from", "expected the 1-based number of an earlier layer");
        Skip sk;
        sk.from = fq.get_num().get_ui() - 1;
        for (const Skip& other : layer.skips)
          if (other.from == sk.from) L.fail(*from, sat + ".from", "the same layer is skipped from twice");
        sk.M = L.matrix(*M, sat + ".W", layer.W.size(), net.layers[sk.from].W.size());
        layer.skips.push_back(std::move(sk));
      }
    }
    layer.relu = relu[l];
    prev = layer.W.size();
    net.layers.push_back(std::move(layer));
  }
  if (prev != 1) L.fail(*layers, "layers", "the last layer must have exactly one output");
  for (std::size_t l = 0; l < n; ++l)
    if (net.layers[l].relu)
      for (std::size_t k = 0; k < net.layers[l].W.size(); ++k) net.neurons.emplace_back(l, k);
  return net;
}

Q Net::value(const Vec& x) const {
  Vec a = x;
  std::vector<Vec> outs;  // every layer's output, for skip terms
  for (const Layer& L : layers) {
    Vec z(L.W.size());
    for (std::size_t k = 0; k < L.W.size(); ++k) {
      Q s = L.b[k];
      for (std::size_t j = 0; j < a.size(); ++j) s += L.W[k][j] * a[j];
      if (!L.U.empty())
        for (std::size_t j = 0; j < x.size(); ++j) s += L.U[k][j] * x[j];
      for (const Skip& sk : L.skips)
        for (std::size_t j = 0; j < outs[sk.from].size(); ++j) s += sk.M[k][j] * outs[sk.from][j];
      z[k] = L.relu && s < 0 ? Q(0) : s;
    }
    outs.push_back(z);
    a = std::move(z);
  }
  return a.at(0);
}

std::string Net::neuron_name(std::size_t m) const {
  return "L" + std::to_string(neurons.at(m).first + 1) + ":N" + std::to_string(neurons.at(m).second + 1);
}

}  // namespace rcv
