// relucert breakpoints: the exact 1-D restriction s -> f(P + s D) of the network to a line
// (restricted to the box when one is given): its kinks, the slope on each piece, the slope
// jumps, and whether the restriction is convex. With --icnn-bound, also the Lemma E1 bound
// n1 + 2(n2 + ... + nL) on the number of kinks of any ICNN of the net's architecture
// (THEORY.md §6): more kinks than that proves that no ICNN of this architecture implements f.
//
// Exit codes follow the relucert contract: 0 the restriction is convex, 1 it is not (a slope
// decrease on a segment of the domain: f is not convex there, a verified witness is printed),
// 2 input error.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "analysis/line_restriction.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/input_error.hpp"

namespace relucert::cli {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// "p1,...,pd" -> exact vector of d coordinates; `what` is "point P" or "direction D".
Vector parse_coordinates(const std::string& spec, const std::string& text, const std::string& what, std::size_t d) {
  const std::vector<std::string> parts = split(text, ',');
  if (parts.size() != d)
    throw InputError("--line", spec,
                     what + " has " + std::to_string(parts.size()) + " coordinate" + (parts.size() == 1 ? "" : "s") +
                         " but the network has " + std::to_string(d) + " input" + (d == 1 ? "" : "s") +
                         " (expected " + std::to_string(d) + " comma-separated exact rationals)");
  Vector v;
  for (std::size_t i = 0; i < d; ++i) {
    std::string why;
    auto q = parse_rational(parts[i], &why);
    if (!q) throw InputError("--line", spec, what + ", coordinate " + std::to_string(i + 1) + " '" + parts[i] + "': " + why);
    v.push_back(*q);
  }
  return v;
}

struct LineSpec {
  Vector p, u;
  bool defaulted = false;  // d = 1 and --line omitted: P = 0, D = 1
};

LineSpec parse_line_spec(const Arguments& args, std::size_t d) {
  const auto it = args.values.find("--line");
  if (it == args.values.end()) {
    if (d != 1) {
      std::string example = "0";
      for (std::size_t i = 1; i < d; ++i) example += ",0";
      example += ":1";
      for (std::size_t i = 1; i < d; ++i) example += ",0";
      throw InputError("--line", "",
                       "missing: the network has " + std::to_string(d) + " inputs, so give the line as --line P:D with " +
                           std::to_string(d) + " comma-separated exact rationals in P and in D (e.g. --line " + example + ")");
    }
    return LineSpec{Vector{Rational(0)}, Vector{Rational(1)}, true};
  }
  const std::string& spec = it->second;
  const std::vector<std::string> halves = split(spec, ':');
  if (halves.size() != 2)
    throw InputError("--line", spec, "expected P:D, a point and a direction separated by one ':' (e.g. --line 0,1/2:1,0)");
  LineSpec line;
  line.p = parse_coordinates(spec, halves[0], "point P", d);
  line.u = parse_coordinates(spec, halves[1], "direction D", d);
  if (is_zero(line.u)) throw InputError("--line", spec, "direction D is zero (a line needs a nonzero direction)");
  return line;
}

std::string signed_text(const Rational& q) { return (sgn(q) > 0 ? "+" : "") + to_string(q); }

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Hidden widths n_1..n_L of a standard architecture (d, n_1, ..., n_L, 1): a ReLU after every
// layer but the last, which is linear. Lemma E1 is stated for exactly these.
std::vector<std::size_t> hidden_widths_for_lemma_e1(const Network& net, const std::string& source) {
  const auto& layers = net.layers();
  if (net.has_layer_skips())
    throw InputError(source, "--icnn-bound",
                     "the network has skip terms from earlier layers' outputs (residual connections); the Lemma E1 bound is stated for layered architectures (d, n1, ..., nL, 1)");
  std::vector<std::size_t> widths;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    if (!layers[l].relu)
      throw InputError(source, "--icnn-bound",
                       "layer " + std::to_string(l + 1) +
                           " has no ReLU; the Lemma E1 bound is stated for architectures (d, n1, ..., nL, 1) with a ReLU after every hidden layer");
    widths.push_back(layers[l].width());
  }
  if (layers.back().relu)
    throw InputError(source, "--icnn-bound",
                     "the output layer has a ReLU; the Lemma E1 bound is stated for architectures (d, n1, ..., nL, 1) with a linear output");
  return widths;
}

}  // namespace

int run_breakpoints(const std::vector<std::string>& words) {
  const Arguments args = parse_arguments(words, {"--line"}, {"--icnn-bound"});
  const LoadedNetwork loaded = load_network(args);
  const Network& net = loaded.net;
  const Domain domain = domain_of(args, loaded);
  const std::size_t d = net.input_dim();
  const LineSpec line = parse_line_spec(args, d);
  // Lemma E1 (THEORY.md §6): n1 + 2(n2 + ... + nL) for the architecture (d, n1, ..., nL, 1).
  std::vector<std::size_t> widths;
  unsigned long long bound = 0;
  const bool want_bound = args.flags.count("--icnn-bound") > 0;
  if (want_bound) {
    widths = hidden_widths_for_lemma_e1(net, args.net_path);
    for (std::size_t l = 0; l < widths.size(); ++l) bound += (l == 0 ? 1ULL : 2ULL) * widths[l];
  }

  // The restriction is computed from a base point inside the domain. Only the default line of a
  // 1-D net on a box that excludes 0 needs a different one; s stays the coordinate x = 0 + s * 1.
  Vector base = line.p;
  Rational shift(0);  // s = s_base + shift
  if (domain.is_box && !domain.contains(line.p)) {
    if (!line.defaulted)
      throw InputError("--line", args.values.at("--line"),
                       "point P = " + to_string(line.p) + " lies outside the box " + domain.describe() +
                           " (give a point of the box)");
    base = domain.center();
    shift = base[0];
  }
  const LineRestriction r = restrict_to_line(net, domain, base, line.u);
  std::optional<Rational> s_begin = r.s_begin, s_end = r.s_end;
  if (s_begin) *s_begin += shift;
  if (s_end) *s_end += shift;
  if (s_begin && s_end && *s_begin == *s_end)
    throw InputError("--line", line.defaulted ? std::string("0:1") : args.values.at("--line"),
                     "the line meets the box " + domain.describe() + " only in the single point P; choose a line through the interior");

  // Merge the pattern changes where the slope does not change: pieces are maximal affine parts.
  std::vector<Rational> kinks, slopes{r.slopes.front()}, jumps;
  for (std::size_t i = 0; i < r.changes.size(); ++i)
    if (r.slopes[i + 1] != r.slopes[i]) {
      kinks.push_back(r.changes[i] + shift);
      jumps.push_back(r.slopes[i + 1] - r.slopes[i]);
      slopes.push_back(r.slopes[i + 1]);
    }
  const bool convex = std::all_of(jumps.begin(), jumps.end(), [](const Rational& j) { return sgn(j) > 0; });
  const std::optional<Witness> witness = convex ? std::nullopt : witness_on_line(net, domain, r);
  std::vector<Vector> points;
  for (const auto& s : kinks) points.push_back(add(line.p, scale(s, line.u)));

  std::string architecture = "(" + std::to_string(d);
  for (auto w : widths) architecture += ", " + std::to_string(w);
  architecture += ", 1)";
  const bool exceeds = kinks.size() > bound;
  const std::string segment = !s_begin ? "R" : "[" + to_string(*s_begin) + ", " + to_string(*s_end) + "]";

  if (args.json) {
    nlohmann::json j;
    j["network"] = args.net_path;
    j["domain"] = domain.describe();
    j["line"] = {{"p", rationals_json(line.p)}, {"d", rationals_json(line.u)},
                 {"s_begin", s_begin ? nlohmann::json(to_string(*s_begin)) : nlohmann::json(nullptr)},
                 {"s_end", s_end ? nlohmann::json(to_string(*s_end)) : nlohmann::json(nullptr)}};
    j["breakpoints"] = rationals_json(kinks);
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& x : points) pts.push_back(rationals_json(x));
    j["points"] = pts;
    j["slopes"] = rationals_json(slopes);
    j["jumps"] = rationals_json(jumps);
    j["convex_on_line"] = convex;
    j["count"] = kinks.size();
    if (witness)
      j["witness"] = {{"x", rationals_json(witness->x)}, {"y", rationals_json(witness->y)}, {"gap", to_string(witness->gap)}};
    if (want_bound) {
      nlohmann::json arch = nlohmann::json::array();
      arch.push_back(d);
      for (auto w : widths) arch.push_back(w);
      arch.push_back(1);
      j["architecture"] = arch;
      j["icnn_bound"] = bound;
      j["exceeds_icnn_bound"] = exceeds;
    }
    std::cout << j.dump() << "\n";
    return convex ? kExitConvex : kExitNotConvex;
  }

  std::cout << "network: " << args.net_path << "\ndomain:  " << domain.describe() << "\n"
            << "line:    x = P + s D,  P = " << to_string(line.p) << ",  D = " << to_string(line.u) << ",  s in " << segment
            << "\n"
            << "breakpoints (kinks of s -> f(P + s D), where the slope changes): " << kinks.size() << "\n";
  if (!kinks.empty()) {
    std::vector<std::string> c1, c2, c3, c4;
    for (std::size_t i = 0; i < kinks.size(); ++i) {
      c1.push_back("s = " + to_string(kinks[i]));
      c2.push_back("x = " + to_string(points[i]));
      c3.push_back("slope " + to_string(slopes[i]) + " -> " + to_string(slopes[i + 1]));
      c4.push_back("jump " + signed_text(jumps[i]));
    }
    auto width = [](const std::vector<std::string>& c) {
      std::size_t w = 0;
      for (const auto& s : c) w = std::max(w, s.size());
      return w;
    };
    const std::size_t w1 = width(c1), w2 = width(c2), w3 = width(c3);
    for (std::size_t i = 0; i < kinks.size(); ++i)
      std::cout << "  " << pad(c1[i], w1) << "   " << pad(c2[i], w2) << "   " << pad(c3[i], w3) << "   " << c4[i] << "\n";
  }
  std::cout << "slopes on the " << slopes.size() << " piece" << (slopes.size() == 1 ? "" : "s") << ":";
  for (std::size_t i = 0; i < slopes.size(); ++i) std::cout << (i ? ", " : " ") << to_string(slopes[i]);
  std::cout << "\n";
  if (convex) {
    std::cout << "convex on the line: yes" << (jumps.empty() ? " (affine)" : " (every slope jump is positive)") << "\n";
  } else {
    std::cout << "convex on the line: no (the slope decreases)\n";
    if (witness)
      std::cout << "witness: x = " << to_string(witness->x) << "\n         y = " << to_string(witness->y)
                << "\n         2 f((x+y)/2) - f(x) - f(y) = " << to_string(witness->gap)
                << " > 0  (re-verified by an exact forward pass)\n";
  }
  if (want_bound) {
    // "n1 + 2 n2 = 3 + 2*2", or "n1 + 2(n2 + n3) = 3 + 2*(2 + 4)" for deeper nets.
    std::string formula = widths.empty() ? "no hidden layer" : "n1", numbers = widths.empty() ? "0" : std::to_string(widths[0]);
    if (widths.size() == 2) {
      formula += " + 2 n2";
      numbers += " + 2*" + std::to_string(widths[1]);
    } else if (widths.size() > 2) {
      formula += " + 2(n2";
      numbers += " + 2*(" + std::to_string(widths[1]);
      for (std::size_t l = 2; l < widths.size(); ++l) {
        formula += " + n" + std::to_string(l + 1);
        numbers += " + " + std::to_string(widths[l]);
      }
      formula += ")";
      numbers += ")";
    }
    std::cout << "ICNN bound (THEORY.md §6, Lemma E1): architecture " << architecture << ": " << formula << " = " << numbers
              << " = " << bound << "\n";
    if (exceeds)
      std::cout << "breakpoints " << kinks.size() << " > " << bound << " = ICNN bound: no ICNN of architecture " << architecture
                << ", with or without input skips,\n  implements f on this " << (s_begin ? "segment" : "line")
                << ", hence none implements f on " << domain.describe() << "\n";
    else
      std::cout << "breakpoints " << kinks.size() << " <= " << bound << " = ICNN bound: the count does not rule out an ICNN of architecture "
                << architecture
                << (convex ? std::string() : std::string("\n  (but f is not convex on this ") + (s_begin ? "segment" : "line") +
                                                 ", so no ICNN of any architecture implements f on " + domain.describe() + ")")
                << "\n";
  }
  return convex ? kExitConvex : kExitNotConvex;
}

}  // namespace relucert::cli
