#pragma once
// Writers for the proof files of docs/certificate.md: the convexity certificate (split tree of
// the region complex, Farkas multipliers for settled neurons, Motzkin multipliers for pruned
// pairs, and the gradient jumps) and the JSON witness file for "not convex".
// Both are checked by the independent program relucert-verify (checker/).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

struct CertificateStats {
  std::size_t nodes = 0, leaves = 0, jumps = 0, prunes = 0;
};

// A row a.x <= b of a split-tree node exactly as the checker derives it (not normalised;
// docs/certificate.md §3): the domain's box rows, then one row per split from the root.
struct CertificateRow {
  Vector a;
  Rational b;
};

// A neuron settled on a node without a split: z = w.x + w0 has sign `sign` there.
struct SplitFix {
  std::size_t neuron = 0;
  Sign sign = Sign::Zero;
  Vector w;
  Rational w0;
};

// One node of the split tree, with the id it has in the certificate.
struct SplitNode {
  std::vector<CertificateRow> rows;
  Vector point;
  std::vector<SplitFix> fixes;
  bool is_split = false;
  std::size_t split_neuron = 0;
  Vector w;  // pre-activation of the split neuron on this node
  Rational w0;
  std::size_t neg = 0, pos = 0;  // children
  std::size_t cell = 0;          // leaves: index in RegionComplex::cells
};

// Motzkin multipliers (docs/certificate.md O8) proving that no point of H = {n.x = beta} satisfies
// strictly the rows of `neg` from neg_from on and of `pos` from pos_from on (rows lying on H are
// left out): " -I:Y +J:Y ..." with the row indices, or nullopt when such a point exists.
std::optional<std::string> motzkin_multipliers(const std::vector<CertificateRow>& neg, std::size_t neg_from,
                                               const std::vector<CertificateRow>& pos, std::size_t pos_from, const Vector& n,
                                               const Rational& beta);

// The region complex of a domain built once together with its split tree, for callers that need
// the complex, the tree and the certificate: branch and bound answers a part by its complex,
// embeds the part's certificate and glues parts along the trees' nodes (analysis/tiers/glue.hpp).
class RecordedComplex {
 public:
  RecordedComplex(const Network& net, const Domain& domain, const BuildLimits& limits);
  ~RecordedComplex();
  RecordedComplex(const RecordedComplex&) = delete;
  RecordedComplex& operator=(const RecordedComplex&) = delete;
  const RegionComplex& complex() const;
  const std::vector<SplitNode>& tree() const;  // complete only when complex().status is Complete
  // The certificate text, nullopt when a limit stopped the build; `embedded` leaves out the
  // comment and header lines (a complex leaf of a branch-and-bound certificate starts at
  // "domain"). Throws std::logic_error as write_convexity_certificate does.
  std::optional<std::string> certificate(CertificateStats* stats, bool embedded);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Builds the region complex (with a split-tree observer) and returns the certificate text.
// nullopt when a limit stopped the build. Throws std::logic_error when f is not convex on the
// domain or an exact re-check of the engine's data fails (an internal error, never a certificate).
// With limits.share the call is collective (every rank builds its part of the complex) and only
// rank 0 returns the text; the other ranks get an empty string (nullopt alike when stopped).
std::optional<std::string> write_convexity_certificate(const Network& net, const Domain& domain,
                                                       const BuildLimits& limits = {},
                                                       CertificateStats* stats = nullptr);

// The witness file of docs/certificate.md §5 (THEORY.md §3), one JSON object and a newline.
std::string write_witness_file(const Witness& w, const Domain& domain, const std::string& net_path);


}  // namespace relucert
