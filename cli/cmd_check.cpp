// relucert check: the convexity verdict with its proof.
#include <iostream>

#include "analysis/certificate.hpp"
#include "geometry/work_share.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"

namespace relucert::cli {

namespace {
WorkShare* g_share = nullptr;
PartDealer* g_dealer = nullptr;
}

void set_check_share(WorkShare* share) { g_share = share; }
void set_check_dealer(PartDealer* dealer) { g_dealer = dealer; }

int run_check(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words, {"--certificate", "--method", "--parts"});
  CheckOptions options = args.options;
  options.limits.share = g_share;
  const bool writes = !g_share || g_share->rank() == 0;  // prints progress, writes files
  if (!writes) options.limits.progress = nullptr;
  options.dealer = g_dealer;
  if (const auto it = args.values.find("--method"); it != args.values.end()) {
    const auto m = tiers::parse_method(it->second);
    if (!m) throw InputError("--method", it->second, "expected auto, structural, bounded-pathlift, branch-and-bound or region-complex");
    options.method = *m;
  }
  if (const auto it = args.values.find("--parts"); it != args.values.end()) {
    options.branch_parts = parse_count("--parts", it->second);
    if (options.branch_parts == 0) throw InputError("--parts", it->second, "expected a positive number of parts");
  }
  const LoadedNetwork loaded = load_network(args);
  const Network& net = loaded.net;
  const Domain domain = domain_of(args, loaded);
  const CheckResult r = check_convexity(net, domain, options);
  // --certificate FILE: the proof of the verdict for relucert-verify (docs/certificate.md),
  // a certificate when convex, a witness file when not convex, nothing when unknown.
  // Written atomically (temporary file + rename) before anything is printed. When a limit
  // stops the certificate, the verdict is still reported, and the exit code is 3.
  std::optional<std::string> certificate_note;
  bool certificate_failed = false;
  if (const auto it = args.values.find("--certificate"); it != args.values.end()) {
    if (r.verdict == Verdict::Convex) {
      // A tier's proof is its own certificate; otherwise the region complex's split tree.
      const std::optional<std::string> text =
          r.proof ? std::optional<std::string>(r.proof->certificate) : write_convexity_certificate(net, domain, options.limits);
      // With a work share, a last collective before the file: rank 0 writes only when every
      // rank is alive at the end (one that died earlier leaves rank 0 waiting here until mpirun
      // ends the job, so no file is started).
      if (g_share) g_share->max_of(0);
      if (text) {
        if (writes) write_file_atomically(it->second, *text);
        certificate_note = "convexity certificate written to " + it->second;
      } else {
        certificate_failed = true;
        certificate_note = "a resource limit was reached while writing the certificate; nothing written";
      }
    } else if (r.verdict == Verdict::NotConvex && r.witness) {
      if (g_share) g_share->max_of(0);  // as above
      if (writes) write_file_atomically(it->second, write_witness_file(*r.witness, domain, args.net_path));
      certificate_note = "witness file written to " + it->second;
    } else {
      certificate_note = "verdict unknown: nothing written";
    }
  }
  if (args.json) {
    nlohmann::json j;
    j["verdict"] = verdict_name(r.verdict);
    if (r.witness) j["witness"] = {{"x", rationals_json(r.witness->x)}, {"y", rationals_json(r.witness->y)}, {"gap", to_string(r.witness->gap)}};
    j["cells"] = r.cells;
    j["pairs"] = r.pairs;
    j["pieces"] = r.pieces;
    j["seconds"] = r.seconds;
    j["method"] = r.method;
    if (r.proof) j["proof"] = r.proof->summary;
    if (r.method == "branch-and-bound" && r.verdict != Verdict::Unknown)
      j["parts"] = {{"bounded_pathlift", r.pathlift_parts}, {"complex", r.complex_parts}};
    j["lp_questions"] = r.lp_questions;
    j["lp_exact_solves"] = r.lp_exact_solves;
    j["domain"] = domain.describe();
    j["network"] = args.net_path;
    if (r.violation) j["violation"] = *r.violation;
    if (r.streamed)
      j["streamed"] = {{"coarse_cells", r.streamed->coarse_cells}, {"coarse_facets", r.streamed->coarse_facets},
                       {"largest_part_cells", r.streamed->largest_part_cells}};
    if (r.verdict == Verdict::Unknown) j["reason"] = r.unknown_reason;
    if (certificate_note) j["certificate"] = {{"written", !certificate_failed && r.verdict != Verdict::Unknown}, {"note", *certificate_note}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "network: " << args.net_path << "\ndomain:  " << domain.describe() << "\n";
    switch (r.verdict) {
      case Verdict::Convex: std::cout << "verdict: convex\n"; break;
      case Verdict::NotConvex: std::cout << "verdict: not convex\n"; break;
      case Verdict::Unknown: std::cout << "verdict: unknown (" << r.unknown_reason << ")\n"; break;
    }
    if (r.witness) {
      std::cout << "witness: x = " << to_string(r.witness->x) << "\n"
                << "         y = " << to_string(r.witness->y) << "\n"
                << "         2 f((x+y)/2) - f(x) - f(y) = " << to_string(r.witness->gap)
                << " > 0  (re-verified by an exact forward pass)\n";
      if (r.method == "line-refuter")
        std::cout << "found by: the line refuter (f restricted to the line through x and y bends down at (x+y)/2)\n";
      else if (r.violation && r.method == "branch-and-bound")
        std::cout << "found by: branch and bound with part complexes (concave fold across " << *r.violation << ")\n";
      else if (r.violation)
        std::cout << "found by: the region complex (concave fold across " << *r.violation << ")\n";
    }
    if (r.proof) std::cout << "proved by: the " << r.method << " tier, " << r.proof->summary << "\n";
    else if (r.method == "branch-and-bound" && r.verdict == Verdict::NotConvex)
      std::cout << "parts: " << r.pathlift_parts << " proved by bounded path-lifting, " << r.complex_parts
                << " answered by part complexes (" << r.cells << " cells) before the fold was found\n";
    if (r.method == "region-complex")
      std::cout << "cells: " << r.cells << ", adjacent pairs checked: " << r.pairs << ", affine pieces: " << r.pieces
                << "\nLPs: " << r.lp_questions << " (" << r.lp_exact_solves << " needed the exact solver)\n";
    if (r.streamed)
      std::cout << "streamed: " << r.streamed->coarse_cells << " parts (cells of layer 1), at most "
                << r.streamed->largest_part_cells << " cells in memory per part\n";
    std::cout << "time: " << seconds_text(r.seconds) << " s\n";
    if (certificate_note) std::cout << "certificate: " << *certificate_note << "\n";
  }
  return certificate_failed ? kExitUnknown : exit_code_for(r.verdict);
}

}  // namespace relucert::cli
