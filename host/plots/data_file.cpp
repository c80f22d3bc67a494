// The gnuplot .dat text (rows of numbers, '#' comments, blank-line-separated blocks) and writing plot files
// into a plot directory.
#include "plots/plot_support.hpp"
#include "util/atomic_file.hpp"

namespace embgeo {
namespace plots {
namespace detail {

namespace {
// A comment must stay on its line, or the rest of it would be read as data.
std::string one_line(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}
}  // namespace

void DataFile::comment(const std::string& text) { text_ += "# " + one_line(text) + "\n"; }

void DataFile::row(const std::vector<double>& values, const std::string& note) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_ += ' ';
    text_ += number(values[i]);
  }
  if (!note.empty()) text_ += "  # " + one_line(note);
  text_ += '\n';
}

void DataFile::next_block() { text_ += "\n\n"; }

void write_plot_file(const std::string& dir, const std::string& file, const std::string& text) {
  make_directories(dir);
  write_file_atomically(join_path(dir, file), text);
}

}  // namespace detail
}  // namespace plots
}  // namespace embgeo
