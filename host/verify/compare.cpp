// Element-wise comparison against the judge's tensor, |got − want| ≤ atol + rtol·|want| with atol scaled to
// max|want|, recording the worst absolute and relative errors and the first mismatches; and the same for the
// update an optimizer step made.
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

namespace {

// The loop both comparisons share: element i passes when |got − want| ≤ allowed(i) (false for NaN).
template <typename Got, typename Want, typename Allowed>
Comparison compare_elements(const std::string& what, std::size_t n, Got got, Want want, Allowed allowed,
                            Tolerance tolerance) {
  Comparison c;
  c.what = what;
  c.tolerance = tolerance;
  c.elements = n;
  const double floor = tolerance.rtol > 0 ? tolerance.atol / tolerance.rtol : tolerance.atol;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = got(i), w = want(i);
    const double err = std::fabs(g - w);
    const bool ok = err <= allowed(i, w);
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

Comparison size_mismatch(const std::string& what, std::size_t got, std::size_t want) {
  Comparison c;
  c.what = what;
  c.elements = want;
  c.mismatches = std::max(got, want);
  c.max_abs = c.max_rel = INFINITY;
  c.first_mismatches.push_back("size " + std::to_string(got) + " != " + std::to_string(want));
  return c;
}

}  // namespace

Comparison compare_tensors(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                           Tolerance tolerance) {
  if (got.size() != want.size()) return size_mismatch(what, got.size(), want.size());
  return compare_elements(
      what, want.size(), [&](std::size_t i) { return double{got[i]}; }, [&](std::size_t i) { return double{want[i]}; },
      [&](std::size_t, double w) { return tolerance.atol + tolerance.rtol * std::fabs(w); }, tolerance);
}

Comparison compare_updates(const std::string& what, const std::vector<float>& before, const std::vector<float>& got,
                           const std::vector<float>& want, double atol_fraction, double rtol) {
  if (got.size() != want.size() || before.size() != want.size())
    return size_mismatch(what, got.size(), want.size());
  double scale = 0;
  for (std::size_t i = 0; i < want.size(); ++i) scale = std::max(scale, std::fabs(double{want[i]} - before[i]));
  const Tolerance tolerance{std::max(atol_fraction * scale, 1e-30), rtol};
  auto ulp = [](float x) { return std::nextafter(std::fabs(x), INFINITY) - std::fabs(x); };
  return compare_elements(
      what, want.size(), [&](std::size_t i) { return double{got[i]} - before[i]; },
      [&](std::size_t i) { return double{want[i]} - before[i]; },
      [&](std::size_t i, double w) {
        return 2.0 * ulp(std::max(std::fabs(before[i]), std::fabs(want[i]))) + tolerance.atol + rtol * std::fabs(w);
      },
      tolerance);
}

}  // namespace embgeo
