// --device to a DeviceChoice (auto, cpu, cpu-reference or a CUDA device number, checked against the GPUs
// present), the backend for that choice, and its label.
#include "train/device.hpp"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"

namespace embgeo {

DeviceChoice resolve_device(const std::string& spec, std::string* notice, int local_rank) {
  if (spec == "cpu") return {false, 0, CpuPath::kFast};
  if (spec == "cpu-reference") return {false, 0, CpuPath::kReference};
  if (spec == "auto") {
    const GpuInventory gpus = query_gpus();
    if (gpus.count > 0) return {true, local_rank % gpus.count, CpuPath::kFast, gpus.emulated};
    if (notice) *notice = "note: no CUDA GPU found (" + gpus.why_none + "); running on the CPU";
    return {false, 0};
  }
  const bool numeric = !spec.empty() && spec.size() <= 4 &&
                       std::all_of(spec.begin(), spec.end(), [](unsigned char ch) { return std::isdigit(ch); });
  if (!numeric) fail("--device must be auto, cpu, cpu-reference or a CUDA device number, got '", spec, "'");
  const int index = std::stoi(spec);
  const GpuInventory gpus = query_gpus();
  if (gpus.count == 0) fail("--device ", index, ": no CUDA GPU is available (", gpus.why_none, "); use --device cpu");
  if (index >= gpus.count) fail("--device ", index, ": only ", gpus.count, " CUDA device(s) present (0..", gpus.count - 1, ")");
  return {true, index, CpuPath::kFast, gpus.emulated};
}

std::unique_ptr<Backend> make_backend(const DeviceChoice& device, const BackendConfig& config) {
  return device.cuda ? make_cuda_backend(device.index, config) : make_cpu_backend(config, device.cpu_path);
}

std::string device_label(const DeviceChoice& device) {
  if (!device.cuda) return cpu_path_name(device.cpu_path);
  return "cuda:" + std::to_string(device.index) + (device.emulated ? " (emulated)" : "");
}

int usable_cpu_threads(int requested) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  // The affinity mask is what this process may use (taskset, cgroups' cpusets); the core count is the fallback.
  const int cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0
                        ? CPU_COUNT(&allowed)
                        : static_cast<int>(std::thread::hardware_concurrency());
  return cores > 0 ? std::min(requested, cores) : requested;
}

}  // namespace embgeo
