// The distributed build's hook (geometry/work_share.hpp) without MPI: N ranks on N threads
// (tests/support/thread_share.hpp) build one complex together, and every rank must end with the
// complex a single process builds, cell for cell and point for point; limits reached by one rank
// must stop all of them with one status. Also the byte codec the answers travel in.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/certificate.hpp"
#include "analysis/convexity.hpp"
#include "core/byte_stream.hpp"
#include "core/network_loader.hpp"
#include "geometry/planar_complex.hpp"
#include "geometry/region_complex.hpp"
#include "support/random_nets.hpp"
#include "support/thread_share.hpp"

using namespace relucert;
using relucert::testing::ThreadShareGroup;

namespace {

// Everything the builder stores, compared exactly; the first difference, or "" when equal.
std::string difference(const RegionComplex& a, const RegionComplex& b) {
  if (a.status != b.status) return "status";
  if (a.cells.size() != b.cells.size()) return "cell count " + std::to_string(a.cells.size()) + " vs " + std::to_string(b.cells.size());
  if (a.adjacencies.size() != b.adjacencies.size()) return "pair count";
  if (a.lp_questions != b.lp_questions) return "lp_questions " + std::to_string(a.lp_questions) + " vs " + std::to_string(b.lp_questions);
  if (a.lp_exact_solves != b.lp_exact_solves) return "lp_exact_solves";
  for (std::size_t i = 0; i < a.cells.size(); ++i) {
    const Cell &x = a.cells[i], &y = b.cells[i];
    if (!(x.rows == y.rows) || x.point != y.point || x.pattern != y.pattern || x.gradient != y.gradient || x.offset != y.offset ||
        x.adjacencies != y.adjacencies)
      return "cell " + std::to_string(i);
    for (std::size_t r = 0; r < x.rows.size(); ++r)
      if (x.rows[r].origin.kind != y.rows[r].origin.kind || x.rows[r].origin.index != y.rows[r].origin.index)
        return "row origin of cell " + std::to_string(i);
  }
  for (std::size_t e = 0; e < a.adjacencies.size(); ++e) {
    const Adjacency &x = a.adjacencies[e], &y = b.adjacencies[e];
    if (x.lower != y.lower || x.upper != y.upper || !(x.facet == y.facet) || x.point != y.point) return "pair " + std::to_string(e);
  }
  return "";
}

// Builds on `ranks` thread-ranks; returns each rank's complex.
std::vector<RegionComplex> shared_build(const Network& net, const Domain& dom, unsigned ranks, unsigned threads,
                                        const std::vector<BuildLimits>& per_rank = {}) {
  std::vector<RegionComplex> out(ranks);
  ThreadShareGroup group(ranks);
  group.run([&](WorkShare& share) {
    BuildLimits lim = per_rank.empty() ? BuildLimits{} : per_rank[share.rank()];
    lim.threads = threads;
    lim.share = &share;
    out[share.rank()] = build_region_complex(net, dom, lim);
  });
  return out;
}

Network load(const std::string& name) {
  return load_network_any(std::string(RELUCERT_TEST_DATA_DIR) + "/fixtures/mpi/" + name).net;
}

}  // namespace

TEST_CASE("byte stream: rationals, vectors and varints read back exactly; bad bytes throw") {
  std::vector<Rational> values = {Rational(0), Rational(1), Rational(-1), Rational(7, 2), Rational(-3, 1024),
                                  Rational("123456789012345678901234567891/7"), Rational("-1/98765432109876543210987")};
  for (Rational& q : values) q.canonicalize();  // GMP's text constructor does not reduce
  std::string bytes;
  ByteWriter w(bytes);
  w.varint(0);
  w.varint(127);
  w.varint(128);
  w.varint(std::numeric_limits<std::uint64_t>::max());
  w.u64(0x0123456789abcdefULL);
  for (const Rational& q : values) w.rational(q);
  w.vector(values);
  w.vector({});
  ByteReader r(bytes);
  CHECK(r.varint() == 0);
  CHECK(r.varint() == 127);
  CHECK(r.varint() == 128);
  CHECK(r.varint() == std::numeric_limits<std::uint64_t>::max());
  CHECK(r.u64() == 0x0123456789abcdefULL);
  for (const Rational& q : values) {
    const Rational back = r.rational();
    CHECK(back == q);
    CHECK(back.get_den() > 0);
  }
  CHECK(r.vector() == values);
  CHECK(r.vector().empty());
  CHECK(r.at_end());
  CHECK_NOTHROW(r.expect_end());
  for (std::size_t cut = 0; cut + 1 < bytes.size(); cut += 7) {  // every truncation is detected, never read past the end
    ByteReader t(bytes.data(), bytes.data() + cut);
    CHECK_THROWS_AS(
        {
          for (int i = 0; i < 4; ++i) t.varint();
          t.u64();
          for (std::size_t i = 0; i < values.size(); ++i) t.rational();
          t.vector();
          t.vector();
        },
        std::runtime_error);
  }
  const std::string zero_den = std::string("\x00\x01\x05\x00", 4);  // header 0, |num| = 5, den of length 0
  ByteReader z(zero_den);
  CHECK_THROWS_AS(z.rational(), std::runtime_error);
}

TEST_CASE("byte stream: a magnitude is its big-endian bytes, as mpz_export writes them") {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    Integer n = 0;
    const unsigned limbs = static_cast<unsigned>(rng() % 6);
    for (unsigned k = 0; k < limbs; ++k) n = (n << 64) + Integer(std::to_string(rng()));
    n >>= static_cast<mp_bitcnt_t>(rng() % 64);  // every byte length
    std::string bytes;
    ByteWriter(bytes).rational(Rational(n));
    // Header, varint length, then the bytes.
    std::size_t len = 0;
    std::vector<unsigned char> expected((mpz_sizeinbase(n.get_mpz_t(), 2) + 7) / 8);
    if (sgn(n) != 0) mpz_export(expected.data(), &len, 1, 1, 1, 0, n.get_mpz_t());
    REQUIRE(len == (sgn(n) == 0 ? 0 : expected.size()));
    ByteReader r(bytes);
    CHECK(r.u8() == 1);  // nonnegative, denominator 1
    CHECK(r.varint() == len);
    const std::string tail = bytes.substr(bytes.size() - len);
    CHECK(std::equal(tail.begin(), tail.end(), expected.begin(), [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; }));
    CHECK(ByteReader(bytes).rational() == Rational(n));
  }
}

TEST_CASE("work share: N ranks build the complex of one process (random and degenerate nets, box and R^d)") {
  testing::RandomNetGenerator gen(2027);
  int built = 0;
  for (int i = 0; i < 24; ++i) {
    testing::RandomCase c = i % 3 == 0 ? gen.icnn() : gen.general();
    for (const bool on_box : {true, false}) {
      const Domain dom = on_box ? c.box : Domain::whole_space(c.net.input_dim());
      CAPTURE(c.recipe);
      CAPTURE(on_box);
      const RegionComplex ref = build_region_complex(c.net, dom);
      if (ref.status != BuildStatus::Complete) continue;
      ++built;
      for (unsigned ranks : {1u, 2u, 3u}) {
        const std::vector<RegionComplex> got = shared_build(c.net, dom, ranks, i % 2 ? 2 : 1);
        for (unsigned r = 0; r < ranks; ++r) {
          CAPTURE(ranks);
          CAPTURE(r);
          CHECK(difference(got[r], ref) == "");
        }
      }
    }
  }
  CHECK(built >= 40);
}

TEST_CASE("work share: three-layer fixtures (d = 3, [8, 8, 8]) are identical on every rank, also with threads") {
  for (const char* name : {"icnn_d3_888.json", "random_d3_888.json"})
    for (const bool on_box : {true, false}) {
      const Network net = load(name);
      const Domain dom = on_box ? Domain::box(Vector(3, Rational(-1)), Vector(3, Rational(1))) : Domain::whole_space(3);
      const RegionComplex ref = build_region_complex(net, dom);
      REQUIRE(ref.status == BuildStatus::Complete);
      CHECK(ref.cells.size() > 200);
      for (unsigned ranks : {2u, 4u})
        for (unsigned threads : {1u, 2u}) {
          CAPTURE(name);
          CAPTURE(on_box);
          CAPTURE(ranks);
          CAPTURE(threads);
          const std::vector<RegionComplex> got = shared_build(net, dom, ranks, threads);
          for (const RegionComplex& cx : got) CHECK(difference(cx, ref) == "");
        }
    }
}

TEST_CASE("work share: a limit reached by one rank stops every rank, with the same status") {
  const Network net = load("icnn_d3_888.json");
  const Domain dom = Domain::whole_space(3);
  for (unsigned stopper : {0u, 1u, 2u}) {
    CAPTURE(stopper);
    std::vector<BuildLimits> lim(3);
    lim[stopper].time_limit_seconds = 1e-9;  // only this rank has a limit
    for (const RegionComplex& cx : shared_build(net, dom, 3, 1, lim)) CHECK(cx.status == BuildStatus::TimeLimit);
    std::vector<BuildLimits> mem(3);
    mem[stopper].max_memory_mb = 1;  // any process is larger
    for (const RegionComplex& cx : shared_build(net, dom, 3, 1, mem)) CHECK(cx.status == BuildStatus::MemoryLimit);
  }
  // The cell limit is the same on every rank and stops them at the same split, as one process.
  BuildLimits cells;
  cells.max_cells = 50;
  const RegionComplex ref = build_region_complex(net, dom, cells);
  REQUIRE(ref.status == BuildStatus::CellLimit);
  for (const RegionComplex& cx : shared_build(net, dom, 2, 1, {cells, cells})) CHECK(cx.status == BuildStatus::CellLimit);
}

TEST_CASE("work share: the planar path (d = 2 on a box) agrees on its limits too") {
  testing::RandomNetGenerator gen(77);
  Network net = gen.icnn().net;
  for (int tries = 0; net.input_dim() != 2 && tries < 200; ++tries) net = gen.icnn().net;
  REQUIRE(net.input_dim() == 2);
  const Domain dom = Domain::box(Vector(2, Rational(-2)), Vector(2, Rational(2)));
  REQUIRE(planar_builder_enabled());
  const RegionComplex ref = build_region_complex(net, dom);
  for (const RegionComplex& cx : shared_build(net, dom, 2, 1)) CHECK(difference(cx, ref) == "");
  std::vector<BuildLimits> lim(2);
  lim[1].time_limit_seconds = 1e-9;
  const std::vector<RegionComplex> stopped = shared_build(net, dom, 2, 1, lim);
  CHECK(stopped[0].status == stopped[1].status);
}

TEST_CASE("work share: check_convexity and the certificate are those of one process") {
  for (const char* name : {"icnn_d3_888.json", "random_d3_888.json"}) {
    CAPTURE(name);
    const Network net = load(name);
    const Domain dom = Domain::box(Vector(3, Rational(-1)), Vector(3, Rational(1)));
    CheckOptions opt;
    opt.method = tiers::Method::RegionComplex;
    opt.refuter_lines = 0;
    opt.stream = CheckOptions::Stream::Never;  // a work share builds the whole complex: compare with that
    const CheckResult ref = check_convexity(net, dom, opt);
    REQUIRE(ref.verdict != Verdict::Unknown);
    const std::optional<std::string> ref_cert =
        ref.verdict == Verdict::Convex ? write_convexity_certificate(net, dom) : std::nullopt;
    std::vector<CheckResult> got(3);
    std::vector<std::optional<std::string>> certs(3);
    ThreadShareGroup group(3);
    group.run([&](WorkShare& share) {
      CheckOptions o = opt;
      o.limits.share = &share;
      got[share.rank()] = check_convexity(net, dom, o);
      if (ref.verdict == Verdict::Convex) certs[share.rank()] = write_convexity_certificate(net, dom, o.limits);
    });
    for (unsigned r = 0; r < 3; ++r) {
      CAPTURE(r);
      CHECK(got[r].verdict == ref.verdict);
      CHECK(got[r].cells == ref.cells);
      CHECK(got[r].pairs == ref.pairs);
      CHECK(got[r].pieces == ref.pieces);
      CHECK(got[r].lp_questions == ref.lp_questions);
      CHECK(got[r].violation == ref.violation);
      REQUIRE(got[r].witness.has_value() == ref.witness.has_value());
      if (ref.witness) {
        CHECK(got[r].witness->x == ref.witness->x);
        CHECK(got[r].witness->y == ref.witness->y);
      }
    }
    if (ref.verdict == Verdict::Convex) {
      REQUIRE(ref_cert.has_value());
      CHECK(certs[0] == ref_cert);  // rank 0 writes the file
      CHECK(certs[1] == std::string());
    }
  }
}
