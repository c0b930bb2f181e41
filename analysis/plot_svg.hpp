#pragma once
// Pictures of the exact region complex of a 2-input network on a box (relucert plot).
//
// All geometry here is exact: a cell is the convex polygon cut from the box polygon by its rows
// (exact rational Sutherland–Hodgman clipping), an adjacency's shared edge is the exact segment
// common to the two cell polygons on the facet line, and the jump lambda is exact. Doubles appear
// only in render_svg, as drawing coordinates and colours; they decide nothing.
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/convexity.hpp"
#include "core/domain.hpp"
#include "core/network.hpp"
#include "geometry/region_complex.hpp"

namespace relucert {

using Polygon = std::vector<Vector>;  // exact vertices of a convex polygon, counter-clockwise

// The box [lo1,hi1] x [lo2,hi2] as a counter-clockwise polygon. Requires a 2-D box.
Polygon box_polygon(const Domain& box);
// The part of the convex polygon p where h holds (a.x <= b), exact; empty when nothing of
// positive area is left. Vertices of p on the line are kept, no duplicates are made.
Polygon clip_polygon(const Polygon& p, const Halfspace& h);
// The cell's polygon: the box polygon clipped by every row of the cell.
Polygon cell_polygon(const Cell& cell, const Domain& box);
// Exact signed area by the shoelace formula (positive for counter-clockwise vertices).
Rational polygon_area(const Polygon& p);

// The shared edge of an adjacent pair, on the facet line.
struct PlotEdge {
  std::size_t adjacency = 0;
  Vector p, q;      // endpoints of the segment lower-polygon ∩ upper-polygon, exact
  Rational lambda;  // gradient jump: g_upper - g_lower = lambda * facet.a (lambda < 0: concave fold)
  bool violating() const { return sgn(lambda) < 0; }
};

struct PlotModel {
  Domain box;
  RegionComplex complex;
  bool complete = false;          // false: a resource limit stopped the build (nothing to draw)
  std::vector<Polygon> polygons;  // one per cell, same order as complex.cells
  std::vector<PlotEdge> edges;    // one per adjacency, same order as complex.adjacencies
  CheckResult check;              // the verdict and witness of check_convexity
  std::size_t violating_edges() const;
};

// Builds the complex on the box, every cell polygon and shared edge, and runs check_convexity
// for the verdict and witness. Throws std::invalid_argument unless net has 2 inputs and `box`
// is a 2-D box; std::logic_error if an exact invariant fails (which would be a bug).
PlotModel build_plot_model(const Network& net, const Domain& box, const CheckOptions& options = {});

struct PlotLabels {
  std::string network;             // shown in the title
  std::string x_name = "x1", y_name = "x2";  // the two drawn inputs
  std::string slice;               // "x3 = 0, x4 = 1/2" when the net is a slice, else empty
};

// The picture as SVG text. Requires a complete model.
std::string render_svg(const PlotModel& model, const PlotLabels& labels);

}  // namespace relucert
