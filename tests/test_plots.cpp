// The gnuplot plots: labels, the .dat/.gp files each plot writes, the rendered images when gnuplot is
// installed, and the "not rendered" path when it is not (forced with EMBGEO_GNUPLOT or PATH).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "embgeo/error.hpp"
#include "plots/plot_support.hpp"
#include "plots/plots.hpp"
#include "util/atomic_file.hpp"

namespace embgeo {
namespace {

using plots::PlotResult;

// A fresh directory per test, removed with everything in it afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "embgeo_plots_XXXXXX";
    if (!::mkdtemp(pattern.data())) fail("mkdtemp failed for ", pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Sets (or, with nullptr, unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_.c_str(), old_->c_str(), 1) : ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

// Data rows: non-empty lines that are not '#' comments.
int data_rows(const std::string& text) {
  std::istringstream in(text);
  int rows = 0;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') ++rows;
  return rows;
}

// Blocks a script can select with `index`: separated by two blank lines.
int data_blocks(const std::string& text) {
  int blocks = 1;
  for (std::size_t at = text.find("\n\n\n"); at != std::string::npos; at = text.find("\n\n\n", at + 3)) ++blocks;
  return blocks;
}

int occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

// Frames in a GIF, found by walking its block structure (0x2C image descriptors, 0x21 extensions).
int gif_frames(const std::string& gif) {
  const auto byte = [&](std::size_t i) { return i < gif.size() ? static_cast<unsigned char>(gif[i]) : 0x3B; };
  const auto skip_sub_blocks = [&](std::size_t i) {
    while (i < gif.size() && byte(i) != 0) i += 1 + byte(i);
    return i + 1;
  };
  const auto color_table = [&](unsigned char flags) { return flags & 0x80 ? 3u << ((flags & 7) + 1) : 0u; };
  if (gif.compare(0, 3, "GIF") != 0) return 0;
  std::size_t i = 13 + color_table(byte(10));
  int frames = 0;
  while (i < gif.size() && byte(i) != 0x3B) {
    if (byte(i) == 0x21) {
      i = skip_sub_blocks(i + 2);
    } else if (byte(i) == 0x2C) {
      ++frames;
      i = skip_sub_blocks(i + 10 + color_table(byte(i + 9)) + 1);
    } else {
      return -1;  // not a well-formed GIF
    }
  }
  return frames;
}

// Whether `dir` holds a temporary file (NAME.tmp.PID) that a render left behind.
bool has_temporary(const std::string& dir) {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored))
    if (entry.path().filename().string().find(".tmp") != std::string::npos) return true;
  return false;
}

// The rendered image exists under its final name only, non-empty, with the right magic bytes.
void expect_image(const PlotResult& result, const std::string& magic) {
  EXPECT_TRUE(result.rendered) << result.note;
  EXPECT_TRUE(result.note.empty()) << result.note;
  const std::string image = read_text(result.path);
  ASSERT_GT(image.size(), magic.size()) << result.path;
  EXPECT_EQ(image.compare(0, magic.size(), magic), 0) << result.path;
  EXPECT_FALSE(has_temporary(std::filesystem::path(result.path).parent_path().string()));
}

const std::string kPng("\x89PNG\r\n\x1a\n", 8);
const std::string kGif = "GIF8";

// Tokens that break naive quoting: whitespace, quotes, backslash, gnuplot markup and format characters.
const std::vector<std::string> kTokens = {" ", "\n", "a", "'", "\"", "\\", "_", "%", "{x}", "@^&"};

std::vector<double> ramp_coords(std::size_t n, double scale) {
  std::vector<double> coords(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    coords[2 * i] = scale * std::cos(static_cast<double>(i));
    coords[2 * i + 1] = scale * std::sin(static_cast<double>(i));
  }
  return coords;
}

TEST(PlotLabels, ShowsWhitespaceAndControlCharactersVisibly) {
  EXPECT_EQ(plots::display_label(" "), "␣");
  EXPECT_EQ(plots::display_label("\n"), "\\n");
  EXPECT_EQ(plots::display_label("\t"), "\\t");
  EXPECT_EQ(plots::display_label("\r"), "\\r");
  EXPECT_EQ(plots::display_label(std::string("\0\x1b\x7f", 3)), "\\x00\\x1B\\x7F");
  EXPECT_EQ(plots::display_label(" the\n"), "␣the\\n");
  EXPECT_EQ(plots::display_label(""), "∅");
  EXPECT_EQ(plots::display_label("a\"b'c\\d_^@&{}%"), "a\"b'c\\d_^@&{}%");
}

TEST(PlotLabels, KeepsValidUtf8AndEscapesBrokenBytes) {
  EXPECT_EQ(plots::display_label("é→😀"), "é→😀");
  EXPECT_EQ(plots::display_label("\xe2\x80"), "\\xE2\\x80");           // a multi-byte character cut short
  EXPECT_EQ(plots::display_label("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(plots::display_label("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a UTF-16 surrogate
}

TEST(PlotLabels, CutsLongTokensAtWholeCharacters) {
  EXPECT_EQ(plots::display_label("abcdefghijklmnop"), "abcdefghijklmnop");  // 16 fit
  EXPECT_EQ(plots::display_label("abcdefghijklmnopq"), "abcdefghijklmno…");
  EXPECT_EQ(plots::display_label("ééééééééééééééééé"), "ééééééééééééééé…");
}

TEST(PlotText, QuotesAnyTextAsOneGnuplotLiteral) {
  EXPECT_EQ(plots::detail::quote("a'b"), "\"a'b\"");
  EXPECT_EQ(plots::detail::quote("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
  EXPECT_EQ(plots::detail::quote("two\nlines\t!"), "\"two\\nlines !\"");
  EXPECT_EQ(plots::detail::quote_tic("50%"), "\"50%%\"");
}

TEST(PlotText, WritesNumbersGnuplotReads) {
  EXPECT_EQ(plots::detail::number(3), "3");
  EXPECT_EQ(plots::detail::number(-0.5), "-0.5");
  EXPECT_EQ(plots::detail::number(1234567890123.0), "1234567890123");
  EXPECT_EQ(plots::detail::number(1.0 / 3), "0.333333333");
  EXPECT_EQ(plots::detail::number(1e-7), "1e-07");
  EXPECT_EQ(plots::detail::number(NAN), "NaN");
  EXPECT_EQ(plots::detail::number(INFINITY), "NaN");
  EXPECT_EQ(plots::detail::decimals(2.5, 1), "2.5");
}

TEST(PlotLoss, WritesStepsTrainAndValAndTitlesTheFinalValues) {
  TempDir dir;
  std::vector<std::int64_t> steps;
  std::vector<double> train, val;
  for (int k = 0; k <= 10; ++k) {
    steps.push_back(200 * k);
    train.push_back(3.0 - 0.1 * k);
    val.push_back(k % 2 ? NAN : 3.1 - 0.1 * k);
  }
  const PlotResult result = plots::plot_loss(dir.path(), steps, train, val, "toy run");
  EXPECT_EQ(result.path, dir.file("loss.png"));
  const std::string data = read_text(dir.file("loss.dat"));
  EXPECT_EQ(data_rows(data), 11);
  EXPECT_NE(data.find("2000 2 2.1\n"), std::string::npos) << data;
  EXPECT_NE(data.find("200 2.9 NaN\n"), std::string::npos) << data;
  const std::string script = read_text(dir.file("loss.gp"));
  EXPECT_NE(script.find("outfile = \"loss.png\""), std::string::npos);
  EXPECT_NE(script.find("'loss.dat' using 1:3"), std::string::npos);
  EXPECT_NE(script.find("\"toy run\\nfinal (step 2000): train 2.0000, val 2.1000\""), std::string::npos) << script;

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(result, kPng);
}

TEST(PlotLoss, OmitsValWhenThereIsNone) {
  TempDir dir;
  plots::plot_loss(dir.path(), {1, 2}, {2.0, 1.5}, {}, "");
  const std::string script = read_text(dir.file("loss.gp"));
  EXPECT_EQ(script.find("title 'val'"), std::string::npos);
  EXPECT_NE(script.find("final train 1.5000 (step 2)"), std::string::npos) << script;
}

TEST(PlotLoss, RejectsMismatchedSizes) {
  TempDir dir;
  EXPECT_THROW(plots::plot_loss(dir.path(), {1, 2}, {1.0}, {}, ""), Error);
  EXPECT_THROW(plots::plot_loss(dir.path(), {1, 2}, {1.0, 2.0}, {1.0}, ""), Error);
  EXPECT_THROW(plots::plot_loss(dir.path(), {}, {}, {}, ""), Error);
  EXPECT_FALSE(exists(dir.file("loss.gp")));
}

TEST(PlotPca, WritesBothPanelsWithTokenLabelsAndExplainedVariance) {
  TempDir dir;
  const double before_explained[2] = {0.142, 0.118}, after_explained[2] = {0.61, 0.23};
  const PlotResult result =
      plots::plot_pca_pair(dir.path(), "pca", kTokens, ramp_coords(kTokens.size(), 1), before_explained,
                           ramp_coords(kTokens.size(), 3), after_explained, "title with \"quotes\" and 100%");
  EXPECT_EQ(result.path, dir.file("pca.png"));
  const std::string data = read_text(dir.file("pca.dat"));
  EXPECT_EQ(data_rows(data), 2 * static_cast<int>(kTokens.size()));
  EXPECT_EQ(data_blocks(data), 2);
  EXPECT_NE(data.find("# ␣\n"), std::string::npos);
  const std::string script = read_text(dir.file("pca.gp"));
  EXPECT_NE(script.find("\"PC1 (14.2% of variance)\""), std::string::npos);
  EXPECT_NE(script.find("\"PC2 (23.0% of variance)\""), std::string::npos);
  EXPECT_EQ(occurrences(script, "set label 1 \"␣\""), 2);
  EXPECT_EQ(occurrences(script, "set label 2 \"\\\\n\""), 2);  // the label \n, backslash escaped
  EXPECT_EQ(occurrences(script, "set label 5 \"\\\"\""), 2);
  EXPECT_EQ(occurrences(script, "\nplot "), 2);
  EXPECT_NE(script.find("set title \"before\" font"), std::string::npos);
  EXPECT_NE(script.find("set title \"after\" font"), std::string::npos);

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(result, kPng);
}

TEST(PlotPca, TakesOtherPanelTitles) {
  TempDir dir;
  const double explained[2] = {0.5, 0.25};
  const std::vector<double> coords = {0, 1, 2, 3};
  plots::plot_pca_pair(dir.path(), "arms", {"a", "b"}, coords, explained, coords, explained, "",
                       {"baseline", "frozen"});
  const std::string script = read_text(dir.file("arms.gp"));
  EXPECT_NE(script.find("set title \"baseline\" font"), std::string::npos);
  EXPECT_NE(script.find("set title \"frozen\" font"), std::string::npos);
}

TEST(PlotPca, RejectsBadInput) {
  TempDir dir;
  const double ok[2] = {0.5, 0.2}, percent[2] = {42.0, 10.0};
  const std::vector<std::string> tokens = {"a", "b"};
  const std::vector<double> coords = {0, 1, 2, 3};
  EXPECT_THROW(plots::plot_pca_pair(dir.path(), "pca", tokens, {0, 1, 2}, ok, coords, ok, ""), Error);
  EXPECT_THROW(plots::plot_pca_pair(dir.path(), "pca", tokens, coords, ok, coords, percent, ""), Error);
  EXPECT_THROW(plots::plot_pca_pair(dir.path(), "../pca", tokens, coords, ok, coords, ok, ""), Error);
  EXPECT_THROW(plots::plot_pca_pair(dir.path(), "", tokens, coords, ok, coords, ok, ""), Error);
}

TEST(PlotHeatmap, WritesTheMatrixAndTokenTics) {
  TempDir dir;
  const int V = static_cast<int>(kTokens.size());
  std::vector<float> matrix(static_cast<std::size_t>(V) * V);
  for (int i = 0; i < V; ++i)
    for (int j = 0; j < V; ++j) matrix[i * V + j] = i == j ? 1.0f : std::cos(static_cast<float>(i * j));
  const PlotResult result = plots::plot_heatmap(dir.path(), "cosine_before", kTokens, matrix, V, "cosine at init");
  EXPECT_EQ(result.path, dir.file("cosine_before.png"));
  const std::string data = read_text(dir.file("cosine_before.dat"));
  EXPECT_EQ(data_rows(data), V);
  std::istringstream first_row(data.substr(data.find("\n1 ") + 1));
  int columns = 0;
  std::string line;
  std::getline(first_row, line);
  std::istringstream cells(line);
  for (double cell; cells >> cell;) ++columns;
  EXPECT_EQ(columns, V) << line;
  const std::string script = read_text(dir.file("cosine_before.gp"));
  EXPECT_NE(script.find("set cbrange [-1:1]"), std::string::npos);
  EXPECT_NE(script.find("set xtics (\"␣\" 0, \"\\\\n\" 1, \"a\" 2"), std::string::npos) << script;
  EXPECT_NE(script.find("\"%%\" 7"), std::string::npos);  // tic labels are formats: % doubled
  EXPECT_NE(script.find("\"cosine_before.dat\" matrix with image"), std::string::npos);

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(result, kPng);
}

TEST(PlotHeatmap, DropsTokenTicsForLargeVocabularies) {
  TempDir dir;
  const int V = 65;
  const std::vector<std::string> tokens(V, "t");
  plots::plot_heatmap(dir.path(), "cosine_after", tokens, std::vector<float>(V * V, 0.5f), V, "");
  const std::string script = read_text(dir.file("cosine_after.gp"));
  EXPECT_EQ(script.find("tics (\""), std::string::npos);
  EXPECT_NE(script.find("set xlabel 'token id'"), std::string::npos);
  EXPECT_THROW(plots::plot_heatmap(dir.path(), "c", tokens, std::vector<float>(V), V, ""), Error);
  EXPECT_THROW(plots::plot_heatmap(dir.path(), "c", tokens, {}, 0, ""), Error);
}

TEST(PlotNorms, WritesMeanStdAndRangePerStep) {
  TempDir dir;
  const PlotResult result =
      plots::plot_norms(dir.path(), {0, 100, 200}, {4, 5, 6}, {0.5, 0.6, 0.7}, {3, 3.5, 4}, {5, 6.5, 8});
  EXPECT_EQ(result.path, dir.file("norms.png"));
  const std::string data = read_text(dir.file("norms.dat"));
  EXPECT_EQ(data_rows(data), 3);
  EXPECT_NE(data.find("100 5 0.6 3.5 6.5\n"), std::string::npos) << data;
  const std::string script = read_text(dir.file("norms.gp"));
  EXPECT_EQ(occurrences(script, "filledcurves"), 2);
  EXPECT_THROW(plots::plot_norms(dir.path(), {0, 1}, {1, 2}, {1, 2}, {1}, {1, 2}), Error);

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(result, kPng);
}

TEST(PlotTrajectory, AnimatesEveryFrameAndSamplesTwelveForTheGrid) {
  TempDir dir;
  std::vector<plots::TrajectoryFrame> frames;
  for (int k = 0; k < 20; ++k) frames.push_back({100 * k, 3.0 - 0.05 * k, ramp_coords(kTokens.size(), 1 + k)});
  const std::vector<PlotResult> results = plots::plot_trajectory(dir.path(), kTokens, frames, "trajectory");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].path, dir.file("trajectory.gif"));
  EXPECT_EQ(results[1].path, dir.file("trajectory.png"));
  const std::string data = read_text(dir.file("trajectory.dat"));
  EXPECT_EQ(data_blocks(data), 20);
  EXPECT_EQ(data_rows(data), 20 * static_cast<int>(kTokens.size()));
  const std::string animation = read_text(dir.file("trajectory_gif.gp"));
  EXPECT_NE(animation.find("set terminal gif animate delay 40 loop 0"), std::string::npos);
  EXPECT_EQ(occurrences(animation, "\nplot "), 20);
  EXPECT_EQ(occurrences(animation, "set xrange"), 1);  // one range for all frames
  EXPECT_NE(animation.find("step 1900,  loss 2.0500"), std::string::npos);
  const std::string grid = read_text(dir.file("trajectory.gp"));
  EXPECT_NE(grid.find("set multiplot layout 3,4"), std::string::npos);
  EXPECT_EQ(occurrences(grid, "\nplot "), 12);
  EXPECT_NE(grid.find("\"step 0,  loss"), std::string::npos);
  EXPECT_NE(grid.find("\"step 1900,  loss"), std::string::npos);

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(results[0], kGif);
  expect_image(results[1], kPng);
  EXPECT_EQ(gif_frames(read_text(results[0].path)), 20);
}

// --log-every 1 over 20000 steps once asked gnuplot for a 20001-frame GIF (over 15 minutes): the frames are
// sampled down to a fixed budget, evenly, keeping the first and the last.
TEST(PlotTrajectory, SamplesManyLoggedStepsDownToTheFrameBudget) {
  TempDir dir;
  std::vector<plots::TrajectoryFrame> frames;
  for (int k = 0; k <= 2000; ++k) frames.push_back({10 * k, 3.0, ramp_coords(kTokens.size(), 1 + k % 7)});
  const int budget = static_cast<int>(plots::kMaxTrajectoryFrames);
  const ScopedEnv gnuplot("EMBGEO_GNUPLOT", "/nonexistent/gnuplot");  // the scripts are the subject here
  plots::plot_trajectory(dir.path(), kTokens, frames, "trajectory");
  EXPECT_EQ(data_blocks(read_text(dir.file("trajectory.dat"))), budget);
  const std::string animation = read_text(dir.file("trajectory_gif.gp"));
  EXPECT_EQ(occurrences(animation, "\nplot "), budget);
  EXPECT_NE(animation.find("step 0,  loss"), std::string::npos);
  EXPECT_NE(animation.find("step 20000,  loss"), std::string::npos);
  EXPECT_EQ(occurrences(read_text(dir.file("trajectory.gp")), "\nplot "), 12);
}

TEST(PlotTrajectory, HandlesASingleFrameAndRejectsRaggedOnes) {
  TempDir dir;
  const std::vector<std::string> tokens = {"a", "b"};
  plots::plot_trajectory(dir.path(), tokens, {{0, 1.0, {0, 0, 1, 1}}}, "");
  EXPECT_NE(read_text(dir.file("trajectory.gp")).find("set multiplot layout 1,1"), std::string::npos);
  EXPECT_THROW(plots::plot_trajectory(dir.path(), tokens, {{0, 1.0, {0, 0, 1, 1}}, {1, 1.0, {0, 0}}}, ""), Error);
  EXPECT_THROW(plots::plot_trajectory(dir.path(), tokens, {}, ""), Error);
}

TEST(PlotLines, WritesOneBlockPerSeriesWithReadableLogTics) {
  TempDir dir;
  const std::vector<plots::Series> series = {{"seed 0", {1, 2, 4, 8}, {3.0, 2.6, 2.3, 2.1}},
                                             {"seed 1 (lr=1e-3, 50%_x)", {1, 2, 4, 8}, {3.1, 2.7, 2.4, 2.2}}};
  const PlotResult result = plots::plot_lines(dir.path(), "loss_vs_dim", series, "loss vs D", "embedding dimension D",
                                              "val loss", true, true);
  EXPECT_EQ(result.path, dir.file("loss_vs_dim.png"));
  const std::string data = read_text(dir.file("loss_vs_dim.dat"));
  EXPECT_EQ(data_blocks(data), 2);
  EXPECT_EQ(data_rows(data), 8);
  const std::string script = read_text(dir.file("loss_vs_dim.gp"));
  EXPECT_NE(script.find("title \"seed 1 (lr=1e-3, 50%_x)\""), std::string::npos);
  EXPECT_NE(script.find("set logscale y"), std::string::npos);
  EXPECT_NE(script.find("set ytics (2.2, 2.4, 2.6, 2.8, 3, 3.2)"), std::string::npos) << script;  // not decades
  EXPECT_NE(script.find("set xtics (1, 2, 5)"), std::string::npos) << script;
  EXPECT_THROW(plots::plot_lines(dir.path(), "l", {{"zero", {0, 1}, {1, 1}}}, "", "", "", true, false), Error);
  EXPECT_THROW(plots::plot_lines(dir.path(), "l", {{"ragged", {1, 2}, {1}}}, "", "", "", false, false), Error);
  EXPECT_THROW(plots::plot_lines(dir.path(), "l", {}, "", "", "", false, false), Error);

  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed: rendering not checked";
  expect_image(result, kPng);
}

TEST(PlotRendering, WithoutGnuplotLeavesTheScriptAndSaysHowToRenderIt) {
  const ScopedEnv gnuplot("EMBGEO_GNUPLOT", "/nonexistent/gnuplot");
  EXPECT_FALSE(plots::gnuplot_available());
  TempDir dir;
  const PlotResult result = plots::plot_loss(dir.path(), {1, 2}, {2.0, 1.0}, {}, "t");
  EXPECT_FALSE(result.rendered);
  EXPECT_EQ(result.note, "gnuplot not found: wrote loss.gp; render with `cd " + dir.path() + " && gnuplot loss.gp`");
  EXPECT_TRUE(exists(dir.file("loss.dat")));
  EXPECT_TRUE(exists(dir.file("loss.gp")));
  EXPECT_FALSE(exists(dir.file("loss.png")));
  EXPECT_FALSE(has_temporary(std::string(dir.path())));

  const std::vector<PlotResult> both =
      plots::plot_trajectory(dir.path(), {"a"}, {{0, 1.0, {0, 0}}, {1, 0.5, {1, 1}}}, "");
  for (const PlotResult& r : both) {
    EXPECT_FALSE(r.rendered);
    EXPECT_NE(r.note.find("gnuplot not found"), std::string::npos);
  }
  EXPECT_NE(both[0].note.find("gnuplot trajectory_gif.gp`"), std::string::npos) << both[0].note;
}

TEST(PlotRendering, LooksGnuplotUpOnPath) {
  const ScopedEnv configured("EMBGEO_GNUPLOT", nullptr);
  const ScopedEnv path("PATH", "/nonexistent");
  EXPECT_FALSE(plots::gnuplot_available());
}

TEST(PlotRendering, AFailingGnuplotLeavesNoPartialImageAndReportsOneLine) {
  TempDir dir;
  // A stand-in gnuplot that starts writing its output file and then fails the way gnuplot does. It is
  // called as `gnuplot -d -e outfile="loss.png.tmp" loss.gp`; sh's eval of $3 sets $outfile.
  const std::string fake = dir.file("fake_gnuplot");
  write_file_atomically(fake,
                        "#!/bin/sh\n"
                        "eval \"$3\"\n"
                        "printf partial > \"$outfile\"\n"
                        "echo 'plot nothing' >&2\n"
                        "echo '\"loss.gp\" line 9: simulated failure' >&2\n"
                        "exit 1\n");
  ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
  const ScopedEnv gnuplot("EMBGEO_GNUPLOT", fake.c_str());
  const std::string out = dir.file("out");
  const PlotResult result = plots::plot_loss(out, {1, 2}, {2.0, 1.0}, {}, "t");
  EXPECT_FALSE(result.rendered);
  EXPECT_EQ(result.note, "gnuplot failed on " + out +
                             "/loss.gp: \"loss.gp\" line 9: simulated failure (exit status 1); loss.png not drawn");
  EXPECT_FALSE(exists(out + "/loss.png"));
  EXPECT_FALSE(has_temporary(out));
}

// gnuplot exits 0 when the disk fills up under it: a PNG without its end chunk (or a GIF without its trailer)
// is not moved into place, and the note says why.
TEST(PlotRendering, ATruncatedImageIsNotMovedIntoPlace) {
  TempDir dir;
  for (const char* truncated : {"\\211PNG\\r\\n\\032\\nIHDR", "GIF89a partial"}) {
    SCOPED_TRACE(truncated);
    const std::string fake = dir.file("full_disk_gnuplot");
    write_file_atomically(fake, std::string("#!/bin/sh\neval \"$3\"\nprintf '") + truncated + "' > \"$outfile\"\nexit 0\n");
    ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
    const ScopedEnv gnuplot("EMBGEO_GNUPLOT", fake.c_str());
    const std::string out = dir.file("out");
    if (truncated[0] == 'G') {
      const std::vector<PlotResult> both = plots::plot_trajectory(out, {"a"}, {{0, 1.0, {0, 0}}, {1, 0.5, {1, 1}}}, "");
      EXPECT_FALSE(both[0].rendered);
      EXPECT_NE(both[0].note.find("trajectory.gif is truncated (no GIF trailer"), std::string::npos) << both[0].note;
      EXPECT_FALSE(exists(out + "/trajectory.gif"));
    } else {
      const PlotResult result = plots::plot_loss(out, {1, 2}, {2.0, 1.0}, {}, "t");
      EXPECT_FALSE(result.rendered);
      EXPECT_EQ(result.note, "gnuplot failed on " + out + "/loss.gp: loss.png is truncated (no PNG end chunk; disk full?); "
                             "loss.png not drawn");
      EXPECT_FALSE(exists(out + "/loss.png"));
    }
    EXPECT_FALSE(has_temporary(out));
  }
}

// Every gnuplot run has a time limit; past it gnuplot (and what it started) is stopped and the note names the
// picture that was not drawn.
TEST(PlotRendering, AGnuplotThatRunsTooLongIsStoppedAndNamed) {
  TempDir dir;
  const std::string fake = dir.file("slow_gnuplot");
  write_file_atomically(fake, "#!/bin/sh\nexec sleep 60\n");
  ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
  const ScopedEnv gnuplot("EMBGEO_GNUPLOT", fake.c_str());
  const ScopedEnv limit("EMBGEO_GNUPLOT_TIMEOUT", "1");
  const std::string out = dir.file("out");
  const auto start = std::chrono::steady_clock::now();
  const PlotResult result = plots::plot_loss(out, {1, 2}, {2.0, 1.0}, {}, "t");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(result.rendered);
  EXPECT_EQ(result.note,
            "gnuplot failed on " + out + "/loss.gp: ran longer than 1 s and was stopped; loss.png not drawn");
  EXPECT_FALSE(has_temporary(out));
}

// Draws loss.png in `out` and, once the stand-in gnuplot has written `pid_file`, sends this process SIGTERM.
[[noreturn]] void draw_until_terminated(const std::string& out, const std::string& pid_file) {
  std::thread([pid_file] {
    while (!exists(pid_file)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(::getpid(), SIGTERM);
  }).detach();
  plots::plot_loss(out, {1, 2}, {2.0, 1.0}, {}, "t");
  std::exit(0);  // not reached while gnuplot sleeps
}

// Running and not a zombie waiting for its (new) parent to reap it.
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t state = line.rfind(')') + 2;
  return state < line.size() && line[state] != 'Z' && line[state] != 'X';
}

// A terminating signal while gnuplot draws stops gnuplot too (no orphan keeps drawing) and removes its partial
// output, and the process still dies of that signal.
TEST(PlotRendering, ATerminatingSignalStopsGnuplotAndLeavesNoPartialImage) {
  TempDir dir;
  const std::string fake = dir.file("slow_gnuplot"), pid_file = dir.file("gnuplot.pid"), out = dir.file("out");
  write_file_atomically(fake, "#!/bin/sh\neval \"$3\"\nprintf partial > \"$outfile\"\necho $$ > '" + pid_file +
                                  "'\nexec sleep 60\n");
  ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
  const ScopedEnv gnuplot("EMBGEO_GNUPLOT", fake.c_str());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EXIT(draw_until_terminated(out, pid_file), ::testing::KilledBySignal(SIGTERM), "");
  // The death test waits for every holder of its pipe: an orphaned gnuplot would hold it for its full 60 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "gnuplot outlived us";
  ASSERT_TRUE(exists(pid_file));
  const pid_t gnuplot_pid = std::stoi(read_text(pid_file));
  for (int i = 0; i < 200 && running(gnuplot_pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(running(gnuplot_pid)) << "gnuplot " << gnuplot_pid << " still runs after we were terminated";
  EXPECT_FALSE(has_temporary(out));
}

TEST(PlotRendering, RerenderingReplacesTheImage) {
  if (!plots::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  TempDir dir;
  const PlotResult first = plots::plot_loss(dir.path(), {1, 2}, {2.0, 1.0}, {}, "first");
  const std::string before = read_text(first.path);
  const PlotResult second = plots::plot_loss(dir.path(), {1, 2, 3}, {2.0, 1.0, 0.5}, {}, "second");
  expect_image(second, kPng);
  EXPECT_NE(read_text(second.path), before);
}

}  // namespace
}  // namespace embgeo
