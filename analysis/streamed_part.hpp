#pragma once
// What one part of the streamed check (analysis/streamed_check.hpp) contributes, and its byte
// form for parts computed in another process (PartDealer, distributed/), and the same for the
// final result: everything exact (rationals as GMP base-10 strings), so a result read back is
// the result written.
#include <optional>
#include <string>
#include <vector>

#include "core/linear.hpp"
#include "analysis/streamed_check.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

// A coarse cell's (or a coarse facet's) contribution.
struct PartResult {
  BuildStatus status = BuildStatus::Complete;
  std::size_t cells = 0, pairs = 0;
  std::vector<std::string> pieces;  // exact "gradient offset" keys of the part's cells
  unsigned long long lp_questions = 0, lp_exact_solves = 0;
  // The part's first violation: a point of the facet's relative interior and the normal pointing
  // into the side whose slope along it is smaller.
  std::optional<Vector> point, normal;
  std::string violation;
};

std::string encode_part(const PartResult& r);
// Throws std::runtime_error on bytes that encode_part did not write.
PartResult decode_part(const std::string& bytes);

// The streamed check's final result, as the root of a PartDealer shares it.
std::string encode_check(const StreamedCheck& c);
StreamedCheck decode_check(const std::string& bytes);  // throws std::runtime_error like decode_part

}  // namespace relucert
