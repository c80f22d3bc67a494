// loss.png: training and validation loss against step, the final values in the title.
#include <cmath>

#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

struct Last {
  bool found = false;
  std::int64_t step = 0;
  double value = 0;
};

Last last_finite(const std::vector<std::int64_t>& steps, const std::vector<double>& values) {
  for (std::size_t i = values.size(); i-- > 0;)
    if (std::isfinite(values[i])) return {true, steps[i], values[i]};
  return {};
}

// "final (step 900): train 1.2345, val 1.4567", naming each step only when they differ.
std::string finals(const std::vector<std::int64_t>& steps, const std::vector<double>& train,
                   const std::vector<double>& val) {
  const Last t = last_finite(steps, train), v = last_finite(steps, val);
  const auto value = [](const char* what, const Last& last, bool with_step) {
    return std::string(what) + " " + detail::decimals(last.value, 4) +
           (with_step ? " (step " + std::to_string(last.step) + ")" : "");
  };
  if (t.found && v.found && t.step == v.step)
    return "final (step " + std::to_string(t.step) + "): " + value("train", t, false) + ", " + value("val", v, false);
  if (t.found && v.found) return "final " + value("train", t, true) + ", " + value("val", v, true);
  if (t.found || v.found) return "final " + (t.found ? value("train", t, true) : value("val", v, true));
  return "no finite loss";
}

}  // namespace

PlotResult plot_loss(const std::string& dir, const std::vector<std::int64_t>& steps, const std::vector<double>& train,
                     const std::vector<double>& val, const std::string& title) {
  using namespace detail;
  const char* plot = "plot_loss";
  check_not_empty(plot, "steps", steps.size());
  check_size(plot, "train", train.size(), steps.size());
  if (!val.empty()) check_size(plot, "val", val.size(), steps.size());

  DataFile data;
  data.comment(title);
  data.comment("step train_loss val_loss   (NaN: not measured)");
  for (std::size_t i = 0; i < steps.size(); ++i)
    data.row({static_cast<double>(steps[i]), train[i], val.empty() ? NAN : val[i]});

  const std::string last = finals(steps, train, val);
  const std::string full_title = title.empty() ? last : title + "\n" + last;

  std::string script = script_header("loss.gp", "loss.png", Terminal::png, 900, 700);
  script += "set title " + quote(full_title) + "\n";
  script += "set xlabel 'step'\n";
  script += "set ylabel 'cross-entropy loss'\n";
  script += grid_lines();
  script += "set key top right opaque\n";
  script += "plot 'loss.dat' using 1:2 with " + line_style(steps.size()) + " lc rgb '#1f77b4' title 'train'";
  if (!val.empty())
    script += ", \\\n     'loss.dat' using 1:3 with " + line_style(steps.size()) + " lc rgb '#d62728' title 'val'";
  script += "\n";

  write_plot_file(dir, "loss.dat", data.text());
  write_plot_file(dir, "loss.gp", script);
  return render(dir, "loss.gp", "loss.png");
}

}  // namespace plots
}  // namespace embgeo
