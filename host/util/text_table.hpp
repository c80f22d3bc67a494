#pragma once
// A small table rendered either as aligned console text or as a Markdown pipe table, so the console and
// report.md show the same rows from one construction.
#include <string>
#include <vector>

namespace embgeo {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  std::string text() const;      // columns padded to their widest cell (counted in code points)
  std::string markdown() const;  // '|' in cells escaped

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double value, int precision);           // "0.123"
std::string signed_fixed(double value, int precision);    // "+0.123" / "-0.123"
std::string scientific(double value);
std::string human_bytes(double bytes);                     // "512 B", "3.2 MiB", "1.5 GiB"                      // "1.2e-07"

}  // namespace embgeo
