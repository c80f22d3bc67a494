#pragma once
// Every CUDA and cuBLAS call goes through these: a failure throws embgeo::Error with the call's text and
// file:line, which main() prints as one line. check_launch() follows every <<<>>>.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "embgeo/error.hpp"

#define CUDA_CHECK(call)                                                                                      \
  do {                                                                                                        \
    const cudaError_t cuda_check_status = (call);                                                             \
    if (cuda_check_status != cudaSuccess)                                                                     \
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

// Blocks needed to cover `work` items with `per_block` each, capped at what a 1-D grid allows.
inline unsigned int blocks_for(std::size_t work, unsigned int per_block) {
  const std::size_t blocks = (work + per_block - 1) / per_block;
  return static_cast<unsigned int>(blocks < 65535u * 32u ? (blocks > 0 ? blocks : 1) : 65535u * 32u);
}

}  // namespace embgeo::cuda
