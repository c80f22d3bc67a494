// Element-wise comparison against the judge's tensor, |got − want| ≤ atol + rtol·|want| with atol scaled to
// max|want|, recording the worst absolute and relative errors and the first mismatches.
#include "verify/compare.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace embgeo {

Tolerance scaled_tolerance(const std::vector<float>& want, double atol_fraction, double rtol) {
  double scale = 0;
  for (float w : want) scale = std::max(scale, std::fabs(static_cast<double>(w)));
  return {std::max(atol_fraction * scale, 1e-30), rtol};
}

Comparison compare_tensors(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                           Tolerance tolerance) {
  Comparison c;
  c.what = what;
  c.tolerance = tolerance;
  c.elements = want.size();
  if (got.size() != want.size()) {
    c.mismatches = std::max(got.size(), want.size());
    c.max_abs = c.max_rel = INFINITY;
    c.first_mismatches.push_back("size " + std::to_string(got.size()) + " != " + std::to_string(want.size()));
    return c;
  }
  const double floor = tolerance.rtol > 0 ? tolerance.atol / tolerance.rtol : tolerance.atol;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    const double err = std::fabs(g - w);
    const bool ok = err <= tolerance.atol + tolerance.rtol * std::fabs(w);  // false for NaN
    const double rel = err / std::max(std::fabs(w), std::max(floor, 1e-30));
    c.max_abs = std::isnan(err) ? NAN : std::max(c.max_abs, err);
    c.max_rel = std::isnan(rel) ? NAN : std::max(c.max_rel, rel);
    if (!ok) {
      if (c.first_mismatches.size() < 5) {
        std::ostringstream line;
        line << "[" << i << "] got " << g << " want " << w;
        c.first_mismatches.push_back(line.str());
      }
      ++c.mismatches;
    }
  }
  return c;
}

}  // namespace embgeo
