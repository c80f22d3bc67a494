// The embedding trajectory: the drawn tokens' 2-D positions at the logged steps (at most kMaxTrajectoryFrames of
// them), as an animated GIF and a grid of up to 12 frames, all on the same axes.
#include <algorithm>
#include <cmath>
#include <utility>

#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

struct Range {
  double low, high;
};

// One x and one y range for every frame, padded (more on the high side, where labels go).
std::pair<Range, Range> shared_ranges(const std::vector<TrajectoryFrame>& frames) {
  Range axes[2] = {{INFINITY, -INFINITY}, {INFINITY, -INFINITY}};
  for (const TrajectoryFrame& frame : frames)
    for (std::size_t i = 0; i < frame.coords.size(); ++i)
      if (std::isfinite(frame.coords[i])) {
        Range& axis = axes[i % 2];
        axis.low = std::min(axis.low, frame.coords[i]);
        axis.high = std::max(axis.high, frame.coords[i]);
      }
  for (Range& axis : axes) {
    if (!(axis.low <= axis.high)) axis = {-1, 1};  // no finite point at all
    const double span = axis.high > axis.low ? axis.high - axis.low : 2.0;
    axis = {axis.low - 0.05 * span, axis.high + 0.12 * span};
  }
  return {axes[0], axes[1]};
}

std::string ranges(const std::pair<Range, Range>& r) {
  using detail::number;
  return "set xrange [" + number(r.first.low) + ":" + number(r.first.high) +
         "]\n"
         "set yrange [" +
         number(r.second.low) + ":" + number(r.second.high) + "]\n";
}

std::string frame_caption(const TrajectoryFrame& frame) {
  return "step " + std::to_string(frame.step) + ",  loss " + detail::decimals(frame.loss, 4);
}

// Up to `count` frame indices spread evenly over [0, frames), first and last included.
std::vector<std::size_t> sample_frames(std::size_t frames, std::size_t count) {
  const std::size_t n = std::min(frames, count);
  if (n == 1) return {0};
  std::vector<std::size_t> picked;
  for (std::size_t i = 0; i < n; ++i) picked.push_back((i * (frames - 1) + (n - 1) / 2) / (n - 1));  // rounded
  return picked;
}

PlotResult animation(const std::string& dir, const std::vector<std::string>& tokens,
                     const std::vector<TrajectoryFrame>& frames, const std::pair<Range, Range>& r,
                     const std::string& title) {
  using namespace detail;
  std::string script = script_header("trajectory_gif.gp", "trajectory.gif", Terminal::animated_gif, 800, 700);
  script += ranges(r);
  script += "set xlabel 'component 1'\nset ylabel 'component 2'\n";
  script += grid_lines();
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const std::string caption = frame_caption(frames[k]);
    script += "set title " + quote(title.empty() ? caption : title + "\n" + caption) + "\n";
    script += scatter_labels(tokens, frames[k].coords, 10);
    script += "plot " + scatter_points("trajectory.dat", k) + "\n";
  }
  write_plot_file(dir, "trajectory_gif.gp", script);
  return render(dir, "trajectory_gif.gp", "trajectory.gif");
}

PlotResult grid(const std::string& dir, const std::vector<std::string>& tokens,
                const std::vector<TrajectoryFrame>& frames, const std::pair<Range, Range>& r,
                const std::string& title) {
  using namespace detail;
  const std::vector<std::size_t> picked = sample_frames(frames.size(), 12);
  const std::size_t columns = std::min<std::size_t>(picked.size(), 4);
  const std::size_t rows = (picked.size() + columns - 1) / columns;
  std::string script = script_header("trajectory.gp", "trajectory.png", Terminal::png, static_cast<int>(360 * columns),
                                     static_cast<int>(330 * rows + 50));
  script += "set multiplot layout " + std::to_string(rows) + "," + std::to_string(columns) + " title " + quote(title) +
            " font ',14'\n";
  script += ranges(r);
  script += "set tics font ',8'\n";
  script += "set xlabel 'component 1' font ',8' offset 0,0.5\nset ylabel 'component 2' font ',8' offset 1.5,0\n";
  script += grid_lines();
  for (std::size_t k : picked) {
    script += "set title " + quote(frame_caption(frames[k])) + " font ',10'\n";
    script += scatter_labels(tokens, frames[k].coords, 8);
    script += "plot " + scatter_points("trajectory.dat", k) + "\n";
  }
  script += "unset multiplot\n";
  write_plot_file(dir, "trajectory.gp", script);
  return render(dir, "trajectory.gp", "trajectory.png");
}

}  // namespace

std::vector<PlotResult> plot_trajectory(const std::string& dir, const std::vector<std::string>& tokens,
                                        const std::vector<TrajectoryFrame>& logged, const std::string& title) {
  using namespace detail;
  const char* plot = "plot_trajectory";
  check_not_empty(plot, "tokens", tokens.size());
  check_not_empty(plot, "frames", logged.size());
  for (const TrajectoryFrame& frame : logged)
    check_size(plot, "a frame's coords (N×2)", frame.coords.size(), 2 * tokens.size());
  // The data file and both pictures hold the sampled frames only: gnuplot's time grows with every frame.
  std::vector<TrajectoryFrame> frames;
  for (const std::size_t k : sample_frames(logged.size(), kMaxTrajectoryFrames)) frames.push_back(logged[k]);

  DataFile data;
  data.comment(title);
  data.comment("x y   # token; block k is frame k");
  for (std::size_t k = 0; k < frames.size(); ++k) {
    if (k > 0) data.next_block();
    data.comment("frame " + std::to_string(k) + ": " + frame_caption(frames[k]));
    for (std::size_t i = 0; i < tokens.size(); ++i)
      data.row({frames[k].coords[2 * i], frames[k].coords[2 * i + 1]}, display_label(tokens[i]));
  }
  write_plot_file(dir, "trajectory.dat", data.text());

  const std::pair<Range, Range> r = shared_ranges(frames);
  return {animation(dir, tokens, frames, r, title), grid(dir, tokens, frames, r, title)};
}

}  // namespace plots
}  // namespace embgeo
