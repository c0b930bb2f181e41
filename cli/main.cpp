// relucert: decides, in exact rational arithmetic, whether a ReLU network is convex.
// Exit codes (a contract other tools rely on): 0 convex, 1 not convex, 2 input error, 3 unknown.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/convexity.hpp"
#include "core/domain.hpp"
#include "core/input_error.hpp"
#include "core/network_json.hpp"

namespace {

using namespace relucert;

constexpr int kExitConvex = 0, kExitNotConvex = 1, kExitInputError = 2, kExitUnknown = 3;

const char* kUsage =
    "usage:\n"
    "  relucert check NET.json [--box LO:HI | --box LO1:HI1,...,LOd:HId] [--json]\n"
    "                 [--max-cells N] [--time-limit SECONDS] [--lines N] [--seed N]\n"
    "  relucert regions NET.json [--box ...] [--json] [--max-cells N] [--time-limit SECONDS]\n"
    "\n"
    "No --box means the whole of R^d. Exit codes: 0 convex, 1 not convex, 2 input error,\n"
    "3 unknown (a resource limit was reached; never a guess).\n";

struct Args {
  std::string command, net_path;
  std::optional<std::string> box;
  bool json = false;
  CheckOptions options;
};

unsigned long long parse_count(const std::string& flag, const std::string& v) {
  std::string why;
  auto q = parse_rational(v, &why);
  if (!q || q->get_den() != 1 || sgn(*q) < 0 || !q->get_num().fits_ulong_p())
    throw InputError(flag, v, "expected a nonnegative integer");
  return q->get_num().get_ui();
}

Args parse_args(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty()) {
    std::cerr << kUsage;  // an input error: nothing on stdout
    std::exit(kExitInputError);
  }
  for (const auto& s : a)
    if (s == "--help" || s == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
  // Accept --option=value for every option that takes a value.
  std::vector<std::string> split;
  for (const auto& s : a) {
    const auto eq = s.find('=');
    if (s.rfind("--", 0) == 0 && eq != std::string::npos) {
      split.push_back(s.substr(0, eq));
      split.push_back(s.substr(eq + 1));
    } else {
      split.push_back(s);
    }
  }
  a = std::move(split);
  Args r;
  r.command = a[0];
  if (r.command != "check" && r.command != "regions") throw InputError("command line", a[0], "unknown command (expected check or regions)");
  for (std::size_t i = 1; i < a.size(); ++i) {
    const std::string& s = a[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= a.size()) throw InputError(s, "", "missing value");
      return a[++i];
    };
    if (s == "--json") r.json = true;
    else if (s == "--box") {
      if (r.box) throw InputError("--box", "", "given twice");
      r.box = value();
    } else if (s == "--max-cells") r.options.limits.max_cells = parse_count(s, value());
    else if (s == "--time-limit") {
      std::string v = value(), why;
      auto q = parse_rational(v, &why);
      if (!q || sgn(*q) <= 0) throw InputError("--time-limit", v, "expected a positive number of seconds");
      // A positive limit too small for a double still means "stop at once", never "no limit".
      r.options.limits.time_limit_seconds = std::max(q->get_d(), 1e-9);
    } else if (s == "--lines") r.options.refuter_lines = parse_count(s, value());
    else if (s == "--seed") r.options.seed = parse_count(s, value());
    else if (!s.empty() && s[0] == '-') throw InputError("command line", s, "unknown option");
    else if (r.net_path.empty()) r.net_path = s;
    else throw InputError("command line", s, "more than one network given");
  }
  if (r.net_path.empty()) throw InputError("command line", "", "no network file given");
  return r;
}

nlohmann::json rationals(const Vector& v) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& q : v) j.push_back(to_string(q));
  return j;
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o.precision(3);
  o << std::fixed << s;
  return o.str();
}

int run_check(const Args& args, const Network& net, const Domain& domain) {
  const CheckResult r = check_convexity(net, domain, args.options);
  if (args.json) {
    nlohmann::json j;
    j["verdict"] = verdict_name(r.verdict);
    if (r.witness) j["witness"] = {{"x", rationals(r.witness->x)}, {"y", rationals(r.witness->y)}, {"gap", to_string(r.witness->gap)}};
    j["cells"] = r.cells;
    j["pairs"] = r.pairs;
    j["pieces"] = r.pieces;
    j["seconds"] = r.seconds;
    j["method"] = r.method;
    j["lp_questions"] = r.lp_questions;
    j["lp_exact_solves"] = r.lp_exact_solves;
    j["domain"] = domain.describe();
    j["network"] = args.net_path;
    if (r.violation) j["violation"] = *r.violation;
    if (r.verdict == Verdict::Unknown) j["reason"] = r.unknown_reason;
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
      else if (r.violation)
        std::cout << "found by: the region complex (concave fold across " << *r.violation << ")\n";
    }
    if (r.method == "region-complex")
      std::cout << "cells: " << r.cells << ", adjacent pairs checked: " << r.pairs << ", affine pieces: " << r.pieces
                << "\nLPs: " << r.lp_questions << " (" << r.lp_exact_solves << " needed the exact solver)\n";
    std::cout << "time: " << seconds_text(r.seconds) << " s\n";
  }
  switch (r.verdict) {
    case Verdict::Convex: return kExitConvex;
    case Verdict::NotConvex: return kExitNotConvex;
    case Verdict::Unknown: return kExitUnknown;
  }
  return kExitUnknown;
}

int run_regions(const Args& args, const Network& net, const Domain& domain) {
  const RegionComplex cx = build_region_complex(net, domain, args.options.limits);
  const bool complete = cx.status == BuildStatus::Complete;
  if (args.json) {
    nlohmann::json j;
    j["complete"] = complete;
    j["cells"] = cx.cells.size();
    if (complete) {
      j["pairs"] = cx.adjacencies.size();
      j["pieces"] = cx.distinct_affine_pieces();
    }
    j["domain"] = domain.describe();
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "domain: " << domain.describe() << "\n";
    if (!complete) std::cout << "incomplete: a resource limit was reached; counts so far\n";
    std::cout << "cells: " << cx.cells.size() << "\n";
    if (complete) std::cout << "adjacent pairs: " << cx.adjacencies.size() << "\naffine pieces: " << cx.distinct_affine_pieces() << "\n";
  }
  return complete ? 0 : kExitUnknown;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args args = parse_args(argc, argv);
    const Network net = load_network_json_file(args.net_path);
    const Domain domain = args.box ? parse_box_spec(*args.box, net.input_dim()) : Domain::whole_space(net.input_dim());
    return args.command == "check" ? run_check(args, net, domain) : run_regions(args, net, domain);
  } catch (const InputError& e) {
    std::cerr << "relucert: error: " << e.what() << "\n";
    return kExitInputError;
  } catch (const std::bad_alloc&) {
    std::cerr << "relucert: out of memory; verdict unknown\n";
    return kExitUnknown;
  } catch (const std::exception& e) {
    std::cerr << "relucert: internal error: " << e.what() << "; verdict unknown\n";
    return kExitUnknown;
  }
}
