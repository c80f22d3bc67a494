#pragma once
// What the plot files share: input checks, gnuplot literals, the data-file writer, the script header, the
// labelled scatter panel and the gnuplot runner. Private to host/plots/.
#include <cstddef>
#include <string>
#include <vector>

#include "plots/plots.hpp"

namespace embgeo {
namespace plots {
namespace detail {

// --- plot_checks.cpp ---------------------------------------------------------------------------------
// A name becomes file names and a gnuplot string, so it is limited to [A-Za-z0-9_-].
void check_name(const char* plot, const std::string& name);
// Error "PLOT: WHAT has GOT values, expected WANT" unless got == want.
void check_size(const char* plot, const char* what, std::size_t got, std::size_t want);
void check_not_empty(const char* plot, const char* what, std::size_t got);

// --- gnuplot_text.cpp --------------------------------------------------------------------------------
// A gnuplot string literal showing `text` as written, newlines kept as line breaks and other control
// characters shown as spaces.
std::string quote(const std::string& text);
// quote() for explicit tic labels, which gnuplot passes through its printf-like formatter.
std::string quote_tic(const std::string& text);
// A number as gnuplot reads it whatever the process locale: integers exactly, others to 9 digits, NaN
// (read as missing data) for non-finite values.
std::string number(double value);
// A number for titles and axis labels: `digits` decimals, locale-independent.
std::string decimals(double value, int digits);

// --- data_file.cpp -----------------------------------------------------------------------------------
// A gnuplot data file: '#' comments, whitespace-separated rows, and blocks separated by two blank lines so
// a script selects one with `index k`.
class DataFile {
 public:
  void comment(const std::string& text);
  // `note` goes after the numbers as a comment (gnuplot ignores it; people reading the file see it).
  void row(const std::vector<double>& values, const std::string& note = "");
  void next_block();
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Writes `text` to DIR/FILE atomically (DIR is created when missing).
void write_plot_file(const std::string& dir, const std::string& file, const std::string& text);

// --- script_header.cpp -------------------------------------------------------------------------------
enum class Terminal { png, animated_gif };

// The first lines of every script: how to run it by hand, the terminal and size, and `set output outfile`
// where outfile defaults to `output` — the runner passes a temporary name instead, so the image appears
// atomically.
std::string script_header(const std::string& script, const std::string& output, Terminal terminal, int width,
                          int height);
// Thin light solid grid lines (gnuplot's default dotted grid all but vanishes on pngcairo).
std::string grid_lines();
// Plot style for a line of `points` points: markers help while they can be told apart.
std::string line_style(std::size_t points);

// --- scatter.cpp -------------------------------------------------------------------------------------
// Script lines that replace every label with one per token at its point (N×2 row-major coords), skipping
// non-finite points. Labels are set in the script rather than read from data because gnuplot's `with
// labels` re-parses data strings (quotes, backslashes, spaces), which would mangle tokens.
std::string scatter_labels(const std::vector<std::string>& tokens, const std::vector<double>& coords, int font_size);
// The plot clause drawing block `index` of DATA as the scatter's points.
std::string scatter_points(const std::string& data, std::size_t index);

// --- gnuplot_runner.cpp ------------------------------------------------------------------------------
// Runs `gnuplot SCRIPT` in DIR; SCRIPT's output appears as DIR/OUTPUT only if gnuplot succeeds.
PlotResult render(const std::string& dir, const std::string& script, const std::string& output);

std::string join_path(const std::string& dir, const std::string& file);

// The usual ending of a one-image plot: DIR/NAME.dat and DIR/NAME.gp written, NAME.png rendered.
PlotResult write_and_render(const std::string& dir, const std::string& name, const DataFile& data,
                            const std::string& script);

}  // namespace detail
}  // namespace plots
}  // namespace embgeo
