#include "cli/arguments.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <thread>

#include "analysis/progress_printer.hpp"
#include "core/input_error.hpp"
#include "core/network_loader.hpp"

namespace relucert::cli {

unsigned long long parse_count(const std::string& flag, const std::string& v) {
  std::string why;
  auto q = parse_rational(v, &why);
  if (!q || q->get_den() != 1 || sgn(*q) < 0 || !q->get_num().fits_ulong_p())
    throw InputError(flag, v, "expected a nonnegative integer");
  return q->get_num().get_ui();
}

Arguments parse_arguments(const std::vector<std::string>& words, const std::set<std::string>& valued,
                          const std::set<std::string>& own_flags) {
  // Accept --option=value for every option that takes a value.
  std::vector<std::string> a;
  for (const auto& s : words) {
    const auto eq = s.find('=');
    if (s.rfind("--", 0) == 0 && eq != std::string::npos) {
      a.push_back(s.substr(0, eq));
      a.push_back(s.substr(eq + 1));
    } else {
      a.push_back(s);
    }
  }
  Arguments r;
  r.options.limits.threads = default_threads();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string& s = a[i];
    auto value = [&]() -> std::string {
      // "--line --json" is a forgotten value, not the value "--json"; single-dash values such
      // as "-1:5" stay allowed.
      if (i + 1 >= a.size() || a[i + 1].rfind("--", 0) == 0) throw InputError(s, "", "missing value");
      return a[++i];
    };
    if (s == "--json") r.json = true;
    else if (s == "--box") {
      if (r.box) throw InputError("--box", "", "given twice");
      r.box = value();
    } else if (s == "--output") {
      if (r.output) throw InputError("--output", "", "given twice");
      r.output = static_cast<std::size_t>(parse_count(s, value()));
    } else if (s == "--max-cells") r.options.limits.max_cells = parse_count(s, value());
    else if (s == "--time-limit") {
      std::string v = value(), why;
      auto q = parse_rational(v, &why);
      if (!q || sgn(*q) <= 0) throw InputError("--time-limit", v, "expected a positive number of seconds");
      // A positive limit too small for a double still means "stop at once", never "no limit".
      r.options.limits.time_limit_seconds = std::max(q->get_d(), 1e-9);
    } else if (s == "--threads") {
      const std::string v = value();
      const unsigned long long n = parse_count(s, v);
      if (n == 0 || n > 1024) throw InputError("--threads", v, "expected a number of threads from 1 to 1024");
      r.options.limits.threads = static_cast<unsigned>(n);
    } else if (s == "--progress") {
      r.options.limits.progress = progress_printer();
    } else if (s == "--memory-limit") {
      const unsigned long long mb = parse_count(s, value());
      if (mb == 0) throw InputError("--memory-limit", "0", "expected a positive number of megabytes");
      r.options.limits.max_memory_mb = static_cast<std::size_t>(mb);
    } else if (s == "--whole-complex") {
      r.options.stream = CheckOptions::Stream::Never;
    } else if (s == "--stream") {
      r.options.stream = CheckOptions::Stream::Always;
    } else if (s == "--lines") r.options.refuter_lines = parse_count(s, value());
    else if (s == "--seed") r.options.seed = parse_count(s, value());
    else if (valued.count(s)) {
      if (r.values.count(s)) throw InputError(s, "", "given twice");
      r.values[s] = value();
    } else if (own_flags.count(s)) r.flags.insert(s);
    else if (!s.empty() && s[0] == '-') throw InputError("command line", s, "unknown option");
    else if (r.net_path.empty()) r.net_path = s;
    else throw InputError("command line", s, "more than one network given");
  }
  if (r.net_path.empty()) throw InputError("command line", "", "no network file given");
  return r;
}

unsigned default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

LoadedNetwork load_network(const Arguments& a) { return load_network_any(a.net_path, a.output); }

Domain domain_of(const Arguments& a, const LoadedNetwork& loaded) {
  const std::size_t d = loaded.net.input_dim();
  if (a.box) return parse_box_spec(*a.box, d);
  if (loaded.default_domain) return *loaded.default_domain;
  return Domain::whole_space(d);
}

int exit_code_for(Verdict v) {
  switch (v) {
    case Verdict::Convex: return kExitConvex;
    case Verdict::NotConvex: return kExitNotConvex;
    case Verdict::Unknown: return kExitUnknown;
  }
  return kExitUnknown;
}

nlohmann::json rationals_json(const Vector& v) {
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

}  // namespace relucert::cli
