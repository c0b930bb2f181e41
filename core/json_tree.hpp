#pragma once
// A minimal JSON tree that keeps every number as its exact source text, so that
// "0.1" means 1/10 and no double rounding ever touches a weight. Built with
// nlohmann::json's SAX interface; parse errors carry line and column.
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace relucert {

struct JsonNode {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // number source text or string value
  std::vector<JsonNode> items;                           // Array
  std::vector<std::pair<std::string, JsonNode>> fields;  // Object, in source order
  const JsonNode* find(const std::string& key) const;
  static const char* kind_name(Kind k);
};

// Parses text; throws InputError(source, "line L, column C", message) on malformed JSON
// or duplicate keys.
JsonNode parse_json_exact(const std::string& text, const std::string& source);

}  // namespace relucert
