// The V×V cosine-similarity heatmap, its rows and columns labelled by token when V ≤ 64.
#include <algorithm>

#include "embgeo/error.hpp"
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {

namespace {

constexpr int kMaxLabelledV = 64;

// `set xtics (...)` naming every row/column by its token.
std::string token_tics(const char* axis, const std::vector<std::string>& tokens, bool rotate) {
  std::string out = std::string("set ") + axis + "tics (";
  for (std::size_t i = 0; i < tokens.size(); ++i)
    out += (i ? ", " : "") + detail::quote_tic(display_label(tokens[i])) + " " + std::to_string(i);
  return out + (rotate ? ") rotate by 90 right\n" : ")\n");
}

}  // namespace

PlotResult plot_heatmap(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens,
                        const std::vector<float>& matrix, int V, const std::string& title) {
  using namespace detail;
  const char* plot = "plot_heatmap";
  check_name(plot, name);
  if (V < 1) fail(plot, ": V must be at least 1, got ", V);
  check_size(plot, "tokens", tokens.size(), static_cast<std::size_t>(V));
  check_size(plot, "matrix (V×V)", matrix.size(), static_cast<std::size_t>(V) * V);

  const std::string data_name = name + ".dat", script_name = name + ".gp", output = name + ".png";
  DataFile data;
  data.comment(title);
  data.comment(std::to_string(V) + "×" + std::to_string(V) + " matrix, row i = token i (see " + script_name +
               " for the tokens)");
  for (int i = 0; i < V; ++i)
    data.row(std::vector<double>(matrix.begin() + static_cast<std::ptrdiff_t>(i) * V,
                                 matrix.begin() + static_cast<std::ptrdiff_t>(i + 1) * V));

  // Cells of ~32 px while the picture stays between 500 and 1000 px square; room is added for tic labels
  // and the colour box.
  const int side = std::clamp(32 * V, 500, 1000);
  const int cell = side / V;
  const bool labelled = V <= kMaxLabelledV;
  bool long_labels = false;  // wider than two characters; "␣" counts as one
  for (const std::string& token : tokens) {
    const std::string label = display_label(token);
    long_labels |= std::count_if(label.begin(), label.end(), [](char c) { return (c & 0xC0) != 0x80; }) > 2;
  }

  std::string script = script_header(script_name, output, Terminal::png, side + 260, side + 140);
  script += "set title " + quote(title) + "\n";
  script += "unset key\n";
  script += "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n";
  script += "set cbrange [-1:1]\n";
  script += "set cblabel 'cosine similarity'\n";
  script += "set size square\n";
  // Row 0 at the top, as the matrix is written.
  script += "set xrange [-0.5:" + number(V - 0.5) + "]\n";
  script += "set yrange [" + number(V - 0.5) + ":-0.5]\n";
  script += "set tics scale 0 font '," + std::to_string(labelled && cell < 14 ? 8 : 10) + "'\n";
  if (labelled) {
    script += token_tics("x", tokens, long_labels) + token_tics("y", tokens, false);
  } else {
    script += "set xlabel 'token id'\nset ylabel 'token id'\n";
  }
  script += "plot " + quote(data_name) + " matrix with image\n";

  return write_and_render(dir, name, data, script);
}

}  // namespace plots
}  // namespace embgeo
