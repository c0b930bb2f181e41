#include "geometry/region_complex.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <stdexcept>

#include "core/arithmetic_mode.hpp"
#include "core/byte_stream.hpp"
#include "core/cpu_time.hpp"
#include "core/filtered_sign.hpp"
#include "core/memory_usage.hpp"
#include "geometry/approx_vertices.hpp"
#include "geometry/float_bound.hpp"
#include "geometry/planar_complex.hpp"
#include "geometry/strict_lp.hpp"
#include "geometry/work_share.hpp"

namespace relucert {

namespace {
std::atomic<ContactWalkMode> g_contact_walk_mode{ContactWalkMode::Walk};
}  // namespace

void set_contact_walk_mode(ContactWalkMode mode) { g_contact_walk_mode = mode; }
ContactWalkMode contact_walk_mode() { return g_contact_walk_mode.load(std::memory_order_relaxed); }

std::atomic<bool> g_vertex_guides{true};
void set_vertex_guides_enabled(bool enabled) { g_vertex_guides = enabled; }
bool vertex_guides_enabled() { return g_vertex_guides.load(std::memory_order_relaxed); }

namespace {

using Clock = std::chrono::steady_clock;

struct BuildAborted {
  BuildStatus status;
};

class Builder {
 public:
  Builder(const Network& net, const Domain& domain, const BuildLimits& limits, BuildObserver* observer,
          const PolytopeDomain* polytope = nullptr)
      : net_(net), limits_(limits), observer_(observer), share_(limits.share), polytope_(polytope), start_(Clock::now()) {
    out_.dim = net.input_dim();
    out_.domain = domain;
    // The rational compose's forms, only for nets with skip terms (a plain net has integer layers
    // and composes through compose_layer): the builder is made once per part of a streamed check.
    if (net.layers().empty() || !net.integer_layer(0))
      for (const Layer& L : net.layers()) {
        scaled_W_.push_back(row_scaled(L.W));
        scaled_skips_.emplace_back();
        for (const LayerSkip& sk : L.skips) scaled_skips_.back().push_back(row_scaled(sk.M));
      }
    for (std::size_t l = 0; l < net.layers().size(); ++l)
      if (net.layers()[l].relu)
        for (std::size_t k = 0; k < net.layers()[l].width(); ++k) out_.neurons.push_back(NeuronId{l + 1, k + 1});
  }

  RegionComplex run() {
    const double cpu0 = share_ ? thread_cpu_seconds() : 0;
    lp_before_ = lp_counters();
    make_initial_cell();
    try {
      std::size_t global = 0;
      for (const Layer& L : net_.layers())
        for (const LayerSkip& sk : L.skips) is_skip_source_.at(sk.from - 1) = true;
      for (std::size_t l = 0; l < net_.layers().size(); ++l) {
        process_layer(l, global);
        if (net_.layers()[l].relu) global += net_.layers()[l].width();
      }
      sync_limits();
      finish_cells();
      sync_limits();  // so no rank reports a complete build that another stopped
    } catch (const BuildAborted& a) {
      out_.status = a.status;
    }
    out_.lp_exact_solves = lp_counters().solves - lp_before_.solves + remote_lp_.solves;
    out_.lp_questions = lp_questions_so_far();
    for (Contact& k : contacts_) out_.contacts.push_back(BoundaryContact{k.cell, k.tag, std::move(k.point)});
    if (std::any_of(vertices_.begin(), vertices_.end(), [](const ApproxVertices& v) { return !v.empty(); })) out_.guides = std::move(vertices_);
    if (share_) share_->stats.build_cpu += thread_cpu_seconds() - cpu0;
    return std::move(out_);
  }

 private:
  void make_initial_cell() {
    const std::size_t d = out_.dim;
    Cell c;
    const Domain& dom = out_.domain;
    if (polytope_) {
      c.rows = polytope_->rows;
      for (std::size_t r = 0; r < c.rows.size(); ++r) c.rows[r].origin = RowOrigin{RowOrigin::Kind::Domain, r};
    }
    if (dom.is_box) {
      for (std::size_t i = 0; i < d; ++i) {
        Vector e(d, Rational(0));
        e[i] = 1;
        c.rows.push_back(make_halfspace(e, dom.hi[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i + 1}));
        e[i] = -1;
        c.rows.push_back(make_halfspace(e, -dom.lo[i], RowOrigin{RowOrigin::Kind::Domain, 2 * i}));
      }
    }
    c.point = polytope_ ? polytope_->interior : dom.center();
    c.pattern.assign(out_.neurons.size(), Sign::Zero);
    AffineMap identity;
    identity.A = zeros(d, d);
    for (std::size_t i = 0; i < d; ++i) identity.A[i][i] = 1;
    identity.c.assign(d, Rational(0));
    c.layer_input = std::make_shared<const ScaledAffineMap>(scaled_affine(identity));
    // The vertex guide of the starting cell (the splits clip it for their halves) and the box the
    // double bound needs, both only where guides are used.
    const bool guides = d == kGuideDim && vertex_guides_enabled();
    if (guides) box_bound_ = axis_bound_of(c.rows, d);
    const bool given = guides && polytope_ && polytope_->guide.dim == d && !polytope_->guide.empty();
    vertices_.push_back(given ? polytope_->guide : guides ? approx_vertices(c.rows, d, kMaxGuideVertices) : ApproxVertices{});
    out_.cells.push_back(std::move(c));
    if (polytope_) {
      followed_.assign(out_.cells[0].rows.size(), 0);
      for (const PolytopeContact& pc : polytope_->contacts) {
        const auto& rows = out_.cells[0].rows;
        std::size_t r = 0;
        while (r < rows.size() && !(rows[r] == pc.facet)) ++r;
        if (r == rows.size()) throw std::invalid_argument("build_region_complex_in: a contact's facet is not one of the rows");
        followed_[r] = 1;
        contacts_.push_back(Contact{0, pc.tag, pc.point, rows[r]});
      }
    }
  }

  // Runs fn(i) for i in [0, n) on up to limits_.threads threads (the calling one included).
  // fn must only read shared state and write its own slot i. The LP counters of the workers are
  // added to the calling thread's, and the first exception is rethrown here.
  template <class Fn>
  void parallel_for(std::size_t n, Fn&& fn) {
    const std::size_t threads = std::min<std::size_t>(std::max(1u, limits_.threads), n / 4 + 1);
    if (threads <= 1) {
      for (std::size_t i = 0; i < n; ++i) {
        if ((i & 63) == 0) {
          check_time();
          report_progress(false);
        }
        fn(i);
      }
      return;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex mu;
    LpCounters extra;
    auto work = [&](bool own_thread) {
      const LpCounters before = lp_counters();
      try {
        for (;;) {
          if (stop.load(std::memory_order_relaxed)) break;
          const std::size_t begin = next.fetch_add(16, std::memory_order_relaxed);
          if (begin >= n) break;
          check_time();
          if (!own_thread) report_progress(false);  // the calling thread only
          for (std::size_t i = begin; i < std::min(n, begin + 16); ++i) fn(i);
        }
      } catch (...) {
        stop = true;
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
      if (own_thread) {
        const LpCounters& after = lp_counters();
        std::lock_guard<std::mutex> lock(mu);
        extra.solves += after.solves - before.solves;
        extra.filtered_points += after.filtered_points - before.filtered_points;
        extra.filtered_empty += after.filtered_empty - before.filtered_empty;
        extra.trivial += after.trivial - before.trivial;
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, true);
    work(false);
    for (auto& t : pool) t.join();
    LpCounters& mine = lp_counters();
    mine.solves += extra.solves;
    mine.filtered_points += extra.filtered_points;
    mine.filtered_empty += extra.filtered_empty;
    mine.trivial += extra.trivial;
    if (error) std::rethrow_exception(error);
  }

  // LP questions since run() began; between passes it depends only on the net and the domain
  // (the workers' counters are merged at the end of every parallel_for).
  unsigned long long lp_questions_so_far() const {
    const LpCounters& now = lp_counters();
    return (now.solves - lp_before_.solves) + (now.filtered_points - lp_before_.filtered_points) +
           (now.filtered_empty - lp_before_.filtered_empty) + (now.trivial - lp_before_.trivial) + remote_lp_.solves +
           remote_lp_.filtered_points + remote_lp_.filtered_empty + remote_lp_.trivial;
  }

  // Questions [0, n) of one step of a pass; solve(i) answers question i into the caller's slot i
  // and reads only the state before the step. Alone: all of them here, on limits_.threads
  // threads. With a work share: this rank answers its own (WorkShare::owns), encode(i, w) writes
  // each of them, the ranks exchange their bytes, and decode(i, r) fills the slot of every other
  // rank's answer, in question order, so the slots end as one process would fill them. Every
  // rank's bytes start with its limit status, so that all stop at the same exchange with the same
  // status, and with its LP counters, so that the counts (and what between_passes sees) are one
  // process's.
  template <class Solve, class Encode, class Decode>
  void ask(std::size_t n, Solve&& solve, Encode&& encode, Decode&& decode) {
    if (!share_) {
      parallel_for(n, solve);
      return;
    }
    const std::size_t me = share_->rank(), ranks = share_->ranks();
    std::vector<std::size_t> mine;
    for (std::size_t i = me; i < n; i += ranks) mine.push_back(i);
    share_->stats.questions += n;
    share_->stats.questions_answered += mine.size();
    const double c0 = thread_cpu_seconds();
    const LpCounters before = lp_counters();
    // After a limit, the rest of the share is skipped: its answers would not be used.
    parallel_for(mine.size(), [&](std::size_t j) {
      if (!pending_.load(std::memory_order_relaxed)) solve(mine[j]);
    });
    const LpCounters after = lp_counters();  // parallel_for has added the workers' counters
    const unsigned char status = pending_.load();
    std::string bytes;
    ByteWriter w(bytes);
    w.u8(status);
    for (unsigned long long c : {after.solves - before.solves, after.filtered_points - before.filtered_points,
                                 after.filtered_empty - before.filtered_empty, after.trivial - before.trivial})
      w.varint(c);
    if (!status)
      for (std::size_t i : mine) encode(i, w);
    const double c1 = thread_cpu_seconds();
    const auto t1 = Clock::now();
    const std::vector<std::string> all = share_->allgather(bytes);
    share_->stats.exchanging_wall += std::chrono::duration<double>(Clock::now() - t1).count();
    const double c2 = thread_cpu_seconds();
    if (all.size() != ranks) throw std::logic_error("work share: allgather returned a wrong number of ranks");
    unsigned char agreed = 0;
    std::vector<ByteReader> readers;
    readers.reserve(ranks);
    for (std::size_t r = 0; r < ranks; ++r) {
      ByteReader& rd = readers.emplace_back(all[r]);
      agreed = std::max(agreed, rd.u8());
      LpCounters c;
      c.solves = rd.varint();
      c.filtered_points = rd.varint();
      c.filtered_empty = rd.varint();
      c.trivial = rd.varint();
      if (r != me) {
        remote_lp_.solves += c.solves;
        remote_lp_.filtered_points += c.filtered_points;
        remote_lp_.filtered_empty += c.filtered_empty;
        remote_lp_.trivial += c.trivial;
      }
    }
    if (agreed) throw BuildAborted{static_cast<BuildStatus>(agreed)};
    for (std::size_t r = 0; r < ranks; ++r) {
      if (r == me) continue;
      for (std::size_t i = r; i < n; i += ranks) decode(i, readers[r]);
      readers[r].expect_end();
    }
    share_->stats.answering_cpu += c1 - c0;
    share_->stats.exchanging_cpu += c2 - c1;
    share_->stats.decoding_cpu += thread_cpu_seconds() - c2;
  }

  // With a work share: an exchange without questions, where the ranks agree on whether one of
  // them reached a limit since the last exchange (then all stop). Alone: nothing to do.
  void sync_limits() {
    if (share_) ask(0, [](std::size_t) {}, [](std::size_t, ByteWriter&) {}, [](std::size_t, ByteReader&) {});
  }

  // Where the build stands now (the LP count only when asked: it is for between_passes).
  BuildProgress progress_at(Clock::time_point now, bool with_lp_questions) const {
    BuildProgress p;
    p.cells = out_.cells.size();
    p.pairs = out_.adjacencies.size();
    p.neurons_done = neurons_done_;
    p.neurons_total = out_.neurons.size();
    p.seconds = std::chrono::duration<double>(now - start_).count();
    if (with_lp_questions) p.lp_questions = lp_questions_so_far();
    return p;
  }

  // BuildLimits::between_passes, at a point fixed by the net and the domain alone.
  void ask_between_passes() {
    if (limits_.between_passes && !limits_.between_passes(progress_at(Clock::now(), true)))
      throw BuildAborted{BuildStatus::Stopped};
  }

  void report_progress(bool force) {
    if (!limits_.progress) return;
    const auto now = Clock::now();
    if (!force && now - last_progress_ < std::chrono::milliseconds(200)) return;
    last_progress_ = now;
    limits_.progress(progress_at(now, false));
  }

  void process_layer(std::size_t l, std::size_t first_global) {
    const Layer& L = net_.layers()[l];
    parallel_for(out_.cells.size(), [&](std::size_t ci) {
      Cell& c = out_.cells[ci];
      const std::vector<char> zero_rows = input_zero_rows(c);
      const std::vector<char>* zr = zero_rows.empty() ? nullptr : &zero_rows;
      // A plain net (no skip terms): the integer compose, W times the masked input plus b, in
      // the scaled form throughout. With skips: the rational maps, then scaled.
      if (const Network::IntegerLayer* I = net_.integer_layer(l)) {
        c.preactivation = std::make_shared<const ScaledAffineMap>(compose_layer(*I, *c.layer_input, zr));
        return;
      }
      AffineMap z = compose(scaled_W_[l], c.layer_input->m, zr);
      for (std::size_t k = 0; k < L.width(); ++k) add_in_place(z.c[k], L.b[k]);
      if (L.has_skip())
        for (std::size_t k = 0; k < L.width(); ++k) z.A[k] = add(z.A[k], L.U[k]);
      for (std::size_t s = 0; s < L.skips.size(); ++s) {
        const AffineMap Mh = compose(scaled_skips_[l][s], (*c.skip_sources)[L.skips[s].from - 1]);  // M (A x + c)
        for (std::size_t k = 0; k < L.width(); ++k) {
          z.A[k] = add(z.A[k], Mh.A[k]);
          z.c[k] += Mh.c[k];
        }
      }
      c.preactivation = std::make_shared<const ScaledAffineMap>(scaled_affine(z));
    });
    if (L.relu) {
      start_groups();
      for (std::size_t k = 0; k < L.width(); ++k) {
        check_limits();
        split_all(first_global + k, k);
        ++neurons_done_;
        report_progress(true);
        ask_between_passes();
      }
      check_limits();  // also after the last split: the limit bounds the finished complex too
    }
    // The layer's output map on each cell is its pre-activation map with the rows of inactive
    // neurons read as zero (input_zero_rows): shared, not copied (every piece of a group has the
    // group's map, already in the next compose's form); only a skip source keeps a masked copy.
    input_relu_first_ = L.relu ? first_global : kNoMask;
    parallel_for(out_.cells.size(), [&](std::size_t ci) {
      Cell& c = out_.cells[ci];
      c.layer_input = std::move(c.preactivation);
      if (is_skip_source_[l]) {
        AffineMap h = c.layer_input->to_affine();
        const std::vector<char> zero = input_zero_rows(c);
        for (std::size_t k = 0; k < zero.size(); ++k)
          if (zero[k]) {
            h.A[k].assign(out_.dim, Rational(0));
            h.c[k] = 0;
          }
        auto sources = c.skip_sources ? std::make_shared<std::vector<AffineMap>>(*c.skip_sources)
                                      : std::make_shared<std::vector<AffineMap>>();
        sources->resize(net_.layers().size());
        (*sources)[l] = std::move(h);
        c.skip_sources = std::move(sources);
      }
    });
  }

  // Rows of the cell's layer_input that are zero: the inactive neurons of the ReLU layer that
  // produced it (empty when that layer has no ReLU, or for the input itself).
  std::vector<char> input_zero_rows(const Cell& c) const {
    std::vector<char> zero;
    if (input_relu_first_ == kNoMask) return zero;
    zero.resize(c.layer_input->outputs());
    for (std::size_t k = 0; k < zero.size(); ++k) zero[k] = c.pattern[input_relu_first_ + k] != Sign::Positive;
    return zero;
  }

  // Alone, a limit stops the build at once. With a work share it is only noted: this rank stops
  // answering questions, and the ranks stop together at the next exchange (ask), since a rank
  // that left alone would leave the others waiting in a collective.
  void check_time() const {
    BuildStatus s = BuildStatus::Complete;
    if (limits_.time_limit_seconds > 0 &&
        std::chrono::duration<double>(Clock::now() - start_).count() > limits_.time_limit_seconds)
      s = BuildStatus::TimeLimit;
    else if (memory_limit_exceeded(limits_.max_memory_mb))
      s = BuildStatus::MemoryLimit;
    if (s == BuildStatus::Complete) return;
    if (!share_) throw BuildAborted{s};
    unsigned char seen = pending_.load();
    while (seen < static_cast<unsigned char>(s) && !pending_.compare_exchange_weak(seen, static_cast<unsigned char>(s))) {
    }
  }

  void check_limits() const {
    if (limits_.max_cells && out_.cells.size() > limits_.max_cells) throw BuildAborted{BuildStatus::CellLimit};
    check_time();
  }

  // A point strictly inside the cell with z strictly of sign `side`, or nullopt if none.
  // (An exact ray probe from the cell's point was tried here first; measured, the filtered LP
  // alone costs about 30% fewer instructions, so it is the only path.)
  std::optional<Vector> cell_point_on_side(const std::vector<Halfspace>& cell_rows, const Halfspace& strict_side_row) const {
    std::vector<const Halfspace*> rows;
    rows.reserve(cell_rows.size() + 1);
    for (const auto& r : cell_rows) rows.push_back(&r);
    rows.push_back(&strict_side_row);
    return find_strict_point(rows, out_.dim);
  }

  // A point in the relative interior of (a ∩ b ∩ facet hyperplane) where the side row holds
  // strictly, or nullopt.
  std::optional<Vector> facet_point_on_side(const Cell& a, const Cell& b, const Halfspace& side, const Adjacency& adj) const {
    std::vector<const Halfspace*> rows;
    rows.reserve(a.rows.size() + b.rows.size() + 1);
    for (const auto& r : a.rows)
      if (!r.same_hyperplane_as(adj.facet)) rows.push_back(&r);
    const std::size_t from_a = rows.size();
    // Rows of b that a has too (same origin, same halfspace: common ancestors' rows, domain
    // faces) are asked once.
    for (const auto& r : b.rows) {
      if (r.same_hyperplane_as(adj.facet)) continue;
      bool dup = false;
      for (std::size_t i = 0; i < from_a && !dup; ++i)
        dup = rows[i]->origin.kind == r.origin.kind && rows[i]->origin.index == r.origin.index && *rows[i] == r;
      if (!dup) rows.push_back(&r);
    }
    rows.push_back(&side);
    return find_strict_point_on_hyperplane(adj.facet, rows, out_.dim);
  }

  // How far x (a double point, the row's dimension) may move in the max-norm before the row's
  // slack b - a.x, in double, reaches 0: slack / |a|_1 (+inf for a zero row). The rounding below
  // needs this room; the points it makes are then checked exactly.
  static double max_norm_room(const Halfspace& row, const std::vector<double>& x) {
    double slack = row.approx_b();
    for (std::size_t j = 0; j < x.size(); ++j) slack -= row.approx_a()[j] * x[j];
    const double norm1 = row.approx_norm1();
    return norm1 > 0 ? slack / norm1 : HUGE_VAL;
  }

  // A dyadic point exactly on the hyperplane of h near the double point x, when the rows around x
  // leave `room` (max-norm) to move it: every coordinate but the one with the largest normal
  // entry is rounded to a multiple of 1/D, D a power of two with 1/D within the room, and that one
  // is solved for exactly, so the point is on the hyperplane: r_k = (b D - sum_j a_j n_j) / (a_k D),
  // in integers. (Exact crossings have long denominators that slow every later test of a point.)
  // nullopt when the room is too small or too large for the rounding. The caller verifies the point.
  std::optional<Vector> round_onto_hyperplane(const Halfspace& h, const std::vector<double>& cross, double room) const {
    const std::size_t d = out_.dim;
    if (!(room > 0) || !std::isfinite(room)) return std::nullopt;
    std::size_t k = d;
    for (std::size_t j = 0; j < d; ++j)
      if (h.approx_a()[j] != 0 && (k == d || std::fabs(h.approx_a()[j]) > std::fabs(h.approx_a()[k]))) k = j;
    if (k == d) return std::nullopt;
    int e = 0;
    const double step = room / (2.0 * static_cast<double>(d));
    std::frexp(step, &e);  // step in [2^(e-1), 2^e)
    const int bits = 1 - e;  // 1/D = 2^-bits <= step
    if (bits < 0 || bits > 60) return std::nullopt;
    const double D = std::ldexp(1.0, bits);
    Integer num = Integer(h.b()) << bits;
    Vector r(d);
    for (std::size_t j = 0; j < d; ++j) {
      if (j == k) continue;
      const double n = std::nearbyint(cross[j] * D);
      if (!(std::fabs(n) < 0x1p62)) return std::nullopt;
      const long nj = static_cast<long>(n);
      if (nj >= 0) mpz_submul_ui(num.get_mpz_t(), h.a()[j].get_mpz_t(), static_cast<unsigned long>(nj));
      else mpz_addmul_ui(num.get_mpz_t(), h.a()[j].get_mpz_t(), static_cast<unsigned long>(-nj));
      // nj / 2^bits in lowest terms by shifting out common factors of two (no gcd, no temporaries).
      const unsigned long mag = nj >= 0 ? static_cast<unsigned long>(nj) : static_cast<unsigned long>(-nj);
      const int t = mag == 0 ? bits : std::min(bits, std::countr_zero(mag));
      mpq_set_si(r[j].get_mpq_t(), nj / (1L << t), 1UL << (bits - t));
    }
    r[k] = Rational(num, Integer(h.a()[k]) << bits);
    r[k].canonicalize();
    return r;
  }

  // A point of the relative interior of (a ∩ b ∩ facet hyperplane) with z of sign `side`, without
  // an LP: near where the segment from pa (inside a) to pb (inside b), both with z of that sign,
  // meets the facet's hyperplane. For two pieces of one group that differ only in the facet's
  // neuron that crossing always qualifies (the segment stays in the group's convex cell and every
  // other neuron keeps its sign along it); across groups it usually does. The crossing is found in
  // double and rounded to a dyadic point lifted exactly onto the hyperplane (exact crossings have
  // long denominators that slow every later test of the point). Nothing is trusted: the point is
  // returned only when every row of a and b holds strictly there, except rows on the facet's own
  // hyperplane, and z has the sign, all checked exactly. Otherwise the caller asks the LP.
  std::optional<Vector> facet_point_by_segment(const Cell& a, const Cell& b, const Vector& pa, const Vector& pb,
                                               const Adjacency& adj, const Halfspace& z_ge_0, Sign side) const {
    const std::size_t d = out_.dim;
    const Halfspace& h = adj.facet;
    if (h.approx_dim() != d) return std::nullopt;
    double sa = h.approx_b(), sb = h.approx_b();
    std::vector<double> cross(d);
    for (std::size_t j = 0; j < d; ++j) {
      cross[j] = to_double(pa[j]);
      sa -= h.approx_a()[j] * cross[j];
      sb -= h.approx_a()[j] * to_double(pb[j]);
    }
    if (!(sa > 0) || !(sb < 0)) return std::nullopt;
    const double t = sa / (sa - sb);
    for (std::size_t j = 0; j < d; ++j) cross[j] += t * (to_double(pb[j]) - cross[j]);
    // Room around the crossing, in the max-norm, from the rows not on the facet's neuron.
    double room = HUGE_VAL;
    for (const Cell* c : {&a, &b})
      for (const Halfspace& row : c->rows) {
        if (row.approx_dim() != d || (row.origin.kind == h.origin.kind && row.origin.index == h.origin.index)) continue;
        room = std::min(room, max_norm_room(row, cross));
      }
    if (!(room > 0) || !std::isfinite(room)) return std::nullopt;
    std::optional<Vector> rounded = round_onto_hyperplane(h, cross, room);
    if (!rounded) return std::nullopt;
    const Vector& r = *rounded;
    const FilterPoint fr(r);
    if (z_ge_0.slack_sign(fr) != side) return std::nullopt;  // its slack is a positive multiple of z
    for (const Cell* c : {&a, &b})
      for (const Halfspace& row : c->rows) {
        // The facet's own row (r is on it by construction) is skipped without evaluating it: its
        // slack is exactly zero, which the filter cannot certify.
        if (row.origin.kind == h.origin.kind && row.origin.index == h.origin.index && row.same_hyperplane_as(h)) continue;
        const Sign s = row.slack_sign(fr);
        if (s == Sign::Positive) continue;
        if (s == Sign::Zero && row.same_hyperplane_as(h)) continue;
        return std::nullopt;
      }
    return r;
  }

  // Groups: the cells at the start of a layer's pass. Every piece of one group has the group's
  // pre-activation map for this layer (the pieces differ only in this layer's neurons), so a
  // neuron whose zero set misses the group's cell splits none of its pieces, and one LP on the
  // group's cell settles them all instead of one LP per piece.
  struct Group {
    std::vector<Halfspace> rows;  // the cell at the start of the pass
    Vector point;
    std::size_t pieces = 1;
    ApproxVertices vertices;  // of the cell, in double: the guide of group_row
  };

  void start_groups() {
    groups_.clear();
    group_of_.resize(out_.cells.size());
    for (std::size_t ci = 0; ci < out_.cells.size(); ++ci) {
      group_of_[ci] = ci;
      groups_.push_back(Group{out_.cells[ci].rows, out_.cells[ci].point, 1, {}});
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].vertices = vertices_[g];
  }

  // Vertex guides in d = 3 only, with at most 64 vertices (a cell of d = 3 has about 10-20).
  // (d = 2 builds are few: the planar builder takes most; certificates keep their points.)
  // Measured A/B on bench/shapes.py nets (min of 5, one thread): d = 3 depth 6 -36%, depth 4 -8%,
  // [10, 10] +-1%; d = 4 [10, 10] +21% and d = 6 [10, 10] +22% (their parts have one ReLU layer
  // left, few questions per cell to pay for a guide, and d = 6 cells have hundreds of vertices).
  // With the double bound (float_certifies) as well: d = 3 depth 6 a further -15%; d = 4 [10, 10]
  // +19%, d = 4 depth 4 -8%, d = 5 depth 3 +7% (docs/engine.md).
  static constexpr std::size_t kMaxGuideVertices = 64;
  static constexpr std::size_t kGuideDim = 3;

  // The cells' vertex guides (geometry/approx_vertices.hpp, vertices_ beside out_.cells): the
  // starting cell's made by approx_vertices, carried through splits by clip_vertices and through
  // row removals by renumber_rows; empty when the cell has none. Every rank has the same (the
  // same double operations on the same rows), since group_row and decide_cell change which
  // questions are asked.

  // z = w.x + w0 at the float vertices: the least and the largest value and where.
  struct VertexRange {
    bool known = false;  // false: no guide, or a value is not finite
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    std::size_t at_lo = 0, at_hi = 0;
    std::array<double, Halfspace::kApproxDim> w{};  // z's coefficients in double (to_double)
    double w0 = 0;
    Sign one_sign() const { return !known ? Sign::Zero : hi < 0 ? Sign::Negative : lo > 0 ? Sign::Positive : Sign::Zero; }
    bool mixed() const { return known && lo < 0 && hi > 0; }
  };

  // z's coefficients in double: the d + 1 entries of its map row (ScaledAffineMap::approx_row).
  VertexRange vertex_range(const ApproxVertices& V, const double* z) const {
    VertexRange out;
    if (V.empty()) return out;
    const std::size_t d = out_.dim;
    for (std::size_t j = 0; j < d; ++j) out.w[j] = z[j];
    out.w0 = z[d];
    for (std::size_t v = 0; v < V.size(); ++v) {
      double z = out.w0;
      for (std::size_t j = 0; j < d; ++j) z += out.w[j] * V.coords[v * d + j];
      if (z < out.lo) out.lo = z, out.at_lo = v;
      if (z > out.hi) out.hi = z, out.at_hi = v;
    }
    out.known = std::isfinite(out.lo) && std::isfinite(out.hi);
    return out;
  }

  // The rows of the float vertex where z comes closest to 0 (the likely optimum of the LP "z's
  // other side on the cell"), into support; false when a label is no row of the cell.
  bool vertex_support(const std::vector<Halfspace>& rows, const ApproxVertices& V, const VertexRange& r,
                      std::array<const Halfspace*, Halfspace::kApproxDim>& support) const {
    const std::size_t d = out_.dim;
    const std::size_t v = r.one_sign() == Sign::Negative ? r.at_hi : r.at_lo;
    for (std::size_t j = 0; j < d; ++j) {
      if (V.rows[v * d + j] >= rows.size()) return false;  // a virtual face (or a stale guide: not trusted either)
      support[j] = &rows[V.rows[v * d + j]];
    }
    return true;
  }

  // Whether the float bound on the vertex's rows (geometry/float_bound.hpp, rigorous) proves
  // that z has r.one_sign() strictly inside the cell: possible when the starting cell is bounded
  // by a box (box_bound_), so is every cell. False proves nothing.
  bool float_certifies(const std::vector<Halfspace>& rows, const ApproxVertices& V, const VertexRange& r) const {
    if (!box_bound_) return false;
    const std::size_t d = out_.dim;
    std::array<const Halfspace*, Halfspace::kApproxDim> support{};
    if (!vertex_support(rows, V, r, support)) return false;
    if (r.one_sign() == Sign::Negative) return negative_on_box_by_float_bound(support.data(), d, r.w.data(), r.w0, box_bound_->data(), d);
    std::array<double, Halfspace::kApproxDim> minus_w{};  // z > 0 is -z < 0 (negation is exact)
    for (std::size_t j = 0; j < d; ++j) minus_w[j] = -r.w[j];
    return negative_on_box_by_float_bound(support.data(), d, minus_w.data(), -r.w0, box_bound_->data(), d);
  }

  // Whether the exact Motzkin check on the vertex's rows proves z's other side empty on the cell
  // (rows, guide V): then z, not constant, has the sign r.one_sign() strictly inside it. `side`
  // is that other side, strictly (z > 0 when z < 0 at every vertex). False proves nothing.
  bool vertex_certifies(const std::vector<Halfspace>& rows, const ApproxVertices& V, const VertexRange& r,
                        const Halfspace& side) const {
    std::array<const Halfspace*, Halfspace::kApproxDim> support{};
    if (!vertex_support(rows, V, r, support)) return false;
    return strict_side_empty_by_certificate(support.data(), out_.dim, side, out_.dim);
  }

  // A point strictly inside the cell (rows) with z_le_0's slack of sign `side` (Positive: z < 0),
  // near the double point x: rounded to short dyadics within the room the rows leave, checked
  // exactly. nullopt: the LP finds one.
  std::optional<Vector> rounded_point_on_side(const std::vector<Halfspace>& rows, const Halfspace& z_le_0, Sign side,
                                              const std::vector<double>& x) const {
    const std::size_t d = out_.dim;
    double room = side == Sign::Positive ? max_norm_room(z_le_0, x) : -max_norm_room(z_le_0, x);
    for (const Halfspace& row : rows) {
      if (row.approx_dim() != d) return std::nullopt;
      room = std::min(room, max_norm_room(row, x));
    }
    if (!(room > 0) || !std::isfinite(room)) return std::nullopt;
    Vector p(d);
    for (std::size_t j = 0; j < d; ++j) {
      if (!std::isfinite(x[j])) return std::nullopt;
      p[j] = short_dyadic_near(x[j], room / 2);
    }
    const FilterPoint fp(p);
    if (z_le_0.slack_sign(fp) != side) return std::nullopt;
    for (const Halfspace& row : rows)
      if (row.slack_sign(fp) != Sign::Positive) return std::nullopt;
    return p;
  }

  // The sign of z = w.x + w0 at x, from the row z <= 0 (its slack is a positive multiple of -z).
  static Sign z_sign_at(const Halfspace& z_le_0, const Vector& x) { return opposite(z_le_0.slack_sign(FilterPoint(x))); }

  // Neuron m on group g: its row z <= 0, the same for every piece (none when z is constant on
  // the group), and `settled`, the sign of z on every piece when z = 0 misses the group's cell;
  // Zero when it crosses it (then each piece is decided on its own) or the group is one cell.
  // The row is unreduced (make_unreduced_halfspace): the questions only need its signs, and most
  // neurons split no piece. `canonical` is made once the pass knows a piece splits: the rows a
  // cell keeps are canonical, for same_hyperplane_as.
  struct GroupNeuron {
    std::optional<Halfspace> z_le_0;  // none when constant or settled by the float bound
    std::optional<Halfspace> canonical;
    Sign settled = Sign::Zero;
    bool constant = false;  // z is constant (w = 0)
    bool crossed = false;  // the vertex guide has both signs: no group LP (group_row)
  };

  // The row part, without an LP (every rank makes every group's row: cheaper than its bytes).
  GroupNeuron group_row(std::size_t g, std::size_t m, std::size_t k) const {
    const ScaledAffineMap& z = *out_.cells[g].preactivation;  // cell g is a piece of its own group
    GroupNeuron out;
    if (z.gradient_is_zero(k)) {  // decide_cell takes the constant case
      out.constant = true;
      return out;
    }
    // The vertex guide first. `crossed`: the float vertices have both signs (then the group's own
    // LP would only confirm it; the pieces are asked one by one).
    const Group& G = groups_[g];
    const VertexRange r = vertex_range(G.vertices, z.approx_row(k));
    out.crossed = r.mixed();
    const Sign s = r.one_sign();
    // Settled by the float bound: no row is made (most neurons split no cell).
    if (s != Sign::Zero && float_certifies(G.rows, G.vertices, r)) {
      out.settled = s;
      return out;
    }
    // The row is unreduced: the questions only need its signs (the canonical one comes later).
    std::vector<Integer> a;
    Integer b;
    z.integer_row(k, a, b);  //  w.x <= -w0, over the map's denominators
    out.z_le_0 = make_unreduced_halfspace(std::move(a), std::move(b), RowOrigin{RowOrigin::Kind::Neuron, m});
    // z > 0 is the strict flip of z <= 0; z < 0 is z <= 0 strictly.
    if (s != Sign::Zero && vertex_certifies(G.rows, G.vertices, r, s == Sign::Negative ? out.z_le_0->flipped() : *out.z_le_0))
      out.settled = s;
    return out;
  }

  // Whether settle_group can settle g: only groups of two or more pieces ask its LP.
  bool group_question(std::size_t g, const GroupNeuron& gn) const {
    return gn.z_le_0 && gn.settled == Sign::Zero && !gn.crossed && groups_[g].pieces >= 2;
  }

  // The `settled` part (at most one LP), for a group with group_question.
  Sign settle_group(std::size_t g, const Halfspace& z_le_0) const {
    const Group& G = groups_[g];
    const Sign zp = z_sign_at(z_le_0, G.point);
    if (zp == Sign::Zero) return Sign::Zero;
    // The other side, strictly: when it is empty on the group's cell, it is empty on every piece.
    // (An if, not a conditional expression: that would copy z_le_0 on both branches.)
    if (zp == Sign::Positive) return cell_point_on_side(G.rows, z_le_0) ? Sign::Zero : zp;
    return cell_point_on_side(G.rows, z_le_0.flipped()) ? Sign::Zero : zp;
  }

  // What neuron m does to one cell, decided from the state before the neuron's pass.
  struct CellDecision {
    bool split = false;
    Sign sign = Sign::Zero;       // when not split: the sign of z on the cell
    Halfspace z_ge_0;             // when split
    // When split: the rows of the negative half, the cell's rows and z <= 0 last. Copied here, in
    // the parallel phase, so the sequential application only moves them.
    std::vector<Halfspace> neg_rows;
    const Halfspace& z_le_0() const { return neg_rows.back(); }
    Vector p_pos, p_neg;          // when split: interior points of the two halves
    Vector crossing;              // when split: a point of the relative interior of the new facet
    Halfspace new_facet;          // when split: the new pair's facet (z <= 0), copied here
    std::optional<ApproxVertices> v_pos, v_neg;  // when split: the halves' vertex guides (clip_vertices)
  };

  // A point of the relative interior of the new facet c ∩ {z = 0} with short (dyadic)
  // coordinates: the exact crossing of the segment between the halves' points has long
  // denominators that slow every later test of it. The crossing is found in double, rounded
  // exactly onto z = 0 (round_onto_hyperplane) and accepted only if every row of c holds strictly
  // there, checked exactly; nullopt: the caller takes the exact crossing.
  std::optional<Vector> crossing_by_rounding(const Cell& c, const Halfspace& z_le_0, const Vector& pn, const Vector& pp) const {
    const std::size_t d = out_.dim;
    if (z_le_0.approx_dim() != d) return std::nullopt;
    double sn = z_le_0.approx_b(), sp = z_le_0.approx_b();
    std::vector<double> x(d);
    for (std::size_t j = 0; j < d; ++j) {
      x[j] = to_double(pn[j]);
      sn -= z_le_0.approx_a()[j] * x[j];
      sp -= z_le_0.approx_a()[j] * to_double(pp[j]);
    }
    if (!(sn > 0) || !(sp < 0)) return std::nullopt;
    const double t = sn / (sn - sp);
    for (std::size_t j = 0; j < d; ++j) x[j] += t * (to_double(pp[j]) - x[j]);
    double room = HUGE_VAL;
    for (const Halfspace& row : c.rows) {
      if (row.approx_dim() != d) return std::nullopt;
      room = std::min(room, max_norm_room(row, x));
    }
    std::optional<Vector> r = round_onto_hyperplane(z_le_0, x, room);
    if (!r) return std::nullopt;
    const FilterPoint fr(*r);
    for (const Halfspace& row : c.rows)
      if (row.slack_sign(fr) != Sign::Positive) return std::nullopt;
    return r;
  }

  // `group_row`: the row z <= 0 of the cell's group (GroupNeuron); z is not constant on the cell.
  // The question part (up to two LPs): whether the cell splits, the sign when not, the two
  // interior points when it does. complete_split derives the rest.
  CellDecision decide_cell(std::size_t ci, std::size_t k, const Halfspace& group_row) const {
    const Cell& c = out_.cells[ci];
    CellDecision d;
    const Halfspace& z_le_0 = group_row;  //  w.x <= -w0; its flip -w.x <= w0 is the other side
    const Sign zp = z_sign_at(z_le_0, c.point);
    // The cell's own point serves the side it is on; it is copied only when the cell splits.
    const bool pos_own = zp == Sign::Positive, neg_own = zp == Sign::Negative;
    std::optional<Vector> p_pos, p_neg;
    // The vertex guide first: it settles the cell (a piece of a split group; a whole group has
    // been tried in group_row), or its halves' vertex means are the two points.
    const ApproxVertices* V = vertices_[ci].empty() ? nullptr : &vertices_[ci];
    if (V) {
      const VertexRange r = vertex_range(*V, c.preactivation->approx_row(k));
      const Sign s = r.one_sign();
      if (s != Sign::Zero && groups_[group_of_[ci]].pieces > 1 && s == zp &&
          (float_certifies(c.rows, *V, r) || vertex_certifies(c.rows, *V, r, s == Sign::Negative ? z_le_0.flipped() : z_le_0))) {
        d.sign = s;
        return d;
      }
      if (r.mixed()) {
        // (Made here, the halves' guides are not clipped again in complete_split.)
        ApproxVertices& vp = d.v_pos.emplace();
        ApproxVertices& vn = d.v_neg.emplace();
        if (clip_vertices(*V, z_le_0, static_cast<std::uint32_t>(c.rows.size()), &vn, &vp, kMaxGuideVertices) && !vn.empty() && !vp.empty()) {
          if (!pos_own) p_pos = rounded_point_on_side(c.rows, z_le_0, Sign::Negative, vertex_mean(vp));
          if (!neg_own) p_neg = rounded_point_on_side(c.rows, z_le_0, Sign::Positive, vertex_mean(vn));
        } else {
          vp = ApproxVertices{};
          vn = ApproxVertices{};
        }
      }
    }
    if (!pos_own && !p_pos) p_pos = cell_point_on_side(c.rows, z_le_0.flipped());
    if (!neg_own && !p_neg) p_neg = cell_point_on_side(c.rows, z_le_0);
    const bool has_pos = pos_own || p_pos, has_neg = neg_own || p_neg;
    if (!has_pos && !has_neg) throw std::logic_error("split: a nonconstant affine function has no side on a full cell");
    if (!has_neg || !has_pos) {
      d.sign = has_pos ? Sign::Positive : Sign::Negative;
      d.v_pos.reset();
      d.v_neg.reset();
      return d;
    }
    d.split = true;
    d.p_pos = pos_own ? c.point : std::move(*p_pos);
    d.p_neg = neg_own ? c.point : std::move(*p_neg);
    return d;
  }

  // What a split derives from the answer of decide_cell without an LP: its rows and the point of
  // the new facet.
  // `question_row`: the row decide_cell had (the clip of the guide uses it, as decide_cell's own
  // clip did: the same doubles on every rank); `group_row`: its canonical form, for the rows.
  void complete_split(std::size_t ci, std::size_t k, const Halfspace& question_row, const Halfspace& group_row, CellDecision& d) const {
    const Cell& c = out_.cells[ci];
    // The segment between the two interior points crosses z = 0 inside the old cell, so the
    // crossing is in the relative interior of the new facet.
    if (auto r = crossing_by_rounding(c, group_row, d.p_neg, d.p_pos)) {
      d.crossing = std::move(*r);
    } else {
      const Vector w = c.preactivation->gradient(k);
      const Rational w0 = c.preactivation->constant(k);
      const Rational zn = dot(w, d.p_neg) + w0, zpos = dot(w, d.p_pos) + w0;
      const Rational t = zn / (zn - zpos);
      d.crossing = add(d.p_neg, scale(t, sub(d.p_pos, d.p_neg)));
    }
    // The halves' guides: clipped from the cell's; none when it has none or the clip fails (a
    // half with too many vertices: its pieces would have many too, so none is rebuilt).
    if (!d.v_pos) {
      d.v_pos.emplace();
      d.v_neg.emplace();
      if (!vertices_[ci].empty() &&
          !clip_vertices(vertices_[ci], question_row, static_cast<std::uint32_t>(c.rows.size()), &*d.v_neg, &*d.v_pos, kMaxGuideVertices)) {
        *d.v_pos = ApproxVertices{};
        *d.v_neg = ApproxVertices{};
      }
    }
    d.z_ge_0 = group_row.flipped();
    d.new_facet = group_row;
    d.neg_rows.reserve(c.rows.size() + 1);
    d.neg_rows = c.rows;
    d.neg_rows.push_back(group_row);
  }

  // decide_cell's answer as bytes: a flag byte (split; the sign; whether a point is the cell's
  // own, which the receiver has), then the points that are new.
  void encode_cell(std::size_t ci, const CellDecision& d, ByteWriter& w) const {
    const Vector& own = out_.cells[ci].point;
    if (!d.split) {
      w.u8(d.sign == Sign::Positive ? 0 : 1);
      return;
    }
    const bool pos_own = d.p_pos == own, neg_own = d.p_neg == own;
    w.u8(static_cast<unsigned char>(2 | (pos_own ? 4 : 0) | (neg_own ? 8 : 0)));
    if (!pos_own) w.vector(d.p_pos);
    if (!neg_own) w.vector(d.p_neg);
  }

  CellDecision decode_cell(std::size_t ci, ByteReader& r) const {
    const Vector& own = out_.cells[ci].point;
    const unsigned char f = r.u8();
    CellDecision d;
    if (!(f & 2)) {
      if (f > 1) throw std::runtime_error("work share: malformed cell answer");
      d.sign = f == 0 ? Sign::Positive : Sign::Negative;
      return d;
    }
    d.split = true;
    d.p_pos = f & 4 ? own : r.vector();
    d.p_neg = f & 8 ? own : r.vector();
    if (d.p_pos.size() != out_.dim || d.p_neg.size() != out_.dim) throw std::runtime_error("work share: malformed cell answer");
    return d;
  }

  // An old adjacent pair (A, B) of which at least one cell splits: on the shared facet the
  // pre-activations of A and B agree (z is continuous), so the pieces that survive are
  // A+ ∩ B+ (z > 0 on the facet) and A- ∩ B- (z < 0 on the facet).
  struct PairDecision {
    std::optional<Vector> q_pos, q_neg;  // new points of the surviving sides
    Sign old_side = Sign::Zero;  // the side (if any) that the pair's old point serves: not copied
    Halfspace second_facet;  // when both: the facet for the second pair, copied in the parallel phase
    bool has_pos() const { return q_pos || old_side == Sign::Positive; }
    bool has_neg() const { return q_neg || old_side == Sign::Negative; }
  };

  PairDecision decide_pair(const Adjacency& adj, const std::vector<CellDecision>& dec) const {
    const std::size_t a = adj.lower, b = adj.upper;
    const std::size_t s = dec[a].split ? a : b;  // a cell that splits
    const CellDecision& ds = dec[s];
    if (ds.z_ge_0.same_hyperplane_as(adj.facet)) throw std::logic_error("split: a cell is split along its own facet");
    PairDecision p;
    const Sign zq = z_sign_at(ds.z_le_0(), adj.point);
    const std::size_t o = s == a ? b : a;
    // When the other cell does not split, z has one sign on it, hence on the facet (where z is
    // not identically zero, or s could not split): only that side survives.
    const bool pos_possible = dec[o].split || dec[o].sign == Sign::Positive;
    const bool neg_possible = dec[o].split || dec[o].sign == Sign::Negative;
    if ((zq == Sign::Positive && pos_possible) || (zq == Sign::Negative && neg_possible)) p.old_side = zq;
    // Without an LP first when both cells split: the segment between their interior points on the
    // wanted side.
    const bool both_split = dec[a].split && dec[b].split;
    if (pos_possible && !p.has_pos() && both_split)
      p.q_pos = facet_point_by_segment(out_.cells[a], out_.cells[b], dec[a].p_pos, dec[b].p_pos, adj, ds.z_ge_0, Sign::Positive);
    if (neg_possible && !p.has_neg() && both_split)
      p.q_neg = facet_point_by_segment(out_.cells[a], out_.cells[b], dec[a].p_neg, dec[b].p_neg, adj, ds.z_ge_0, Sign::Negative);
    if (pos_possible && !p.has_pos()) p.q_pos = facet_point_on_side(out_.cells[a], out_.cells[b], ds.z_ge_0, adj);
    if (neg_possible && !p.has_neg()) p.q_neg = facet_point_on_side(out_.cells[a], out_.cells[b], ds.z_le_0(), adj);
    if (!p.has_pos() && !p.has_neg()) throw std::logic_error("split: a shared facet vanished on both sides");
    if (p.has_pos() && p.has_neg()) p.second_facet = adj.facet;
    return p;
  }

  // decide_pair's answer as bytes: a flag byte (which points there are; whether one is the pair's
  // old point, which the receiver has), then the new points. The second facet is the old one.
  static void encode_pair(const PairDecision& p, ByteWriter& w) {
    const bool pos_old = p.old_side == Sign::Positive, neg_old = p.old_side == Sign::Negative;
    w.u8(static_cast<unsigned char>((p.has_pos() ? 1 : 0) | (pos_old ? 2 : 0) | (p.has_neg() ? 4 : 0) | (neg_old ? 8 : 0)));
    if (p.q_pos && !pos_old) w.vector(*p.q_pos);
    if (p.q_neg && !neg_old) w.vector(*p.q_neg);
  }

  PairDecision decode_pair(const Adjacency& adj, ByteReader& r) const {
    const unsigned char f = r.u8();
    if (f > 15 || !(f & 5) || (f & 2 && !(f & 1)) || (f & 8 && !(f & 4)) || (f & 10) == 10)
      throw std::runtime_error("work share: malformed pair answer");
    PairDecision p;
    if (f & 2) p.old_side = Sign::Positive;
    if (f & 8) p.old_side = Sign::Negative;
    if ((f & 1) && !(f & 2)) p.q_pos = r.vector();
    if ((f & 4) && !(f & 8)) p.q_neg = r.vector();
    if ((p.q_pos && p.q_pos->size() != out_.dim) || (p.q_neg && p.q_neg->size() != out_.dim))
      throw std::runtime_error("work share: malformed pair answer");
    if (p.has_pos() && p.has_neg()) p.second_facet = adj.facet;
    return p;
  }

  // One neuron's pass over every cell: the questions are answered in parallel from the state
  // before the pass; the answers are applied in cell order, then in pair order.
  // With a work share the three kinds of question (groups, cells, touched pairs) are dealt to the
  // ranks in turn (ask); everything else here is done by every rank.
  void split_all(std::size_t m, std::size_t k) {
    const std::size_t n_cells = out_.cells.size(), n_adj = out_.adjacencies.size();
    std::vector<GroupNeuron> gn(groups_.size());
    parallel_for(groups_.size(), [&](std::size_t g) { gn[g] = group_row(g, m, k); });
    std::vector<std::size_t> gq;  // groups whose LP may settle all their pieces
    for (std::size_t g = 0; g < groups_.size(); ++g)
      if (group_question(g, gn[g])) gq.push_back(g);
    ask(
        gq.size(), [&](std::size_t i) { gn[gq[i]].settled = settle_group(gq[i], *gn[gq[i]].z_le_0); },
        [&](std::size_t i, ByteWriter& w) { w.u8(static_cast<unsigned char>(gn[gq[i]].settled) + 1); },
        [&](std::size_t i, ByteReader& r) {
          const unsigned char s = r.u8();
          if (s > 2) throw std::runtime_error("work share: malformed group answer");
          gn[gq[i]].settled = static_cast<Sign>(static_cast<int>(s) - 1);
        });
    std::vector<CellDecision> dec(n_cells);
    std::vector<std::size_t> cq;  // cells that ask decide_cell
    for (std::size_t ci = 0; ci < n_cells; ++ci) {
      const GroupNeuron& g = gn[group_of_[ci]];
      if (g.settled != Sign::Zero) dec[ci].sign = g.settled;  // not split
      else if (g.constant) dec[ci].sign = out_.cells[ci].preactivation->constant_sign(k);  // constant: no split (THEORY.md §1, fine point 3)
      else cq.push_back(ci);
    }
    auto row_of = [&](std::size_t ci) -> const Halfspace& { return *gn[group_of_[ci]].z_le_0; };
    ask(
        cq.size(), [&](std::size_t i) { dec[cq[i]] = decide_cell(cq[i], k, row_of(cq[i])); },
        [&](std::size_t i, ByteWriter& w) { encode_cell(cq[i], dec[cq[i]], w); },
        [&](std::size_t i, ByteReader& r) { dec[cq[i]] = decode_cell(cq[i], r); });
    // Every rank completes every split (cheaper than its bytes), with the canonical row of the
    // group, made once per group with a piece that splits.
    std::vector<std::size_t> splits, split_groups;
    for (std::size_t ci : cq)
      if (dec[ci].split) splits.push_back(ci);
    {
      std::vector<char> seen(groups_.size(), 0);
      for (std::size_t ci : splits)
        if (!seen[group_of_[ci]]++) split_groups.push_back(group_of_[ci]);
    }
    parallel_for(split_groups.size(), [&](std::size_t i) {
      GroupNeuron& g = gn[split_groups[i]];
      g.canonical = make_halfspace(g.z_le_0->a(), g.z_le_0->b(), g.z_le_0->origin);
    });
    parallel_for(splits.size(), [&](std::size_t i) {
      const GroupNeuron& g = gn[group_of_[splits[i]]];
      complete_split(splits[i], k, *g.z_le_0, *g.canonical, dec[splits[i]]);
    });
    std::vector<std::size_t> touched;  // old pairs with a cell that splits
    for (std::size_t e = 0; e < n_adj; ++e)
      if (dec[out_.adjacencies[e].lower].split || dec[out_.adjacencies[e].upper].split) touched.push_back(e);
    std::vector<PairDecision> pdec(touched.size());
    ask(
        touched.size(), [&](std::size_t i) { pdec[i] = decide_pair(out_.adjacencies[touched[i]], dec); },
        [&](std::size_t i, ByteWriter& w) { encode_pair(pdec[i], w); },
        [&](std::size_t i, ByteReader& r) { pdec[i] = decode_pair(out_.adjacencies[touched[i]], r); });

    ContactSplits contact_splits = decide_contacts(dec);

    // Apply, sequentially.
    std::vector<std::size_t> neg_of(n_cells, 0);
    for (std::size_t ci = 0; ci < n_cells; ++ci) {
      CellDecision& d = dec[ci];
      const Cell& c0 = out_.cells[ci];
      if (!d.split) {
        out_.cells[ci].pattern[m] = d.sign;
        if (observer_) observer_->on_nosplit(ci, m, c0.preactivation->gradient(k), c0.preactivation->constant(k), d.sign);
        continue;
      }
      const std::size_t ni = out_.cells.size();
      if (limits_.max_cells && ni + 1 > limits_.max_cells) throw BuildAborted{BuildStatus::CellLimit};
      if (observer_) observer_->on_split(ci, ni, m, c0.preactivation->gradient(k), c0.preactivation->constant(k), d.p_pos, d.p_neg);
      neg_of[ci] = ni;
      group_of_.push_back(group_of_[ci]);
      ++groups_[group_of_[ci]].pieces;
      Cell neg;
      {
        Cell& pos = out_.cells[ci];
        neg.rows = std::move(d.neg_rows);
        neg.point = std::move(d.p_neg);
        neg.pattern = pos.pattern;
        neg.pattern[m] = Sign::Negative;
        neg.layer_input = pos.layer_input;
        neg.preactivation = pos.preactivation;
        neg.skip_sources = pos.skip_sources;
        pos.rows.push_back(std::move(d.z_ge_0));
        pos.point = std::move(d.p_pos);
        pos.pattern[m] = Sign::Positive;
        pos.adjacencies.clear();  // rebuilt below from the pairs
      }
      out_.cells.push_back(std::move(neg));
      vertices_[ci] = std::move(*d.v_pos);  // (complete_split made both)
      vertices_.push_back(std::move(*d.v_neg));
    }
    auto pos_half = [&](std::size_t c) { return c; };
    auto neg_half = [&](std::size_t c) { return dec[c].split ? neg_of[c] : c; };
    auto link = [&](std::size_t e, std::size_t c, bool fresh_list) {
      // Split cells (and new cells) rebuild their lists; others only gain new pairs.
      if (fresh_list) out_.cells[c].adjacencies.push_back(e);
    };
    for (std::size_t i = 0; i < touched.size(); ++i) {
      const std::size_t e = touched[i];
      PairDecision& p = pdec[i];
      const std::size_t a = out_.adjacencies[e].lower, b = out_.adjacencies[e].upper;
      std::optional<Vector> old_point;  // the old point, when the negative side keeps it and the positive does not
      if (p.has_pos()) {
        Adjacency& adj = out_.adjacencies[e];
        adj.lower = pos_half(a);
        adj.upper = pos_half(b);
        if (p.q_pos) {
          if (p.old_side == Sign::Negative) old_point = std::move(adj.point);
          adj.point = std::move(*p.q_pos);
        }
        link(e, adj.lower, dec[a].split);
        link(e, adj.upper, dec[b].split);
      }
      if (p.has_neg()) {
        std::size_t id = e;
        if (p.has_pos()) {
          id = out_.adjacencies.size();
          Adjacency second;  // the same facet (copied in decide_pair); the point is set below
          second.facet = std::move(p.second_facet);
          out_.adjacencies.push_back(std::move(second));
        }
        Adjacency& adj = out_.adjacencies[id];
        adj.lower = neg_half(a);
        adj.upper = neg_half(b);
        if (p.q_neg) adj.point = std::move(*p.q_neg);
        else if (old_point) adj.point = std::move(*old_point);  // (else id == e: the point stays)
        // An unsplit endpoint keeps e in its list; it gains only a new id.
        link(id, adj.lower, dec[a].split || id != e);
        link(id, adj.upper, dec[b].split || id != e);
      }
    }
    for (std::size_t ci = 0; ci < n_cells; ++ci) {
      if (!dec[ci].split) continue;
      Adjacency fresh;
      fresh.lower = neg_of[ci];
      fresh.upper = ci;
      fresh.facet = std::move(dec[ci].new_facet);  // = the negative half's last row
      fresh.point = std::move(dec[ci].crossing);
      const std::size_t id = out_.adjacencies.size();
      out_.adjacencies.push_back(std::move(fresh));
      out_.cells[neg_of[ci]].adjacencies.push_back(id);
      out_.cells[ci].adjacencies.push_back(id);
    }
    apply_contacts(contact_splits, neg_of);
    // Every pair is known again, so the rows of the new cells that carry no pair (and are not
    // domain faces) are redundant: a facet inside the domain has a neighbour across it.
    std::vector<std::size_t> fresh_cells;
    for (std::size_t ci = 0; ci < n_cells; ++ci)
      if (dec[ci].split) {
        fresh_cells.push_back(ci);
        fresh_cells.push_back(neg_of[ci]);
      }
    // A followed facet of the polytope is a row of the cells that touch it (they have a contact).
    std::vector<std::vector<std::size_t>> contacts_of;
    if (!contacts_.empty()) {
      contacts_of.resize(out_.cells.size());
      for (std::size_t i = 0; i < contacts_.size(); ++i) contacts_of[contacts_[i].cell].push_back(i);
    }
    // Which rows to keep is a question too (hyperplane comparisons, about a tenth of a pass's work
    // in d = 5), with an answer of one bit per row.
    std::vector<std::vector<char>> keep(fresh_cells.size());
    ask(
        fresh_cells.size(), [&](std::size_t i) { keep[i] = rows_to_keep(fresh_cells[i], contacts_of.empty() ? nullptr : &contacts_of[fresh_cells[i]]); },
        [&](std::size_t i, ByteWriter& w) {
          w.varint(keep[i].size());
          for (std::size_t r = 0; r < keep[i].size(); r += 8) {
            unsigned char bits = 0;
            for (std::size_t j = r; j < std::min(r + 8, keep[i].size()); ++j) bits |= static_cast<unsigned char>(keep[i][j] << (j - r));
            w.u8(bits);
          }
        },
        [&](std::size_t i, ByteReader& r) {
          const std::size_t n = r.varint();
          if (n != out_.cells[fresh_cells[i]].rows.size()) throw std::runtime_error("work share: malformed row mask");
          keep[i].assign(n, 0);
          for (std::size_t b = 0; b < n; b += 8) {
            const unsigned char bits = r.u8();
            for (std::size_t j = b; j < std::min(b + 8, n); ++j) keep[i][j] = (bits >> (j - b)) & 1;
          }
        });
    parallel_for(fresh_cells.size(), [&](std::size_t i) { keep_rows(fresh_cells[i], keep[i]); });
  }

  // Contacts with the polytope's followed facets (PolytopeContact) through one neuron's pass: a
  // contact of a cell that splits goes to the halves whose side of z = 0 meets it in dimension
  // d-1 (like a pair whose other cell is outside and has both signs). The questions are answered
  // in parallel from the state before the pass, then applied in contact order.
  struct Contact {
    std::size_t cell;
    std::size_t tag;
    Vector point;
    Halfspace facet;
  };

  std::optional<Vector> contact_point_on_side(const Cell& c, const Contact& k, const Halfspace& side) const {
    std::vector<const Halfspace*> rows;
    rows.reserve(c.rows.size() + 1);
    for (const auto& r : c.rows)
      if (!r.same_hyperplane_as(k.facet)) rows.push_back(&r);
    rows.push_back(&side);
    return find_strict_point_on_hyperplane(k.facet, rows, out_.dim);
  }

  // Whether relint(c ∩ F) meets the strict side side_row (z > 0 or z < 0) of z, F the contact's
  // facet, decided without an LP when a walk in double settles it; nothing in double is trusted.
  // `point`: a point of relint(c ∩ F) where side_row holds strictly, rounded exactly onto F
  // (round_onto_hyperplane) and checked exactly against every row. `empty`: the side misses it,
  // proved by a Motzkin certificate on the rows where the walk ended, checked exactly
  // (empty_on_hyperplane_by_certificate). Neither: the LP decides.
  struct ContactWalk {
    std::optional<Vector> point;
    bool empty = false;
  };

  // The walk is a primal active-set method in F for the LP "maximise side_row's slack on c ∩ F",
  // from the contact's point q (on F, strictly inside the cell's other rows). Each leg goes along
  // the part of the slack's gradient orthogonal to F and to the rows the walk stays on; it ends
  // halfway between the zero of z and the first other row when the zero comes first (then the
  // side is reached), or on that row, which joins the rows the walk stays on. The first leg heads
  // instead for `toward` (the split half's interior point, where z has the side's sign) projected
  // into F, when the slack grows that way: on the d = 6 benchmark that leg alone reaches the side
  // in 57% of the questions, the gradient's in 22%. Where no direction is left, the slack's
  // gradient is a combination of F's normal and those rows' normals: a row with a negative
  // multiplier is let go, and with none the walk is at the LP's optimum, where the multipliers
  // are the certificate that the side is empty. A walk that stays on rows ends on their
  // hyperplanes, so its end is pulled towards q, halfway in side_row's slack, which puts it
  // strictly inside every row again.
  ContactWalk contact_walk(const Cell& c, const Contact& k, const Halfspace& side_row, const Vector* toward) const {
    ContactWalk out;
    const std::size_t d = out_.dim;
    const Halfspace& h = k.facet;
    constexpr std::size_t D = Halfspace::kApproxDim;
    if (h.approx_dim() != d || side_row.approx_dim() != d) return out;
    // Every vector here has D entries, zero past d (as the rows' approx_a): the loops run to D,
    // a fixed count the compiler unrolls.
    auto dotd = [](const double* u, const double* w) {
      double s = 0;
      for (std::size_t j = 0; j < D; ++j) s += u[j] * w[j];
      return s;
    };
    std::array<double, D> q{}, x{}, v{};
    for (std::size_t j = 0; j < d; ++j) x[j] = q[j] = to_double(k.point[j]);
    // The rows the walk sees (c's rows not of F's face), with their slacks in double at q and
    // now (kept up to date along the walk), and their rates along the current leg.
    struct WalkRow {
      const Halfspace* row;
      double slack_q, slack, av;
      bool met;
    };
    static thread_local std::vector<WalkRow> rows;
    rows.clear();
    for (const Halfspace& row : c.rows) {
      if (row.approx_dim() != d || (row.origin.kind == h.origin.kind && row.origin.index == h.origin.index)) continue;
      const double sl = row.approx_b() - dotd(row.approx_a(), q.data());
      rows.push_back(WalkRow{&row, sl, sl, 0, false});
    }
    // An orthonormal basis of the normals the walk stays orthogonal to: F's, then those of `met`.
    std::array<std::array<double, D>, D> basis{};
    std::size_t nb = 0;
    auto project_out = [&](double* u) {
      for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < nb; ++i) {
          const double f = dotd(u, basis[i].data());
          for (std::size_t j = 0; j < D; ++j) u[j] -= f * basis[i][j];
        }
    };
    auto add_to_basis = [&](const Halfspace& row) {
      if (nb == d) return false;
      std::array<double, D> u{};
      for (std::size_t j = 0; j < d; ++j) u[j] = row.approx_a()[j];
      const double n0 = dotd(u.data(), u.data());
      project_out(u.data());
      const double n = dotd(u.data(), u.data());
      if (!(n > 1e-20 * n0)) return false;  // (nearly) dependent on the ones before
      const double inv = 1 / std::sqrt(n);
      for (std::size_t j = 0; j < d; ++j) basis[nb][j] = u[j] * inv;
      ++nb;
      return true;
    };
    std::vector<std::size_t> met;  // indices into rows: the rows the walk stays on
    auto rebuild_basis = [&] {
      nb = 0;
      if (!add_to_basis(h)) return false;
      for (std::size_t r : met)
        if (!add_to_basis(*rows[r].row)) return false;
      return true;
    };
    if (!rebuild_basis()) return out;
    const double side_norm = dotd(side_row.approx_a(), side_row.approx_a());
    const double side_q = side_row.approx_b() - dotd(side_row.approx_a(), q.data());
    double side = side_q;  // side_row's slack now
    bool reached = false;
    for (std::size_t iter = 0; iter < 4 * d && !reached; ++iter) {
      double rate = 0;  // d(slack)/dt along v
      if (iter == 0 && toward) {  // the first leg towards the half's interior point, in F
        for (std::size_t j = 0; j < d; ++j) v[j] = to_double((*toward)[j]) - q[j];
        project_out(v.data());
        rate = -dotd(side_row.approx_a(), v.data());
        if (!(rate > 1e-12 * std::sqrt(side_norm * dotd(v.data(), v.data())))) rate = 0;
      }
      if (!(rate > 0)) {
        for (std::size_t j = 0; j < d; ++j) v[j] = -side_row.approx_a()[j];
        project_out(v.data());
        rate = -dotd(side_row.approx_a(), v.data());
        if (!(rate > 1e-12 * side_norm)) rate = 0;  // (v is -a_s projected: rate = |v|^2)
      }
      if (rate > 0) {
        const double t0 = std::max(0.0, -side / rate);
        double tmax = HUGE_VAL;
        std::size_t first = rows.size();
        for (std::size_t r = 0; r < rows.size(); ++r) {
          WalkRow& w = rows[r];
          if (w.met) continue;
          w.av = dotd(w.row->approx_a(), v.data());
          if (!(w.av > 0)) continue;
          const double tr = std::max(0.0, w.slack) / w.av;
          if (tr < tmax) {
            tmax = tr;
            first = r;
          }
        }
        const bool last = tmax > t0;  // z's zero first: the side is reached on this leg
        const double t = !last ? tmax : std::isfinite(tmax) ? 0.5 * (t0 + tmax) : (t0 > 0 ? 2 * t0 : 1.0);
        if (last && !(t > t0)) return out;
        for (std::size_t j = 0; j < D; ++j) x[j] += t * v[j];
        side += t * rate;
        for (WalkRow& w : rows)
          if (!w.met) w.slack -= t * w.av;
        if (last) {
          reached = true;
          break;
        }
        rows[first].met = true;
        rows[first].slack = 0;
        met.push_back(first);
        if (!add_to_basis(*rows[first].row)) return out;  // a degenerate corner: left to the LP
        continue;
      }
      // No direction left: -a_s = mu h + sum_i lambda_i a_i over the rows met, in double (normal
      // equations on unit columns; only the multipliers' signs and sizes are used).
      const std::size_t m = met.size() + 1;
      std::array<std::array<double, D>, D> u{};
      std::array<double, D + 1> G[D]{};
      auto unit = [&](const Halfspace& row, std::array<double, D>& into) {
        const double n = std::sqrt(dotd(row.approx_a(), row.approx_a()));
        for (std::size_t j = 0; j < d; ++j) into[j] = row.approx_a()[j] / n;
      };
      unit(h, u[0]);
      for (std::size_t i = 0; i < met.size(); ++i) unit(*rows[met[i]].row, u[i + 1]);
      std::array<double, D> target{};
      unit(side_row, target);
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) G[i][j] = dotd(u[i].data(), u[j].data());
        G[i][m] = -dotd(u[i].data(), target.data());
      }
      for (std::size_t col = 0; col < m; ++col) {  // Gauss-Jordan with partial pivoting
        std::size_t p = col;
        for (std::size_t i = col + 1; i < m; ++i)
          if (std::fabs(G[i][col]) > std::fabs(G[p][col])) p = i;
        if (!(std::fabs(G[p][col]) > 1e-14)) return out;
        std::swap(G[p], G[col]);
        for (std::size_t i = 0; i < m; ++i) {
          if (i == col) continue;
          const double f = G[i][col] / G[col][col];
          for (std::size_t j = col; j <= m; ++j) G[i][j] -= f * G[col][j];
        }
      }
      double most_negative = 0, largest = 0;
      std::size_t drop = met.size();
      for (std::size_t i = 0; i < met.size(); ++i) {
        const double lambda = G[i + 1][m] / G[i + 1][i + 1];
        largest = std::max(largest, std::fabs(lambda));
        if (lambda < most_negative) {
          most_negative = lambda;
          drop = i;
        }
      }
      if (drop < met.size() && most_negative < -1e-9 * largest) {
        rows[met[drop]].met = false;
        met.erase(met.begin() + static_cast<std::ptrdiff_t>(drop));
        if (!rebuild_basis()) return out;
        continue;
      }
      // The optimum of the slack on c ∩ F, in double: the side is empty if the slack there is not
      // positive. The certificate: side_row with the rows of positive multiplier, and F.
      if (side > 0) return out;
      std::vector<const Halfspace*> support;
      for (std::size_t i = 0; i < met.size(); ++i)
        if (G[i + 1][m] / G[i + 1][i + 1] > 1e-9 * largest) support.push_back(rows[met[i]].row);
      support.push_back(&side_row);
      out.empty = empty_on_hyperplane_by_certificate(h, support, d);
      return out;
    }
    if (!reached) return out;
    double eps = 0;
    if (!met.empty()) {  // on the rows met: halfway back to q in side_row's slack
      if (!(side > 0) || !(side > side_q)) return out;
      eps = 0.5 * side / (side - side_q);
      for (std::size_t j = 0; j < d; ++j) x[j] += eps * (q[j] - x[j]);
      side += eps * (side_q - side);
    }
    // Room for the rounding (max_norm_room, from the slacks kept along the walk).
    const double side_norm1 = side_row.approx_norm1();
    double room = side_norm1 > 0 ? side / side_norm1 : HUGE_VAL;
    for (const WalkRow& w : rows) {
      const double norm1 = w.row->approx_norm1();
      if (norm1 > 0) room = std::min(room, (w.slack + eps * (w.slack_q - w.slack)) / norm1);
    }
    std::vector<double> xv(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(d));
    std::optional<Vector> r = round_onto_hyperplane(h, xv, room);
    if (!r) return out;
    const FilterPoint fr(*r);
    if (side_row.slack_sign(fr) != Sign::Positive) return out;
    for (const Halfspace& row : c.rows) {
      if (row.origin.kind == h.origin.kind && row.origin.index == h.origin.index && row.same_hyperplane_as(h)) continue;  // r is on it
      if (row.slack_sign(fr) != Sign::Positive) return out;
    }
    out.point = std::move(r);
    return out;
  }

  // How one side of a contact was decided (ContactCounts).
  enum class SideBy : unsigned char { Own, WalkPoint, WalkEmpty, LpPoint, LpEmpty };

  struct ContactSplits {
    std::vector<std::size_t> touched;  // contacts whose cell splits
    std::vector<std::optional<Vector>> pos, neg;  // new points of the sides that survive
    std::vector<Sign> own;  // the side (if any) that the contact's own point serves: not copied
    std::vector<std::array<SideBy, 2>> by;  // per touched contact: how its sides (pos, neg) were decided
    bool has_pos(std::size_t i) const { return pos[i] || own[i] == Sign::Positive; }
    bool has_neg(std::size_t i) const { return neg[i] || own[i] == Sign::Negative; }
  };

  // One side of a touched contact: the walk first (contact_walk), the LP when the walk settles
  // nothing (or always, or as a check, by contact_walk_mode()).
  std::optional<Vector> decide_contact_side(const Cell& c, const Contact& k, const Halfspace& side, SideBy& by, const Vector* toward) const {
    const ContactWalkMode mode = contact_walk_mode();
    if (mode != ContactWalkMode::Lp) {
      ContactWalk w = contact_walk(c, k, side, toward);
      if (w.point || w.empty) {
        by = w.point ? SideBy::WalkPoint : SideBy::WalkEmpty;
        if (mode == ContactWalkMode::Checked && contact_point_on_side(c, k, side).has_value() != w.point.has_value())
          throw std::logic_error("split: the contact walk and the LP disagree on a side of a followed facet");
        return std::move(w.point);
      }
    }
    std::optional<Vector> p = contact_point_on_side(c, k, side);
    by = p ? SideBy::LpPoint : SideBy::LpEmpty;
    return p;
  }

  // Before the application (the cells still have their rows, dec its halfspaces).
  ContactSplits decide_contacts(const std::vector<CellDecision>& dec) {
    ContactSplits cs;
    for (std::size_t i = 0; i < contacts_.size(); ++i)
      if (dec[contacts_[i].cell].split) cs.touched.push_back(i);
    cs.pos.resize(cs.touched.size());
    cs.neg.resize(cs.touched.size());
    cs.own.assign(cs.touched.size(), Sign::Zero);
    cs.by.assign(cs.touched.size(), {SideBy::Own, SideBy::Own});
    parallel_for(cs.touched.size(), [&](std::size_t i) {
      const Contact& k = contacts_[cs.touched[i]];
      const CellDecision& d = dec[k.cell];
      const Cell& c = out_.cells[k.cell];
      const Sign zq = z_sign_at(d.z_le_0(), k.point);
      cs.own[i] = zq;  // the side the contact's own point serves (not copied)
      if (zq != Sign::Positive) cs.pos[i] = decide_contact_side(c, k, d.z_ge_0, cs.by[i][0], &d.p_pos);
      if (zq != Sign::Negative) cs.neg[i] = decide_contact_side(c, k, d.z_le_0(), cs.by[i][1], &d.p_neg);
      if (!cs.has_pos(i) && !cs.has_neg(i)) throw std::logic_error("split: a followed facet vanished on both sides");
    });
    for (const auto& sides : cs.by)
      for (SideBy b : sides) switch (b) {
          case SideBy::Own: break;
          case SideBy::WalkPoint: ++out_.contact_counts.walk_points; break;
          case SideBy::WalkEmpty: ++out_.contact_counts.walk_empty; break;
          case SideBy::LpPoint: ++out_.contact_counts.lp_points; break;
          case SideBy::LpEmpty: ++out_.contact_counts.lp_empty; break;
        }
    return cs;
  }

  void apply_contacts(ContactSplits& cs, const std::vector<std::size_t>& neg_of) {
    for (std::size_t i = 0; i < cs.touched.size(); ++i) {
      Contact& k = contacts_[cs.touched[i]];
      const std::size_t cell = k.cell;
      if (cs.has_pos(i) && cs.has_neg(i)) {
        Contact second{neg_of[cell], k.tag, cs.neg[i] ? std::move(*cs.neg[i]) : std::move(k.point), k.facet};
        if (cs.pos[i]) k.point = std::move(*cs.pos[i]);
        contacts_.push_back(std::move(second));
      } else if (cs.has_pos(i)) {
        if (cs.pos[i]) k.point = std::move(*cs.pos[i]);
      } else {
        k.cell = neg_of[cell];
        if (cs.neg[i]) k.point = std::move(*cs.neg[i]);
      }
    }
  }

  // The rows a fresh cell keeps: the domain rows and one row on the hyperplane of each of the
  // cell's pairs. Followed facets of a polytope domain (PolytopeContact) are kept only where the
  // cell has a contact on them: like a pair, a contact marks a facet of the cell; a followed row
  // without one does not meet the cell in dimension d-1, so it is redundant there.
  std::vector<char> rows_to_keep(std::size_t ci, const std::vector<std::size_t>* contacts) const {
    const Cell& c = out_.cells[ci];
    std::vector<char> keep(c.rows.size(), 0);
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const RowOrigin& o = c.rows[r].origin;
      keep[r] = o.kind == RowOrigin::Kind::Domain && !(o.index < followed_.size() && followed_[o.index]);
    }
    if (contacts)
      for (std::size_t k : *contacts)
        for (std::size_t r = 0; r < c.rows.size(); ++r)
          if (c.rows[r].origin.kind == RowOrigin::Kind::Domain && c.rows[r].origin.index == contacts_[k].facet.origin.index) keep[r] = 1;
    // Each pair's facet is the row of the same neuron, nearly always: a table neuron -> its first
    // row answers that in O(1) (a scan of the rows per pair was 3% of d = 6); the scans below
    // only run where it does not, and pick the same row the scans alone would.
    static thread_local std::vector<std::uint32_t> first_row;  // per neuron: 1 + its first row here, 0: none
    if (first_row.size() < out_.neurons.size()) first_row.resize(out_.neurons.size(), 0);
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const RowOrigin& o = c.rows[r].origin;
      if (o.kind == RowOrigin::Kind::Neuron && o.index < out_.neurons.size() && first_row[o.index] == 0)
        first_row[o.index] = static_cast<std::uint32_t>(r + 1);
    }
    bool missing = false;
    for (std::size_t e : c.adjacencies) {
      const Halfspace& f = out_.adjacencies[e].facet;
      std::size_t found = c.rows.size();
      if (f.origin.kind == RowOrigin::Kind::Neuron && f.origin.index < out_.neurons.size() && first_row[f.origin.index] != 0 &&
          c.rows[first_row[f.origin.index] - 1].same_hyperplane_as(f))
        found = first_row[f.origin.index] - 1;
      for (std::size_t r = 0; r < c.rows.size() && found == c.rows.size(); ++r)  // same neuron first: cheap
        if (c.rows[r].origin.kind == f.origin.kind && c.rows[r].origin.index == f.origin.index && c.rows[r].same_hyperplane_as(f))
          found = r;
      for (std::size_t r = 0; r < c.rows.size() && found == c.rows.size(); ++r)
        if (c.rows[r].same_hyperplane_as(f)) found = r;
      if (found == c.rows.size()) {
        missing = true;
        break;
      }
      keep[found] = 1;
    }
    for (const Halfspace& row : c.rows)  // the table is all zeros again
      if (row.origin.kind == RowOrigin::Kind::Neuron && row.origin.index < out_.neurons.size()) first_row[row.origin.index] = 0;
    if (missing) throw std::logic_error("split: a pair's facet is not a row of its cell");
    return keep;
  }

  void keep_rows(std::size_t ci, const std::vector<char>& keep) {
    Cell& c = out_.cells[ci];
    std::size_t out = 0;
    for (std::size_t r = 0; r < c.rows.size(); ++r)
      if (keep[r]) {
        if (out != r) c.rows[out] = std::move(c.rows[r]);
        ++out;
      }
    c.rows.resize(out);
    if (!vertices_[ci].empty() && !renumber_rows(vertices_[ci], keep)) vertices_[ci] = ApproxVertices{};
  }

  void finish_cells() {
    parallel_for(out_.cells.size(), [&](std::size_t ci) {
      Cell& c = out_.cells[ci];
      if (c.layer_input->outputs() != 1) throw std::logic_error("finish: output is not scalar");
      if (const std::vector<char> zero = input_zero_rows(c); !zero.empty() && zero[0]) {  // a final ReLU, inactive
        c.gradient.assign(out_.dim, Rational(0));
        c.offset = 0;
      } else {
        c.gradient = c.layer_input->gradient(0);
        c.offset = c.layer_input->constant(0);
      }
      c.layer_input.reset();
      c.skip_sources.reset();
      // Invariant: the affine piece agrees with the exact forward pass inside the cell. With a work
      // share each rank checks its own cells (a failure ends the run on every rank).
      if (arithmetic_mode() == ArithmeticMode::Exact && (!share_ || share_->owns(ci)) &&
          dot(c.gradient, c.point) + c.offset != net_.value(c.point))
        throw std::logic_error("finish: affine piece disagrees with the forward pass");
    });
  }

  const Network& net_;
  std::vector<ApproxVertices> vertices_;  // beside out_.cells (the cells' vertex guides)
  std::optional<std::vector<double>> box_bound_;  // |x_j| <= R_j on the starting cell, so on every cell (float_certifies)
  std::vector<bool> is_skip_source_ = std::vector<bool>(net_.layers().size(), false);
  std::vector<RowScaledMatrix> scaled_W_;  // each layer's W over row denominators (nets with skips only)
  std::vector<std::vector<RowScaledMatrix>> scaled_skips_;  // each layer's skip matrices M, likewise
  BuildLimits limits_;
  BuildObserver* observer_ = nullptr;  // optional split-tree listener (certificate writer)
  WorkShare* share_ = nullptr;         // null: this process answers every question
  mutable std::atomic<unsigned char> pending_{0};  // with a share: a limit reached here (a BuildStatus), not yet agreed
  LpCounters remote_lp_{};             // with a share: the LP counters of the other ranks' answers
  const PolytopeDomain* polytope_ = nullptr;  // build_region_complex_in: the starting cell's rows
  Clock::time_point start_;
  Clock::time_point last_progress_{};
  LpCounters lp_before_{};
  std::size_t neurons_done_ = 0;
  static constexpr std::size_t kNoMask = static_cast<std::size_t>(-1);
  std::size_t input_relu_first_ = kNoMask;  // first neuron of the ReLU layer whose output is layer_input
  std::vector<Group> groups_;          // of the current layer's pass
  std::vector<std::size_t> group_of_;  // per cell: its group
  std::vector<Contact> contacts_;      // followed facets of the polytope (PolytopeDomain::contacts)
  std::vector<char> followed_;         // per polytope row: 1 if a contact follows it
  RegionComplex out_;
};

}  // namespace

std::size_t RegionComplex::distinct_affine_pieces() const {
  // Sort the cells by (gradient, offset), compared exactly, and count the runs.
  auto compare = [this](std::size_t i, std::size_t j) {
    const Cell &a = cells[i], &b = cells[j];
    for (std::size_t k = 0; k < a.gradient.size() && k < b.gradient.size(); ++k)
      if (const int c = cmp(a.gradient[k], b.gradient[k])) return c;
    if (a.gradient.size() != b.gradient.size()) return a.gradient.size() < b.gradient.size() ? -1 : 1;
    return cmp(a.offset, b.offset);
  };
  std::vector<std::size_t> order(cells.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return compare(i, j) < 0; });
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (i == 0 || compare(order[i - 1], order[i]) != 0) ++distinct;
  return distinct;
}

std::string RegionComplex::pattern_string(const Cell& c) const {
  std::string s;
  for (Sign x : c.pattern) s += sign_char(x);
  return s;
}

RegionComplex build_region_complex(const Network& net, const Domain& domain, const BuildLimits& limits,
                                   BuildObserver* observer) {
  if (auto planar = planar_builder_enabled() ? build_planar_complex(net, domain, limits, observer) : std::nullopt) return std::move(*planar);
  if (domain.dim != net.input_dim()) throw std::invalid_argument("build_region_complex: domain dimension differs from the network's");
  return Builder(net, domain, limits, observer).run();
}

RegionComplex build_region_complex_in(const Network& net, const PolytopeDomain& polytope, const BuildLimits& limits) {
  if (polytope.interior.size() != net.input_dim())
    throw std::invalid_argument("build_region_complex_in: the interior point's dimension differs from the network's");
  if (!strictly_inside(polytope.rows, polytope.interior))
    throw std::invalid_argument("build_region_complex_in: the interior point is not strictly inside every row");
  return Builder(net, Domain::whole_space(net.input_dim()), limits, nullptr, &polytope).run();
}

}  // namespace relucert
