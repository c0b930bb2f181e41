#include "core/network_json.hpp"

#include <set>

#include "core/input_error.hpp"
#include "core/input_file.hpp"
#include "core/json_tree.hpp"

namespace relucert {
namespace {

// Refuse absurd sizes before allocating anything for them.
constexpr std::size_t kMaxWidth = 100000;
constexpr std::size_t kMaxLayers = 1000;

std::string count(std::size_t n, const std::string& noun) {
  if (n == 1) return "1 " + noun;
  if (noun == "entry") return std::to_string(n) + " entries";
  return std::to_string(n) + " " + noun + "s";
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& msg) const { throw InputError(source_, field, msg); }

  const JsonNode& expect(const JsonNode& n, JsonNode::Kind k, const std::string& field) const {
    if (n.kind != k)
      fail(field, std::string("expected ") + JsonNode::kind_name(k) + ", found " + JsonNode::kind_name(n.kind));
    return n;
  }

  Rational number(const JsonNode& n, const std::string& field) const {
    if (n.kind != JsonNode::Kind::Number && n.kind != JsonNode::Kind::String)
      fail(field, std::string("expected a number or a numeric string, found ") + JsonNode::kind_name(n.kind));
    std::string why;
    auto q = parse_rational(n.text, &why);
    if (!q) fail(field, why);
    return *q;
  }

  Vector vector(const JsonNode& n, const std::string& field, std::size_t expected_len) const {
    expect(n, JsonNode::Kind::Array, field);
    if (n.items.size() != expected_len)
      fail(field, "expected " + count(expected_len, "entry") + ", found " + std::to_string(n.items.size()));
    Vector v;
    v.reserve(n.items.size());
    for (std::size_t i = 0; i < n.items.size(); ++i) v.push_back(number(n.items[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }

  // rows == 0 means "any positive number of rows"; cols_meaning says what the width must match.
  Matrix matrix(const JsonNode& n, const std::string& field, std::size_t rows, std::size_t cols,
                const std::string& cols_meaning) const {
    expect(n, JsonNode::Kind::Array, field);
    if (n.items.empty()) fail(field, "empty matrix (expected at least one row)");
    if (rows && n.items.size() != rows)
      fail(field, "expected " + count(rows, "row") + " (one per neuron of the layer), found " + std::to_string(n.items.size()));
    if (n.items.size() > kMaxWidth) fail(field, "more than " + std::to_string(kMaxWidth) + " rows");
    Matrix m;
    m.reserve(n.items.size());
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      const std::string f = field + "[" + std::to_string(i) + "]";
      expect(n.items[i], JsonNode::Kind::Array, f);
      if (n.items[i].items.size() != cols)
        fail(f, "expected " + count(cols, "column") + " (" + cols_meaning + "), found " +
                    std::to_string(n.items[i].items.size()));
      m.push_back(vector(n.items[i], f, cols));
    }
    return m;
  }

  std::size_t positive_integer(const JsonNode& n, const std::string& field) const {
    Rational q = number(n, field);
    if (q.get_den() != 1 || sgn(q) <= 0) fail(field, "expected a positive integer, found " + n.text);
    if (q > Rational(kMaxWidth)) fail(field, "too large (limit " + std::to_string(kMaxWidth) + ")");
    return q.get_num().get_ui();
  }

 private:
  std::string source_;
};

bool is_metadata_key(const std::string& k) {
  static const std::set<std::string> meta = {"name", "description", "comment", "metadata", "format", "version"};
  return meta.count(k) || (!k.empty() && k[0] == '_');
}

// "skips": [{"from": j, "W": [[...]]}, ...]: M h_j added to the pre-activation of layer `l`
// (0-based here), where j is the 1-based number of an earlier layer (1 <= j <= l).
std::vector<LayerSkip> skips(const Reader& r, const JsonNode& n, const std::string& field, std::size_t l,
                             std::size_t width, const std::vector<Layer>& earlier) {
  r.expect(n, JsonNode::Kind::Array, field);
  if (n.items.empty()) r.fail(field, "empty (omit \"skips\" when unused)");
  std::vector<LayerSkip> out;
  std::set<std::size_t> seen;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    const JsonNode& sn = n.items[i];
    r.expect(sn, JsonNode::Kind::Object, f);
    for (const auto& [k, v] : sn.fields)
      if (k != "from" && k != "W" && !is_metadata_key(k)) r.fail(f + "." + k, "unknown field (expected from, W)");
    const JsonNode* from = sn.find("from");
    if (!from) r.fail(f + ".from", "missing field");
    const JsonNode* W = sn.find("W");
    if (!W) r.fail(f + ".W", "missing field");
    LayerSkip s;
    s.from = r.positive_integer(*from, f + ".from");
    if (s.from > l)
      r.fail(f + ".from", l == 0 ? "the first layer has no earlier layer to skip from (use U for the input)"
                                 : "expected an earlier layer, 1 to " + std::to_string(l) + " (1-based)");
    if (!seen.insert(s.from).second) r.fail(f + ".from", "layer " + std::to_string(s.from) + " is skipped from twice");
    s.M = r.matrix(*W, f + ".W", width, earlier[s.from - 1].width(),
                   "the width of layer " + std::to_string(s.from));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Network parse_network_json(const std::string& text, const std::string& source, bool require_scalar) {
  JsonNode root = parse_json_exact(text, source);
  Reader r(source);
  r.expect(root, JsonNode::Kind::Object, "(top level)");
  for (const auto& [k, v] : root.fields)
    if (k != "input_dim" && k != "layers" && k != "relu_after" && !is_metadata_key(k))
      r.fail(k, "unknown field (expected input_dim, layers, relu_after)");

  const JsonNode* dim_node = root.find("input_dim");
  if (!dim_node) r.fail("input_dim", "missing field");
  const std::size_t d = r.positive_integer(*dim_node, "input_dim");

  const JsonNode* layers_node = root.find("layers");
  if (!layers_node) r.fail("layers", "missing field");
  r.expect(*layers_node, JsonNode::Kind::Array, "layers");
  if (layers_node->items.empty()) r.fail("layers", "no layers");
  if (layers_node->items.size() > kMaxLayers) r.fail("layers", "more than " + std::to_string(kMaxLayers) + " layers");
  const std::size_t L = layers_node->items.size();

  std::vector<bool> relu_after(L, true);
  relu_after[L - 1] = false;
  if (const JsonNode* ra = root.find("relu_after")) {
    r.expect(*ra, JsonNode::Kind::Array, "relu_after");
    if (ra->items.size() != L)
      r.fail("relu_after", "expected " + std::to_string(L) + " booleans (one per layer), found " + std::to_string(ra->items.size()));
    for (std::size_t i = 0; i < L; ++i) {
      r.expect(ra->items[i], JsonNode::Kind::Bool, "relu_after[" + std::to_string(i) + "]");
      relu_after[i] = ra->items[i].boolean;
    }
  }

  std::vector<Layer> layers;
  std::size_t prev = d;
  for (std::size_t l = 0; l < L; ++l) {
    const std::string f = "layers[" + std::to_string(l) + "]";
    const JsonNode& ln = layers_node->items[l];
    r.expect(ln, JsonNode::Kind::Object, f);
    for (const auto& [k, v] : ln.fields)
      if (k != "W" && k != "b" && k != "U" && k != "skips" && !is_metadata_key(k))
        r.fail(f + "." + k, "unknown field (expected W, b, U, skips)");
    const JsonNode* W = ln.find("W");
    if (!W) r.fail(f + ".W", "missing field");
    const JsonNode* b = ln.find("b");
    if (!b) r.fail(f + ".b", "missing field");
    Layer layer;
    layer.W = r.matrix(*W, f + ".W", 0, prev, l == 0 ? "input_dim" : "the width of the previous layer");
    layer.b = r.vector(*b, f + ".b", layer.W.size());
    if (const JsonNode* U = ln.find("U")) layer.U = r.matrix(*U, f + ".U", layer.W.size(), d, "input_dim: U multiplies the input x");
    if (const JsonNode* S = ln.find("skips")) layer.skips = skips(r, *S, f + ".skips", l, layer.W.size(), layers);
    layer.relu = relu_after[l];
    prev = layer.W.size();
    layers.push_back(std::move(layer));
  }
  if (require_scalar && prev != 1)
    r.fail("layers[" + std::to_string(L - 1) + "].W",
           "the last layer must have exactly one output (found " + std::to_string(prev) + ")");
  return Network(d, std::move(layers));
}

Network load_network_json_file(const std::string& path, bool require_scalar) {
  return parse_network_json(read_input_file(path), path, require_scalar);
}

}  // namespace relucert
