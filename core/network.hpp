#pragma once
// The network model: fully connected layers in order, each an affine map of the previous
// layer's output (plus an optional input-skip term U x, as in ICNNs, and optional skip terms
// M h_j from the outputs of earlier layers, as in residual nets), optionally followed by ReLU.
// This is the general DAG of affine maps and ReLUs: any such graph (ONNX residual or skip
// additions) lowers to it by composing the affine nodes exactly and grouping ReLUs by depth.
// The function analysed is the exact real function of the stored weights.
#include "core/linear.hpp"
#include "core/sign.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <optional>
#include <vector>

namespace relucert {

// A skip term M h_from added to a layer's pre-activation, where h_from is the output (after
// its ReLU, if it has one) of the earlier layer `from` (1-based; strictly before this layer).
struct LayerSkip {
  std::size_t from = 0;
  Matrix M;  // n_l x n_from
};

struct Layer {
  Matrix W;             // n_l x n_{l-1}   (n_0 = input dimension)
  Vector b;             // n_l
  Matrix U;             // n_l x d input-skip weights, or empty when absent
  bool relu = true;     // ReLU after this layer
  std::vector<LayerSkip> skips;  // terms from earlier layers' outputs, in any order (last: keeps {W, b, U, relu} init)
  std::size_t width() const { return W.size(); }
  bool has_skip() const { return !U.empty(); }
};

// A neuron that carries a ReLU, named as users see it: layer and index, both 1-based.
struct NeuronId {
  std::size_t layer = 0;  // 1-based layer number
  std::size_t index = 0;  // 1-based index within the layer
  std::string name() const;  // "L2:N7"
};

class Network {
 public:
  Network() = default;
  Network(std::size_t input_dim, std::vector<Layer> layers);
  // This network with its first layer replaced by `first`, whose rows have input_dim entries
  // (checked as the constructor checks). The other layers' exact integer and double forms are
  // shared with this one, not recomputed: the streamed check makes one such net per part.
  Network with_first_layer(std::size_t input_dim, Layer first) const;

  std::size_t input_dim() const { return input_dim_; }
  const std::vector<Layer>& layers() const { return layers_; }
  std::size_t output_dim() const { return layers_.empty() ? 0 : layers_.back().width(); }
  // Total number of ReLU neurons, in topological (layer, index) order.
  std::size_t relu_count() const;

  // Exact forward pass. Throws std::invalid_argument on a size mismatch.
  Vector forward(const Vector& x) const;
  // True when some layer takes a skip term from an earlier layer's output (not only U x).
  bool has_layer_skips() const;
  // The weights rounded to double, row-major per layer, for float filters that propose
  // candidates (never to decide). Empty when some layer has skip terms.
  struct DoubleLayer {
    std::vector<double> W;  // width x fan_in, row-major
    std::vector<double> b;
  };
  const std::vector<DoubleLayer>& double_layers() const { return double_layers_; }
  // The exact sign of every ReLU pre-activation at x, topological order, by the integer pass
  // (one denominator per layer); nullopt when the network has skip terms (no integer pass).
  std::optional<std::vector<Sign>> relu_signs(const Vector& x) const;
  // f'(x; u) from the ReLU signs at x (core/one_sided_derivative.hpp) by the integer pass: the
  // derivatives carried over one denominator per layer, canonicalised once at the end; nullopt
  // when the network has skip terms (no integer pass).
  std::optional<Rational> one_sided_slope(const std::vector<Sign>& signs_at_x, const Vector& u) const;
  // Layer l's weights over one denominator (W = W_num / W_den, b = b_num / b_den), for exact
  // passes in integers that canonicalise once per neuron, not once per product (the forward
  // pass, one_sided_slope, the streamed check's fold). nullptr when some layer has skip terms.
  struct IntegerLayer {
    std::vector<std::vector<Integer>> W_num;
    Integer W_den;
    std::vector<Integer> b_num;
    Integer b_den;
  };
  const IntegerLayer* integer_layer(std::size_t l) const { return integer_layers_.empty() ? nullptr : integer_layers_.at(l).get(); }
  // The scalar function f analysed (output 0).
  Rational value(const Vector& x) const { return forward(x).at(0); }

 private:
  std::size_t input_dim_ = 0;
  std::vector<Layer> layers_;
  // integer_layer(l) for every layer; empty when some layer has skip terms (then the rational
  // pass is used).
  std::vector<std::shared_ptr<const IntegerLayer>> integer_layers_;  // immutable: shared by copies
  std::vector<DoubleLayer> double_layers_;
  void validate() const;  // sizes; throws std::invalid_argument naming the layer
  // The integer and double forms of layers [first, last); none at all when a layer has skips.
  void derive(std::size_t first, std::size_t last);
  // relu_signs: when set, receives the sign of every ReLU pre-activation in topological order.
  Vector forward_integer(const Vector& x, std::vector<Sign>* relu_signs) const;
};


}  // namespace relucert
