// relucert plot: the exact cell polygons (clipping, areas, shared edges), 2-D slices of
// networks with more inputs, and the SVG the CLI writes (one polygon per cell, red violating
// facets and a witness segment exactly when the net is not convex), plus its input errors.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/plot_svg.hpp"
#include "analysis/slice.hpp"
#include "core/input_error.hpp"
#include "core/network_json.hpp"
#include "core/network_json_writer.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace relucert;
using relucert::test::contains;
using relucert::test::read_text;
using relucert::test::run_cli;
using relucert::test::run_shell;
using relucert::test::scratch_dir;

namespace {

const std::string kSharedNets = RELUCERT_SHARED_NETS_DIR;
constexpr int kConvex = 0, kNotConvex = 1, kInputError = 2;

Rational q(const char* s) { return *parse_rational(s); }

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// A small XML well-formedness check: every element opened is closed in order; comments and the
// declaration are skipped; attribute values are quoted.
bool xml_balanced(const std::string& s, std::string* why) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string::npos) {
    if (s.compare(i, 4, "<!--") == 0) {
      const std::size_t e = s.find("-->", i);
      if (e == std::string::npos) return *why = "unclosed comment", false;
      i = e + 3;
      continue;
    }
    std::size_t e = i + 1;
    bool quoted = false;
    while (e < s.size() && (quoted || s[e] != '>')) {
      if (s[e] == '"') quoted = !quoted;
      ++e;
    }
    if (e >= s.size()) return *why = "unclosed tag", false;
    const std::string tag = s.substr(i + 1, e - i - 1);
    i = e + 1;
    if (tag.empty()) return *why = "empty tag", false;
    if (tag[0] == '?') continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return *why = "mismatched </" + tag.substr(1) + ">", false;
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n\t/"));
    if (tag.back() != '/') stack.push_back(name);
  }
  if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
  return true;
}

// Drawing coordinates of every cell polygon in the SVG.
std::vector<std::vector<std::pair<double, double>>> svg_cell_polygons(const std::string& svg) {
  std::vector<std::vector<std::pair<double, double>>> r;
  const std::regex poly("<polygon class=\"cell\" points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), poly); it != std::sregex_iterator(); ++it) {
    std::vector<std::pair<double, double>> pts;
    std::istringstream in((*it)[1].str());
    std::string pair;
    while (in >> pair) {
      const auto comma = pair.find(',');
      pts.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
    }
    r.push_back(pts);
  }
  return r;
}

// The exact geometric invariants of a plot model.
void check_model(const PlotModel& m) {
  REQUIRE(m.complete);
  REQUIRE(m.polygons.size() == m.complex.cells.size());
  Rational total = 0;
  for (std::size_t i = 0; i < m.polygons.size(); ++i) {
    const Polygon& p = m.polygons[i];
    const Cell& cell = m.complex.cells[i];
    REQUIRE(p.size() >= 3);
    CHECK(sgn(polygon_area(p)) > 0);  // counter-clockwise, positive area
    total += polygon_area(p);
    for (std::size_t k = 0; k < p.size(); ++k) {
      CHECK(m.box.contains(p[k]));
      for (const Halfspace& h : cell.rows) CHECK(sgn(h.slack(p[k])) >= 0);
      // Convex, counter-clockwise, and the cell's point strictly inside every edge.
      const Vector& P = p[k];
      const Vector& Q = p[(k + 1) % p.size()];
      const Vector& R = p[(k + 2) % p.size()];
      CHECK(sgn((Q[0] - P[0]) * (R[1] - Q[1]) - (Q[1] - P[1]) * (R[0] - Q[0])) > 0);
      CHECK(sgn((Q[0] - P[0]) * (cell.point[1] - P[1]) - (Q[1] - P[1]) * (cell.point[0] - P[0])) > 0);
    }
  }
  CHECK(total == (m.box.hi[0] - m.box.lo[0]) * (m.box.hi[1] - m.box.lo[1]));
  REQUIRE(m.edges.size() == m.complex.adjacencies.size());
  for (const PlotEdge& e : m.edges) {
    const Adjacency& adj = m.complex.adjacencies[e.adjacency];
    CHECK(e.p != e.q);
    CHECK(sgn(adj.facet.slack(e.p)) == 0);
    CHECK(sgn(adj.facet.slack(e.q)) == 0);
    CHECK(m.box.contains(e.p));
    CHECK(m.box.contains(e.q));
    const Vector jump = sub(m.complex.cells[adj.upper].gradient, m.complex.cells[adj.lower].gradient);
    CHECK(jump == scale(e.lambda, adj.facet.normal()));
  }
  CHECK((m.violating_edges() > 0) == (m.check.verdict == Verdict::NotConvex));
}

struct PlotCase {
  const char* net;
  const char* box;
  bool convex;
};

const PlotCase kCases[] = {
    {"nc_layer2_bent.json", "-1:1", false},
    {"icnn_basic.json", "-1:1", true},
    {"deg_concurrent_lines_nonconvex.json", "-1:1", false},
    {"deg_concurrent_lines_nonconvex.json", "-2:3/2,-1/3:2", false},
    {"c1_linear_pair.json", "-1:1", true},
    {"deg_duplicate_neurons.json", "-1:1", true},
    {"c2_negative_weights.json", "-1:1", true},
    {"deg_dead_on_box.json", "-1:1", true},
    {"icnn_basic.json", "-3:5/7,-1:4", true},
};

// A 3-input net with input skips on the hidden and the output layer.
Network three_input_net() {
  std::vector<Layer> L(3);
  L[0].W = {{q("1"), q("0"), q("1/2")}, {q("0"), q("1"), q("-1")}, {q("-1"), q("-1"), q("1")}};
  L[0].b = {q("0"), q("1/4"), q("0")};
  L[1].W = {{q("1"), q("1"), q("1")}, {q("1"), q("-1"), q("0")}};
  L[1].b = {q("-1"), q("-1/2")};
  L[1].U = {{q("0"), q("1"), q("2")}, {q("1/3"), q("0"), q("-1")}};
  L[2].W = {{q("1"), q("-1/2")}};
  L[2].b = {q("0")};
  L[2].U = {{q("1/5"), q("0"), q("3")}};
  L[2].relu = false;
  return Network(3, L);
}

// The slice x3 = 1/2 of three_input_net(), written out by hand.
Network three_input_net_x3_half_by_hand() {
  std::vector<Layer> L(3);
  L[0].W = {{q("1"), q("0")}, {q("0"), q("1")}, {q("-1"), q("-1")}};
  L[0].b = {q("1/4"), q("-1/4"), q("1/2")};  // b + W[:,3]/2
  L[1].W = {{q("1"), q("1"), q("1")}, {q("1"), q("-1"), q("0")}};
  L[1].b = {q("0"), q("-1")};  // b + U[:,3]/2
  L[1].U = {{q("0"), q("1")}, {q("1/3"), q("0")}};
  L[2].W = {{q("1"), q("-1/2")}};
  L[2].b = {q("3/2")};
  L[2].U = {{q("1/5"), q("0")}};
  L[2].relu = false;
  return Network(2, L);
}

bool same_layers(const Network& a, const Network& b) {
  if (a.input_dim() != b.input_dim() || a.layers().size() != b.layers().size()) return false;
  for (std::size_t l = 0; l < a.layers().size(); ++l) {
    const Layer &x = a.layers()[l], &y = b.layers()[l];
    if (x.W != y.W || x.b != y.b || x.U != y.U || x.relu != y.relu) return false;
  }
  return true;
}

std::string write_net(const Network& net, const std::string& name) {
  const fs::path p = scratch_dir() / name;
  std::ofstream(p) << network_json_text(net);
  return p.string();
}

// The lines of the SVG that draw geometry (cells, edges, witness), without titles and labels.
std::string geometry_lines(const std::string& svg) {
  std::istringstream in(svg);
  std::string line, r;
  while (std::getline(in, line))
    if (line.rfind("<polygon class=\"cell\"", 0) == 0 || line.rfind("<line class=", 0) == 0 || line.rfind("<circle class=\"witness", 0) == 0)
      r += line.substr(0, line.find("<title>")) + "\n";
  return r;
}

}  // namespace

TEST_CASE("clip_polygon: exact Sutherland-Hodgman on the square") {
  const Domain box = Domain::box({q("-1"), q("-1")}, {q("1"), q("1")});
  const Polygon sq = box_polygon(box);
  CHECK(polygon_area(sq) == 4);
  const RowOrigin o{};
  // x1 + x2 <= 0 passes through two corners: a triangle of area 2, no new vertex.
  Polygon t = clip_polygon(sq, make_halfspace(Vector{q("1"), q("1")}, q("0"), o));
  CHECK(t.size() == 3);
  CHECK(polygon_area(t) == 2);
  // 3 x1 <= 1: a rectangle of area 8/3 with two new exact vertices at x1 = 1/3.
  Polygon r = clip_polygon(sq, make_halfspace(Vector{q("3"), q("0")}, q("1"), o));
  CHECK(r.size() == 4);
  CHECK(polygon_area(r) == q("8/3"));
  // x1 + 2 x2 <= 1/7 cuts a pentagon; the two pieces add up to the square.
  const Halfspace h = make_halfspace(Vector{q("1"), q("2")}, q("1/7"), o);
  const Polygon a = clip_polygon(sq, h), b = clip_polygon(sq, h.flipped());
  CHECK(polygon_area(a) + polygon_area(b) == 4);
  // A redundant row keeps the polygon; a row missing it leaves nothing; a row touching one corner too.
  CHECK(clip_polygon(sq, make_halfspace(Vector{q("1"), q("0")}, q("5"), o)) == sq);
  CHECK(clip_polygon(sq, make_halfspace(Vector{q("1"), q("0")}, q("-5"), o)).empty());
  CHECK(clip_polygon(sq, make_halfspace(Vector{q("1"), q("1")}, q("-2"), o)).empty());
}

TEST_CASE("plot models of the shared nets: polygons tile the box exactly, edges and verdicts agree") {
  for (const PlotCase& c : kCases) {
    const std::string net_name = c.net, box_text = c.box;
    CAPTURE(net_name);
    CAPTURE(box_text);
    const Network net = load_network_json_file(kSharedNets + "/" + c.net);
    const Domain box = parse_box_spec(c.box, 2);
    const PlotModel m = build_plot_model(net, box);
    check_model(m);
    CHECK((m.check.verdict == Verdict::Convex) == c.convex);
    CHECK(m.check.witness.has_value() == !c.convex);
  }
}

TEST_CASE("relucert plot writes an SVG with one polygon per cell, red facets and a witness exactly when not convex") {
  for (const PlotCase& c : kCases) {
    const std::string net_name = c.net, box_text = c.box;
    CAPTURE(net_name);
    CAPTURE(box_text);
    const std::string net_path = kSharedNets + "/" + c.net;
    const fs::path out = scratch_dir() / "plot.svg";
    fs::remove(out);
    const auto run = run_cli({"plot", net_path, "--box", c.box, "-o", out.string()});
    CAPTURE(run.err);
    CHECK(run.exit_code == (c.convex ? kConvex : kNotConvex));
    REQUIRE(fs::exists(out));
    const std::string svg = read_text(out);
    std::string why;
    CHECK_MESSAGE(xml_balanced(svg, &why), why);
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(contains(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));

    const PlotModel m = build_plot_model(load_network_json_file(net_path), parse_box_spec(c.box, 2));
    CHECK(count(svg, "<polygon class=\"cell\"") == m.complex.cells.size());
    CHECK(count(svg, "<line class=\"violation\"") == m.violating_edges());
    CHECK(count(svg, "<line class=\"bend") + m.violating_edges() <= m.edges.size());
    CHECK(contains(svg, c.convex ? ": convex</text>" : ": not convex</text>"));
    if (c.convex) {
      CHECK(count(svg, "class=\"violation\"") == 0);
      CHECK(!contains(svg, "witness-segment"));
      CHECK(!contains(svg, "witness-mid"));
    } else {
      CHECK(count(svg, "class=\"violation\"") >= 1);
      CHECK(contains(svg, "stroke=\"#e00000\""));
      CHECK(count(svg, "<line class=\"witness-segment\"") == 1);
      CHECK(count(svg, "<circle class=\"witness-x\"") == 1);
      CHECK(count(svg, "<circle class=\"witness-y\"") == 1);
      CHECK(count(svg, "<circle class=\"witness-mid\"") == 1);
    }
    // Every drawn vertex lies in the drawn box (the only floats: drawing coordinates).
    const std::regex rect("<rect class=\"domain\" x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\"");
    std::smatch r;
    REQUIRE(std::regex_search(svg, r, rect));
    const double x0 = std::stod(r[1]), y0 = std::stod(r[2]), w = std::stod(r[3]), h = std::stod(r[4]);
    const auto polys = svg_cell_polygons(svg);
    REQUIRE(polys.size() == m.polygons.size());
    for (std::size_t i = 0; i < polys.size(); ++i) {
      CHECK(polys[i].size() == m.polygons[i].size());
      for (const auto& [x, y] : polys[i]) {
        CHECK(x >= x0 - 0.01);
        CHECK(x <= x0 + w + 0.01);
        CHECK(y >= y0 - 0.01);
        CHECK(y <= y0 + h + 0.01);
      }
    }
    // Atomic write: no temporary file left behind.
    for (const auto& e : fs::directory_iterator(scratch_dir())) CHECK(!contains(e.path().filename().string(), ".tmp."));
  }
}

TEST_CASE("relucert plot --json and PNG output") {
  const std::string net = kSharedNets + "/nc_layer2_bent.json";
  const fs::path svg = scratch_dir() / "j.svg";
  const auto j = run_cli({"plot", net, "--box", "-1:1", "-o", svg.string(), "--json"});
  CHECK(j.exit_code == kNotConvex);
  const auto parsed = nlohmann::json::parse(j.out);
  CHECK(parsed["verdict"] == "not_convex");
  CHECK(parsed["cells"] == 13);
  CHECK(parsed["violating_pairs"].get<int>() > 0);

  const fs::path png = scratch_dir() / "p.png";
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") == 0) {
    const auto r = run_cli({"plot", net, "--box", "-1:1", "-o", png.string()});
    CHECK(r.exit_code == kNotConvex);
    REQUIRE(fs::exists(png));
    CHECK(read_text(png).substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  }
  // Without rsvg-convert on PATH, PNG is an input error that names the Debian package.
  const fs::path png2 = scratch_dir() / "none.png";
  const auto r = run_shell("PATH=/nonexistent " + relucert::test::shell_quote(RELUCERT_CLI_PATH) + " plot " +
                               relucert::test::shell_quote(net) + " --box -1:1 -o " + relucert::test::shell_quote(png2.string()),
                           "relucert plot ... -o none.png (no rsvg-convert)");
  CHECK(r.exit_code == kInputError);
  CHECK(contains(r.err, "librsvg2-bin"));
  CHECK(r.out.empty());
  CHECK(!fs::exists(png2));
}

TEST_CASE("slice_network folds fixed inputs into the first-layer bias and every skip term, exactly") {
  const Network net3 = three_input_net();
  const SliceFix fix = parse_slice_spec("x3=1/2", 3);
  CHECK(free_inputs(fix) == std::vector<std::size_t>{0, 1});
  const Network s = slice_network(net3, fix);
  CHECK(same_layers(s, three_input_net_x3_half_by_hand()));
  for (const char* a : {"-1", "0", "1/3", "7/5"})
    for (const char* b : {"-2", "-1/7", "0", "1"}) CHECK(s.value({q(a), q(b)}) == net3.value({q(a), q(b), q("1/2")}));
  // Fixing a middle input keeps x1 and x3.
  const SliceFix mid = parse_slice_spec("x2=-1/3", 3);
  CHECK(free_inputs(mid) == std::vector<std::size_t>{0, 2});
  const Network s2 = slice_network(net3, mid);
  CHECK(s2.input_dim() == 2);
  CHECK(s2.value({q("1/2"), q("3")}) == net3.value({q("1/2"), q("-1/3"), q("3")}));
  // Input skips on the first layer are folded too.
  std::vector<Layer> L = net3.layers();
  L[0].U = {{q("2"), q("0"), q("-3")}, {q("0"), q("0"), q("1/7")}, {q("1"), q("1"), q("1")}};
  const Network skip0(3, L);
  const Network s3 = slice_network(skip0, fix);
  CHECK(s3.layers()[0].b == Vector{q("1/4") - q("3/2"), q("-1/4") + q("1/14"), q("1")});
  for (const char* a : {"-1", "2/9"})
    for (const char* b : {"-3", "1/2"}) CHECK(s3.value({q(a), q(b)}) == skip0.value({q(a), q(b), q("1/2")}));
  CHECK(describe_slice(parse_slice_spec("x3=0,x1=1/2", 3)) == "x1 = 1/2, x3 = 0");

  // The plot of the slice is the plot of the hand-made 2-input net.
  const Domain box = parse_box_spec("-1:1", 2);
  const PlotModel a = build_plot_model(s, box), b = build_plot_model(three_input_net_x3_half_by_hand(), box);
  check_model(a);
  CHECK(a.check.verdict == b.check.verdict);
  CHECK(a.polygons == b.polygons);
  CHECK(a.violating_edges() == b.violating_edges());
}

TEST_CASE("parse_slice_spec rejects malformed slices") {
  for (const std::string bad : {"", "x3", "x0=1", "x4=0", "x3=1,x3=2", "x3=abc", "y1=0", "x3=0,", "x01=0", "3=0", "x3=inf"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_slice_spec(bad, 3), InputError);
  }
}

TEST_CASE("relucert plot --slice draws the same cells as the 2-input net built by hand") {
  const std::string n3 = write_net(three_input_net(), "net3.json");
  const std::string n2 = write_net(three_input_net_x3_half_by_hand(), "net2.json");
  const fs::path o3 = scratch_dir() / "s3.svg", o2 = scratch_dir() / "s2.svg", o3full = scratch_dir() / "s3full.svg";
  const auto r3 = run_cli({"plot", n3, "--slice", "x3=1/2", "--box", "-1:1", "-o", o3.string()});
  const auto r2 = run_cli({"plot", n2, "--box", "-1:1", "-o", o2.string()});
  CAPTURE(r3.err);
  CHECK(r3.exit_code == r2.exit_code);
  CHECK(contains(r3.out, "slice:   x3 = 1/2"));
  const std::string g3 = geometry_lines(read_text(o3)), g2 = geometry_lines(read_text(o2));
  CHECK(!g3.empty());
  CHECK(g3 == g2);
  // A box over all three inputs: the fixed value must lie in its interval; the free ones are drawn.
  const auto full = run_cli({"plot", n3, "--slice", "x3=1/2", "--box", "-1:1,-1:1,0:1", "-o", o3full.string()});
  CHECK(full.exit_code == r2.exit_code);
  CHECK(geometry_lines(read_text(o3full)) == g2);
  const auto outside = run_cli({"plot", n3, "--slice", "x3=2", "--box", "-1:1,-1:1,0:1", "-o", o3full.string()});
  CHECK(outside.exit_code == kInputError);
  CHECK(contains(outside.err, "outside the box"));
}

TEST_CASE("relucert plot input errors exit 2, print nothing on stdout and write nothing") {
  const std::string n2 = kSharedNets + "/nc_layer2_bent.json";
  const std::string n1 = kSharedNets + "/tiny_1d.json";
  const std::string n3 = write_net(three_input_net(), "net3e.json");
  const fs::path out = scratch_dir() / "err.svg";
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {{"plot", n2, "-o", out.string()}, "needs a box"},
      {{"plot", n1, "--box", "-1:1", "-o", out.string()}, "2 inputs"},
      {{"plot", n3, "--box", "-1:1", "-o", out.string()}, "--slice"},
      {{"plot", n3, "--slice", "x9=0", "--box", "-1:1", "-o", out.string()}, "no input x9"},
      {{"plot", n3, "--slice", "x3=zero", "--box", "-1:1", "-o", out.string()}, "--slice"},
      {{"plot", n3, "--slice", "x2=0,x3=0", "--box", "-1:1", "-o", out.string()}, "exactly 2"},
      {{"plot", n2, "--slice", "x2=0", "--box", "-1:1", "-o", out.string()}, "exactly 2"},
      {{"plot", n2, "--box", "-1:1"}, "no output file"},
      {{"plot", n2, "--box", "-1:1", "-o", (scratch_dir() / "x.txt").string()}, ".svg or .png"},
      {{"plot", n2, "--box", "1:1", "-o", out.string()}, "--box"},
      {{"plot", n2, "--box", "-1:1", "-o", (scratch_dir() / "no" / "such" / "dir.svg").string()}, "cannot write"},
  };
  for (const Bad& b : cases) {
    const auto r = run_cli(b.args);
    CAPTURE(r.command);
    CAPTURE(r.err);
    CHECK(r.exit_code == kInputError);
    CHECK(r.out.empty());
    CHECK(contains(r.err, b.message));
    CHECK(!fs::exists(out));
  }
}
