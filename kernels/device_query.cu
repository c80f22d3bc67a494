// GPU discovery that works on machines without a GPU or driver: those errors mean "none", not a crash.
#include "cuda_check.cuh"
#include "embgeo/cuda_backend.hpp"

namespace embgeo {

GpuInventory query_gpus() {
  GpuInventory inventory;
  const cudaError_t status = cudaGetDeviceCount(&inventory.count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls are not blamed for it
    inventory.count = 0;
    inventory.why_none = status == cudaErrorInsufficientDriver ? "no CUDA driver installed"
                         : status == cudaErrorNoDevice         ? "no CUDA device present"
                                                               : std::string("CUDA unavailable: ") + cudaGetErrorName(status);
  } else if (inventory.count == 0) {
    inventory.why_none = "no CUDA device present";
  }
#if defined(EMBGEO_EMULATED_DEVICE)
  inventory.emulated = true;
#endif
  return inventory;
}

GpuMemory gpu_memory(int device) {
  GpuMemory memory;
  CUDA_CHECK(cudaSetDevice(device));
  CUDA_CHECK(cudaMemGetInfo(&memory.free_bytes, &memory.total_bytes));
  cudaDeviceProp props{};
  CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  memory.name = props.name;
  return memory;
}

std::size_t gpu_used_bytes(int device) {
  const GpuMemory memory = gpu_memory(device);
  return memory.total_bytes - memory.free_bytes;
}

}  // namespace embgeo
