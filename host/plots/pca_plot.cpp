#include "embgeo/error.hpp"
#include "host/plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

std::string percent(double fraction) { return detail::decimals(100 * fraction, 1) + "%"; }

// One panel of the pair: its title, axes named by their share of the variance, labels and points.
std::string panel(const std::string& data, std::size_t index, const char* name, const std::vector<std::string>& tokens,
                  const std::vector<double>& coords, const double explained[2]) {
  using detail::quote;
  return "set title " + quote(name) + " font ',13'\n"
         "set xlabel " + quote("PC1 (" + percent(explained[0]) + " of variance)") + "\n"
         "set ylabel " + quote("PC2 (" + percent(explained[1]) + " of variance)") + "\n" +
         detail::scatter_labels(tokens, coords, 11) + "plot " + detail::scatter_points(data, index) + "\n";
}

}  // namespace

PlotResult plot_pca_pair(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                         const std::vector<double>& before, const double before_explained[2],
                         const std::vector<double>& after, const double after_explained[2], const std::string& title) {
  using namespace detail;
  const char* plot = "plot_pca_pair";
  check_name(plot, name);
  check_not_empty(plot, "tokens", tokens.size());
  check_size(plot, "before (N×2 coords)", before.size(), 2 * tokens.size());
  check_size(plot, "after (N×2 coords)", after.size(), 2 * tokens.size());
  for (const double* explained : {before_explained, after_explained})
    for (int k = 0; k < 2; ++k)
      if (!(explained[k] >= 0 && explained[k] <= 1.000001))
        fail(plot, ": explained variance must be a fraction in [0, 1], got ", explained[k]);

  const std::string data_name = name + ".dat", script_name = name + ".gp", output = name + ".png";
  DataFile data;
  data.comment(title);
  data.comment("x y   # token; block 0: before, block 1: after");
  for (const std::vector<double>* coords : {&before, &after}) {
    if (coords == &after) data.next_block();
    for (std::size_t i = 0; i < tokens.size(); ++i)
      data.row({(*coords)[2 * i], (*coords)[2 * i + 1]}, display_label(tokens[i]));
  }

  std::string script = script_header(script_name, output, Terminal::png, 1400, 650);
  // Offsets leave room above and right of the outermost points, where their labels go.
  script += "set multiplot layout 1,2 title " + quote(title) + " font ',14'\n"
            "set offsets graph 0.05, graph 0.12, graph 0.1, graph 0.05\n" +
            grid_lines() +
            panel(data_name, 0, "before", tokens, before, before_explained) +
            panel(data_name, 1, "after", tokens, after, after_explained) + "unset multiplot\n";

  write_plot_file(dir, data_name, data.text());
  write_plot_file(dir, script_name, script);
  return render(dir, script_name, output);
}

}  // namespace plots
}  // namespace embgeo
