#pragma once
// What kernel code sees besides the runtime API: CUDA's keywords, the thread coordinates, barriers, atomics and
// device math, mapped onto a CPU where all threads of a launch run as cooperative fibers on one OS thread.
#include <math.h>

#include <cmath>
#include <cstring>

#include "embgeo_emu/runtime_api.h"

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __launch_bounds__(...)
// Blocks run one after another and kernels one at a time, so a function-local static is exactly one block's
// shared memory. All of them live in one section, which the scheduler fills with a loud pattern before a block
// (NaN floats, -1 ints): a kernel reading shared memory it never wrote, or a value a previous block left, goes
// visibly wrong instead of finding zeros. Dynamic shared memory (`extern __shared__` on a GPU) is a buffer of
// exactly the launch's size, filled the same way, that kernels reach through dynamic_shared_memory().
#define __shared__ __attribute__((section("embgeo_emu_shared"))) static

namespace embgeo_emu::detail {

// The coordinates of the emulated thread that is running now; written by the block scheduler.
struct KernelCoordinates {
  uint3 thread_idx;
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
  void* dynamic_shared;  // the launch's dynamic shared memory (nullptr when it asked for none)
};
extern KernelCoordinates g_coordinates;

}  // namespace embgeo_emu::detail

namespace embgeo_emu {
inline void* dynamic_shared_memory() { return detail::g_coordinates.dynamic_shared; }
}  // namespace embgeo_emu

#define threadIdx (static_cast<const uint3&>(::embgeo_emu::detail::g_coordinates.thread_idx))
#define blockIdx (static_cast<const uint3&>(::embgeo_emu::detail::g_coordinates.block_idx))
#define blockDim (static_cast<const dim3&>(::embgeo_emu::detail::g_coordinates.block_dim))
#define gridDim (static_cast<const dim3&>(::embgeo_emu::detail::g_coordinates.grid_dim))
inline constexpr int warpSize = 32;

// Suspends the calling thread's fiber until every thread of its block has arrived; aborts on a barrier that
// not all threads reach.
void __syncthreads();
// A barrier over the calling thread's warp (32 consecutive linear thread ids); only the full mask is modelled.
void __syncwarp(unsigned int mask = 0xffffffffu);
// One OS thread runs every emulated thread, so every write is already visible to every later read.
inline void __threadfence() {}
inline void __threadfence_block() {}

// Fibers switch only at barriers, so a plain read-modify-write is atomic. Each returns the old value.
namespace embgeo_emu::detail {
template <typename T, typename Op>
inline T read_modify_write(T* address, Op op) {
  const T old = *address;
  *address = op(old);
  return old;
}
}  // namespace embgeo_emu::detail

#define EMBGEO_EMU_ATOMIC(name, T, expr)                                                                          \
  inline T name(T* address, T val) {                                                                              \
    return ::embgeo_emu::detail::read_modify_write(address, [val]([[maybe_unused]] T old) -> T { return expr; }); \
  }
EMBGEO_EMU_ATOMIC(atomicAdd, int, old + val)
EMBGEO_EMU_ATOMIC(atomicAdd, unsigned int, old + val)
EMBGEO_EMU_ATOMIC(atomicAdd, unsigned long long, old + val)
EMBGEO_EMU_ATOMIC(atomicAdd, float, old + val)
EMBGEO_EMU_ATOMIC(atomicAdd, double, old + val)
EMBGEO_EMU_ATOMIC(atomicSub, int, old - val)
EMBGEO_EMU_ATOMIC(atomicSub, unsigned int, old - val)
EMBGEO_EMU_ATOMIC(atomicMax, int, old > val ? old : val)
EMBGEO_EMU_ATOMIC(atomicMax, unsigned int, old > val ? old : val)
EMBGEO_EMU_ATOMIC(atomicMax, unsigned long long, old > val ? old : val)
EMBGEO_EMU_ATOMIC(atomicMin, int, old < val ? old : val)
EMBGEO_EMU_ATOMIC(atomicMin, unsigned int, old < val ? old : val)
EMBGEO_EMU_ATOMIC(atomicMin, unsigned long long, old < val ? old : val)
EMBGEO_EMU_ATOMIC(atomicExch, int, val)
EMBGEO_EMU_ATOMIC(atomicExch, unsigned int, val)
EMBGEO_EMU_ATOMIC(atomicExch, unsigned long long, val)
EMBGEO_EMU_ATOMIC(atomicExch, float, val)
#undef EMBGEO_EMU_ATOMIC

template <typename T>
inline T atomicCAS(T* address, T compare, T val) {
  return ::embgeo_emu::detail::read_modify_write(address, [&](T old) { return old == compare ? val : old; });
}

// Device math. Functions named like the host's (expf, logf, sqrt, pow, ...) are the host's. The _rn
// intrinsics are compiled out of line (device_math.cpp) so the host compiler cannot fuse them into an FMA,
// which would change their rounding.
float __fadd_rn(float a, float b);
float __fmul_rn(float a, float b);
float __fdiv_rn(float a, float b);
float __fsqrt_rn(float a);
float __fmaf_rn(float a, float b, float c);
// CUDA's integer min and max, which device code calls unqualified.
#define EMBGEO_EMU_MIN_MAX(T)                          \
  inline T min(T a, T b) { return b < a ? b : a; } \
  inline T max(T a, T b) { return a < b ? b : a; }
EMBGEO_EMU_MIN_MAX(int)
EMBGEO_EMU_MIN_MAX(unsigned int)
EMBGEO_EMU_MIN_MAX(long long)
EMBGEO_EMU_MIN_MAX(unsigned long long)
#undef EMBGEO_EMU_MIN_MAX
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
template <typename T>
inline T __ldg(const T* address) {
  return *address;
}
