#include "analysis/streamed_check.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "analysis/convexity.hpp"
#include "analysis/streamed_part.hpp"
#include "core/certified_forward.hpp"
#include "core/network_restriction.hpp"
#include "core/one_sided_derivative.hpp"

namespace relucert {

Network first_layer_net(const Network& net) {
  const Layer& L1 = net.layers()[0];
  Layer head;
  head.W = {Vector(L1.width(), Rational(0))};
  head.b = {Rational(0)};
  head.relu = false;
  Layer first = L1;
  first.skips.clear();
  return Network(net.input_dim(), {first, head});
}

std::optional<std::string> streamed_check_unsupported(const Network& net, const Domain& domain) {
  if (net.input_dim() < 3) return std::string("input dimension below 3");
  if (domain.dim != net.input_dim()) return std::string("domain dimension differs from the network's");
  if (auto why = restriction_unsupported(net)) return why;
  std::size_t relu_layers = 0;
  for (const Layer& L : net.layers()) relu_layers += L.relu ? 1 : 0;
  if (relu_layers < 2) return std::string("fewer than two ReLU layers");
  if (net.output_dim() != 1) return std::string("output is not scalar");
  return std::nullopt;
}

namespace {

using Clock = std::chrono::steady_clock;

// An exact key of the piece: equal keys iff equal pieces. Each canonical rational (one form
// each) is its numerator and its denominator, each as its signed byte count (one byte below
// 128, else a marker and eight bytes) and its magnitude's bytes, least significant first: on a
// little-endian machine the first bytes of GMP's limbs, copied. Not portable across machines,
// which it never crosses (the ranks of a run are one program on one kind of machine). Not
// decimal text (its base conversion cost 3% of a d = 6 check), nor ByteWriter's big-endian
// bytes (written byte by byte: 2% of d = 6 [8, 8]); every cell's key is kept to the end, so it
// is kept short.
void append_integer(std::string& k, mpz_srcptr z) {
  const int size = z->_mp_size;
  const std::size_t limbs = static_cast<std::size_t>(size < 0 ? -size : size);
  std::size_t bytes = 0;
  if (limbs > 0) {
    bytes = (limbs - 1) * sizeof(mp_limb_t);
    for (mp_limb_t top = z->_mp_d[limbs - 1]; top != 0; top >>= 8) ++bytes;
  }
  const long long count = size < 0 ? -static_cast<long long>(bytes) : static_cast<long long>(bytes);
  if (count > -128 && count < 128) {
    k.push_back(static_cast<char>(count));
  } else {
    k.push_back(static_cast<char>(-128));
    k.append(reinterpret_cast<const char*>(&count), sizeof count);
  }
  if constexpr (std::endian::native == std::endian::little) {
    k.append(reinterpret_cast<const char*>(z->_mp_d), bytes);
  } else {
    for (std::size_t i = 0; i < bytes; ++i) k.push_back(static_cast<char>((z->_mp_d[i / sizeof(mp_limb_t)] >> (8 * (i % sizeof(mp_limb_t)))) & 0xff));
  }
}

std::string piece_key(const Cell& c) {
  std::string k;
  k.reserve((c.gradient.size() + 1) * (2 + 2 * sizeof(mp_limb_t)));
  for (const Rational& g : c.gradient) {
    append_integer(k, g.get_num_mpz_t());
    append_integer(k, g.get_den_mpz_t());
  }
  append_integer(k, c.offset.get_num_mpz_t());
  append_integer(k, c.offset.get_den_mpz_t());
  return k;
}

class StreamedChecker {
 public:
  StreamedChecker(const Network& net, const Domain& domain, const BuildLimits& limits, PartDealer* dealer, std::size_t min_parts)
      : net_(net), domain_(domain), limits_(limits), dealer_(dealer), min_parts_(min_parts), start_(Clock::now()), filter_(net), folder_(net) {}

  StreamedCheck run() {
    StreamedCheck out;
    coarse_ = build_region_complex(first_layer_net(net_), domain_, part_limits());
    out.lp_questions = coarse_.lp_questions;
    out.lp_exact_solves = coarse_.lp_exact_solves;
    if (dealer_ && !dealer_->everywhere(coarse_.status == BuildStatus::Complete)) {
      // Another process (or this one) stopped at a limit: every process reports the root's result.
      out.status = coarse_.status != BuildStatus::Complete ? coarse_.status : BuildStatus::TimeLimit;
      std::string bytes = encode_check(out);
      dealer_->share(bytes);
      return decode_check(bytes);
    }
    if (coarse_.status != BuildStatus::Complete) {
      out.status = coarse_.status;
      return out;
    }
    out.coarse_cells = coarse_.cells.size();
    out.coarse_pairs = coarse_.adjacencies.size();
    if (out.coarse_cells < min_parts_) {
      out.declined = true;
      return out;
    }
    const std::size_t parts = out.coarse_cells;
    std::unordered_set<std::string> pieces;
    // The first violation in merge order: a coarse cell's own pairs, then the pairs across its
    // coarse facets that it follows (those where it is the lower cell), in contact order.
    std::optional<Vector> bad_point, bad_normal;
    std::string bad_text;
    auto merge = [&](std::size_t i, PartResult& r) {  // in part order
      out.lp_questions += r.lp_questions;
      out.lp_exact_solves += r.lp_exact_solves;
      out.cells += r.cells;
      out.pairs += r.pairs;
      out.largest_part_cells = std::max(out.largest_part_cells, r.cells);
      for (auto& k : r.pieces) pieces.insert(std::move(k));
      r.pieces.clear();
      if (r.status != BuildStatus::Complete && out.status == BuildStatus::Complete) out.status = r.status;
      if (out.status == BuildStatus::Complete && r.point && !bad_point) {
        bad_point = std::move(r.point);
        bad_normal = std::move(r.normal);
        bad_text = std::move(r.violation);
      }
      if (out.status == BuildStatus::Complete && limits_.max_cells && out.cells > limits_.max_cells)
        out.status = BuildStatus::CellLimit;
      if (out.status != BuildStatus::Complete) return false;
      BuildProgress p;
      p.cells = out.cells;
      p.pairs = out.pairs;
      p.neurons_done = i + 1;  // parts done (the bar shows them as its "neurons")
      p.neurons_total = parts;
      p.seconds = elapsed();
      p.lp_questions = out.lp_questions;
      if (limits_.progress) limits_.progress(p);
      if (limits_.between_passes && !limits_.between_passes(p)) {
        out.status = BuildStatus::Stopped;
        out.stopped_at = p;
        return false;
      }
      return true;
    };
    if (dealer_) {
      const bool root = dealer_->deal(
          parts, [&](std::size_t i) { return encode_part(cell_part(i)); },
          [&](std::size_t i, std::string&& bytes) {
            PartResult r = decode_part(bytes);
            return merge(i, r);
          });
      if (root) finish(out, pieces.size(), bad_point, bad_normal, bad_text);
      std::string bytes = root ? encode_check(out) : std::string();
      dealer_->share(bytes);
      if (root) return out;
      StreamedCheck theirs = decode_check(bytes);
      if (theirs.stopped_at && limits_.between_passes) (void)limits_.between_passes(*theirs.stopped_at);
      return theirs;
    }
    run_parts(parts, merge);
    finish(out, pieces.size(), bad_point, bad_normal, bad_text);
    return out;
  }

 private:
  // The result once every part is merged (or the merge stopped): counts, verdict, witness.
  void finish(StreamedCheck& out, std::size_t pieces, std::optional<Vector>& bad_point, std::optional<Vector>& bad_normal,
              std::string& bad_text) const {
    if (out.status != BuildStatus::Complete) return;
    out.pieces = pieces;
    out.convex = !bad_point;
    if (bad_point) {
      out.violation = std::move(bad_text);
      out.witness = witness_across_kink(net_, domain_, *bad_point, *bad_normal);
      if (!out.witness) throw std::logic_error("streamed check: no witness at a violating facet");
    }
  }

  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // Limits for one part's build: what is left of the run's.
  // Every part gets the whole cell budget (the merge bounds the total): a part's result must not
  // depend on which parts were merged before it, or threads and ranks would change the counts
  // reported at a limit.
  BuildLimits part_limits() const {
    BuildLimits l;
    l.threads = 1;
    l.max_memory_mb = limits_.max_memory_mb;
    if (limits_.time_limit_seconds > 0) l.time_limit_seconds = std::max(1e-3, limits_.time_limit_seconds - elapsed());
    l.max_cells = limits_.max_cells;
    return l;
  }

  // Part i is coarse cell i (cell_part). Workers compute parts in any order; `merge` sees them in part order on this thread, so every count, the
  // first violation and the between_passes calls do not depend on the thread count.
  template <class Merge>
  void run_parts(std::size_t parts, Merge& merge) {
    const std::size_t threads = std::clamp<std::size_t>(limits_.threads, 1, std::max<std::size_t>(parts, 1));
    if (threads <= 1) {
      for (std::size_t i = 0; i < parts; ++i) {
        PartResult r = cell_part(i);
        if (!merge(i, r)) return;
      }
      return;
    }
    std::vector<std::optional<PartResult>> done(parts);
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    // At most this many parts computed ahead of the merge: memory stays a few parts per thread.
    const std::size_t ahead = 4 * threads;
    std::size_t merged = 0;
    auto worker = [&] {
      for (;;) {
        if (stop) return;
        const std::size_t i = next.fetch_add(1);
        if (i >= parts) return;
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return stop || i < merged + ahead; });
          if (stop) return;
        }
        try {
          PartResult r = cell_part(i);
          std::lock_guard<std::mutex> lock(mu);
          done[i] = std::move(r);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mu);
          if (!error) error = std::current_exception();
          stop = true;
        }
        cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::size_t i = 0; i < parts; ++i) {
      PartResult r;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop.load() || done[i].has_value(); });
        if (!done[i]) break;  // an error stopped the workers
        r = std::move(*done[i]);
        done[i].reset();
      }
      const bool go_on = merge(i, r);
      {
        std::lock_guard<std::mutex> lock(mu);
        merged = i + 1;
        if (!go_on) stop = true;
      }
      cv.notify_all();
      if (!go_on) break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }

  std::string facet_name(const Adjacency& adj) const {
    std::string text = adj.facet.to_string();
    if (adj.facet.origin.kind == RowOrigin::Kind::Neuron && adj.facet.origin.index < coarse_.neurons.size())
      text += " (zero set of " + coarse_.neurons[adj.facet.origin.index].name() + ")";
    return text;
  }

  // The cells of f inside the coarse cell G, their pairs, and the pairs across the coarse facets
  // where G is the lower cell. On such a facet's hyperplane H the switching first-layer neurons
  // are 0 from both sides, so both sides see one downstream arrangement on H (also where a
  // downstream neuron vanishes on H: it is 0 from both sides there too), and every region of it
  // has exactly one cell of f on each side: the pairs across the facet are the cells of G that
  // touch it, each once (the builder follows the facet as a contact). At a contact's point x, in
  // the relative interior of both cells' common piece, the jump is f'(x; n) - g.n (n the facet
  // normal into the upper cell, g the lower cell's gradient; core/one_sided_derivative.hpp), so
  // the other side is never needed.
  PartResult cell_part(std::size_t gi) const {
    const Cell& G = coarse_.cells[gi];
    PartResult r;
    const Network folded = folder_.fold(G.pattern);
    PolytopeDomain poly{G.rows, G.point, {}, gi < coarse_.guides.size() ? coarse_.guides[gi] : ApproxVertices{}};
    for (std::size_t e : G.adjacencies) {
      const Adjacency& adj = coarse_.adjacencies[e];
      if (adj.lower != gi) continue;
      const auto row = std::find_if(G.rows.begin(), G.rows.end(), [&](const Halfspace& h) { return h.same_hyperplane_as(adj.facet); });
      if (row == G.rows.end()) throw std::logic_error("streamed check: a coarse facet is not a row of its cell");
      poly.contacts.push_back(PolytopeContact{*row, adj.point, e});
    }
    const RegionComplex sub = build_region_complex_in(folded, poly, part_limits());
    r.status = sub.status;
    r.lp_questions = sub.lp_questions;
    r.lp_exact_solves = sub.lp_exact_solves;
    if (sub.status != BuildStatus::Complete) return r;
    r.cells = sub.cells.size();
    r.pairs = sub.adjacencies.size() + sub.contacts.size();
    r.pieces.reserve(sub.cells.size());
    for (const Cell& c : sub.cells) r.pieces.push_back(piece_key(c));
    if (const auto e = find_violating_adjacency(sub, 1)) {
      const Adjacency& adj = sub.adjacencies[*e];
      // lambda < 0: the upper cell's slope along the normal (lower -> upper) is the smaller one.
      r.point = adj.point;
      r.normal = adj.facet.normal();
      std::string text = adj.facet.to_string();
      if (adj.facet.origin.kind == RowOrigin::Kind::Neuron && adj.facet.origin.index < sub.neurons.size()) {
        const NeuronId& n = sub.neurons[adj.facet.origin.index];  // layer 1 of the folded net is layer 2
        text += " (zero set of " + NeuronId{n.layer + 1, n.index}.name() + ")";
      }
      r.violation = std::move(text);
      return r;
    }
    for (const BoundaryContact& bc : sub.contacts) {
      const Adjacency& adj = coarse_.adjacencies[bc.tag];
      const Vector n = adj.facet.normal();
      const Vector& g = sub.cells[bc.cell].gradient;
      // f'(x; -n) = -g.n for the lower cell's own gradient g; only the upper side needs an exact
      // pass. The double filter (core/certified_forward.hpp) settles most contacts first: exact
      // ReLU signs at x (x is on the facet's first-layer hyperplane, so that neuron is 0 without
      // a look) and the kink f'(x; n) + f'(x; -n) = f'(x; n) - g.n certified >= 0: positive, or
      // exactly 0 where no active path leaves the facet's neuron (most facets of an ICNN-like
      // net). The exact passes decide the rest.
      std::optional<std::size_t> on_plane;
      if (adj.facet.origin.kind == RowOrigin::Kind::Neuron && adj.facet.origin.index < coarse_.neurons.size() &&
          coarse_.neurons[adj.facet.origin.index].layer == 1)
        on_plane = coarse_.neurons[adj.facet.origin.index].index - 1;
      std::optional<std::vector<Sign>> signs = filter_.relu_signs(bc.point, on_plane);
      if (signs) {
        const auto kink = filter_.slope_jump(*signs, n);
        if (kink && kink->sign() && *kink->sign() != Sign::Negative) continue;
      }
      const Rational slope_up = one_sided_derivative(net_, signs ? *signs : relu_signs_at(net_, bc.point), n);
      if (sgn(slope_up - dot(g, n)) < 0) {
        r.point = bc.point;
        r.normal = n;
        r.violation = facet_name(adj);
        break;
      }
    }
    return r;
  }

  const Network& net_;
  const Domain& domain_;
  const BuildLimits& limits_;
  PartDealer* dealer_;
  std::size_t min_parts_;
  Clock::time_point start_;
  CertifiedForward filter_;  // of net_
  FirstLayerFolder folder_;  // of net_: one fold per part
  RegionComplex coarse_;
};

}  // namespace

StreamedCheck streamed_check(const Network& net, const Domain& domain, const BuildLimits& limits, PartDealer* dealer,
                             std::size_t min_parts) {
  if (auto why = streamed_check_unsupported(net, domain)) throw std::invalid_argument("streamed_check: " + *why);
  return StreamedChecker(net, domain, limits, dealer, min_parts).run();
}

}  // namespace relucert
