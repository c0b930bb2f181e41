#include "core/output_selection.hpp"

#include <stdexcept>
#include <string>

namespace relucert {

Network select_output(const Network& net, std::size_t k) {
  if (k >= net.output_dim())
    throw std::out_of_range("select_output: output " + std::to_string(k) + " of a network with " +
                            std::to_string(net.output_dim()) + " outputs");
  std::vector<Layer> layers = net.layers();
  Layer& last = layers.back();
  last.W = Matrix{last.W[k]};
  last.b = Vector{last.b[k]};
  if (last.has_skip()) last.U = Matrix{last.U[k]};
  for (LayerSkip& s : last.skips) s.M = Matrix{s.M[k]};
  return Network(net.input_dim(), std::move(layers));
}

}  // namespace relucert
