#pragma once
// A minimal JSON tree that keeps every number as its exact source text, so that
// "0.1" means 1/10 and no double rounding ever touches a weight. Built with
// nlohmann::json's SAX interface; parse errors carry line and column.
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace relucert {

struct JsonField;

struct JsonNode {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // number source text or string value
  std::vector<JsonNode> items;                           // Array
  std::vector<JsonField> fields;  // Object, in source order
  const JsonNode* find(const std::string& key) const;
  static const char* kind_name(Kind k);
};

// One member of an object. (Not std::pair: a pair of an incomplete JsonNode inside JsonNode is
// rejected by clang with libstdc++; std::vector of an incomplete struct is allowed.)
struct JsonField {
  JsonField(std::string k, JsonNode v) : first(std::move(k)), second(std::move(v)) {}
  std::string first;
  JsonNode second;
};

// Parses text; throws InputError(source, "line L, column C", message) on malformed JSON
// or duplicate keys.
JsonNode parse_json_exact(const std::string& text, const std::string& source);

}  // namespace relucert
