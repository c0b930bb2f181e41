// A small strict JSON reader (RFC 8259) for the checker. Numbers keep their source text so that
// they are read exactly; duplicate keys and nesting deeper than 64 are errors.
#include <set>

#include "checker.hpp"

namespace rcv {
namespace {

class Reader {
 public:
  Reader(const std::string& t, const std::string& f) : s_(t), file_(f) {
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = 3;
  }
  Json document() {
    Json v = value(0);
    ws();
    if (i_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& w) { throw Malformed{file_, line_, "malformed JSON: " + w}; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      if (s_[i_] == '\n') ++line_;
      ++i_;
    }
  }
  bool lit(const char* w) {
    const std::string t(w);
    if (s_.compare(i_, t.size(), t) != 0) return false;
    i_ += t.size();
    return true;
  }
  Json value(int depth) {
    if (depth > 64) fail("nested deeper than 64");
    ws();
    if (i_ >= s_.size()) fail("unexpected end of input");
    Json v;
    v.line = line_;
    const char c = s_[i_];
    if (c == '{') {
      v.kind = Json::Object;
      ++i_;
      ws();
      std::set<std::string> keys;
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return v;
      }
      for (;;) {
        ws();
        if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string key");
        std::string k = string();
        if (!keys.insert(k).second) fail("duplicate key \"" + k + "\"");
        ws();
        if (i_ >= s_.size() || s_[i_] != ':') fail("expected ':'");
        ++i_;
        Json m = value(depth + 1);
        v.members.emplace_back(std::move(k), std::move(m));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == '}') { ++i_; return v; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Json::Array;
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return v;
      }
      for (;;) {
        v.items.push_back(value(depth + 1));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == ']') { ++i_; return v; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::String;
      v.text = string();
      return v;
    }
    if (lit("true")) { v.kind = Json::Bool; v.boolean = true; return v; }
    if (lit("false")) { v.kind = Json::Bool; return v; }
    if (lit("null")) return v;
    // number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    const std::size_t st = i_;
    auto digits = [&] {
      const std::size_t a = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ - a;
    };
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') ++i_;
    else if (digits() == 0) fail("unexpected character");
    if (i_ < s_.size() && s_[i_] == '.') { ++i_; if (digits() == 0) fail("bad number"); }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) fail("bad number");
    }
    v.kind = Json::Number;
    v.text = s_.substr(st, i_ - st);
    return v;
  }
  std::string string() {
    ++i_;  // opening quote
    std::string r;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const unsigned char c = s_[i_++];
      if (c == '"') return r;
      if (c < 0x20) fail("control character in string");
      if (c != '\\') { r += static_cast<char>(c); continue; }
      if (i_ >= s_.size()) fail("unterminated string");
      const char e = s_[i_++];
      switch (e) {
        case '"': r += '"'; break;
        case '\\': r += '\\'; break;
        case '/': r += '/'; break;
        case 'b': r += '\b'; break;
        case 'f': r += '\f'; break;
        case 'n': r += '\n'; break;
        case 'r': r += '\r'; break;
        case 't': r += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("bad \\u escape");
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            cp = cp * 16 + (h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99u);
            if (cp > 0xFFFF) fail("bad \\u escape");
          }
          // Keys and numbers are ASCII; other characters only need to round-trip somewhere harmless.
          if (cp < 0x80) r += static_cast<char>(cp);
          else if (cp < 0x800) r += static_cast<char>(0xC0 | (cp >> 6)), r += static_cast<char>(0x80 | (cp & 0x3F));
          else r += static_cast<char>(0xE0 | (cp >> 12)), r += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), r += static_cast<char>(0x80 | (cp & 0x3F));
          break;
        }
        default: fail("bad escape in string");
      }
    }
  }
  const std::string& s_;
  const std::string& file_;
  std::size_t i_ = 0, line_ = 1;
};

}  // namespace

const Json* Json::find(const std::string& key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

Json parse_json(const std::string& text, const std::string& file) { return Reader(text, file).document(); }

}  // namespace rcv
