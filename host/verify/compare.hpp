#pragma once
// Element-wise comparison of a tensor against the CPU judge: |got − want| ≤ atol + rtol·|want|.
#include <cstddef>
#include <string>
#include <vector>

namespace embgeo {

struct Tolerance {
  double atol = 0;
  double rtol = 0;
};

struct Comparison {
  std::string what;
  std::size_t elements = 0;
  std::size_t mismatches = 0;
  double max_abs = 0;
  // Largest |got − want| / max(|want|, atol/rtol): below the crossover the absolute term governs, so tiny
  // reference values do not make the relative error meaningless.
  double max_rel = 0;
  Tolerance tolerance;
  std::vector<std::string> first_mismatches;  // "i=12 got 0.1 want 0.2", at most 5
  bool pass() const { return mismatches == 0; }
};

// atol is `atol_fraction`·max|want| (at least 1e-30), so one tolerance serves tensors of any scale.
Tolerance scaled_tolerance(const std::vector<float>& want, double atol_fraction, double rtol);

Comparison compare_tensors(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                           Tolerance tolerance);

// An optimizer step judged by the update it made, not the values it left: (got − before) against
// (want − before), each element within 2 ulp of its value (the rounding any float update suffers) +
// atol_fraction·max|update| + rtol·|update|. A value comparison cannot see a step of lr·g ≈ 1e-6 on values
// near 1 (that is below its tolerance), so a backend skipping the update would pass one.
Comparison compare_updates(const std::string& what, const std::vector<float>& before, const std::vector<float>& got,
                           const std::vector<float>& want, double atol_fraction, double rtol);

}  // namespace embgeo
