// norms.png: mean embedding row norm against step, with ±1 std and min–max bands.
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

PlotResult plot_norms(const std::string& dir, const std::vector<std::int64_t>& steps, const std::vector<double>& mean,
                      const std::vector<double>& stddev, const std::vector<double>& min,
                      const std::vector<double>& max) {
  using namespace detail;
  const char* plot = "plot_norms";
  check_not_empty(plot, "steps", steps.size());
  check_size(plot, "mean", mean.size(), steps.size());
  check_size(plot, "stddev", stddev.size(), steps.size());
  check_size(plot, "min", min.size(), steps.size());
  check_size(plot, "max", max.size(), steps.size());

  DataFile data;
  data.comment("embedding row L2 norms");
  data.comment("step mean std min max");
  for (std::size_t i = 0; i < steps.size(); ++i)
    data.row({static_cast<double>(steps[i]), mean[i], stddev[i], min[i], max[i]});

  std::string script = script_header("norms.gp", "norms.png", Terminal::png, 900, 700);
  // Translucent bands let the grid show through; the std band sits inside the min–max band and so reads
  // darker. y starts at 0 so growth is seen in proportion.
  const std::string band = " with filledcurves fs transparent solid ";
  script += "set title 'embedding row norms'\n";
  script += "set xlabel 'step'\n";
  script += "set ylabel 'L2 norm of an embedding row'\n";
  script += "set yrange [0:*]\n";
  script += grid_lines();
  script += "set key top left opaque\n";
  script += "plot 'norms.dat' using 1:4:5" + band + "0.25 noborder fc rgb '#6baed6' title 'min–max', \\\n";
  script += "     'norms.dat' using 1:($2-$3):($2+$3)" + band + "0.35 noborder fc rgb '#2171b5' title '±1 std', \\\n";
  script += "     'norms.dat' using 1:2 with " + line_style(steps.size()) + " lc rgb '#08519c' title 'mean'\n";

  write_plot_file(dir, "norms.dat", data.text());
  write_plot_file(dir, "norms.gp", script);
  return render(dir, "norms.gp", "norms.png");
}

}  // namespace plots
}  // namespace embgeo
