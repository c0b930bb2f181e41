#include "geometry/planar_maps.hpp"

#include "geometry/planar_box_filter.hpp"  // has_avx2

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace relucert::planar {

std::optional<LayerMaps> LayerMaps::plan(const Network& net) {
  LayerMaps out;
  auto& plans_ = out.plans_;
  const auto& layers = net.layers();
  plans_.resize(layers.size() + 1);
  plans_[0].scale = 1;
  plans_[0].width = 2;
  std::vector<double> bound(layers.size() + 1, 0.0);  // max |coefficient| of any map row, in integer units
  bound[0] = 1;
  std::size_t global = 0;
  for (std::size_t l = 1; l <= layers.size(); ++l) {
    const Layer& L = layers[l - 1];
    LayerPlan& P = plans_[l];
    P.relu = L.relu;
    P.width = L.width();
    P.first_global = global;
    if (L.relu) global += L.width();
    // Merge the contributions by source: W from l-1, U from the input, skips from layer j.
    std::vector<std::pair<std::size_t, Matrix>> merged;
    auto add_source = [&](std::size_t src, const Matrix& M) {
      for (auto& [s, acc] : merged)
        if (s == src) {
          for (std::size_t k = 0; k < M.size(); ++k)
            for (std::size_t i = 0; i < M[k].size(); ++i) acc[k][i] += M[k][i];
          return;
        }
      merged.emplace_back(src, M);
    };
    add_source(l - 1, L.W);
    if (L.has_skip()) add_source(0, L.U);
    for (const LayerSkip& sk : L.skips) add_source(sk.from, sk.M);
    // The layer scale: the lcm of every denominator that a product would produce.
    mpz_class scale = 1;
    for (const Rational& v : L.b) mpz_lcm(scale.get_mpz_t(), scale.get_mpz_t(), v.get_den_mpz_t());
    for (const auto& [src, M] : merged)
      for (const auto& row : M)
        for (const Rational& v : row) {
          const mpz_class need = plans_[src].scale * v.get_den();
          mpz_lcm(scale.get_mpz_t(), scale.get_mpz_t(), need.get_mpz_t());
        }
    if (mpz_sizeinbase(scale.get_mpz_t(), 2) > 200) return std::nullopt;
    P.scale = scale;
    bound[l] = 0;
    std::vector<double> row_bound(P.width, 0.0);
    for (const auto& [src, M] : merged) {
      Source S;
      S.src = src;
      const mpz_class factor = scale / plans_[src].scale;  // exact: scale is a multiple
      std::vector<std::vector<mpz_class>> Z(M.size());
      for (std::size_t k = 0; k < M.size(); ++k)
        for (std::size_t i = 0; i < M[k].size(); ++i) {
          const Rational v = M[k][i] * Rational(factor);
          if (v.get_den() != 1) throw std::logic_error("planar: the layer scale does not clear a denominator");
          // |r| < 2^62 keeps r and -r int64 (the update path negates it).
          S.wide |= mpz_sizeinbase(v.get_num_mpz_t(), 2) > 62;
          row_bound[k] += std::fabs(v.get_d()) * bound[src];
          Z[k].push_back(v.get_num());
        }
      for (const auto& zrow : Z) {
        std::vector<std::int64_t> r;
        std::vector<Int256> rw;
        for (const mpz_class& z : zrow) {
          if (S.wide) {
            const auto x = Int256::from_mpz(z);
            if (!x) return std::nullopt;
            rw.push_back(*x);
          } else {
            r.push_back(mpz_get_si(z.get_mpz_t()));
          }
        }
        S.R.push_back(std::move(r));
        S.Rw.push_back(std::move(rw));
      }
      if (!S.wide && !S.R.empty()) {
        S.C.assign(S.R[0].size(), std::vector<std::int64_t>(S.R.size()));
        for (std::size_t k = 0; k < S.R.size(); ++k)
          for (std::size_t i = 0; i < S.R[k].size(); ++i) S.C[i][k] = S.R[k][i];
        S.Cd.resize(S.C.size());
        for (std::size_t i = 0; i < S.C.size(); ++i) S.Cd[i].assign(S.C[i].begin(), S.C[i].end());
      }
      if (src + 1 == l) P.from_prev = static_cast<int>(P.sources.size());
      P.sources.push_back(std::move(S));
    }
    for (std::size_t k = 0; k < P.width; ++k) {
      const Rational v = L.b[k] * Rational(scale);
      const auto b = Int256::from_mpz(v.get_num());
      if (!b) return std::nullopt;
      P.bias.push_back(*b);
      row_bound[k] += std::fabs(v.get_d());
      bound[l] = std::max(bound[l], row_bound[k]);
    }
    // Any pattern's map is bounded by the all-active one; 2^240 leaves a factor 2^10 for the
    // rounding of this double estimate and keeps determinants of rows far from overflow.
    if (!(bound[l] < 0x1p+240)) return std::nullopt;
  }
  out.n_relu_ = global;
  out.bound_ = bound;
  out.approx_.resize(plans_.size());
  out.approx_ok_.assign(plans_.size(), 0);
  out.approx_flips_.assign(plans_.size(), 0);
  out.narrow_carry_.assign(plans_.size(), 0);
  for (std::size_t l = 1; l < plans_.size(); ++l) {
    const LayerPlan& P = plans_[l];
    if (!out.carries_next(l) || P.from_prev < 0 || P.sources[static_cast<std::size_t>(P.from_prev)].wide) continue;
    double mt = 0, mr = 0;
    for (const auto& row : plans_[l + 1].sources[0].R)
      for (std::int64_t v : row) mt = std::max(mt, std::fabs(static_cast<double>(v)));
    for (const auto& row : P.sources[static_cast<std::size_t>(P.from_prev)].R)
      for (std::int64_t v : row) mr = std::max(mr, std::fabs(static_cast<double>(v)));
    // Each product below 2^124 and width of them below 2^126 (the double estimate rounds by far
    // less than the margin of 2^-1 taken here).
    out.narrow_carry_[l] = mt * mr * static_cast<double>(P.width) < 0x1p+125;
  }
  out.lazy_.assign(plans_.size(), 0);
  // |row(pattern) - row(pattern')| <= 2 bound for any two patterns (each is at most bound), and
  // every partial sum of a catch-up is such a difference; 2^124 leaves room for the rounding of
  // the double estimate.
  out.catch128_.assign(plans_.size(), 0);
  for (std::size_t l = 1; l < plans_.size(); ++l) out.catch128_[l] = bound[l] < 0x1p+124;
  out.version_.resize(plans_.size());
  out.epoch_.assign(plans_.size(), 1);
  out.row_epoch_.resize(plans_.size());
  for (std::size_t l = 2; l + 1 < plans_.size(); ++l) {
    const LayerPlan& P = plans_[l];
    // Wide ReLU layers fed by the previous one through int64 entries (the rank-one path), not
    // the last layer (the output map is read whole).
    out.lazy_[l] = P.relu && P.width >= 16 && P.from_prev >= 0 && !P.sources[static_cast<std::size_t>(P.from_prev)].wide;
  }
  for (std::size_t l = 1; l < plans_.size(); ++l)
    if (plans_[l].relu) out.last_relu_ = l;
  // Layer 0 is the input: x = (1, 0, 0) . (x, y, 1) and y = (0, 1, 0) . (x, y, 1).
  out.wp_ = Pattern(out.n_relu_);
  out.maps_.assign(1, Map(2));
  out.maps_[0][0].a = Int256::from_i64(1);
  out.maps_[0][1].b = Int256::from_i64(1);
  return out;
}

// The map of layer l from the maps of all earlier layers (full product).
Map LayerMaps::extend(std::size_t l) {
  const LayerPlan& P = plans_[l];
  Map M(P.width);
  for (std::size_t k = 0; k < P.width; ++k) M[k].c = P.bias[k];
  for (const Source& S : P.sources) {
    if (lazy_[S.src])
      for (std::size_t i = 0; i < plans_[S.src].width; ++i) catch_up(S.src, i);
    const Map& O = maps_[S.src];
    for (std::size_t i = 0; i < O.size(); ++i) {
      if (S.src > 0 && !active(wp_, S.src, i)) continue;
      for (std::size_t k = 0; k < P.width; ++k) {
        if (S.wide) {
          add_wide(M[k], S.Rw[k][i], O[i], false);
          continue;
        }
        const std::int64_t r = S.R[k][i];
        if (r == 0) continue;
        M[k].a.add_mul(r, O[i].a);
        M[k].b.add_mul(r, O[i].b);
        M[k].c.add_mul(r, O[i].c);
      }
    }
  }
  return M;
}

// True when layer l+1 is narrow and takes layer l's output as its only, narrow source.
bool LayerMaps::carries_next(std::size_t l) const {
  if (l + 1 >= plans_.size()) return false;
  const LayerPlan& Q = plans_[l + 1];
  return Q.width <= 4 && Q.sources.size() == 1 && Q.sources[0].src == l && !Q.sources[0].wide;
}

// M += r * o (or -= when `subtract`), with a 256-bit multiplier.
void LayerMaps::add_wide(Row& M, const Int256& r, const Row& o, bool subtract) {
  if (r.is_zero()) return;
  const Int256 pa = r * o.a, pb = r * o.b, pc = r * o.c;
  if (subtract) {
    M.a -= pa;
    M.b -= pb;
    M.c -= pc;
  } else {
    M.a += pa;
    M.b += pb;
    M.c += pc;
  }
}

// A.a += col sa, A.b += col sb, A.c += col sc over n entries: the double approximation's
// rank-one step, run for every flip on every group over the layer's whole width, so two
// entries at a time in SSE2 registers (GCC's -O2 cost model leaves the plain loop scalar).
// The same IEEE operations, in the same order, as the scalar loop of the tail.
namespace {

#if defined(__x86_64__) && defined(__GNUC__)
// add_scaled_column four entries at a time (AVX2 without FMA: the same operations); returns how
// many entries it did.
[[gnu::target("avx2")]] std::size_t add_scaled_column_avx2(double* a, double* b, double* c, const double* col, double sa,
                                                           double sb, double sc, std::size_t n) {
  const __m256d va = _mm256_set1_pd(sa), vb = _mm256_set1_pd(sb), vc = _mm256_set1_pd(sc);
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const __m256d r = _mm256_loadu_pd(col + k);
    _mm256_storeu_pd(a + k, _mm256_add_pd(_mm256_loadu_pd(a + k), _mm256_mul_pd(r, va)));
    _mm256_storeu_pd(b + k, _mm256_add_pd(_mm256_loadu_pd(b + k), _mm256_mul_pd(r, vb)));
    _mm256_storeu_pd(c + k, _mm256_add_pd(_mm256_loadu_pd(c + k), _mm256_mul_pd(r, vc)));
  }
  return k;
}
#endif

void add_scaled_column(Approx& A, const double* col, double sa, double sb, double sc, std::size_t n) {
  double *a = A.a.data(), *b = A.b.data(), *c = A.c.data();
  std::size_t k = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (has_avx2()) k = add_scaled_column_avx2(a, b, c, col, sa, sb, sc, n);
#endif
#ifdef __SSE2__
  const __m128d va = _mm_set1_pd(sa), vb = _mm_set1_pd(sb), vc = _mm_set1_pd(sc);
  for (; k + 2 <= n; k += 2) {
    const __m128d r = _mm_loadu_pd(col + k);
    _mm_storeu_pd(a + k, _mm_add_pd(_mm_loadu_pd(a + k), _mm_mul_pd(r, va)));
    _mm_storeu_pd(b + k, _mm_add_pd(_mm_loadu_pd(b + k), _mm_mul_pd(r, vb)));
    _mm_storeu_pd(c + k, _mm_add_pd(_mm_loadu_pd(c + k), _mm_mul_pd(r, vc)));
  }
#endif
  for (; k < n; ++k) {
    a[k] += col[k] * sa;
    b[k] += col[k] * sb;
    c[k] += col[k] * sc;
  }
}
}  // namespace

// Makes maps_[0..l] the maps for pattern p (only p's layers < l matter). Cells are visited so
// that consecutive ones usually differ in a few neurons of layer l-1 only; then the map of
// layer l is updated by those neurons' columns instead of being recomputed (the key cost
// saving: a rank-one update per flipped neuron).
void LayerMaps::ensure_maps(std::size_t l, const Pattern& p) {
  std::size_t first_diff = l;  // first layer < l whose activity differs
  for (std::size_t j = 1; j < l && first_diff == l; ++j)
    if (plans_[j].relu && !p.same_activity(wp_, plans_[j].first_global, plans_[j].first_global + plans_[j].width))
      first_diff = j;
  // The activity of layers first_diff .. l-1 may change below: rows of the layers after them
  // that were caught up before are no longer known to be right (catch_up's fast exit).
  if (first_diff < l)
    for (std::size_t j = first_diff + 1; j < epoch_.size(); ++j) ++epoch_[j];
  const std::size_t valid = std::min(maps_.size() - 1, first_diff);  // maps_[0..valid] are right
  if (valid >= l) {
    copy_pattern(p, l);
    return;
  }
  const LayerPlan& P = plans_[l];
  if (valid == l - 1 && maps_.size() > l && first_diff == l - 1 && P.from_prev >= 0) {
    const Source& S = P.sources[static_cast<std::size_t>(P.from_prev)];
    Map& M = maps_[l];
    // A narrow next layer fed by this one alone (the output layer) keeps its map for the old
    // layer-l pattern: with N = R' D_l M, a change dM = r (x) o of M changes N by
    // (R' D_l r) o, a handful of products instead of rebuilding N (|R' D_l r| o is bounded
    // by the next layer's bound, so nothing overflows).
    const bool carry = maps_.size() > l + 1 && !S.wide && carries_next(l);
    // The approximation follows each flip with the same rank-one term in double (see approx).
    bool follow = approx_ok_[l] && !S.wide;
    Approx& A = approx_[l];
    if (carry) approx_ok_[l + 1] = 0;
    if (carry && narrow_carry_[l]) {  // D_l as the list of active neurons: R' D_l r sums over them
      auto put = [&](std::size_t k) {
        const bool on = active(wp_, l, k);
        std::int32_t& at = live_at_[k];
        if (on && at < 0) {
          at = static_cast<std::int32_t>(live_.size());
          live_.push_back(static_cast<std::uint32_t>(k));
        } else if (!on && at >= 0) {  // swap-remove
          live_[static_cast<std::size_t>(at)] = live_.back();
          live_at_[live_.back()] = at;
          live_.pop_back();
          at = -1;
        }
        return true;
      };
      if (live_layer_ != l) {  // made afresh, then kept up to date by the layer-l flips only
        live_.clear();
        live_at_.assign(P.width, -1);
        for (std::size_t k = 0; k < P.width; ++k) put(k);
        live_layer_ = l;
      } else {
        wp_.for_each_active_diff(live_for_, P.first_global, P.first_global + P.width,
                                 [&](std::size_t gk) { return put(gk - P.first_global); });
      }
      live_for_ = wp_;
    }
    const std::size_t base = plans_[l - 1].first_global;
    p.for_each_active_diff(wp_, base, base + plans_[l - 1].width, [&](std::size_t gi) {
      const std::size_t i = gi - base;
      const bool now = p.active(gi);
      const Row& o = row(l - 1, i);
      if (carry) {
        const LayerPlan& Q = plans_[l + 1];
        const Source& T = Q.sources[0];
        const std::vector<std::int64_t>& col = S.C[i];
        if (narrow_carry_[l]) {  // |sum| <= width max|R'| max|R| < 2^126 (plan): 128-bit sums
          for (std::size_t j = 0; j < Q.width; ++j) {
            const std::vector<std::int64_t>& t = T.R[j];
            __int128 acc = 0;  // over the active neurons only: D_l zeroes the others
            for (const std::uint32_t k : live_) acc += static_cast<__int128>(t[k]) * col[k];
            add_wide(maps_[l + 1][j], Int256::from_i128(acc), o, !now);
          }
        } else {
          for (std::size_t j = 0; j < Q.width; ++j) {
          Int256 c;
          const std::vector<std::int64_t>& t = T.R[j];
            for (std::size_t k = 0; k < P.width; ++k)
              if (t[k] != 0 && active(wp_, l, k)) c.add_mul_small(t[k], col[k]);
            add_wide(maps_[l + 1][j], c, o, !now);
          }
        }
      }
      if (S.wide) {
        for (std::size_t k = 0; k < P.width; ++k) add_wide(M[k], S.Rw[k][i], o, !now);
        approx_ok_[l] = 0;
        return true;
      }
      if (follow) {
        const double sa = now ? o.a.to_double() : -o.a.to_double(), sb = now ? o.b.to_double() : -o.b.to_double(),
                     sc = now ? o.c.to_double() : -o.c.to_double();
        add_scaled_column(A, S.Cd[i].data(), sa, sb, sc, P.width);
        A.err += 0x1p-50 * bound_[l];
        if (++approx_flips_[l] >= 65536) {  // convert afresh
          follow = false;
          approx_ok_[l] = 0;
        }
      }
      if (lazy_[l]) return true;  // the rows catch up when read
      if (o.a.fits_i64() && o.b.fits_i64() && o.c.fits_i64()) {  // e.g. first-layer rows: one product each
        const auto oa = static_cast<std::int64_t>(o.a.w[0]), ob = static_cast<std::int64_t>(o.b.w[0]),
                   oc = static_cast<std::int64_t>(o.c.w[0]);
        const std::vector<std::int64_t>& col = S.C[i];
        for (std::size_t k = 0; k < P.width; ++k) {
          const std::int64_t r = now ? col[k] : -col[k];
          M[k].a.add_mul_small(r, oa);
          M[k].b.add_mul_small(r, ob);
          M[k].c.add_mul_small(r, oc);
        }
        return true;
      }
      const std::vector<std::int64_t>& col = S.C[i];
      for (std::size_t k = 0; k < P.width; ++k) {
        const std::int64_t r = now ? col[k] : -col[k];
        if (r == 0) continue;
        M[k].a.add_mul(r, o.a);
        M[k].b.add_mul(r, o.b);
        M[k].c.add_mul(r, o.c);
      }
      return true;
    });
    copy_pattern(p, l);  // layers < l only: wp_ keeps the layer-l pattern the carried map is for
    maps_.resize(carry ? l + 2 : l + 1);
    return;
  }
  maps_.resize(valid + 1);
  copy_pattern(p, l);
  for (std::size_t j = valid + 1; j <= l; ++j) {
    maps_.push_back(extend(j));
    approx_ok_[j] = 0;
    set_fresh(j);
  }
}

// Every row of layer j is right for the pattern held now (after a full product).
void LayerMaps::set_fresh(std::size_t j) {
  if (!lazy_[j]) return;
  version_[j].resize(plans_[j].width);
  for (Pattern& v : version_[j]) {
    if (v.bytes() == 0) v = Pattern(n_relu_);
    v.copy_prefix(wp_, plans_[j].first_global);
  }
  row_epoch_[j].assign(plans_[j].width, epoch_[j]);
}

// Row k of lazy layer l gets the rank-one terms of the layer-(l-1) neurons whose activity
// differs between the pattern it is right for and the pattern held now. Only layer l-1 can
// differ: a change in an earlier layer goes through extend, which makes every row fresh.
void LayerMaps::catch_up(std::size_t l, std::size_t k) {
  std::uint64_t& stamp = row_epoch_[l][k];
  if (stamp == epoch_[l]) return;  // right since wp_'s earlier layers last changed: no scan
  stamp = epoch_[l];
  Pattern& v = version_[l][k];
  const LayerPlan& P = plans_[l];
  const std::size_t base = plans_[l - 1].first_global, end = base + plans_[l - 1].width;
  if (v.same_activity(wp_, base, end)) return;
  const std::vector<std::int64_t>& R = P.sources[static_cast<std::size_t>(P.from_prev)].R[k];  // row k: one cache line per 8 terms
  Row& M = maps_[l][k];
  // The terms from int64 rows (e.g. first-layer rows) are summed in 128 bits and added once:
  // a catch-up spans many flips (the walk comes back to a neuron's zero set from afar), and
  // one 64x64 product and a 128-bit sum per term cost a fraction of a 256-bit update.
  const bool narrow = catch128_[l];
  __int128 da = 0, db = 0, dc = 0;
  wp_.for_each_active_diff(v, base, end, [&](std::size_t gi) {
    const std::size_t i = gi - base;
    const std::int64_t r = wp_.active(gi) ? R[i] : -R[i];
    if (r == 0) return true;
    const Row& o = row(l - 1, i);
    if (o.a.fits_i64() && o.b.fits_i64() && o.c.fits_i64()) {
      const auto oa = static_cast<std::int64_t>(o.a.w[0]), ob = static_cast<std::int64_t>(o.b.w[0]),
                 oc = static_cast<std::int64_t>(o.c.w[0]);
      if (narrow) {
        da += static_cast<__int128>(r) * oa;
        db += static_cast<__int128>(r) * ob;
        dc += static_cast<__int128>(r) * oc;
        return true;
      }
      M.a.add_mul_small(r, oa);
      M.b.add_mul_small(r, ob);
      M.c.add_mul_small(r, oc);
      return true;
    }
    M.a.add_mul(r, o.a);
    M.b.add_mul(r, o.b);
    M.c.add_mul(r, o.c);
    return true;
  });
  if (narrow) {
    M.a += Int256::from_i128(da);
    M.b += Int256::from_i128(db);
    M.c += Int256::from_i128(dc);
  }
  v.copy_prefix(wp_, P.first_global);
}

// Conversion: each entry within 2.01u |coefficient| <= 2^-51 bound. A rank-one step adds
// fl(fl(r) fl(o)) to an entry: the conversions err by u |r| and 2.01u |o|, the product and the
// sum round once each, and |r o| <= bound (bound >= the row's sum of |R| times the source's
// bound) as is every intermediate map (each is the map of some pattern), so the step adds at
// most (4.1u + 1.01u) bound < 2^-50 bound to the error. After 65536 steps the entries are
// converted afresh, which keeps err below 2^-33 bound (the filter's margin grows by err times
// the box's extent: still far below the margins it decides on).
const Approx& LayerMaps::approx(std::size_t l) {
  Approx& A = approx_[l];
  if (!approx_ok_[l]) {
    if (lazy_[l])
      for (std::size_t k = 0; k < plans_[l].width; ++k) catch_up(l, k);
    const Map& M = maps_[l];
    A.a.resize(M.size());
    A.b.resize(M.size());
    A.c.resize(M.size());
    for (std::size_t k = 0; k < M.size(); ++k) {
      A.a[k] = M[k].a.to_double();
      A.b[k] = M[k].b.to_double();
      A.c[k] = M[k].c.to_double();
    }
    A.err = 0x1p-51 * bound_[l];
    approx_ok_[l] = 1;
    approx_flips_[l] = 0;
  }
  return A;
}

void LayerMaps::copy_pattern(const Pattern& p, std::size_t l) {
  const std::size_t end = l < plans_.size() ? plans_[l].first_global : n_relu_;
  wp_.copy_prefix(p, end);
}

}  // namespace relucert::planar
