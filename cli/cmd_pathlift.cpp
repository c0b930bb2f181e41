// relucert pathlift: the paper's per-neuron path-lifting condition PN (THEORY.md §2.2), exact,
// on the facets of the region complex. Passing proves convexity (Theorem B2); failing proves
// nothing, so a completed analysis exits 0 either way:
//   0 analysis complete (PN pass or fail), 2 input error, 3 a resource limit stopped it.
#include <iostream>

#include "analysis/path_lifting.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace relucert::cli {
namespace {

const char* exit_note(PnVerdict v) {
  return v == PnVerdict::Unknown
             ? "exit code 3: a resource limit stopped the analysis; 0 when it completes, 2 input error"
             : "exit code 0: the analysis completed; PN pass and PN fail both exit 0, because failing PN does not "
               "prove non-convexity; 2 input error, 3 resource limit";
}

std::string verdict_text(PnVerdict v) {
  switch (v) {
    case PnVerdict::Pass: return "pass (convexity proven, Theorem B2)";
    case PnVerdict::Fail: return "fail (proves nothing; run relucert check)";
    case PnVerdict::Unknown: return "unknown";
  }
  return "unknown";
}

std::string note_text(const PathLiftResult& r) {
  switch (r.verdict) {
    case PnVerdict::Pass:
      return "PN holds on every facet of the region complex, so f is convex on the domain (THEORY.md §2.2, Theorem B2)";
    case PnVerdict::Fail:
      return "PN fails; this proves nothing: convex networks fail PN when the non-degeneracy condition (G) of "
             "Proposition B3 fails. Run relucert check for the exact verdict";
    case PnVerdict::Unknown: return "a resource limit was reached (" + r.unknown_reason + "); nothing is proven";
  }
  return "";
}

nlohmann::json neuron_json(const NeuronPathLift& n) {
  nlohmann::json failing = nlohmann::json::array();
  for (const auto& f : n.failing) failing.push_back({{"pattern", f.pattern}, {"c", to_string(f.c)}});
  return {{"neuron", n.neuron.name()},
          {"status", neuron_pn_status_name(n.status)},
          {"patterns_checked", n.patterns_checked},
          {"faces", n.faces},
          {"downstream_layers", n.downstream_layers},
          {"failing", std::move(failing)},
          {"failing_count", n.failing_count}};
}

void print_json(const Arguments& args, const Domain& domain, const PathLiftResult& r) {
  nlohmann::json j;
  j["pn"] = pn_verdict_name(r.verdict);
  j["neurons"] = nlohmann::json::array();
  for (const auto& n : r.neurons) j["neurons"].push_back(neuron_json(n));
  j["cells"] = r.cells;
  j["pairs"] = r.pairs;
  j["note"] = note_text(r);
  if (r.verdict == PnVerdict::Unknown) j["reason"] = r.unknown_reason;
  j["domain"] = domain.describe();
  j["network"] = args.net_path;
  j["seconds"] = r.seconds;
  std::cout << j.dump() << "\n";
}

void print_neuron(const NeuronPathLift& n) {
  std::cout << "  " << n.neuron.name() << "  " << neuron_pn_status_name(n.status);
  if (n.status == NeuronPnStatus::NoFacet) {
    std::cout << "\n";
    return;
  }
  std::cout << "  (facets: " << n.faces << ", patterns checked: " << n.patterns_checked;
  if (n.status == NeuronPnStatus::Fail) std::cout << ", failing: " << n.failing_count;
  std::cout << ")\n";
  constexpr std::size_t kShown = 8;
  for (std::size_t i = 0; i < n.failing.size() && i < kShown; ++i) {
    const auto& f = n.failing[i];
    if (n.downstream_layers.empty()) std::cout << "      D = () (last ReLU layer: c is the output weight)";
    else std::cout << "      D(" << n.downstream_layers << ") = " << f.pattern;
    std::cout << "  c = " << to_string(f.c);
    if (f.c.get_den() != 1) std::cout << " (about " << approx(f.c) << ")";  // display only
    std::cout << "\n";
  }
  if (n.failing_count > kShown) std::cout << "      ... " << (n.failing_count - kShown) << " more (see --json)\n";
}

void print_text(const Arguments& args, const Domain& domain, const PathLiftResult& r) {
  std::cout << "network: " << args.net_path << "\ndomain:  " << domain.describe() << "\n";
  if (r.verdict == PnVerdict::Unknown) {
    std::cout << "PN: unknown (" << r.unknown_reason << ")\ncells so far: " << r.cells << "\n";
  } else {
    std::cout << "cells: " << r.cells << ", adjacent pairs: " << r.pairs << "\n"
              << "path-lifting c_m(D) >= 0 for every neuron m and every downstream pattern D on the facets of m's zero set\n"
              << "(D: 1 active, 0 inactive, downstream layers separated by '|'):\n";
    for (const auto& n : r.neurons) print_neuron(n);
    std::cout << "PN: " << verdict_text(r.verdict) << "\n";
  }
  std::cout << "note: " << note_text(r) << "\ntime: " << seconds_text(r.seconds) << " s\n(" << exit_note(r.verdict) << ")\n";
}

}  // namespace

int run_pathlift(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words, {"--max-patterns"});
  const LoadedNetwork loaded = load_network(args);
  const Network& net = loaded.net;
  const Domain domain = domain_of(args, loaded);
  if (net.has_layer_skips())
    throw InputError(args.net_path, "layers",
                     "relucert pathlift needs a layered network: this one has skip terms from earlier layers' outputs "
                     "(residual connections), which the path-lifting condition PN does not cover; use relucert check");
  PathLiftOptions opt;
  opt.limits = args.options.limits;
  if (auto it = args.values.find("--max-patterns"); it != args.values.end()) opt.max_patterns = parse_count(it->first, it->second);
  const PathLiftResult r = check_path_lifting(net, domain, opt);
  if (args.json) print_json(args, domain, r);
  else print_text(args, domain, r);
  return r.verdict == PnVerdict::Unknown ? kExitUnknown : 0;
}

}  // namespace relucert::cli
