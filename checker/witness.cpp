// Checks a witness file (docs/certificate.md §5, THEORY.md §3): W1-W3 by exact forward passes.
#include "checker.hpp"

namespace rcv {

std::string check_witness(const Net& net, const std::string& text, const std::string& file) {
  const Json doc = parse_json(text, file);
  auto bad = [&](const Json& v, const std::string& what) -> Malformed { return Malformed{file, v.line, what}; };
  if (doc.kind != Json::Object) throw bad(doc, "(top level): expected an object");
  for (const auto& [k, v] : doc.members)
    if (k != "net" && k != "domain" && k != "x" && k != "y" && k != "gap") throw bad(v, k + ": unknown field");
  auto number = [&](const Json& v, const std::string& field) {
    if (v.kind != Json::Number && v.kind != Json::String) throw bad(v, field + ": expected a number");
    std::string why;
    const auto q = parse_number(v.text, &why);
    if (!q) throw bad(v, field + ": " + why + " in '" + v.text + "'");
    return *q;
  };
  auto vec = [&](const char* key) {
    const Json* v = doc.find(key);
    if (!v) throw bad(doc, std::string(key) + ": missing");
    if (v->kind != Json::Array || v->items.size() != net.dim)
      throw bad(*v, std::string(key) + ": expected an array of " + std::to_string(net.dim) + " numbers");
    Vec r;
    for (std::size_t i = 0; i < net.dim; ++i) r.push_back(number(v->items[i], std::string(key) + "[" + std::to_string(i) + "]"));
    return r;
  };
  if (const Json* n = doc.find("net"); n && n->kind != Json::String) throw bad(*n, "net: expected a string");
  const Json* dom = doc.find("domain");
  if (!dom) throw bad(doc, "domain: missing");
  bool is_box = false;
  Vec lo, hi;
  if (dom->kind == Json::String) {
    if (dom->text != "R^d" && dom->text != "R^" + std::to_string(net.dim)) throw bad(*dom, "domain: expected \"R^d\" or {\"lo\": [...], \"hi\": [...]}");
  } else if (dom->kind == Json::Object) {
    is_box = true;
    for (const auto& [k, v] : dom->members)
      if (k != "lo" && k != "hi") throw bad(v, "domain." + k + ": unknown field");
    for (const char* key : {"lo", "hi"}) {
      const Json* v = dom->find(key);
      if (!v || v->kind != Json::Array || v->items.size() != net.dim)
        throw bad(*dom, std::string("domain.") + key + ": expected an array of " + std::to_string(net.dim) + " numbers");
      for (std::size_t i = 0; i < net.dim; ++i)
        (key[0] == 'l' ? lo : hi).push_back(number(v->items[i], std::string("domain.") + key + "[" + std::to_string(i) + "]"));
    }
    for (std::size_t i = 0; i < net.dim; ++i)
      if (!(lo[i] < hi[i])) throw bad(*dom, "domain: interval " + std::to_string(i + 1) + " is empty");
  } else {
    throw bad(*dom, "domain: expected \"R^d\" or {\"lo\": [...], \"hi\": [...]}");
  }
  const Vec x = vec("x"), y = vec("y");
  const Json* g = doc.find("gap");
  if (!g) throw bad(doc, "gap: missing");
  const Q gap = number(*g, "gap");
  if (is_box)  // W1
    for (std::size_t i = 0; i < net.dim; ++i)
      if (x[i] < lo[i] || x[i] > hi[i] || y[i] < lo[i] || y[i] > hi[i])
        throw Rejected{"x or y lies outside the domain (coordinate " + std::to_string(i + 1) + ")"};
  Vec m(net.dim);
  for (std::size_t i = 0; i < net.dim; ++i) m[i] = (x[i] + y[i]) / 2;
  const Q real = 2 * net.value(m) - net.value(x) - net.value(y);  // W2
  if (real != gap) throw Rejected{"the stated gap " + str(gap) + " differs from 2 f((x+y)/2) - f(x) - f(y) = " + str(real)};
  if (!(gap > 0)) throw Rejected{"the gap " + str(gap) + " is not positive"};  // W3
  std::string d = "R^" + std::to_string(net.dim);
  if (is_box) {
    d.clear();
    for (std::size_t i = 0; i < net.dim; ++i) d += (i ? " x [" : "[") + str(lo[i]) + ", " + str(hi[i]) + "]";
  }
  return "not convex on " + d + " (2 f((x+y)/2) - f(x) - f(y) = " + str(gap) + " > 0)";
}

}  // namespace rcv
