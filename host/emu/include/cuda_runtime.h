#pragma once
// Stand-in for <cuda_runtime.h> in the emulated-device build: kernels/*.cu compile as plain C++ and run on
// the CPU through the runtime in host/emu/. An nvcc build must never find this directory.
#if defined(__CUDACC__)
#error "host/emu/include holds the emulated device's stand-ins for CUDA headers; nvcc must use the real ones"
#endif

#include "embgeo_emu/device_functions.h"
#include "embgeo_emu/launch.hpp"
#include "embgeo_emu/runtime_api.h"
