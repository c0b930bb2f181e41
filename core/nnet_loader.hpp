#pragma once
// Loader for the .nnet text format (ACAS Xu / Reluplex / Marabou; github.com/sisl/NNet):
//
//   // any number of comment lines starting with "//"
//   numLayers,inputSize,outputSize,maxLayerSize,
//   inputSize,n_1,...,n_numLayers,            (numLayers+1 layer sizes; the last is outputSize)
//   0,                                        (the unused "symmetric" flag: 0 or 1)
//   min_1,...,min_inputSize,                  (input minimums)
//   max_1,...,max_inputSize,                  (input maximums)
//   mean_1,...,mean_inputSize,mean_out,       (normalisation means: inputs, then the outputs)
//   range_1,...,range_inputSize,range_out,    (normalisation ranges: inputs, then the outputs)
//   then, for each layer l = 1..numLayers: n_l lines of n_{l-1} weights (one row of W_l per
//   line), then n_l lines holding one bias each.
//
// A trailing comma on a line is optional. Every number is read exactly with parse_rational
// (no double anywhere: "0.1" is 1/10). Hidden layers carry a ReLU, the last layer none.
//
// The file's network maps normalised inputs to normalised outputs. relucert folds both
// normalisations EXACTLY into the weights, so the Network returned computes the raw function
//   f(x) = range_out * N((x - mean) / range) + mean_out      (componentwise division),
// which is what the NNet reference evaluators compute on the box [min, max] (they also clip x
// to [min, max]; relucert analyses the unclipped affine extension outside that box, which only
// matters when --box reaches beyond the file's box).
#include <cstddef>
#include <string>

#include "core/domain.hpp"
#include "core/network.hpp"

namespace relucert {

struct NnetNetwork {
  Network net;              // normalisations folded in; possibly several outputs
  Domain input_box;         // [min_i, max_i] from the minimum and maximum lines
  std::size_t header_line;  // 1-based line of "numLayers,inputSize,outputSize,maxLayerSize"
};

// Throws InputError(source, "line N", what is wrong) on any malformed content: a wrong count of
// values on a line, a non-number, missing lines, a zero range, a minimum not below its maximum,
// inconsistent sizes, or content after the last bias.
NnetNetwork parse_nnet(const std::string& text, const std::string& source);
NnetNetwork load_nnet_file(const std::string& path);

}  // namespace relucert
