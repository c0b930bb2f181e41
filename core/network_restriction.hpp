#pragma once
// Exact networks for f on a piece of its input space (used by the streamed check,
// analysis/streamed_check.hpp): on a cell of the first layer's arrangement the first layer is
// affine with a fixed activation pattern and folds into the second, an exact rewrite: the new
// network computes the same value as the old at every point of the cell.
#include <optional>
#include <string>
#include <vector>

#include "core/network.hpp"
#include "core/sign.hpp"

namespace relucert {

// The networks this rewrite supports: at least two layers, a ReLU after the first, and no
// skip terms from hidden layers (input skips U x are fine). nullopt when supported, else why not.
std::optional<std::string> restriction_unsupported(const Network& net);

// f on {x : the first layer's pre-activations have the signs `pattern`} (Positive = active,
// anything else = inactive): layers 2.. with layer 1 folded into layer 2
// (W = W2 D W1 + U2, b = W2 D b1 + b2, D = diag(pattern is Positive)). Neurons of the result are
// the original's from layer 2 on. Needs restriction_unsupported(net) to be nullopt.
Network fold_first_layer(const Network& net, const std::vector<Sign>& pattern);

// fold_first_layer for many patterns of one network (the streamed check folds once per part):
// from the net's own integer forms of layers 1 and 2 (Network::integer_layer) and the network
// of layers 2.., made once, a fold is one integer product and the later layers' exact forms are
// shared, not rebuilt. Keeps a reference to net. Nets with input skips U take the rational path.
class FirstLayerFolder {
 public:
  explicit FirstLayerFolder(const Network& net);  // throws when restriction_unsupported(net)
  Network fold(const std::vector<Sign>& pattern) const;

 private:
  Network fold_rational(const std::vector<Sign>& pattern) const;
  const Network& net_;
  const Network::IntegerLayer* L1_ = nullptr;  // net_'s integer forms of layers 1 and 2; null: the rational path
  const Network::IntegerLayer* L2_ = nullptr;
  Integer W_den_, b_den_;                      // the folded layer's denominators: W2's times W1's, b1's
  Network tail_;                               // layers 2.. on R^{width of layer 1}
};

}  // namespace relucert
