// Min, max, median, mean and standard deviation of a sample of finite values.
#include <algorithm>
#include <cmath>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {

Summary summarize(std::vector<double> values) {
  if (values.empty()) fail("summarize: no values");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) fail("summarize: non-finite value ", values[i], " at index ", i);
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();

  Summary s;
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / n;
  // Two passes: subtracting the mean first keeps the variance accurate when values sit far from zero.
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(squares / n);
  return s;
}

}  // namespace embgeo::metrics
