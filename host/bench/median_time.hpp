#pragma once
// Wall-clock timing for the CPU benchmarks: one warm-up call, then the median of `repeats` calls.
#include <algorithm>
#include <chrono>
#include <vector>

namespace embgeo {

template <typename F>
double median_seconds(int repeats, F&& work) {
  work();  // warm-up
  std::vector<double> s;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    work();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
  return s[s.size() / 2];
}

}  // namespace embgeo
