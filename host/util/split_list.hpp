#pragma once
// "a,b,,c" → {"a", "b", "", "c"}: empty items are kept, so each caller decides what an empty one means.
#include <string>
#include <vector>

namespace embgeo {

inline std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

}  // namespace embgeo
