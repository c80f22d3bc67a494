// Line plots of named (x, y) series, with log axes that get explicit 1-2-5 tics pinned to the data's range.
#include <algorithm>
#include <cmath>

#include "embgeo/error.hpp"
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

// Tic positions inside [low, high] (0 < low < high) for a log axis: 1-2-5 per decade, else 1…9 per decade,
// else evenly spaced round numbers when the range is a fraction of a decade.
std::vector<double> log_tics(double low, double high) {
  std::vector<double> tics;
  for (const std::vector<double>& mantissas :
       {std::vector<double>{1, 2, 5}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    tics.clear();
    for (double decade = std::pow(10.0, std::floor(std::log10(low))); decade <= high; decade *= 10)
      for (double m : mantissas)
        if (m * decade >= low && m * decade <= high) tics.push_back(m * decade);
    if (tics.size() >= 3) return tics;
  }
  const double rough = (high - low) / 4;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  const double step = magnitude * (rough / magnitude >= 5 ? 5 : rough / magnitude >= 2 ? 2 : 1);
  tics.clear();
  for (double k = std::ceil(low / step); k * step <= high; ++k) tics.push_back(k * step);
  return tics;
}

// gnuplot labels a log axis only at powers of ten and widens its range to them, so a loss between 2 and 3
// would get no labelled tic at all; pin the range to the data and place tics explicitly instead.
std::string log_axis(const std::string& axis, const std::vector<Series>& series) {
  double low = INFINITY, high = -INFINITY;
  for (const Series& s : series)
    for (double v : axis == "x" ? s.x : s.y)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  if (!(low <= high)) return "set logscale " + axis + "\n";  // nothing finite to fit
  const double pad = std::max(1.04, std::pow(high / low, 0.04));
  low /= pad;
  high *= pad;
  std::string tics;
  for (double t : log_tics(low, high)) tics += (tics.empty() ? "" : ", ") + detail::number(t);
  return "set logscale " + axis + "\nset " + axis + "range [" + detail::number(low) + ":" + detail::number(high) +
         "]\nset " + axis + "tics (" + tics + ")\n";
}

}  // namespace

PlotResult plot_lines(const std::string& dir, const std::string& name, const std::vector<Series>& series,
                      const std::string& title, const std::string& xlabel, const std::string& ylabel, bool logx,
                      bool logy) {
  using namespace detail;
  const char* plot = "plot_lines";
  check_name(plot, name);
  check_not_empty(plot, "series", series.size());
  for (const Series& s : series) {
    check_not_empty(plot, ("series '" + s.name + "'").c_str(), s.x.size());
    check_size(plot, ("series '" + s.name + "' y").c_str(), s.y.size(), s.x.size());
    // gnuplot would drop such points with only a warning; a silently shorter curve is worse than an error.
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if ((logx && s.x[i] <= 0) || (logy && s.y[i] <= 0))
        fail(plot, ": series '", s.name, "' point ", i, " is (", s.x[i], ", ", s.y[i], "), not positive on a log axis");
  }

  const std::string data_name = name + ".dat", script_name = name + ".gp", output = name + ".png";
  DataFile data;
  data.comment(title);
  data.comment("x y   block k is series k");
  for (std::size_t k = 0; k < series.size(); ++k) {
    if (k > 0) data.next_block();
    data.comment("series " + std::to_string(k) + ": " + series[k].name);
    for (std::size_t i = 0; i < series[k].x.size(); ++i) data.row({series[k].x[i], series[k].y[i]});
  }

  std::string script = script_header(script_name, output, Terminal::png, 900, 700);
  script += "set title " + quote(title) + "\n";
  script += "set xlabel " + quote(xlabel) + "\n";
  script += "set ylabel " + quote(ylabel) + "\n";
  if (logx) script += log_axis("x", series);
  if (logy) script += log_axis("y", series);
  script += grid_lines();
  script += "set key top right opaque\n";
  script += "plot ";
  for (std::size_t k = 0; k < series.size(); ++k)
    script += (k ? ", \\\n     " : "") + quote(data_name) + " index " + std::to_string(k) + " using 1:2 with " +
              line_style(series[k].x.size()) + " title " + quote(series[k].name);
  script += "\n";

  return write_and_render(dir, name, data, script);
}

}  // namespace plots
}  // namespace embgeo
