#include "core/json_tree.hpp"

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/input_error.hpp"

namespace relucert {
namespace {

std::string line_col(const std::string& text, std::size_t pos) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// Depth limit: hostile inputs with deep nesting must not overflow the stack.
constexpr std::size_t kMaxDepth = 64;
// Size limits, checked while the tree is built (a tree node costs ~100 bytes, so a 40 MB file of
// one-character arrays would otherwise take gigabytes before validation could refuse it).
// No array of the format may be longer than the widest layer (core/network_json.cpp, 100000);
// no network the engine can analyse comes near 2 million numbers.
constexpr std::size_t kMaxArrayLength = 100000;
constexpr std::size_t kMaxValues = 2000000;

class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  TreeBuilder(const std::string& text, const std::string& source) : text_(text), source_(source) {}
  JsonNode root;

  bool null() override { return put(JsonNode{}); }
  bool boolean(bool v) override {
    JsonNode n;
    n.kind = JsonNode::Kind::Bool;
    n.boolean = v;
    return put(std::move(n));
  }
  bool number_integer(number_integer_t v) override { return number(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& s) override { return number(s); }
  bool string(string_t& v) override {
    JsonNode n;
    n.kind = JsonNode::Kind::String;
    n.text = v;
    return put(std::move(n));
  }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return open(JsonNode::Kind::Object); }
  bool key(string_t& k) override {
    // One key set per open object: linear-time duplicate detection even for huge objects.
    if (!keys_.back().insert(k).second) throw InputError(source_, "", "duplicate key \"" + excerpt(k) + "\"");
    pending_key_ = k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return open(JsonNode::Kind::Array); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& ex) override {
    const std::string where = line_col(text_, position ? position - 1 : 0);
    if (ex.id == 406)  // nlohmann parses JSON numbers through double and refuses those beyond its range
      throw InputError(source_, where,
                       "number " + excerpt(last_token) + " is beyond double range as a JSON number; write it as a string, e.g. \"" +
                           excerpt(last_token) + "\", which is read exactly");
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line L, column C: REASON";
    // keep REASON (which itself may contain ": ").
    std::string msg = ex.what();
    if (auto p = msg.find("column "); p != std::string::npos)
      if (auto q = msg.find(": ", p); q != std::string::npos) msg = msg.substr(q + 2);
    if (msg.rfind("[json.exception.", 0) == 0)
      if (auto q = msg.find("] "); q != std::string::npos) msg = msg.substr(q + 2);
    throw InputError(source_, where, "malformed JSON: " + msg);
  }

 private:
  bool number(const std::string& s) {
    JsonNode n;
    n.kind = JsonNode::Kind::Number;
    n.text = s;
    return put(std::move(n));
  }
  JsonNode* place(JsonNode n) {
    if (++values_ > kMaxValues)
      throw InputError(source_, stack_.empty() ? "(top level)" : path(),
                       "more than " + std::to_string(kMaxValues) + " JSON values in the file (limit)");
    if (!stack_.empty() && stack_.back()->items.size() + stack_.back()->fields.size() >= kMaxArrayLength)
      throw InputError(source_, path(),
                       std::string(stack_.back()->kind == JsonNode::Kind::Array ? "array" : "object") + " with more than " +
                           std::to_string(kMaxArrayLength) + " entries (limit)");
    if (stack_.empty()) {
      root = std::move(n);
      return &root;
    }
    JsonNode* top = stack_.back();
    if (top->kind == JsonNode::Kind::Array) {
      top->items.push_back(std::move(n));
      return &top->items.back();
    }
    top->fields.emplace_back(pending_key_, std::move(n));
    return &top->fields.back().second;
  }
  bool put(JsonNode n) {
    place(std::move(n));
    return true;
  }
  // The field path of the innermost open container ("layers[0].W"), "(top level)" for the root.
  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      const JsonNode* c = stack_[i];
      if (c->kind == JsonNode::Kind::Array) p += "[" + std::to_string(c->items.size() - 1) + "]";
      else p += (p.empty() ? "" : ".") + c->fields.back().first;
    }
    return p.empty() ? "(top level)" : p;
  }
  bool open(JsonNode::Kind k) {
    if (stack_.size() >= kMaxDepth) throw InputError(source_, path(), "JSON nested deeper than " + std::to_string(kMaxDepth));
    JsonNode n;
    n.kind = k;
    stack_.push_back(place(std::move(n)));
    if (k == JsonNode::Kind::Object) keys_.emplace_back();
    return true;
  }

  const std::string& text_;
  const std::string& source_;
  std::vector<JsonNode*> stack_;  // pointers stay valid: a container is only appended to while it is on top
  std::string pending_key_;
  std::size_t values_ = 0;
  std::vector<std::unordered_set<std::string>> keys_;  // keys seen, per open object
};

}  // namespace

const JsonNode* JsonNode::find(const std::string& key) const {
  for (const auto& f : fields)
    if (f.first == key) return &f.second;
  return nullptr;
}

const char* JsonNode::kind_name(Kind k) {
  switch (k) {
    case Kind::Null: return "null";
    case Kind::Bool: return "a boolean";
    case Kind::Number: return "a number";
    case Kind::String: return "a string";
    case Kind::Array: return "an array";
    case Kind::Object: return "an object";
  }
  return "?";
}

JsonNode parse_json_exact(const std::string& text, const std::string& source) {
  TreeBuilder builder(text, source);
  nlohmann::json::sax_parse(text, &builder);
  return std::move(builder.root);
}

}  // namespace relucert
