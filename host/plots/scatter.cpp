// The gnuplot lines of a labelled token scatter (a label per finite point, then the points), shared by the PCA
// and trajectory plots.
#include <cmath>

#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {
namespace detail {

std::string scatter_labels(const std::vector<std::string>& tokens, const std::vector<double>& coords, int font_size) {
  std::string out = "unset label\n";
  const std::string style =
      " offset character 0.5,0.5 font '," + std::to_string(font_size) + "' textcolor rgb '#202020'\n";
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const double x = coords[2 * i], y = coords[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    out += "set label " + std::to_string(i + 1) + " " + quote(display_label(tokens[i])) + " at " + number(x) + "," +
           number(y) + style;
  }
  return out;
}

std::string scatter_points(const std::string& data, std::size_t index) {
  return quote(data) + " index " + std::to_string(index) +
         " using 1:2 with points pt 7 ps 0.9 lc rgb '#1f77b4' notitle";
}

}  // namespace detail
}  // namespace plots
}  // namespace embgeo
