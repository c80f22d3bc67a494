// Runs a grid on the CPU: blocks one after another, and within a block every CUDA thread as a fiber that
// __syncthreads() suspends until all threads of the block have arrived. A block whose first thread finishes
// without a barrier runs its other threads as plain calls, so barrier-free kernels pay no fiber switches.
#include <cxxabi.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cuda_runtime.h"
#include "emu_internal.hpp"
#include "fiber.hpp"

namespace embgeo_emu::detail {

KernelCoordinates g_coordinates{};

namespace {

// Function-local statics stand in for __shared__, so two kernels must never run at once, even from two host
// threads.
std::mutex& kernel_mutex() {
  static std::mutex mutex;
  return mutex;
}

enum class ThreadState : unsigned char { kRunnable, kAtBlockBarrier, kAtWarpBarrier, kDone };

std::string describe_kernel(const GridLaunch& launch) {
  Dl_info info{};
  if (dladdr(launch.kernel_address, &info) != 0 && info.dli_sname != nullptr &&
      info.dli_saddr == launch.kernel_address) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status),
                                                     std::free);
    return std::string("kernel ") + (status == 0 ? demangled.get() : info.dli_sname);
  }
  // Kernels in anonymous namespaces have no dynamic symbol: name the signature and the address instead.
  const std::string signature = launch.launch_signature;
  std::string params = "?";
  const std::size_t begin = signature.find("Params = {");
  if (begin != std::string::npos) {
    const std::size_t end = signature.find('}', begin);
    params = signature.substr(begin + 10, end - begin - 10);
  }
  char address[32];
  std::snprintf(address, sizeof address, "%p", launch.kernel_address);
  return "kernel void(" + params + ") at " + address;
}

std::string format_index(uint3 i) {
  return "(" + std::to_string(i.x) + "," + std::to_string(i.y) + "," + std::to_string(i.z) + ")";
}

class BlockScheduler {
 public:
  void run(const GridLaunch& launch);
  void block_barrier();
  void warp_barrier();

 private:
  static void fiber_body(void* self);
  void run_block();
  void run_rest_plain();
  void run_pass();
  bool release_warp_barriers();
  void resume(unsigned thread);
  void suspend_at(ThreadState barrier);
  std::string block_and_kernel() const;

  const GridLaunch* launch_ = nullptr;
  unsigned threads_ = 0;
  std::vector<uint3> coordinates_;  // of each linear thread id (x fastest)
  std::vector<ThreadState> states_;
  std::vector<unsigned> order_;
  std::vector<std::unique_ptr<Fiber>> fibers_;  // fiber i serves linear thread i; kept across launches
  unsigned running_ = 0;
  unsigned first_ = 0;
  bool plain_ = false;
  bool poison_shared_ = true;  // fill shared memory before the next block
  std::unique_ptr<unsigned char[]> dynamic_shared_;  // exactly the launch's size, so ASan sees an overrun
};

// The section the linker gathers every `__shared__` variable into (device_functions.h); weak, as a program may
// have no kernel with shared memory.
extern "C" unsigned char __start_embgeo_emu_shared[] __attribute__((weak));
extern "C" unsigned char __stop_embgeo_emu_shared[] __attribute__((weak));

// Byte by byte through a volatile pointer, and uninstrumented: ASan may keep redzones between the section's
// variables, which a (checked) memset over the whole section would report.
__attribute__((no_sanitize_address)) void poison_static_shared_memory() {
  if (__start_embgeo_emu_shared == nullptr) return;
  for (volatile unsigned char* p = __start_embgeo_emu_shared; p < __stop_embgeo_emu_shared; ++p) *p = 0xFF;
}

// Per OS thread: a fiber is only ever resumed on the thread that created it.
thread_local BlockScheduler t_scheduler;
thread_local BlockScheduler* t_active = nullptr;

void BlockScheduler::run(const GridLaunch& launch) {
  if (t_active != nullptr) fatal("a kernel launched a kernel (dynamic parallelism is not emulated)");
  const std::lock_guard<std::mutex> lock(kernel_mutex());
  launch_ = &launch;
  poison_shared_ = true;
  const dim3 b = launch.block, g = launch.grid;
  threads_ = b.x * b.y * b.z;
  coordinates_.resize(threads_);
  for (unsigned t = 0; t < threads_; ++t) coordinates_[t] = uint3{t % b.x, (t / b.x) % b.y, t / (b.x * b.y)};
  states_.resize(threads_);
  if (fibers_.size() < threads_) fibers_.resize(threads_);
  g_coordinates.block_dim = b;
  g_coordinates.grid_dim = g;
  const std::size_t shared_bytes = launch.dynamic_shared_bytes;
  dynamic_shared_.reset(shared_bytes > 0 ? new unsigned char[shared_bytes] : nullptr);
  g_coordinates.dynamic_shared = dynamic_shared_.get();
  const std::uint64_t blocks = std::uint64_t{g.x} * g.y * g.z;
  const BlockOrder order(blocks);
  t_active = this;
  for (std::uint64_t i = 0; i < blocks; ++i) {
    const std::uint64_t linear = order[i];
    g_coordinates.block_idx = uint3{static_cast<unsigned>(linear % g.x), static_cast<unsigned>(linear / g.x % g.y),
                                    static_cast<unsigned>(linear / (std::uint64_t{g.x} * g.y))};
    run_block();
  }
  t_active = nullptr;
  launch_ = nullptr;
  dynamic_shared_.reset();
  g_coordinates.dynamic_shared = nullptr;
}

void BlockScheduler::run_block() {
  // A block that waited at a barrier may have used shared memory: the next block starts from the pattern again.
  // Barrier-free kernels (which use none) pay for this once a launch.
  if (poison_shared_) {
    poison_static_shared_memory();
    std::fill_n(dynamic_shared_.get(), launch_->dynamic_shared_bytes, static_cast<unsigned char>(0xFF));
  }
  poison_shared_ = false;
  fill_thread_order(order_, threads_);
  std::fill(states_.begin(), states_.end(), ThreadState::kRunnable);
  first_ = order_[0];
  resume(first_);
  if (states_[first_] == ThreadState::kDone) return run_rest_plain();
  for (unsigned i = 1; i < threads_; ++i) resume(order_[i]);
  poison_shared_ = true;
  for (;;) {  // every thread now waits at a barrier or has exited
    if (release_warp_barriers()) {
      run_pass();
      continue;
    }
    const auto waiting =
        static_cast<unsigned>(std::count(states_.begin(), states_.end(), ThreadState::kAtBlockBarrier));
    if (waiting == 0) return;
    if (waiting != threads_)
      fatal("__syncthreads() reached by %u of %u threads of block %s", waiting, threads_, block_and_kernel().c_str());
    std::fill(states_.begin(), states_.end(), ThreadState::kRunnable);
    run_pass();
  }
}

void BlockScheduler::run_rest_plain() {
  plain_ = true;
  const auto run_thread = launch_->run_thread;
  const void* bound = launch_->bound.get();
  for (unsigned i = 1; i < threads_; ++i) {
    running_ = order_[i];
    g_coordinates.thread_idx = coordinates_[running_];
    run_thread(bound);
  }
  plain_ = false;
}

void BlockScheduler::run_pass() {
  fill_thread_order(order_, threads_);
  for (unsigned t : order_)
    if (states_[t] == ThreadState::kRunnable) resume(t);
}

// A warp barrier completes once all 32 threads of the warp (fewer in a block's last, partial warp) wait at it.
bool BlockScheduler::release_warp_barriers() {
  bool released = false;
  for (unsigned lo = 0; lo < threads_; lo += 32) {
    const unsigned hi = std::min(lo + 32, threads_);
    const auto waiting =
        static_cast<unsigned>(std::count(states_.begin() + lo, states_.begin() + hi, ThreadState::kAtWarpBarrier));
    if (waiting == 0) continue;
    if (waiting != hi - lo)
      fatal("__syncwarp() reached by %u of %u threads of warp %u of block %s", waiting, hi - lo, lo / 32,
            block_and_kernel().c_str());
    std::fill(states_.begin() + lo, states_.begin() + hi, ThreadState::kRunnable);
    released = true;
  }
  return released;
}

void BlockScheduler::resume(unsigned thread) {
  running_ = thread;
  g_coordinates.thread_idx = coordinates_[thread];
  std::unique_ptr<Fiber>& fiber = fibers_[thread];
  if (!fiber) fiber = std::make_unique<Fiber>(&BlockScheduler::fiber_body, this);
  fiber->resume();
}

void BlockScheduler::fiber_body(void* self) {
  auto* scheduler = static_cast<BlockScheduler*>(self);
  scheduler->launch_->run_thread(scheduler->launch_->bound.get());
  scheduler->states_[scheduler->running_] = ThreadState::kDone;
}

void BlockScheduler::suspend_at(ThreadState barrier) {
  const char* name = barrier == ThreadState::kAtBlockBarrier ? "__syncthreads()" : "__syncwarp()";
  if (plain_)
    fatal("%s reached by thread %s of block %s after thread %s exited without reaching it", name,
          format_index(coordinates_[running_]).c_str(), block_and_kernel().c_str(),
          format_index(coordinates_[first_]).c_str());
  states_[running_] = barrier;
  fibers_[running_]->suspend();
}

void BlockScheduler::block_barrier() { suspend_at(ThreadState::kAtBlockBarrier); }
void BlockScheduler::warp_barrier() { suspend_at(ThreadState::kAtWarpBarrier); }

std::string BlockScheduler::block_and_kernel() const {
  return format_index(g_coordinates.block_idx) + " (" + describe_kernel(*launch_) + ", grid " +
         format_index(launch_->grid) + ", block " + format_index(launch_->block) + ")";
}

BlockScheduler& active_scheduler(const char* barrier) {
  if (t_active == nullptr) fatal("%s called outside a kernel", barrier);
  return *t_active;
}

}  // namespace

void run_grid(const GridLaunch& launch) { t_scheduler.run(launch); }

}  // namespace embgeo_emu::detail

void __syncthreads() { embgeo_emu::detail::active_scheduler("__syncthreads()").block_barrier(); }

void __syncwarp(unsigned int) { embgeo_emu::detail::active_scheduler("__syncwarp()").warp_barrier(); }
