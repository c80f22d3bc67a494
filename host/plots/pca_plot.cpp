// Token scatter plots in PCA coordinates, one panel or a before/after pair, axes labelled with the share of
// variance each component explains.
#include "embgeo/error.hpp"
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

std::string percent(double fraction) { return detail::decimals(100 * fraction, 1) + "%"; }

// One panel of the pair: its title, axes named by their share of the variance, labels and points.
std::string panel(const std::string& data, std::size_t index, const std::string& name,
                  const std::vector<std::string>& tokens, const std::vector<double>& coords,
                  const double explained[2]) {
  using detail::quote;
  std::string script = "set title " + quote(name) + " font ',13'\n";
  script += "set xlabel " + quote("PC1 (" + percent(explained[0]) + " of variance)") + "\n";
  script += "set ylabel " + quote("PC2 (" + percent(explained[1]) + " of variance)") + "\n";
  script += detail::scatter_labels(tokens, coords, 11);
  script += "plot " + detail::scatter_points(data, index) + "\n";
  return script;
}

void check_explained(const char* plot, const double explained[2]) {
  for (int k = 0; k < 2; ++k)
    if (!(explained[k] >= 0 && explained[k] <= 1.000001))
      fail(plot, ": explained variance must be a fraction in [0, 1], got ", explained[k]);
}

}  // namespace

PlotResult plot_scatter(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                        const std::vector<double>& coords, const double explained[2], const std::string& title) {
  using namespace detail;
  const char* plot = "plot_scatter";
  check_name(plot, name);
  check_not_empty(plot, "tokens", tokens.size());
  check_size(plot, "coords (N×2)", coords.size(), 2 * tokens.size());
  check_explained(plot, explained);
  const std::string data_name = name + ".dat", script_name = name + ".gp", output = name + ".png";
  DataFile data;
  data.comment(title);
  data.comment("x y   # token");
  for (std::size_t i = 0; i < tokens.size(); ++i) data.row({coords[2 * i], coords[2 * i + 1]}, display_label(tokens[i]));
  std::string script = script_header(script_name, output, Terminal::png, 900, 750);
  script += "set offsets graph 0.05, graph 0.12, graph 0.1, graph 0.05\n";
  script += grid_lines();
  script += panel(data_name, 0, title, tokens, coords, explained);
  return write_and_render(dir, name, data, script);
}

PlotResult plot_pca_pair(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                         const std::vector<double>& before, const double before_explained[2],
                         const std::vector<double>& after, const double after_explained[2], const std::string& title,
                         const std::array<std::string, 2>& panel_titles) {
  using namespace detail;
  const char* plot = "plot_pca_pair";
  check_name(plot, name);
  check_not_empty(plot, "tokens", tokens.size());
  check_size(plot, "before (N×2 coords)", before.size(), 2 * tokens.size());
  check_size(plot, "after (N×2 coords)", after.size(), 2 * tokens.size());
  check_explained(plot, before_explained);
  check_explained(plot, after_explained);

  const std::string data_name = name + ".dat", script_name = name + ".gp", output = name + ".png";
  DataFile data;
  data.comment(title);
  data.comment("x y   # token; block 0: " + panel_titles[0] + ", block 1: " + panel_titles[1]);
  for (const std::vector<double>* coords : {&before, &after}) {
    if (coords == &after) data.next_block();
    for (std::size_t i = 0; i < tokens.size(); ++i)
      data.row({(*coords)[2 * i], (*coords)[2 * i + 1]}, display_label(tokens[i]));
  }

  std::string script = script_header(script_name, output, Terminal::png, 1400, 650);
  // Offsets leave room above and right of the outermost points, where their labels go.
  script += "set multiplot layout 1,2 title " + quote(title) + " font ',14'\n";
  script += "set offsets graph 0.05, graph 0.12, graph 0.1, graph 0.05\n";
  script += grid_lines();
  script += panel(data_name, 0, panel_titles[0], tokens, before, before_explained);
  script += panel(data_name, 1, panel_titles[1], tokens, after, after_explained);
  script += "unset multiplot\n";

  return write_and_render(dir, name, data, script);
}

}  // namespace plots
}  // namespace embgeo
