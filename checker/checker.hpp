#pragma once
// relucert-verify: the independent checker of docs/certificate.md. Trusted base: GMP, the C++
// standard library and checker/*.cpp. Nothing from core/, geometry/ or analysis/ is included
// (tests/test_checker_isolation.cpp enforces it): a bug in the engine cannot hide itself here.
#include <gmpxx.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rcv {

using Q = mpq_class;
using Vec = std::vector<Q>;

// Malformed input (exit 2): where (file and line) and what.
struct Malformed {
  std::string file;
  std::size_t line = 0;  // 0: no line
  std::string what;
};
// A well-formed proof that fails an obligation (exit 1).
struct Rejected {
  std::string why;
};

// ---- exact numbers (numbers.cpp) ----
// The number forms of docs/format.md §1: integer, decimal, exponent, p/q, C99 hex float,
// optional sign, surrounding whitespace. nullopt (with *why) when not one of them.
std::optional<Q> parse_number(const std::string& text, std::string* why);
std::string str(const Q& q);  // canonical "p" or "p/q"

// ---- JSON (json.cpp): RFC 8259, numbers kept as their source text ----
struct JsonMember;
struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  std::string text;  // String: the decoded string; Number: the source text
  std::vector<Json> items;
  std::vector<JsonMember> members;
  std::size_t line = 0;
  const Json* find(const std::string& key) const;
};
// (Not std::pair: clang with libstdc++ rejects a pair of the incomplete Json inside Json.)
struct JsonMember {
  JsonMember(std::string k, Json v) : first(std::move(k)), second(std::move(v)) {}
  std::string first;
  Json second;
};
Json parse_json(const std::string& text, const std::string& file);  // throws Malformed

// ---- the network and its exact forward pass (network.cpp) ----
struct Skip {  // M h_from: the output of the earlier layer `from` (0-based here) times M
  std::size_t from = 0;
  std::vector<Vec> M;
};
struct Layer {
  std::vector<Vec> W, U;  // U empty when absent
  Vec b;
  bool relu = true;
  std::vector<Skip> skips;  // "skips" of docs/format.md, empty when absent
};
struct Net {
  std::size_t dim = 0;
  std::vector<Layer> layers;
  // ReLU neurons in topological order: (layer index, index in layer), both 0-based.
  std::vector<std::pair<std::size_t, std::size_t>> neurons;
  Q value(const Vec& x) const;  // exact f(x)
  std::string neuron_name(std::size_t m) const;  // "L2:N7" (1-based)
};
Net load_net(const std::string& path);  // throws Malformed

// ---- checks (certificate.cpp, witness.cpp) ----
std::string read_file(const std::string& path);  // throws Malformed
// Return the "what was proven" line on success; throw Rejected or Malformed otherwise.
std::string check_certificate(const Net& net, const std::string& text, const std::string& file);
std::string check_witness(const Net& net, const std::string& text, const std::string& file);

}  // namespace rcv
