// The correctly rounded CUDA intrinsics, out of line: a separate function cannot be fused into an FMA with the
// caller's arithmetic, so each keeps the single rounding its name promises.
#include <cmath>

#include "cuda_runtime.h"

float __fadd_rn(float a, float b) { return a + b; }
float __fmul_rn(float a, float b) { return a * b; }
float __fdiv_rn(float a, float b) { return a / b; }
float __fsqrt_rn(float a) { return std::sqrt(a); }
float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
