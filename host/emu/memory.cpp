// Device and pinned memory: exact-size host allocations (so AddressSanitizer catches a one-element overrun)
// in a registry that lets copies, cuBLAS and CUB check their pointers as a GPU's MMU would.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "cuda_runtime.h"
#include "emu_internal.hpp"

namespace embgeo_emu::detail {
namespace {

enum class MemoryKind { kDevice, kPinnedHost };

struct Allocation {
  std::size_t bytes;
  MemoryKind kind;
};

// cudaMalloc's alignment: vectorized kernels and cuBLAS workspaces may rely on it.
constexpr std::size_t kAlignment = 256;

struct Registry {
  std::mutex mutex;
  std::map<std::uintptr_t, Allocation> allocations;  // by start address
  std::size_t device_bytes = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::size_t total_device_bytes() {
  static const std::size_t total = [] {
    const char* mb = std::getenv("EMBGEO_EMU_MEMORY_MB");
    if (mb == nullptr || *mb == '\0') return std::size_t{16} << 30;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(mb, &end, 10);
    if (errno != 0 || *end != '\0' || value == 0) {
      std::fprintf(stderr, "emulated device: EMBGEO_EMU_MEMORY_MB=%s is not a positive number of MiB\n", mb);
      std::exit(2);
    }
    return static_cast<std::size_t>(value) << 20;
  }();
  return total;
}

// The allocation holding all of [address, address + bytes), if any.
const Allocation* find_holding(const void* address, std::size_t bytes) {
  Registry& r = registry();
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  auto it = r.allocations.upper_bound(a);
  if (it == r.allocations.begin()) return nullptr;
  --it;
  const std::uintptr_t end = it->first + it->second.bytes;
  if (a >= end || bytes > end - a) return nullptr;
  return &it->second;
}

constexpr int kFreshMemoryByte = 0x7f;

cudaError_t allocate(void** ptr, std::size_t bytes, MemoryKind kind) {
  if (ptr == nullptr) return cudaErrorInvalidValue;
  if (const cudaError_t refused = refuse_if_capture_forbids_unsafe_calls(); refused != cudaSuccess) return refused;
  *ptr = nullptr;
  if (bytes == 0) return cudaSuccess;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (kind == MemoryKind::kDevice && bytes > total_device_bytes() - r.device_bytes) return cudaErrorMemoryAllocation;
  void* memory = nullptr;
  if (posix_memalign(&memory, kAlignment, bytes) != 0) return cudaErrorMemoryAllocation;
  // Fresh GPU memory holds whatever was there before; here it holds a loud pattern instead (each int
  // 0x7f7f7f7f, each float 3.4e38), so code that reads device memory it never wrote goes visibly wrong.
  if (kind == MemoryKind::kDevice) std::memset(memory, kFreshMemoryByte, bytes);
  r.allocations.emplace(reinterpret_cast<std::uintptr_t>(memory), Allocation{bytes, kind});
  if (kind == MemoryKind::kDevice) r.device_bytes += bytes;
  *ptr = memory;
  return cudaSuccess;
}

cudaError_t release(void* ptr, MemoryKind kind) {
  if (const cudaError_t refused = refuse_if_capture_forbids_unsafe_calls(); refused != cudaSuccess) return refused;
  if (ptr == nullptr) return cudaSuccess;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto it = r.allocations.find(reinterpret_cast<std::uintptr_t>(ptr));
  if (it == r.allocations.end() || it->second.kind != kind) return cudaErrorInvalidValue;
  if (kind == MemoryKind::kDevice) r.device_bytes -= it->second.bytes;
  r.allocations.erase(it);
  std::free(ptr);
  return cudaSuccess;
}

// Where a copy's side lives; a GPU can reach device and pinned memory, the copy engine needs pinned memory
// for an asynchronous (capturable) transfer from or to the host.
enum class Side { kDevice, kPinned, kPageable };

Side side_of(const void* address, std::size_t bytes) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  const Allocation* a = find_holding(address, bytes);
  if (a == nullptr) return Side::kPageable;
  return a->kind == MemoryKind::kDevice ? Side::kDevice : Side::kPinned;
}

// Checks a copy's pointers against its kind. *pageable_host tells whether a host side is pageable memory.
cudaError_t check_copy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, bool* pageable_host) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) return cudaErrorInvalidMemcpyDirection;
  const Side d = side_of(dst, bytes), s = side_of(src, bytes);
  const bool dst_on_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool src_on_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  if ((dst_on_device && d == Side::kPageable) || (src_on_device && s == Side::kPageable)) return cudaErrorInvalidValue;
  *pageable_host = (!dst_on_device && d == Side::kPageable) || (!src_on_device && s == Side::kPageable);
  if (kind == cudaMemcpyDefault) *pageable_host = d == Side::kPageable || s == Side::kPageable;
  return cudaSuccess;
}

}  // namespace

bool device_accessible(const void* address, std::size_t bytes) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return find_holding(address, bytes == 0 ? 1 : bytes) != nullptr;
}

bool require_device_range(const char* call, const char* what, const void* address, std::size_t bytes) {
  if (bytes == 0 || device_accessible(address, bytes)) return true;
  std::fprintf(stderr, "emulated device: %s: %s = %p (%zu bytes) is not inside one device allocation\n", call, what,
               address, bytes);
  return false;
}

bool kernel_pointer_ok(const void* address) {
  if (address == nullptr) return true;
  std::lock_guard<std::mutex> lock(registry().mutex);
  if (find_holding(address, 1) != nullptr) return true;
  // One past the end of an allocation: a loop bound or an empty range, never dereferenced.
  const Registry& r = registry();
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  auto it = r.allocations.lower_bound(a);
  if (it == r.allocations.begin()) return false;
  --it;
  return it->first + it->second.bytes == a;
}

}  // namespace embgeo_emu::detail

namespace embgeo_emu {
std::size_t live_device_bytes() {
  std::lock_guard<std::mutex> lock(detail::registry().mutex);
  return detail::registry().device_bytes;
}
}  // namespace embgeo_emu

using embgeo_emu::detail::record_error;

extern "C" {

cudaError_t cudaMalloc(void** ptr, std::size_t bytes) {
  return record_error(embgeo_emu::detail::allocate(ptr, bytes, embgeo_emu::detail::MemoryKind::kDevice));
}

cudaError_t cudaFree(void* ptr) {
  return record_error(embgeo_emu::detail::release(ptr, embgeo_emu::detail::MemoryKind::kDevice));
}

cudaError_t cudaMallocHost(void** ptr, std::size_t bytes) {
  return record_error(embgeo_emu::detail::allocate(ptr, bytes, embgeo_emu::detail::MemoryKind::kPinnedHost));
}

cudaError_t cudaFreeHost(void* ptr) {
  return record_error(embgeo_emu::detail::release(ptr, embgeo_emu::detail::MemoryKind::kPinnedHost));
}

cudaError_t cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes) {
  if (free_bytes == nullptr || total_bytes == nullptr) return record_error(cudaErrorInvalidValue);
  *total_bytes = embgeo_emu::detail::total_device_bytes();
  *free_bytes = *total_bytes - embgeo_emu::live_device_bytes();
  return cudaSuccess;
}

// Synchronous copies and sets run on the legacy stream and wait for it: forbidden during capture.
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  using namespace embgeo_emu::detail;
  if (const cudaError_t refused = refuse_if_capture_forbids_unsafe_calls(); refused != cudaSuccess)
    return record_error(refused);
  if (bytes == 0) return cudaSuccess;
  bool pageable = false;
  if (const cudaError_t bad = check_copy(dst, src, bytes, kind, &pageable); bad != cudaSuccess)
    return record_error(bad);
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
  using namespace embgeo_emu::detail;
  if (bytes == 0) return cudaSuccess;
  bool pageable = false;
  if (const cudaError_t bad = check_copy(dst, src, bytes, kind, &pageable); bad != cudaSuccess)
    return record_error(bad);
  // A capturable copy must not depend on pageable host memory, which the driver would have to stage now.
  if (pageable && stream_is_capturing(stream)) return record_error(refuse_and_invalidate_capture(stream));
  return record_error(enqueue(stream, [dst, src, bytes] { std::memcpy(dst, src, bytes); }));
}

cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes) {
  using namespace embgeo_emu::detail;
  if (const cudaError_t refused = refuse_if_capture_forbids_unsafe_calls(); refused != cudaSuccess)
    return record_error(refused);
  if (bytes == 0) return cudaSuccess;
  if (!device_accessible(ptr, bytes)) return record_error(cudaErrorInvalidValue);
  std::memset(ptr, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* ptr, int value, std::size_t bytes, cudaStream_t stream) {
  using namespace embgeo_emu::detail;
  if (bytes == 0) return cudaSuccess;
  if (!device_accessible(ptr, bytes)) return record_error(cudaErrorInvalidValue);
  return record_error(enqueue(stream, [ptr, value, bytes] { std::memset(ptr, value, bytes); }));
}

}  // extern "C"
