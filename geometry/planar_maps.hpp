#pragma once
// Exact affine maps of every layer of a network on the cells of a planar subdivision, in fixed
// point (used by geometry/planar_complex.cpp). On a cell, layer l's pre-activation is
// a x + b y + c per neuron; the coefficients are kept as 256-bit integers over one positive
// scale per layer (the lcm of every denominator a product can produce; a power of two for
// float32 weights), so the arithmetic is exact and no GMP number is made on the fast path.
//
// The maps depend only on the activation pattern of earlier layers. `ensure` updates the maps
// it holds from the last pattern it was asked for: when only layer l-1 changed, layer l's map
// changes by one rank-one term per flipped neuron (and a narrow next layer, the output, is
// carried along), which is why the builder visits cells in an order that keeps consecutive ones
// close (geometry/planar_hilbert.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/network.hpp"
#include "core/sign.hpp"
#include "geometry/int256.hpp"
#include "geometry/planar_pattern.hpp"

namespace relucert::planar {

// An affine function a x + b y + c in fixed point: the true coefficients are these integers
// divided by the layer's scale (a positive integer), which never matters for a sign.
struct Row {
  Int256 a, b, c;
};
using Map = std::vector<Row>;  // one row per neuron of a layer

// Scaling data of one layer: pre-activation = b + sum over sources of R_src * O_src, where O_0
// is the input x and O_j the output of layer j; all entries are integers in the layer scale.
struct Source {
  std::size_t src = 0;
  std::vector<std::vector<std::int64_t>> R;  // width x width(src), when every entry is below 2^62
  // R's columns, contiguous (C[i][k] = R[k][i]): a flip of source neuron i reads column i for
  // every row k, and a strided walk through `width` separate rows costs a cache miss each.
  std::vector<std::vector<std::int64_t>> C;
  std::vector<std::vector<double>> Cd;  // C as doubles (relative error <= 2^-53 each)
  // The same entries as 256-bit integers when some entry is not (e.g. a 1e-30 weight next to
  // weights near 1: clearing the 10^30 denominator makes the others wide); slower products.
  bool wide = false;
  std::vector<std::vector<Int256>> Rw;
};
struct LayerPlan {
  std::vector<Source> sources;  // sources[0].src == l - 1 when the previous layer feeds it
  std::vector<Int256> bias;
  mpz_class scale;  // true value = integer / scale
  bool relu = true;
  std::size_t width = 0, first_global = 0;
  int from_prev = -1;  // index in `sources` of the previous layer's contribution, or -1
};

// Double approximations of a layer's map, one array per coefficient (a x + b y + c), each
// entry within `err` (absolute) of the exact integer: what a filter needs to settle most
// neurons of a cell without converting 256-bit rows.
struct Approx {
  std::vector<double> a, b, c;
  double err = 0;
};

class LayerMaps {
 public:
  // nullopt when some cleared denominator or some map over all patterns could leave the
  // fixed-point range (an a priori bound over all patterns must stay below 2^240).
  static std::optional<LayerMaps> plan(const Network& net);

  std::size_t layer_count() const { return plans_.size() - 1; }  // layers 1..layer_count()
  const LayerPlan& layer(std::size_t l) const { return plans_[l]; }
  std::size_t relu_count() const { return n_relu_; }
  std::size_t last_relu() const { return last_relu_; }  // 0 when there is none
  // Neuron k of layer l passes its value on under pattern p (always, for a linear layer).
  bool active(const Pattern& p, std::size_t l, std::size_t k) const {
    return !plans_[l].relu || p.active(plans_[l].first_global + k);
  }
  // Makes layer l's map the one for pattern p (only p's layers < l matter); then row(l, k) and
  // approx(l) read it, until the next ensure.
  void ensure(std::size_t l, const Pattern& p) { ensure_maps(l, p); }
  // Row k of layer l's map. Wide hidden layers are lazy: a rank-one step updates only the
  // double approximation, and a row catches up with the flips it missed when it is read (the
  // pattern it was last right for is kept per row), because a cell needs the exact rows of a
  // few neurons only (those the box test cannot settle). The reference is valid until the
  // next ensure.
  const Row& row(std::size_t l, std::size_t k) {
    if (lazy_[l]) catch_up(l, k);
    return maps_[l][k];
  }
  // The approximation of layer l's map (valid until the next ensure).
  const Approx& approx(std::size_t l);

 private:
  Map extend(std::size_t l);
  void catch_up(std::size_t l, std::size_t k);
  void set_fresh(std::size_t l);
  void ensure_maps(std::size_t l, const Pattern& p);
  void copy_pattern(const Pattern& p, std::size_t l);
  bool carries_next(std::size_t l) const;
  static void add_wide(Row& M, const Int256& r, const Row& o, bool subtract);

  std::vector<LayerPlan> plans_;  // index 0: the input
  std::vector<double> bound_;     // per layer: an upper bound on |coefficient| of any map row
  std::vector<Approx> approx_;    // per layer, right for maps_[l] when approx_ok_[l]
  std::vector<char> approx_ok_;
  std::vector<unsigned> approx_flips_;  // rank-one updates since approx_[l] was converted
  std::vector<char> lazy_;              // per layer: rows catch up when read (see row)
  std::vector<char> catch128_;          // per layer: any difference of two rows fits 125 bits (catch_up)
  std::vector<char> narrow_carry_;      // per layer: the carried products fit 128 bits
  // D_l for the carry of layer live_layer_, as the neurons active in live_for_ (any order) and
  // each one's place in that list (-1: not active): the carry's sums R' D_l r run over these
  // only (about half the width).
  std::size_t live_layer_ = 0;
  Pattern live_for_;
  std::vector<std::uint32_t> live_;
  std::vector<std::int32_t> live_at_;
  std::vector<std::vector<Pattern>> version_;  // lazy layers: the pattern each row is right for
  // Lazy layers: epoch_[l] changes whenever the activity of a layer < l may have changed in
  // wp_; a row whose stamp equals it was caught up since and is right without comparing its
  // pattern (a 16-word scan per read at [512, 512]; measured: catch_up -15% instructions).
  std::vector<std::uint64_t> epoch_;
  std::vector<std::vector<std::uint64_t>> row_epoch_;
  std::size_t n_relu_ = 0, last_relu_ = 0;
  std::vector<Map> maps_;   // maps_[j] is right for wp_ for every j < maps_.size()
  Pattern wp_;              // the pattern the maps are for
};

}  // namespace relucert::planar
