#include "analysis/plot_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <tuple>

namespace relucert {

Polygon box_polygon(const Domain& box) {
  if (!box.is_box || box.dim != 2) throw std::invalid_argument("box_polygon: a 2-D box is required");
  return {{box.lo[0], box.lo[1]}, {box.hi[0], box.lo[1]}, {box.hi[0], box.hi[1]}, {box.lo[0], box.hi[1]}};
}

Polygon clip_polygon(const Polygon& p, const Halfspace& h) {
  // Sutherland–Hodgman against one halfspace, in exact arithmetic: keep the vertices with
  // slack >= 0, and add the crossing point of every edge whose endpoints lie strictly on
  // opposite sides. A vertex on the line is kept once and creates no crossing point.
  Polygon r;
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Vector& P = p[i];
    const Vector& Q = p[(i + 1) % n];
    const Rational sp = h.slack(P), sq = h.slack(Q);
    if (sgn(sp) >= 0) r.push_back(P);
    if (sgn(sp) * sgn(sq) < 0) r.push_back(add(P, scale(sp / (sp - sq), sub(Q, P))));
  }
  if (r.size() < 3 || sgn(polygon_area(r)) == 0) return {};
  return r;
}

Polygon cell_polygon(const Cell& cell, const Domain& box) {
  Polygon p = box_polygon(box);
  for (const Halfspace& h : cell.rows) {
    p = clip_polygon(p, h);
    if (p.empty()) break;
  }
  return p;
}

Rational polygon_area(const Polygon& p) {
  Rational twice = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Vector& P = p[i];
    const Vector& Q = p[(i + 1) % p.size()];
    twice += P[0] * Q[1] - Q[0] * P[1];
  }
  return twice / 2;
}

std::size_t PlotModel::violating_edges() const {
  return static_cast<std::size_t>(std::count_if(edges.begin(), edges.end(), [](const PlotEdge& e) { return e.violating(); }));
}

namespace {

// The vertices of a polygon on the line of `facet`, as (position along the line, vertex).
std::vector<std::pair<Rational, Vector>> on_line(const Polygon& p, const Halfspace& facet) {
  std::vector<std::pair<Rational, Vector>> r;
  for (const Vector& v : p)
    if (sgn(facet.slack(v)) == 0) r.emplace_back(Rational(-facet.a()[0]) * v[1] + Rational(facet.a()[1]) * v[0], v);
  std::sort(r.begin(), r.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return r;
}

PlotEdge shared_edge(const PlotModel& m, std::size_t k) {
  const Adjacency& adj = m.complex.adjacencies[k];
  const auto lo = on_line(m.polygons[adj.lower], adj.facet);
  const auto up = on_line(m.polygons[adj.upper], adj.facet);
  if (lo.size() < 2 || up.size() < 2) throw std::logic_error("plot: an adjacent cell has no edge on its facet line");
  const auto& start = lo.front().first > up.front().first ? lo.front() : up.front();
  const auto& end = lo.back().first < up.back().first ? lo.back() : up.back();
  if (!(start.first < end.first)) throw std::logic_error("plot: adjacent cells share no segment of their facet line");
  PlotEdge e;
  e.adjacency = k;
  e.p = start.second;
  e.q = end.second;
  const Vector n = adj.facet.normal();
  const Vector jump = sub(m.complex.cells[adj.upper].gradient, m.complex.cells[adj.lower].gradient);
  e.lambda = dot(jump, n) / dot(n, n);
  if (scale(e.lambda, n) != jump) throw std::logic_error("plot: a gradient jump is not parallel to its facet normal");
  // The stored relative-interior point of the facet must lie on the segment.
  const Rational t = Rational(-adj.facet.a()[0]) * adj.point[1] + Rational(adj.facet.a()[1]) * adj.point[0];
  if (sgn(adj.facet.slack(adj.point)) != 0 || !(start.first <= t && t <= end.first))
    throw std::logic_error("plot: the facet point of an adjacency is not on its shared edge");
  return e;
}

}  // namespace

PlotModel build_plot_model(const Network& net, const Domain& box, const CheckOptions& options) {
  if (net.input_dim() != 2) throw std::invalid_argument("build_plot_model: the network must have 2 inputs");
  if (!box.is_box || box.dim != 2) throw std::invalid_argument("build_plot_model: a 2-D box is required");
  PlotModel m;
  m.box = box;
  m.check = check_convexity(net, box, options);
  m.complex = build_region_complex(net, box, options.limits);
  m.complete = m.complex.status == BuildStatus::Complete;
  if (!m.complete) return m;
  Rational total = 0;
  for (const Cell& c : m.complex.cells) {
    m.polygons.push_back(cell_polygon(c, box));
    if (m.polygons.back().empty()) throw std::logic_error("plot: a full-dimensional cell has an empty polygon");
    if (!strictly_inside(c.rows, c.point)) throw std::logic_error("plot: a cell point is not inside its cell");
    total += polygon_area(m.polygons.back());
  }
  // The cells tile the box: their exact areas add up to the box area.
  if (total != (box.hi[0] - box.lo[0]) * (box.hi[1] - box.lo[1])) throw std::logic_error("plot: the cell areas do not sum to the box area");
  for (std::size_t k = 0; k < m.complex.adjacencies.size(); ++k) m.edges.push_back(shared_edge(m, k));
  // The picture must agree with the verdict it shows.
  if (m.check.verdict == Verdict::Convex && m.violating_edges() > 0)
    throw std::logic_error("plot: a facet with lambda < 0 on a net decided convex");
  if (m.check.verdict == Verdict::NotConvex && m.violating_edges() == 0)
    throw std::logic_error("plot: no facet with lambda < 0 on a net decided not convex");
  return m;
}

// ---------------------------------------------------------------------------------------------
// Drawing. The coordinates and colours below are the only floating-point numbers in relucert
// plot: they place exact points on the canvas and decide nothing.

namespace {

std::string xml_escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    switch (c) {
      case '&': r += "&amp;"; break;
      case '<': r += "&lt;"; break;
      case '>': r += "&gt;"; break;
      case '"': r += "&quot;"; break;
      default: r += c;
    }
  }
  return r;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Shortened exact text for labels (long rationals are abbreviated, their value is in the title tip).
std::string short_text(const Rational& q) {
  std::string s = to_string(q);
  if (s.size() <= 12) return s;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", approx(q));
  return std::string("≈") + buf;
}

std::string rgb_hex(double r, double g, double b) {
  char buf[8];
  auto c = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c(r), c(g), c(b));
  return buf;
}

// HSL (h in degrees, s and l in [0,1]) to "#rrggbb".
std::string hsl(double h, double s, double l) {
  const double c = (1 - std::fabs(2 * l - 1)) * s;
  const double hp = std::fmod(h, 360.0) / 60.0;
  const double x = c * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (hp < 1) r = c, g = x;
  else if (hp < 2) r = x, g = c;
  else if (hp < 3) g = c, b = x;
  else if (hp < 4) g = x, b = c;
  else if (hp < 5) r = x, b = c;
  else r = c, b = x;
  const double m = l - c / 2;
  return rgb_hex(r + m, g + m, b + m);
}

struct Canvas {
  double x0, y0, w, h;  // plot rectangle (SVG y grows downwards)
  double lo1, hi1, lo2, hi2;
  double X(const Rational& v) const { return x0 + (approx(v) - lo1) / (hi1 - lo1) * w; }
  double Y(const Rational& v) const { return y0 + h - (approx(v) - lo2) / (hi2 - lo2) * h; }
  std::string pt(const Vector& v) const { return num(X(v[0])) + "," + num(Y(v[1])); }
};

std::string line(const Canvas& c, const Vector& p, const Vector& q, const std::string& cls, const std::string& style) {
  return "<line class=\"" + cls + "\" x1=\"" + num(c.X(p[0])) + "\" y1=\"" + num(c.Y(p[1])) + "\" x2=\"" + num(c.X(q[0])) +
         "\" y2=\"" + num(c.Y(q[1])) + "\" " + style + "/>\n";
}

}  // namespace

std::string render_svg(const PlotModel& m, const PlotLabels& labels) {
  if (!m.complete) throw std::invalid_argument("render_svg: the region complex is incomplete");
  const CheckResult& r = m.check;

  // Plot rectangle: the box keeps its aspect ratio unless one side would be under a third of the other.
  const double side = 520, left = 70, top = 78;
  const double bw = approx(m.box.hi[0] - m.box.lo[0]), bh = approx(m.box.hi[1] - m.box.lo[1]);
  double w = side, h = side;
  if (bw >= bh) h = std::max(side * bh / bw, side / 3);
  else w = std::max(side * bw / bh, side / 3);
  const Canvas c{left, top, w, h, approx(m.box.lo[0]), approx(m.box.hi[0]), approx(m.box.lo[1]), approx(m.box.hi[1])};
  const double legend_x = left + w + 40, width = legend_x + 300, height = std::max(top + h + 60, 420.0);

  // Cell colours: hue = direction of the gradient, lightness falls with its norm (relative to
  // the largest norm drawn), grey for a zero gradient. A function of the gradient alone, so
  // cells with the same affine slope get the same colour.
  double max_norm = 0;
  for (const Cell& cell : m.complex.cells) max_norm = std::max(max_norm, std::hypot(approx(cell.gradient[0]), approx(cell.gradient[1])));
  auto colour = [&](const Vector& g) {
    const double g1 = approx(g[0]), g2 = approx(g[1]), n = std::hypot(g1, g2);
    if (sgn(g[0]) == 0 && sgn(g[1]) == 0) return std::string("#e6e6e6");
    double hue = std::atan2(g2, g1) * 180.0 / std::numbers::pi;
    if (hue < 0) hue += 360;
    return hsl(hue, 0.62, 0.86 - 0.42 * (max_norm > 0 ? n / max_norm : 0));
  };

  std::string verdict;
  switch (r.verdict) {
    case Verdict::Convex: verdict = "convex"; break;
    case Verdict::NotConvex: verdict = "not convex"; break;
    case Verdict::Unknown: verdict = "unknown (" + r.unknown_reason + ")"; break;
  }
  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" viewBox=\"0 0 " +
       num(width) + " " + num(height) + "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
  s += "<!-- relucert plot: the geometry (cells, edges, lambda, witness) is exact; the coordinates below are\n"
       "     rounded drawing positions only and decide nothing. -->\n";
  s += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" fill=\"white\"/>\n";
  s += "<text class=\"title\" x=\"" + num(left) + "\" y=\"26\" font-size=\"17\" font-weight=\"bold\">" + xml_escape(labels.network) +
       ": " + xml_escape(verdict) + "</text>\n";
  std::string sub = "domain " + m.box.describe();
  if (!labels.slice.empty()) sub += ", slice " + labels.slice;
  sub += "; " + std::to_string(m.complex.cells.size()) + " cells, " + std::to_string(m.complex.adjacencies.size()) +
         " adjacent pairs, " + std::to_string(m.complex.distinct_affine_pieces()) + " affine pieces";
  s += "<text class=\"subtitle\" x=\"" + num(left) + "\" y=\"46\" font-size=\"12\">" + xml_escape(sub) + "</text>\n";
  if (r.witness)
    s += "<text class=\"subtitle\" x=\"" + num(left) + "\" y=\"63\" font-size=\"12\">witness: 2 f((x+y)/2) - f(x) - f(y) = " +
         xml_escape(to_string(r.witness->gap)) + " &gt; 0 (exact)</text>\n";

  s += "<g class=\"cells\">\n";
  for (std::size_t i = 0; i < m.polygons.size(); ++i) {
    const Cell& cell = m.complex.cells[i];
    std::string pts;
    for (const Vector& v : m.polygons[i]) pts += (pts.empty() ? "" : " ") + c.pt(v);
    const std::string col = colour(cell.gradient);
    s += "<polygon class=\"cell\" points=\"" + pts + "\" fill=\"" + col + "\" stroke=\"" + col +
         "\" stroke-width=\"0.6\"><title>cell " + std::to_string(i + 1) + ": f = " + xml_escape(to_string(cell.gradient[0])) +
         "*" + labels.x_name + " + " + xml_escape(to_string(cell.gradient[1])) + "*" + labels.y_name + " + " +
         xml_escape(to_string(cell.offset)) + ", pattern " + m.complex.pattern_string(cell) + "</title></polygon>\n";
  }
  s += "</g>\n<g class=\"bends\">\n";
  for (const PlotEdge& e : m.edges) {
    if (sgn(e.lambda) > 0) s += line(c, e.p, e.q, "bend", "stroke=\"#333333\" stroke-width=\"1\"");
    else if (sgn(e.lambda) == 0) s += line(c, e.p, e.q, "bend flat", "stroke=\"#777777\" stroke-width=\"0.8\" stroke-dasharray=\"4,3\"");
  }
  s += "</g>\n";
  s += "<rect class=\"domain\" x=\"" + num(c.x0) + "\" y=\"" + num(c.y0) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
       "\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n";
  s += "<g class=\"violations\">\n";
  for (const PlotEdge& e : m.edges)
    if (e.violating())
      s += line(c, e.p, e.q, "violation", "stroke=\"#e00000\" stroke-width=\"5\" stroke-linecap=\"round\"");
  s += "</g>\n";
  if (r.witness) {
    const Vector& x = r.witness->x;
    const Vector& y = r.witness->y;
    const Vector mid = scale(Rational(1, 2), add(x, y));
    s += "<g class=\"witness\">\n";
    s += line(c, x, y, "witness-segment", "stroke=\"#0b2fa8\" stroke-width=\"2.2\"");
    for (const auto& [p, cls, fill, label] :
         {std::tuple{x, "witness-x", "#0b2fa8", "x"}, std::tuple{y, "witness-y", "#0b2fa8", "y"},
          std::tuple{mid, "witness-mid", "white", "(x+y)/2"}}) {
      s += "<circle class=\"" + std::string(cls) + "\" cx=\"" + num(c.X(p[0])) + "\" cy=\"" + num(c.Y(p[1])) + "\" r=\"5\" fill=\"" +
           fill + "\" stroke=\"#0b2fa8\" stroke-width=\"2\"><title>" + label + " = " + xml_escape(to_string(p)) + "</title></circle>\n";
      const bool mid_label = std::string(cls) == "witness-mid";
      s += "<text x=\"" + num(c.X(p[0]) + (mid_label ? 0 : 7)) + "\" y=\"" + num(c.Y(p[1]) + (mid_label ? 20 : -7)) +
           "\" font-size=\"12\" fill=\"#0b2fa8\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"" + (mid_label ? " text-anchor=\"middle\"" : "") + ">" +
           xml_escape(label) + "</text>\n";
    }
    s += "</g>\n";
  }

  // Axes: the exact bounds of the box at its corners, and the input names.
  auto text = [&](double x, double y, const std::string& t, const char* anchor) {
    s += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"12\" text-anchor=\"" + anchor + "\">" + xml_escape(t) + "</text>\n";
  };
  text(c.x0, c.y0 + h + 16, short_text(m.box.lo[0]), "middle");
  text(c.x0 + w, c.y0 + h + 16, short_text(m.box.hi[0]), "middle");
  text(c.x0 + w / 2, c.y0 + h + 30, labels.x_name, "middle");
  text(c.x0 - 6, c.y0 + h + 4, short_text(m.box.lo[1]), "end");
  text(c.x0 - 6, c.y0 + 4, short_text(m.box.hi[1]), "end");
  text(c.x0 - 6, c.y0 + h / 2 + 4, labels.y_name, "end");

  // Legend.
  double ly = top + 8;
  s += "<g class=\"legend\" font-size=\"12\">\n";
  auto legend_line = [&](const std::string& style, const std::string& t) {
    s += "<line x1=\"" + num(legend_x) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(legend_x + 28) + "\" y2=\"" + num(ly) + "\" " + style + "/>\n";
    s += "<text x=\"" + num(legend_x + 36) + "\" y=\"" + num(ly + 4) + "\">" + xml_escape(t) + "</text>\n";
    ly += 22;
  };
  legend_line("stroke=\"#333333\" stroke-width=\"1\"", "bent hyperplane (shared edge, λ > 0)");
  legend_line("stroke=\"#777777\" stroke-width=\"0.8\" stroke-dasharray=\"4,3\"", "cell boundary without a bend (λ = 0)");
  legend_line("stroke=\"#e00000\" stroke-width=\"5\" stroke-linecap=\"round\"", "violating facet (λ < 0)");
  if (r.witness) {
    legend_line("stroke=\"#0b2fa8\" stroke-width=\"2.2\"", "witness segment x–y");
    s += "<circle cx=\"" + num(legend_x + 7) + "\" cy=\"" + num(ly) + "\" r=\"5\" fill=\"#0b2fa8\"/>";
    s += "<circle cx=\"" + num(legend_x + 22) + "\" cy=\"" + num(ly) + "\" r=\"5\" fill=\"white\" stroke=\"#0b2fa8\" stroke-width=\"2\"/>\n";
    s += "<text x=\"" + num(legend_x + 36) + "\" y=\"" + num(ly + 4) + "\">x, y and the midpoint</text>\n";
    ly += 22;
  }
  ly += 6;
  // A small colour key: eight gradient directions at full norm.
  const double cx = legend_x + 30, cy = ly + 30;
  for (int k = 0; k < 8; ++k) {
    const double a0 = (k - 0.5) * std::numbers::pi / 4, a1 = (k + 0.5) * std::numbers::pi / 4;
    s += "<path d=\"M" + num(cx) + "," + num(cy) + " L" + num(cx + 24 * std::cos(a0)) + "," + num(cy - 24 * std::sin(a0)) + " A24,24 0 0,0 " +
         num(cx + 24 * std::cos(a1)) + "," + num(cy - 24 * std::sin(a1)) + " Z\" fill=\"" + hsl(k * 45.0, 0.62, 0.44) + "\"/>\n";
  }
  s += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"9\" fill=\"" + hsl(0, 0.0, 0.86) + "\"/>\n";
  s += "<text x=\"" + num(legend_x + 64) + "\" y=\"" + num(cy - 10) + "\">cell colour = gradient of f:</text>\n";
  s += "<text x=\"" + num(legend_x + 64) + "\" y=\"" + num(cy + 5) + "\">hue = its direction (as on the wheel),</text>\n";
  s += "<text x=\"" + num(legend_x + 64) + "\" y=\"" + num(cy + 20) + "\">darker = larger norm</text>\n";
  ly = cy + 48;
  s += "<text x=\"" + num(legend_x) + "\" y=\"" + num(ly) + "\">" + std::to_string(m.violating_edges()) + " of " +
       std::to_string(m.edges.size()) + " shared edges violate (λ &lt; 0)</text>\n";
  s += "</g>\n</svg>\n";
  return s;
}

}  // namespace relucert
