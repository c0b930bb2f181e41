#include "core/nnet_loader.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "core/input_error.hpp"
#include "core/input_file.hpp"

namespace relucert {
namespace {

// The same limits as the JSON loader: refuse absurd declared sizes.
constexpr std::size_t kMaxWidth = 100000;
constexpr std::size_t kMaxLayers = 1000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string plural(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

class LineReader {
 public:
  LineReader(const std::string& text, std::string source) : source_(std::move(source)) {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      start = nl + 1;
    }
    // A UTF-8 byte-order mark before the first line is ignored.
    if (!lines_.empty() && lines_[0].rfind("\xEF\xBB\xBF", 0) == 0) lines_[0].erase(0, 3);
  }

  [[noreturn]] void fail(std::size_t line, const std::string& msg) const {
    throw InputError(source_, "line " + std::to_string(line), msg);
  }

  // Skips the leading comment lines ("//...") and blank lines before the header.
  void skip_comments() {
    while (next_ < lines_.size()) {
      const std::string_view t = trim(lines_[next_]);
      if (!t.empty() && t.rfind("//", 0) != 0) break;
      ++next_;
    }
  }

  // The next line's comma-separated values, exactly `expected` of them; `what` names the line.
  // Returns the values and sets *line_no to the 1-based line number.
  std::vector<Rational> values(std::size_t expected, const std::string& what, std::size_t* line_no) {
    if (next_ >= lines_.size())
      fail(lines_.size() + 1, "unexpected end of file: expected " + what);
    *line_no = ++next_;
    const std::string_view line = lines_[next_ - 1];
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    // One trailing comma is allowed (the NNet writers put one at the end of every line).
    if (fields.size() > 1 && fields.back().empty()) fields.pop_back();
    if (fields.size() == 1 && fields[0].empty()) fields.clear();  // a blank line holds no value
    if (fields.size() != expected)
      fail(*line_no, what + ": expected " + plural(expected, "value") + ", found " + std::to_string(fields.size()));
    std::vector<Rational> out;
    out.reserve(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].empty()) fail(*line_no, what + ": value " + std::to_string(i + 1) + " is empty");
      std::string why;
      auto q = parse_rational(fields[i], &why);
      if (!q) fail(*line_no, what + ": value " + std::to_string(i + 1) + ": " + why);
      out.push_back(std::move(*q));
    }
    return out;
  }

  std::size_t size_value(const Rational& q, std::size_t line, const std::string& what, std::size_t limit) const {
    if (q.get_den() != 1 || sgn(q) <= 0) fail(line, what + " must be a positive integer, found " + to_string(q));
    if (q > Rational(static_cast<unsigned long>(limit))) fail(line, what + " is too large (limit " + std::to_string(limit) + ")");
    return q.get_num().get_ui();
  }

  // Anything but blank lines after the last bias is an error.
  void expect_end(const std::string& declared) const {
    for (std::size_t i = next_; i < lines_.size(); ++i)
      if (!trim(lines_[i]).empty()) fail(i + 1, "unexpected content after the last bias (" + declared + ")");
  }

 private:
  std::string source_;
  std::vector<std::string> lines_;
  std::size_t next_ = 0;  // index of the next unread line
};

}  // namespace

NnetNetwork parse_nnet(const std::string& text, const std::string& source) {
  LineReader in(text, source);
  in.skip_comments();
  std::size_t line = 0;

  const auto header = in.values(4, "header numLayers,inputSize,outputSize,maxLayerSize", &line);
  const std::size_t header_line = line;
  const std::size_t L = in.size_value(header[0], line, "numLayers", kMaxLayers);
  const std::size_t d = in.size_value(header[1], line, "inputSize", kMaxWidth);
  const std::size_t m = in.size_value(header[2], line, "outputSize", kMaxWidth);
  const std::size_t max_size = in.size_value(header[3], line, "maxLayerSize", kMaxWidth);

  const auto size_values = in.values(L + 1, "layer sizes (inputSize and the " + plural(L, "layer") + ")", &line);
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < size_values.size(); ++i)
    sizes.push_back(in.size_value(size_values[i], line, "layer size " + std::to_string(i + 1), kMaxWidth));
  if (sizes.front() != d)
    in.fail(line, "the first layer size " + std::to_string(sizes.front()) + " differs from inputSize " + std::to_string(d));
  if (sizes.back() != m)
    in.fail(line, "the last layer size " + std::to_string(sizes.back()) + " differs from outputSize " + std::to_string(m));
  if (*std::max_element(sizes.begin(), sizes.end()) != max_size)
    in.fail(line, "the largest layer size " + std::to_string(*std::max_element(sizes.begin(), sizes.end())) +
                      " differs from maxLayerSize " + std::to_string(max_size) + " in the header");

  const auto symmetric = in.values(1, "the symmetric flag", &line);
  if (symmetric[0] != 0 && symmetric[0] != 1) in.fail(line, "the symmetric flag must be 0 or 1, found " + to_string(symmetric[0]));

  const Vector mins = in.values(d, "input minimums", &line);
  const Vector maxs = in.values(d, "input maximums", &line);
  for (std::size_t i = 0; i < d; ++i)
    if (!(mins[i] < maxs[i]))
      in.fail(line, "input " + std::to_string(i + 1) + ": the maximum " + to_string(maxs[i]) + " is not above the minimum " +
                        to_string(mins[i]) + " (the file's box needs min < max)");

  const Vector means = in.values(d + 1, "means (one per input, then one for the outputs)", &line);
  const Vector ranges = in.values(d + 1, "ranges (one per input, then one for the outputs)", &line);
  for (std::size_t i = 0; i <= d; ++i)
    if (sgn(ranges[i]) == 0)
      in.fail(line, (i < d ? "the range of input " + std::to_string(i + 1) : std::string("the output range")) +
                        " is 0 (normalisation divides by it)");

  std::vector<Layer> layers;
  for (std::size_t l = 0; l < L; ++l) {
    const std::string name = "layer " + std::to_string(l + 1);
    Layer layer;
    for (std::size_t r = 0; r < sizes[l + 1]; ++r)
      layer.W.push_back(in.values(sizes[l], name + " weight row " + std::to_string(r + 1) + " of " + std::to_string(sizes[l + 1]), &line));
    for (std::size_t r = 0; r < sizes[l + 1]; ++r)
      layer.b.push_back(in.values(1, name + " bias " + std::to_string(r + 1) + " of " + std::to_string(sizes[l + 1]), &line)[0]);
    layer.relu = l + 1 < L;  // ReLU on hidden layers, none on the output layer
    layers.push_back(std::move(layer));
  }
  in.expect_end("the header declares " + plural(L, "layer"));

  // Exact folding of the normalisations (all in rationals, nothing rounded):
  //   input:  x_norm_i = (x_i - mean_i) / range_i, so the first layer W x_norm + b becomes
  //           W' x + b' with W'_{ji} = W_{ji} / range_i and b'_j = b_j - sum_i W_{ji} mean_i / range_i;
  //   output: y = y_norm * range_out + mean_out (the same mean and range for every output), so
  //           the last layer becomes (range_out W) a + (range_out b + mean_out).
  // With one layer both apply to it, the input fold first.
  Layer& first = layers.front();
  for (std::size_t j = 0; j < first.W.size(); ++j)
    for (std::size_t i = 0; i < d; ++i) {
      first.W[j][i] /= ranges[i];
      first.b[j] -= first.W[j][i] * means[i];
    }
  Layer& last = layers.back();
  const Rational& range_out = ranges[d];
  const Rational& mean_out = means[d];
  for (std::size_t j = 0; j < last.W.size(); ++j) {
    for (auto& w : last.W[j]) w *= range_out;
    last.b[j] = last.b[j] * range_out + mean_out;
  }

  return NnetNetwork{Network(d, std::move(layers)), Domain::box(mins, maxs), header_line};
}

NnetNetwork load_nnet_file(const std::string& path) {
  return parse_nnet(read_input_file(path), path);
}

}  // namespace relucert
