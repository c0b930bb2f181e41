#pragma once
// Writers for the proof files of docs/certificate.md: the convexity certificate (split tree of
// the region complex, Farkas multipliers for settled neurons, Motzkin multipliers for pruned
// pairs, and the gradient jumps) and the JSON witness file for "not convex".
// Both are checked by the independent program relucert-verify (checker/).
#include <cstddef>
#include <optional>
#include <string>

#include "analysis/witness.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

struct CertificateStats {
  std::size_t nodes = 0, leaves = 0, jumps = 0, prunes = 0;
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
