// GPU discovery that works on machines without a GPU or driver: those errors mean "none", not a crash.
#include "cuda_check.cuh"
#include "embgeo/cuda_backend.hpp"

namespace embgeo {
namespace {

std::string cuda_version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// cudaErrorInsufficientDriver: the installed driver is older than the runtime, or there is none at all.
std::string driver_problem() {
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);  // 0 when no driver is installed
  cudaRuntimeGetVersion(&runtime);
  if (driver == 0) return "no CUDA driver installed (runtime " + cuda_version_text(runtime) + ")";
  return "the CUDA driver (" + cuda_version_text(driver) + ") is older than the runtime (" + cuda_version_text(runtime) +
         ") this binary was built with";
}

}  // namespace

GpuInventory query_gpus() {
  GpuInventory inventory;
  const cudaError_t status = cudaGetDeviceCount(&inventory.count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls are not blamed for it
    inventory.count = 0;
    inventory.why_none = status == cudaErrorInsufficientDriver ? driver_problem()
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
