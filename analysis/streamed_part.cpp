#include "analysis/streamed_part.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace relucert {

namespace {

// Length-prefixed fields: "<decimal length>:<bytes>" for strings, numbers in decimal, so the
// form is plain text and any field can be checked while it is read.
class Writer {
 public:
  void num(unsigned long long v) { text(std::to_string(v)); }
  void text(const std::string& s) { (out_ += std::to_string(s.size())) += ':', out_ += s; }
  void rational(const Rational& q) { text(q.get_str()); }
  void real(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    text(buf);
  }
  void vec(const Vector& v) {
    num(v.size());
    for (const auto& q : v) rational(q);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  std::string text() {
    const std::size_t colon = s_.find(':', at_);
    if (colon == std::string::npos || colon == at_) fail();
    std::size_t n = 0;
    for (std::size_t i = at_; i < colon; ++i) {
      if (s_[i] < '0' || s_[i] > '9') fail();
      n = n * 10 + static_cast<std::size_t>(s_[i] - '0');
    }
    if (colon + 1 + n > s_.size()) fail();
    std::string t = s_.substr(colon + 1, n);
    at_ = colon + 1 + n;
    return t;
  }
  unsigned long long num() {
    const std::string t = text();
    if (t.empty() || t.size() > 20) fail();
    unsigned long long v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') fail();
      v = v * 10 + static_cast<unsigned long long>(c - '0');
    }
    return v;
  }
  Rational rational() {
    Rational q;
    if (q.set_str(text(), 10) != 0) fail();
    q.canonicalize();
    return q;
  }
  double real() {
    const std::string t = text();
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size()) fail();
    return v;
  }
  Vector vec() {
    Vector v(num());
    for (auto& q : v) q = rational();
    return v;
  }
  bool done() const { return at_ == s_.size(); }
  [[noreturn]] static void fail() { throw std::runtime_error("streamed part: malformed bytes"); }

 private:
  const std::string& s_;
  std::size_t at_ = 0;
};

}  // namespace

std::string encode_part(const PartResult& r) {
  Writer w;
  w.num(static_cast<unsigned long long>(r.status));
  w.num(r.cells);
  w.num(r.pairs);
  w.num(r.lp_questions);
  w.num(r.lp_exact_solves);
  w.num(r.pieces.size());
  for (const auto& k : r.pieces) w.text(k);
  w.num(r.point ? 1 : 0);
  if (r.point) {
    w.vec(*r.point);
    w.vec(*r.normal);
    w.text(r.violation);
  }
  return w.take();
}

PartResult decode_part(const std::string& bytes) {
  Reader in(bytes);
  PartResult r;
  const unsigned long long status = in.num();
  if (status > static_cast<unsigned long long>(BuildStatus::Stopped)) Reader::fail();
  r.status = static_cast<BuildStatus>(status);
  r.cells = in.num();
  r.pairs = in.num();
  r.lp_questions = in.num();
  r.lp_exact_solves = in.num();
  r.pieces.resize(in.num());
  for (auto& k : r.pieces) k = in.text();
  if (in.num()) {
    r.point = in.vec();
    r.normal = in.vec();
    r.violation = in.text();
  }
  if (!in.done()) Reader::fail();
  return r;
}

std::string encode_check(const StreamedCheck& c) {
  Writer w;
  w.num(static_cast<unsigned long long>(c.status));
  w.num(c.convex ? 1 : 0);
  for (std::size_t v : {c.cells, c.pairs, c.pieces, c.coarse_cells, c.coarse_pairs, c.largest_part_cells}) w.num(v);
  w.num(c.lp_questions);
  w.num(c.lp_exact_solves);
  w.num(c.declined ? 1 : 0);
  w.num(c.witness ? 1 : 0);
  if (c.witness) {
    w.vec(c.witness->x);
    w.vec(c.witness->y);
    w.rational(c.witness->gap);
  }
  w.num(c.violation ? 1 : 0);
  if (c.violation) w.text(*c.violation);
  w.num(c.stopped_at ? 1 : 0);
  if (const auto& p = c.stopped_at) {
    for (std::size_t v : {p->cells, p->pairs, p->neurons_done, p->neurons_total}) w.num(v);
    w.real(p->seconds);
    w.num(p->lp_questions);
  }
  return w.take();
}

StreamedCheck decode_check(const std::string& bytes) {
  Reader in(bytes);
  StreamedCheck c;
  const unsigned long long status = in.num();
  if (status > static_cast<unsigned long long>(BuildStatus::Stopped)) Reader::fail();
  c.status = static_cast<BuildStatus>(status);
  c.convex = in.num() != 0;
  for (std::size_t* v : {&c.cells, &c.pairs, &c.pieces, &c.coarse_cells, &c.coarse_pairs, &c.largest_part_cells}) *v = in.num();
  c.lp_questions = in.num();
  c.lp_exact_solves = in.num();
  c.declined = in.num() != 0;
  if (in.num()) {
    Witness w;
    w.x = in.vec();
    w.y = in.vec();
    w.gap = in.rational();
    c.witness = std::move(w);
  }
  if (in.num()) c.violation = in.text();
  if (in.num()) {
    BuildProgress p;
    for (std::size_t* v : {&p.cells, &p.pairs, &p.neurons_done, &p.neurons_total}) *v = in.num();
    p.seconds = in.real();
    p.lp_questions = in.num();
    c.stopped_at = p;
  }
  if (!in.done()) Reader::fail();
  return c;
}

}  // namespace relucert
