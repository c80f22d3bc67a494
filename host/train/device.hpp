#pragma once
// Turning `--device auto|cpu|cpu-reference|N` into a backend.
#include <memory>
#include <string>

#include "embgeo/backend.hpp"

namespace embgeo {

struct DeviceChoice {
  bool cuda = false;
  int index = 0;  // CUDA ordinal when cuda
  CpuPath cpu_path = CpuPath::kFast;  // when not cuda
  bool emulated = false;  // cuda on the emulated device (embgeo-cuda-emu): its times are not GPU figures
};

// "auto": GPU 0 when one exists (for the rank with `local_rank` among the ranks on its machine: GPU
// local_rank % GPUs), else the CPU with `notice` set to a one-line explanation.
// "cpu": the fast CPU path. "cpu-reference": the plain reference loops (slow; the judge of the others).
// "N": CUDA device N; an error when it does not exist.
DeviceChoice resolve_device(const std::string& spec, std::string* notice, int local_rank = 0);

std::unique_ptr<Backend> make_backend(const DeviceChoice& device, const BackendConfig& config);

std::string device_label(const DeviceChoice& device);  // "cpu", "cpu-reference", "cuda:N" or "cuda:N (emulated)"

// The CPU threads a run gives OpenBLAS: `requested` (0 keeps OpenBLAS's default) capped at the cores this
// process may run on. More only cost memory: each OpenBLAS thread gets its own buffers, and under an
// address-space limit OpenBLAS spins forever trying to allocate them.
int usable_cpu_threads(int requested);

}  // namespace embgeo
