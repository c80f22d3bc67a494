#pragma once
// Every CUDA and cuBLAS call goes through these: a failure throws embgeo::Error with the call's text and
// file:line, which main() prints as one line. Every kernel launch goes through launch(), which checks it.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <utility>

#include "embgeo/error.hpp"

// A failed call's error is also cleared (cudaGetLastError), so the next check does not report it again.
#define CUDA_CHECK(call)                                                                                      \
  do {                                                                                                        \
    const cudaError_t cuda_check_status = (call);                                                             \
    if (cuda_check_status != cudaSuccess && (cudaGetLastError(), true))                                       \
      ::embgeo::fail("CUDA error ", cudaGetErrorName(cuda_check_status), " (", cudaGetErrorString(cuda_check_status), \
                     ") in ", #call, " at ", __FILE__, ":", __LINE__);                                        \
  } while (0)

#define CUBLAS_CHECK(call)                                                                                    \
  do {                                                                                                        \
    const cublasStatus_t cublas_check_status = (call);                                                        \
    if (cublas_check_status != CUBLAS_STATUS_SUCCESS)                                                         \
      ::embgeo::fail("cuBLAS error ", cublasGetStatusName(cublas_check_status), " in ", #call, " at ", __FILE__, \
                     ":", __LINE__);                                                                          \
  } while (0)

#define check_launch() CUDA_CHECK(cudaGetLastError())

namespace embgeo::cuda {

// cuBLAS launchers take the handle already bound to `stream` (StreamAndBlas does it once). They must not
// rebind it: cublasSetStream also resets the handle's workspace, which graph capture depends on.
inline void check_bound_stream(cublasHandle_t cublas, cudaStream_t stream) {
  cudaStream_t bound = nullptr;
  CUBLAS_CHECK(cublasGetStream(cublas, &bound));
  if (bound != stream) fail("internal: cuBLAS handle is bound to another stream");
}

// kernel<<<grid, block, shared_bytes, stream>>>(args...) and its check. nvcc compiles the launch as written;
// the emulated device (host/emu/, where these files are compiled as C++) runs the same kernel on CPU fibers.
template <typename... Params, typename... Args>
void launch_with_shared_memory(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared_bytes,
                               cudaStream_t stream, Args&&... args) {
#if defined(__CUDACC__)
  kernel<<<grid, block, shared_bytes, stream>>>(std::forward<Args>(args)...);
#else
  embgeo_emu::launch(kernel, grid, block, shared_bytes, stream, std::forward<Args>(args)...);
#endif
  check_launch();
}

// A launch without dynamic shared memory.
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream, Args&&... args) {
  launch_with_shared_memory(kernel, grid, block, 0, stream, std::forward<Args>(args)...);
}

// The block's dynamic shared memory (the shared_bytes of its launch), 16-byte aligned.
template <typename T>
__device__ T* dynamic_shared() {
#if defined(__CUDACC__)
  extern __shared__ __align__(16) unsigned char dynamic_shared_bytes[];
  return reinterpret_cast<T*>(dynamic_shared_bytes);
#else
  return static_cast<T*>(embgeo_emu::dynamic_shared_memory());
#endif
}

// Threads that walk a row of D floats: whole warps, up to 256, so a warp reads one contiguous stretch of it.
inline int row_threads(int D) { return D >= 256 ? 256 : std::max(32, ((D + 31) / 32) * 32); }

// Blocks needed to cover `work` items with `per_block` each, capped at what a 1-D grid allows.
inline unsigned int blocks_for(std::size_t work, unsigned int per_block) {
  const std::size_t blocks = (work + per_block - 1) / per_block;
  return static_cast<unsigned int>(blocks < 65535u * 32u ? (blocks > 0 ? blocks : 1) : 65535u * 32u);
}

// A grid for a row-major (rows, cols) pass: blockIdx.y walks the rows, the x-blocks the columns of a row, so a
// kernel indexes by row and column instead of dividing a 64-bit flat index per element.
inline dim3 row_column_grid(int rows, int cols, unsigned int per_block) {
  return dim3(blocks_for(static_cast<std::size_t>(cols), per_block),
              static_cast<unsigned int>(rows < 1 ? 1 : (rows < 65535 ? rows : 65535)));
}

}  // namespace embgeo::cuda
