#pragma once
// Pictures of a run, rendered by gnuplot. Every plot writes its data (NAME.dat) and a self-contained script
// (NAME.gp, reading NAME.dat by relative path) into `dir`, then runs gnuplot there when it can be found, so
// the numbers behind a picture are always on disk and a missing gnuplot costs only the rendering.
//
// gnuplot is looked up as $EMBGEO_GNUPLOT when set and non-empty (a path or a name searched on PATH),
// otherwise as `gnuplot` on PATH.
//
// Bad input sizes throw embgeo::Error. A picture that cannot be rendered (gnuplot missing or failing) is
// not an exception: a run's other outputs matter more than its plots, so the result says why in `note`.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace embgeo {
namespace plots {

struct PlotResult {
  std::string path;       // the image: DIR/NAME.png (or .gif), whether or not it was rendered
  bool rendered = false;  // true when `path` now holds the new image
  std::string note;       // one line for the user when not rendered; empty otherwise
};

// Whether a gnuplot executable can be found (see above); nothing is run.
bool gnuplot_available();

// A token as a readable one-line label: space → "␣", newline → "\n", tab → "\t", carriage return → "\r",
// other control bytes and bytes that are not valid UTF-8 → "\xNN", the empty token → "∅". Labels longer
// than 16 characters are cut to 15 and "…". The result is plain text; plots quote it for gnuplot themselves.
std::string display_label(const std::string& token);

// loss.png: train and val loss against step. `val` is empty or one value per step; non-finite values
// (e.g. NaN where no validation ran) are skipped. The title adds the last finite values.
PlotResult plot_loss(const std::string& dir, const std::vector<std::int64_t>& steps, const std::vector<double>& train,
                     const std::vector<double>& val, const std::string& title);

// NAME.png: two scatters side by side ("before" and "after" unless `panel_titles` says otherwise), one
// labelled point per token. `before`/`after` are N×2 row-major (N = tokens.size()); `*_explained` are the
// fractions of variance (0..1) of the two axes.
PlotResult plot_pca_pair(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                         const std::vector<double>& before, const double before_explained[2],
                         const std::vector<double>& after, const double after_explained[2], const std::string& title,
                         const std::array<std::string, 2>& panel_titles = {"before", "after"});

// NAME.png: one labelled scatter of N points (N×2 row-major coords), axes named by their explained variance.
PlotResult plot_scatter(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                        const std::vector<double>& coords, const double explained[2], const std::string& title);

// NAME.png: a V×V matrix (row-major) as an image, row 0 at the top, colours fixed to [-1, 1] blue–white–red
// so pictures of different runs compare. Tokens label both axes when V ≤ 64.
PlotResult plot_heatmap(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                        const std::vector<float>& matrix, int V, const std::string& title);

// norms.png: mean embedding-row norm against step, inside a ±1 std band inside a min–max band.
PlotResult plot_norms(const std::string& dir, const std::vector<std::int64_t>& steps, const std::vector<double>& mean,
                      const std::vector<double>& stddev, const std::vector<double>& min,
                      const std::vector<double>& max);

struct TrajectoryFrame {
  std::int64_t step = 0;
  double loss = 0;
  std::vector<double> coords;  // N×2 row-major, every frame projected on the same 2-D basis
};

// trajectory.gif (one frame per TrajectoryFrame, 0.4 s each, looping; at most kMaxTrajectoryFrames of them,
// sampled evenly) and trajectory.png (up to 12 frames in a grid); samples always include the first and last
// frames. All frames share one pair of axis ranges, so motion on screen is motion of the embedding.
// Returns the gif's result, then the png's.
constexpr std::size_t kMaxTrajectoryFrames = 200;  // --log-every 1 --steps 20000 once cost gnuplot 15 minutes
std::vector<PlotResult> plot_trajectory(const std::string& dir, const std::vector<std::string>& tokens,
                                        const std::vector<TrajectoryFrame>& frames, const std::string& title);

struct Series {
  std::string name;
  std::vector<double> x, y;
};

// NAME.png: several named x–y series on one pair of axes, each optionally logarithmic.
PlotResult plot_lines(const std::string& dir, const std::string& name, const std::vector<Series>& series,
                      const std::string& title, const std::string& xlabel, const std::string& ylabel, bool logx,
                      bool logy);

}  // namespace plots
}  // namespace embgeo
