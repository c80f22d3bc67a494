#pragma once
// Marks a small function that both the host compiler and nvcc build, so CPU and CUDA code share one copy.
#if defined(__CUDACC__)
#define EMBGEO_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define EMBGEO_HOST_DEVICE inline
#endif
