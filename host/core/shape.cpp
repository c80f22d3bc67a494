#include "embgeo/shape.hpp"

#include "embgeo/error.hpp"

namespace embgeo {

void validate_shape(const ModelShape& s) {
  auto check = [](const char* flag, long long value, long long max) {
    if (value < 1 || value > max) fail(flag, " must be in [1, ", max, "], got ", value);
  };
  check("vocabulary size", s.V, kMaxVocab);
  check("--dim", s.D, kMaxDim);
  check("--ctx", s.C, kMaxContext);
  check("--batch", s.B, kMaxBatch);
  check("--batch × --ctx", static_cast<long long>(s.B) * s.C, kMaxBatchTokens);
}

}  // namespace embgeo
