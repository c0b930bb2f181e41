// relucert icnn: for a 1-hidden-layer net, the canonical form on the domain, the convexity
// verdict with a fold witness, and the ICNN of THEORY.md §4 (Theorem D1 on a box, Theorem D2
// on R^d) with an exact proof that it equals the network on the domain.
#include <chrono>
#include <iostream>

#include "analysis/one_hidden_layer.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"
#include "core/network_json_writer.hpp"

namespace relucert::cli {

namespace {

std::string neuron_name(std::size_t j) { return NeuronId{1, j + 1}.name(); }

// "relu(x2) + relu(x1 + 1) - 1"
std::string function_text(const OneHiddenLayerNet& g) {
  std::string s;
  std::size_t zeros = 0;
  for (std::size_t j = 0; j < g.width(); ++j) {
    if (sgn(g.v[j]) == 0) {
      ++zeros;
      continue;
    }
    const std::string r = "relu(" + affine_text(g.W[j], g.b[j]) + ")";
    if (!s.empty()) s += sgn(g.v[j]) < 0 ? " - " : " + ";
    else if (sgn(g.v[j]) < 0) s += "-";
    if (abs(g.v[j]) != 1) s += to_string(abs(g.v[j])) + "*";
    s += r;
  }
  if (s.empty()) s = to_string(g.c);
  else if (sgn(g.c) != 0) s += (sgn(g.c) < 0 ? " - " : " + ") + to_string(abs(g.c));
  if (zeros) s += "   (+ " + std::to_string(zeros) + " zero neuron" + (zeros > 1 ? "s" : "") + ")";
  return s;
}

nlohmann::json network_json(const OneHiddenLayerNet& g) { return nlohmann::json::parse(network_json_text(g.to_network())); }

std::string neuron_list(const std::vector<std::size_t>& js) {
  std::string s;
  for (std::size_t j : js) s += (s.empty() ? "" : ", ") + neuron_name(j);
  return s;
}

}  // namespace

int run_icnn(const std::vector<std::string>& words) {
  const auto t0 = std::chrono::steady_clock::now();
  const Arguments args = parse_arguments(words, {"-o", "--out", "--search-limit"});
  if (args.values.count("-o") && args.values.count("--out")) throw InputError("-o", "", "given twice (as -o and --out)");
  std::optional<std::string> out_path;
  if (auto it = args.values.find("-o"); it != args.values.end()) out_path = it->second;
  if (auto it = args.values.find("--out"); it != args.values.end()) out_path = it->second;
  if (out_path && out_path->empty()) throw InputError("-o", "", "empty output path");
  WholeSpaceSearchLimits search;
  if (auto it = args.values.find("--search-limit"); it != args.values.end()) search.max_steps = parse_count("--search-limit", it->second);

  const LoadedNetwork loaded = load_network(args);
  const Network& net = loaded.net;
  std::string why;
  const auto one = as_one_hidden_layer(net, &why);
  if (!one) throw InputError(args.net_path, "layers", "relucert icnn needs a network with one hidden layer: this one " + why);
  const Domain domain = domain_of(args, loaded);
  const CanonicalForm cf = canonical_form(*one, domain);

  // Everything is decided before anything is printed (an unwritable -o is an input error).
  std::optional<std::size_t> bad = cf.first_negative_group();
  std::optional<Witness> witness;
  if (bad) witness = fold_witness(cf, *bad, net);
  std::optional<OneHiddenLayerNet> icnn;
  std::optional<WholeSpaceIcnn> whole;
  std::string icnn_title;
  if (!bad) {
    if (domain.is_box) {
      icnn = icnn_on_box(cf);
      icnn_title = "ICNN of the same width " + std::to_string(one->width()) + " on the box (Theorem D1)";
    } else {
      whole = icnn_on_whole_space(cf, search);
      icnn = whole->icnn;
      if (icnn)
        icnn_title = "ICNN of width " + std::to_string(icnn->width()) + " on " + domain.describe() + " (Theorem D2)";
    }
  }
  std::optional<EqualityProof> proof;
  if (icnn) {
    if (!is_icnn(*icnn)) throw std::logic_error("icnn: the constructed network has a negative output weight");
    proof = prove_equality(*icnn, *one, domain, args.options.limits);
    if (proof->status == EqualityProof::Status::Refuted)
      throw std::logic_error("icnn: the constructed ICNN differs from the network at " + to_string(*proof->counterexample));
  }
  const bool proven = proof && proof->status == EqualityProof::Status::Proven;
  bool written = false;
  if (out_path && proven) {
    write_network_json_file(icnn->to_network(), *out_path);
    written = true;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int exit_code = bad ? kExitNotConvex : (proof && !proven ? kExitUnknown : kExitConvex);

  if (args.json) {
    nlohmann::json j;
    j["network"] = args.net_path;
    j["domain"] = domain.describe();
    j["width"] = one->width();
    j["verdict"] = bad ? "not_convex" : "convex";
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& H : cf.groups) {
      nlohmann::json neurons = nlohmann::json::array();
      for (std::size_t n : H.neurons) neurons.push_back(neuron_name(n));
      groups.push_back({{"h", affine_text(H.w, H.b)}, {"w", rationals_json(H.w)}, {"b", to_string(H.b)},
                        {"alpha", to_string(H.alpha)}, {"neurons", neurons}});
    }
    j["groups"] = groups;
    j["A"] = rationals_json(cf.A);
    j["a0"] = to_string(cf.a0);
    nlohmann::json folded = nlohmann::json::array();
    for (std::size_t n = 0; n < cf.roles.size(); ++n)
      if (cf.roles[n] != NeuronRole::Crossing) folded.push_back({{"neuron", neuron_name(n)}, {"role", neuron_role_name(cf.roles[n])}});
    j["folded"] = folded;
    if (witness)
      j["witness"] = {{"x", rationals_json(witness->x)}, {"y", rationals_json(witness->y)}, {"gap", to_string(witness->gap)},
                      {"group", *bad + 1}};
    j["icnn"] = icnn ? network_json(*icnn) : nlohmann::json(nullptr);
    j["equality_cells"] = proven ? nlohmann::json(proof->cells) : nlohmann::json(nullptr);
    if (proof) j["equality"] = proven ? "proven" : "unknown";
    if (proof && !proven) j["reason"] = proof->reason;
    if (written) j["output"] = *out_path;
    if (whole) {
      j["zonotope_feasible"] = whole->zonotope_feasible;
      j["same_width_icnn"] = whole->same_width ? nlohmann::json(*whole->same_width) : nlohmann::json("unknown");
      if (!whole->zonotope_feasible) j["minimal_width"] = nullptr;
      else if (whole->minimal_width) j["minimal_width"] = *whole->minimal_width;
      else j["minimal_width"] = "unknown";
      if (whole->zonotope_feasible) {
        j["minimal_width_bounds"] = {whole->width_lower_bound, *whole->width_upper_bound};
        j["gamma"] = rationals_json(whole->gamma);
      } else {
        j["descent_direction"] = rationals_json(whole->descent_direction);
        j["recession_slope"] = to_string(whole->recession_slope);
      }
      j["k"] = whole->k;
      j["rank"] = whole->rank;
      j["search_steps"] = whole->search_steps;
    }
    j["seconds"] = seconds;
    std::cout << j.dump() << "\n";
    return exit_code;
  }

  std::cout << "network: " << args.net_path << "\ndomain:  " << domain.describe() << "\n"
            << "one hidden layer of width " << one->width() << "; canonical form on the domain (THEORY.md §4):\n"
            << "  f = sum_H alpha_H relu(h_H(x)) + A.x + a0\n";
  for (std::size_t i = 0; i < cf.groups.size(); ++i) {
    const auto& H = cf.groups[i];
    std::cout << "  H" << i + 1 << ": h = " << affine_text(H.w, H.b) << "   alpha = " << to_string(H.alpha)
              << "   (" << neuron_list(H.neurons) << ")\n";
  }
  if (cf.groups.empty()) std::cout << "  (no hyperplane crosses the interior of the domain)\n";
  std::cout << "  A = " << to_string(cf.A) << ", a0 = " << to_string(cf.a0) << "\n";
  for (std::size_t n = 0; n < cf.roles.size(); ++n)
    if (cf.roles[n] != NeuronRole::Crossing) std::cout << "  folded: " << neuron_name(n) << " (" << neuron_role_name(cf.roles[n]) << ")\n";
  if (bad) {
    const auto& H = cf.groups[*bad];
    std::cout << "verdict: not convex (alpha_H" << *bad + 1 << " = " << to_string(H.alpha) << " < 0: concave fold along "
              << affine_text(H.w, H.b) << " = 0)\n"
              << "witness: x = " << to_string(witness->x) << "\n"
              << "         y = " << to_string(witness->y) << "\n"
              << "         2 f((x+y)/2) - f(x) - f(y) = " << to_string(witness->gap)
              << " > 0  (re-verified by an exact forward pass)\n";
    if (out_path) std::cout << "nothing written to " << *out_path << " (not convex: no ICNN)\n";
  } else {
    std::cout << "verdict: convex (every alpha_H >= 0)\n";
    if (whole) {
      std::cout << "ICNN on " << domain.describe() << " (Theorem D2): need gamma in prod_H [0, alpha_H] with sum_H gamma_H w_H = -A = "
                << to_string(scale(Rational(-1), cf.A)) << "\n"
                << "  hyperplanes with alpha > 0: k = " << whole->k << ", rank " << whole->rank << "\n";
      if (!whole->zonotope_feasible) {
        std::cout << "  zonotope LP: infeasible (exact LP, Farkas vector checked)\n"
                  << "  along u = " << to_string(whole->descent_direction) << " f decreases linearly: f_inf(u) = "
                  << to_string(whole->recession_slope) << " < 0, while every ICNN has f_inf >= 0\n"
                  << "  => no 1-hidden-layer ICNN of any width equals f on " << domain.describe() << "\n";
      } else {
        std::cout << "  zonotope LP: feasible (exact LP, point checked)\n";
        if (whole->minimal_width)
          std::cout << "  minimal width: " << *whole->minimal_width << " (exact search over which gamma_H are fractional, "
                    << whole->search_steps << " candidates)\n";
        else
          std::cout << "  minimal width: unknown (search limit of " << search.max_steps << " candidates reached); between "
                    << whole->width_lower_bound << " and " << *whole->width_upper_bound << "\n";
        std::cout << "  same width " << one->width() << ": "
                  << (whole->same_width ? (*whole->same_width ? "yes" : "no") : "unknown") << "\n"
                  << "  gamma = " << to_string(whole->gamma) << "\n";
      }
    }
    if (icnn) {
      std::cout << icnn_title << ":\n  g = " << function_text(*icnn) << "\n";
      if (proven)
        std::cout << "equality g = f proven on " << proof->cells
                  << " cells (region complex of g - f: on every cell its affine piece is 0)\n";
      else
        std::cout << "equality g = f: unknown (" << proof->reason << " after " << proof->cells << " cells)\n";
      if (written) std::cout << "ICNN written to: " << *out_path << "\n";
      else if (out_path) std::cout << "ICNN not written (equality not proven)\n";
    } else if (out_path) {
      std::cout << "nothing written to " << *out_path << " (no ICNN)\n";
    }
  }
  std::cout << "time: " << seconds_text(seconds) << " s\n"
            << "(exit code " << exit_code << ": 0 convex, 1 not convex, 2 input error, 3 unknown)\n";
  return exit_code;
}

}  // namespace relucert::cli
