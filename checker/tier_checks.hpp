#pragma once
// Shared pieces of the checks of the tier certificates (docs/certificate.md §8-§10): the
// certificate's lines as words, the domain line, and exact intervals with infinite ends.
// Internal to the checker: it includes nothing from the engine.
#include <sstream>
#include <string>
#include <vector>

#include "checker.hpp"

namespace rcv {

// The non-comment lines of a certificate, split into words, with their line numbers.
class Words {
 public:
  Words(const std::string& text, const std::string& file) : file_(file) {
    std::istringstream in(text);
    std::string raw;
    std::size_t n = 0;
    while (std::getline(in, raw)) {
      ++n;
      std::istringstream ls(raw);
      std::vector<std::string> t;
      for (std::string w; ls >> w;) t.push_back(w);
      if (t.empty() || t[0] == "c") continue;
      lines_.push_back({n, std::move(t)});
    }
  }
  bool done() const { return at_ >= lines_.size(); }
  const std::vector<std::string>& peek() const {
    if (done()) fail_at(lines_.empty() ? 0 : lines_.back().number, "the certificate ends before 'end'");
    return lines_[at_].words;
  }
  const std::vector<std::string>& next() {
    const auto& w = peek();
    ++at_;
    return w;
  }
  std::size_t line() const { return at_ == 0 ? 0 : lines_[at_ - 1].number; }
  [[noreturn]] void fail(const std::string& what) const { fail_at(line(), what); }
  Q number(const std::string& text) const;

 private:
  struct Line {
    std::size_t number;
    std::vector<std::string> words;
  };
  std::string file_;
  std::vector<Line> lines_;
  std::size_t at_ = 0;
  [[noreturn]] void fail_at(std::size_t n, const std::string& what) const { throw Malformed{file_, n, what}; }
};

struct Dom {
  std::size_t dim = 0;
  bool box = false;
  Vec lo, hi;
};
// "domain R D" or "domain box D LO1 HI1 ..." for a net of input dimension dim.
Dom read_domain(Words& w, std::size_t dim);
std::string describe(const Dom& d);  // "R^2" or "[-1, 1] x [0, 3]"

struct Bound {  // an interval with possibly infinite ends
  bool has_lo = false, has_hi = false;
  Q lo, hi;
  static Bound point(const Q& v) { return {true, true, v, v}; }
  bool positive() const { return has_lo && sgn(lo) > 0; }
  bool negative() const { return has_hi && sgn(hi) < 0; }
};
Bound sum(const Bound& a, const Bound& b);
Bound times(const Q& c, const Bound& a);
Bound relu(const Bound& a);
Bound of_input(const Dom& d, std::size_t i);  // [lo_i, hi_i], or unbounded on R^d

// Each returns the "what was proven" line, or throws Rejected / Malformed.
std::string check_structural(const Net& net, Words& w);
std::string check_pathlift(const Net& net, Words& w);
std::string check_branch_and_bound(const Net& net, Words& w);

}  // namespace rcv
