// The common opening of every gnuplot script (terminal, UTF-8, overridable output file, NaN as missing) and the
// shared grid and line styles.
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {
namespace detail {

std::string script_header(const std::string& script, const std::string& output, Terminal terminal, int width,
                          int height) {
  const std::string size = "size " + std::to_string(width) + "," + std::to_string(height);
  // noenhanced everywhere: titles and tokens are shown as written, never as gnuplot markup (_ ^ @ { }).
  // The gif terminal's own default font lacks symbols such as "␣"; "Sans" is fontconfig's generic alias
  // (what pngcairo uses by default), so it resolves on any system with fonts.
  const std::string terminal_line =
      terminal == Terminal::png ? "set terminal pngcairo " + size + " noenhanced"
                                : "set terminal gif animate delay 40 loop 0 " + size + " noenhanced font 'Sans,10'";
  std::string header = "# " + script + ", written by embgeo-cuda. Render it with `gnuplot " + script +
                       "` in this directory; it reads the .dat files beside it.\n";
  header += "if (!exists(\"outfile\")) outfile = " + quote(output) + "\n";
  header += terminal_line + "\n";
  header += "set encoding utf8\n";
  header += "set output outfile\n";
  header += "set datafile missing NaN\n";
  return header;
}

std::string grid_lines() { return "set grid lt 1 lw 1 lc rgb '#e4e4e4'\n"; }

std::string line_style(std::size_t points) { return points <= 60 ? "linespoints lw 2 pt 7 ps 0.7" : "lines lw 2"; }

}  // namespace detail
}  // namespace plots
}  // namespace embgeo
