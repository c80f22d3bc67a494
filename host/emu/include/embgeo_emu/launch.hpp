#pragma once
// embgeo_emu::launch, the emulated `kernel<<<grid, block, smem, stream>>>(args...)`: it checks the
// configuration as CUDA does, binds copies of the arguments (converted to the kernel's parameter types) and
// enqueues the grid on the stream, where it runs now or is recorded into a capture.
#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "embgeo_emu/runtime_api.h"
#include "embgeo_emu/runtime_hooks.hpp"

namespace embgeo_emu::detail {

// One launch, type-erased: run_thread(bound) runs the kernel as the thread g_coordinates names.
struct GridLaunch {
  dim3 grid, block;
  void (*run_thread)(const void* bound);
  std::shared_ptr<const void> bound;
  const void* kernel_address;
  const char* launch_signature;
  std::size_t dynamic_shared_bytes;  // each block gets its own buffer of exactly this size  // __PRETTY_FUNCTION__ of launch<>, which names the parameter types
};

// Records cudaErrorInvalidConfiguration (or cudaErrorInvalidValue for shared memory beyond the kernel's limit)
// and returns false when CUDA would refuse the configuration.
bool accept_launch_config(const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_shared_bytes);
// Runs the grid now, or records it while `stream` is capturing; failures go to cudaGetLastError().
void enqueue_grid(cudaStream_t stream, GridLaunch launch);

template <typename... Params>
struct BoundKernel {
  void (*kernel)(Params...);
  std::tuple<std::decay_t<Params>...> args;

  static void run_thread(const void* self) {
    const auto* bound = static_cast<const BoundKernel*>(self);
    std::apply(bound->kernel, bound->args);
  }
};

// 0 when every pointer argument is one a GPU could dereference (kernel_pointer_ok), else the 1-based position
// of the first that is not: host memory handed to a kernel faults on a GPU.
template <typename T>
bool pointer_argument_ok(const T& arg) {
  if constexpr (std::is_pointer_v<T>)
    return kernel_pointer_ok(static_cast<const void*>(arg));
  else
    return true;
}

template <typename... T>
std::size_t first_bad_pointer(const std::tuple<T...>& args) {
  std::size_t position = 0, bad = 0;
  std::apply([&](const auto&... arg) { ((++position, bad = (bad != 0 || pointer_argument_ok(arg)) ? bad : position), ...); },
             args);
  return bad;
}
void report_bad_pointer(const char* launch_signature, std::size_t position);

// Copy-initialization, as <<<>>> converts each argument to its parameter type (implicit conversions only).
template <typename Param, typename Arg>
std::decay_t<Param> convert_argument(Arg&& arg) {
  return std::forward<Arg>(arg);
}

}  // namespace embgeo_emu::detail

namespace embgeo_emu {

template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t dynamic_shared_bytes, cudaStream_t stream,
            Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "embgeo_emu::launch: argument count differs from the kernel's");
  if (!detail::accept_launch_config(reinterpret_cast<const void*>(kernel), grid, block, dynamic_shared_bytes)) return;
  using Bound = detail::BoundKernel<Params...>;
  auto bound = std::make_shared<const Bound>(Bound{
      kernel, std::tuple<std::decay_t<Params>...>(detail::convert_argument<Params>(std::forward<Args>(args))...)});
  if (const std::size_t bad = detail::first_bad_pointer(bound->args)) return detail::report_bad_pointer(__PRETTY_FUNCTION__, bad);
  detail::enqueue_grid(stream, detail::GridLaunch{grid, block, &Bound::run_thread, std::move(bound),
                                                  reinterpret_cast<const void*>(kernel), __PRETTY_FUNCTION__,
                                                  dynamic_shared_bytes});
}

}  // namespace embgeo_emu
