#pragma once
// Stand-in for <cuda_bf16.h>: bfloat16 storage with round-to-nearest-even from float, exact to float.
#include <cstdint>
#include <cstring>

struct __nv_bfloat16 {
  unsigned short __x;

  __nv_bfloat16() = default;
  __nv_bfloat16(float f) : __x(from_float(f)) {}
  // Through float: double rounding can differ from a direct conversion only at exact float ties (rare).
  __nv_bfloat16(double d) : __x(from_float(static_cast<float>(d))) {}
  operator float() const {
    const std::uint32_t bits = static_cast<std::uint32_t>(__x) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }

 private:
  static unsigned short from_float(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<unsigned short>((bits >> 16) | 0x0040u);  // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);  // round half to even on the 16 dropped bits
    return static_cast<unsigned short>(bits >> 16);
  }
};
static_assert(sizeof(__nv_bfloat16) == 2, "bf16 storage must be 16 bits");

inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
inline float __bfloat162float(__nv_bfloat16 h) { return static_cast<float>(h); }
