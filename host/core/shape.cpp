// Range checks of the model dimensions (V, D, C, B and B·C) against their limits, with messages naming the
// command-line option.
#include "embgeo/shape.hpp"

#include "embgeo/error.hpp"

namespace embgeo {

void check_dimension(const char* what, long long value, long long max) {
  if (value < 1 || value > max) fail(what, " must be in [1, ", max, "], got ", value);
}

void validate_shape(const ModelShape& s) {
  check_dimension("vocabulary size", s.V, kMaxVocab);
  check_dimension("--dim", s.D, kMaxDim);
  check_dimension("--ctx", s.C, kMaxContext);
  check_dimension("--batch", s.B, kMaxBatch);
  check_dimension("--batch × --ctx", static_cast<long long>(s.B) * s.C, kMaxBatchTokens);
  if (s.pooling.pool == Pool::kConcat) check_dimension("--ctx × --dim (--pool concat)", static_cast<long long>(s.C) * s.D, kMaxDim);
}

}  // namespace embgeo
