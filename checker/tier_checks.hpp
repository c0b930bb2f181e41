#pragma once
// Shared pieces of the checks of the tier certificates (docs/certificate.md §8-§10): the
// certificate's lines as words, the domain line, and exact intervals with infinite ends.
// Internal to the checker: it includes nothing from the engine.
#include <sstream>
#include <string>
#include <vector>

#include "checker.hpp"

namespace rcv {

// One non-comment line of a certificate, split into words.
struct NumberedLine {
  std::size_t number;
  std::vector<std::string> words;
};

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
  // The lines from here through the first line "end" (a certificate embedded in another one).
  std::vector<NumberedLine> take_through_end() {
    std::vector<NumberedLine> block;
    do {
      peek();  // fails at the end of the text
      block.push_back(lines_[at_++]);
    } while (!(block.back().words.size() == 1 && block.back().words[0] == "end"));
    return block;
  }
  std::vector<NumberedLine> take_all() {
    std::vector<NumberedLine> rest(lines_.begin() + static_cast<std::ptrdiff_t>(at_), lines_.end());
    at_ = lines_.size();
    return rest;
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(line(), what); }
  const std::string& file() const { return file_; }
  Q number(const std::string& text) const;

 private:
  std::string file_;
  std::vector<NumberedLine> lines_;
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

struct Row {  // a.x <= b
  Vec a;
  Q b;
};
struct Mult {
  char side = 0;  // 0 in a fix; '-' or '+' in a prune
  std::size_t row = 0;
  Q y;
};

// A region-complex certificate (§2) checked on a part of a branch-and-bound tree (§10): what the
// glue walk needs of its split tree. Node ids as in the certificate; root 0.
struct CheckedTree {
  std::vector<std::vector<Row>> rows;  // rows of every node (§3)
  std::vector<Vec> gradient;           // leaves: g_L
  std::vector<bool> leaf;
  std::vector<std::pair<std::size_t, std::size_t>> children;  // splits: (NEG, POS)
  std::string claim;
};
// Checks O1-O9 of the certificate in `lines` (from its "domain" line through its "end") and that
// its domain is `part`; throws Rejected / Malformed.
CheckedTree check_complex_part(const Net& net, const std::vector<NumberedLine>& lines, const Dom& part, const std::string& file);

// O8: the multipliers y (on rows of `neg`, side '-', and of `pos`, side '+') prove that no point
// of H = {n.x = beta} satisfies every row of both strictly; throws Rejected (`where` prefixes the
// reason) or Malformed (a row that does not exist).
void check_motzkin(const std::vector<Row>& neg, const std::vector<Row>& pos, const std::vector<Mult>& y, const Vec& n,
                   const Q& beta, const std::string& where, const std::string& file, std::size_t line);

// A node of a branch-and-bound tree (§10), in preorder.
struct PartRec {
  enum class Kind { Split, PathLift, Complex };
  Dom part;
  Kind kind = Kind::Split;
  std::size_t axis = 0;  // Split: the plane x_axis = value
  Q value;
  std::size_t lower = 0, upper = 0;
  CheckedTree tree;          // Complex: its checked split tree
  bool has_complex = false;  // some Complex leaf in the subtree
};
// Reads the glue records (up to, not including, "end") and checks obligation G of §10 for
// every split of `parts`; returns how many records were checked.
std::size_t check_glue(Words& w, const std::vector<PartRec>& parts);

// Each returns the "what was proven" line, or throws Rejected / Malformed.
std::string check_structural(const Net& net, Words& w);
std::string check_pathlift(const Net& net, Words& w);
std::string check_branch_and_bound(const Net& net, Words& w);

}  // namespace rcv
