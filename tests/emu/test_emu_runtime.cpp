// Tests of the emulated CUDA device itself (host/emu): kernels written here in CUDA, compiled as C++ against
// the stand-in headers, exercise indexing, barriers and schedules, launch errors, capture and replay, memory
// rules, cuBLAS on CBLAS, bf16 and the CUB stand-ins.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "emu_test_support.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

using embgeo_emu::Schedule;

constexpr Schedule kAllSchedules[] = {Schedule::kForward, Schedule::kReverse, Schedule::kRandom};

using embgeo_emu::testing::ScheduleOverride;

#define ASSERT_CUDA(call) ASSERT_EQ(cudaSuccess, (call))
#define ASSERT_CUBLAS(call) ASSERT_EQ(CUBLAS_STATUS_SUCCESS, (call))

template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t count) : count_(count) {
    EXPECT_EQ(cudaSuccess, cudaMalloc(&data_, count * sizeof(T)));
  }
  explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) { upload(host); }
  ~DeviceArray() { cudaFree(data_); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* get() const { return data_; }
  void upload(const std::vector<T>& host) {
    EXPECT_EQ(cudaSuccess, cudaMemcpy(data_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    std::vector<T> host(count_);
    EXPECT_EQ(cudaSuccess, cudaMemcpy(host.data(), data_, count_ * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  T* data_ = nullptr;
  std::size_t count_;
};

// ---- kernels ---------------------------------------------------------------------------------------------

__global__ void record_coordinates_kernel(unsigned* __restrict__ out) {
  const unsigned block = blockIdx.x + gridDim.x * blockIdx.y;
  const unsigned thread = threadIdx.x + blockDim.x * threadIdx.y;
  out[block * blockDim.x * blockDim.y + thread] =
      (blockIdx.x << 24) | (blockIdx.y << 16) | (threadIdx.x << 8) | threadIdx.y;
}

__global__ void atomics_kernel(float* total_f, double* total_d, int* counter, unsigned long long* total_u,
                               int* seen_old, int* max_value) {
  atomicAdd(total_f, 1.0f);
  atomicAdd(total_d, 0.5);
  atomicAdd(total_u, 2ULL);
  const int old = atomicAdd(counter, 1);
  seen_old[old] += 1;  // every old value must come back exactly once
  atomicMax(max_value, static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

// Tree reduction in shared memory, one sum per block.
__global__ void tree_sum_kernel(const int* __restrict__ in, int* __restrict__ out) {
  __shared__ int partial[256];
  const unsigned t = threadIdx.x;
  partial[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (t < stride) partial[t] += partial[t + stride];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = partial[0];
}

// The last thread adds up what every thread deposited; without the barrier it reads whatever is there yet.
template <bool kBarrier>
__global__ void last_thread_sums_kernel(int base, int* __restrict__ out) {
  __shared__ int deposited[128];
  deposited[threadIdx.x] = base + static_cast<int>(threadIdx.x);
  if (kBarrier) __syncthreads();
  if (threadIdx.x == blockDim.x - 1) {
    int sum = 0;
    for (unsigned i = 0; i < blockDim.x; ++i) sum += deposited[i];
    out[blockIdx.x] = sum;
  }
}

__global__ void early_exit_then_barrier_kernel(unsigned quitter) {
  if (threadIdx.x == quitter) return;
  __syncthreads();
}

// Neighbours within a warp exchange values across __syncwarp().
__global__ void warp_exchange_kernel(int* __restrict__ out) {
  __shared__ int value[64];
  value[threadIdx.x] = static_cast<int>(threadIdx.x) * 10;
  __syncwarp();
  out[threadIdx.x] = value[threadIdx.x ^ 1u];
}

__global__ void increment_kernel(long long* counter) { *counter += 1; }
__global__ void store_kernel(int* out, int value) { *out = value; }

__global__ void block_reduce_kernel(const float* __restrict__ in, float* __restrict__ out, float* __restrict__ echo) {
  using BlockReduce = cub::BlockReduce<float, 128>;
  __shared__ typename BlockReduce::TempStorage temp;
  const float mine = in[threadIdx.x];
  const float total = BlockReduce(temp).Sum(mine);
  if (threadIdx.x == 0)
    *out = total;
  else
    echo[threadIdx.x] = total;
}

#if defined(__SANITIZE_ADDRESS__)
__global__ void write_past_end_kernel(float* data, int n) {
  if (threadIdx.x == 0) data[n] = 1.0f;  // one element past the allocation
}
#endif

__global__ void scale_kernel(float* data, float factor, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) data[i] *= factor;
}

// ---- indexing, atomics, barriers, schedules --------------------------------------------------------------

TEST(EmuKernels, IndexesTwoDimensionalBlocksAndGrids) {
  for (Schedule s : kAllSchedules) {
    ScheduleOverride schedule(s);
    const dim3 grid(3, 5), block(8, 4);
    DeviceArray<unsigned> out(3 * 5 * 8 * 4);
    embgeo_emu::launch(record_coordinates_kernel, grid, block, 0, nullptr, out.get());
    ASSERT_CUDA(cudaGetLastError());
    const std::vector<unsigned> got = out.download();
    for (unsigned by = 0; by < 5; ++by)
      for (unsigned bx = 0; bx < 3; ++bx)
        for (unsigned ty = 0; ty < 4; ++ty)
          for (unsigned tx = 0; tx < 8; ++tx)
            EXPECT_EQ((bx << 24) | (by << 16) | (tx << 8) | ty, got[(bx + 3 * by) * 32 + tx + 8 * ty])
                << embgeo_emu::schedule_name();
  }
}

TEST(EmuKernels, AtomicsAddUpAndReturnOldValues) {
  const int blocks = 64, threads = 256, n = blocks * threads;
  DeviceArray<float> total_f(std::vector<float>{0.0f});
  DeviceArray<double> total_d(std::vector<double>{0.0});
  DeviceArray<int> counter(std::vector<int>{0}), max_value(std::vector<int>{-1});
  DeviceArray<unsigned long long> total_u(std::vector<unsigned long long>{0});
  DeviceArray<int> seen(std::vector<int>(n, 0));
  embgeo_emu::launch(atomics_kernel, blocks, threads, 0, nullptr, total_f.get(), total_d.get(), counter.get(),
                     total_u.get(), seen.get(), max_value.get());
  EXPECT_EQ(static_cast<float>(n), total_f.download()[0]);
  EXPECT_EQ(n * 0.5, total_d.download()[0]);
  EXPECT_EQ(n, counter.download()[0]);
  EXPECT_EQ(2ULL * n, total_u.download()[0]);
  EXPECT_EQ(n - 1, max_value.download()[0]);
  EXPECT_EQ(std::vector<int>(n, 1), seen.download());
}

TEST(EmuKernels, BarrierReductionIsRightUnderEverySchedule) {
  const int blocks = 6, threads = 256;
  std::vector<int> input(blocks * threads);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<int>(i * 7 % 1000) - 300;
  std::vector<int> expected(blocks, 0);
  for (std::size_t i = 0; i < input.size(); ++i) expected[i / threads] += input[i];
  DeviceArray<int> in(input), out(blocks);
  for (Schedule s : kAllSchedules) {
    ScheduleOverride schedule(s);
    embgeo_emu::launch(tree_sum_kernel, blocks, threads, 0, nullptr, in.get(), out.get());
    EXPECT_EQ(expected, out.download()) << embgeo_emu::schedule_name();
  }
}

TEST(EmuKernels, MissingBarrierShowsUnderReverseAndRandom) {
  const int blocks = 8, threads = 128;
  DeviceArray<int> out(blocks);
  int base = 1000;
  auto run = [&](auto kernel) {
    base += 1000;  // fresh values each launch: stale shared memory from an earlier launch must not look right
    embgeo_emu::launch(kernel, blocks, threads, 0, nullptr, base, out.get());
    return out.download();
  };
  auto right = [&] { return std::vector<int>(blocks, threads * base + threads * (threads - 1) / 2); };
  for (Schedule s : kAllSchedules) {
    ScheduleOverride schedule(s);
    std::vector<int> got = run(last_thread_sums_kernel<true>);
    EXPECT_EQ(right(), got) << "with the barrier, " << embgeo_emu::schedule_name();
    got = run(last_thread_sums_kernel<false>);
    if (s == Schedule::kForward)
      EXPECT_EQ(right(), got) << "forward order hides the missing barrier";
    else
      EXPECT_NE(right(), got) << "without the barrier, " << embgeo_emu::schedule_name();
  }
}

TEST(EmuKernels, SyncwarpIsAWarpBarrier) {
  for (Schedule s : kAllSchedules) {
    ScheduleOverride schedule(s);
    DeviceArray<int> out(64);
    embgeo_emu::launch(warp_exchange_kernel, 1, 64, 0, nullptr, out.get());
    const std::vector<int> got = out.download();
    for (int t = 0; t < 64; ++t) EXPECT_EQ((t ^ 1) * 10, got[t]) << embgeo_emu::schedule_name();
  }
}

TEST(EmuKernelsDeathTest, PartialBarrierAborts) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  ScheduleOverride schedule(Schedule::kForward);
  // Thread 0 reaches the barrier first, so the block is in fiber mode when thread 5 exits.
  EXPECT_DEATH(embgeo_emu::launch(early_exit_then_barrier_kernel, 2, 32, 0, nullptr, 5u),
               "emulated device: __syncthreads\\(\\) reached by 31 of 32 threads of block \\(0,0,0\\)");
  // Thread 0 exits first, so the others run as plain calls and the first barrier is already partial.
  EXPECT_DEATH(embgeo_emu::launch(early_exit_then_barrier_kernel, 2, 32, 0, nullptr, 0u),
               "__syncthreads\\(\\) reached by thread \\(1,0,0\\) of block \\(0,0,0\\).*after thread \\(0,0,0\\) "
               "exited without reaching it");
}

// Shared memory a block never wrote holds a loud pattern, never zeros or a previous block's values: an
// accumulator that is not cleared first reads NaN.
__global__ void uncleared_shared_sum_kernel(float* out) {
  __shared__ float sum;
  if (threadIdx.x == 0) sum += 1.0f;  // the bug: `sum` was never set to 0
  __syncthreads();
  if (threadIdx.x == 0) out[blockIdx.x] = sum;
}

TEST(EmuKernels, SharedMemoryStartsAsALoudPatternInEveryBlock) {
  DeviceArray<float> out(std::vector<float>(3, 0.0f));
  embgeo_emu::launch(uncleared_shared_sum_kernel, 3, 32, 0, nullptr, out.get());
  ASSERT_EQ(cudaSuccess, cudaGetLastError());
  for (float v : out.download()) EXPECT_TRUE(std::isnan(v)) << v;
}

// Each thread stores its id in dynamic shared memory and thread 0 sums what it finds after the barrier; the
// element past the threads' (never written) is copied out as the pattern the block started with.
__global__ void dynamic_shared_kernel(float* out) {
  auto* shared = static_cast<float*>(embgeo_emu::dynamic_shared_memory());
  shared[threadIdx.x] = static_cast<float>(threadIdx.x);
  __syncthreads();
  if (threadIdx.x != 0) return;
  float sum = 0.0f;
  for (unsigned t = 0; t < blockDim.x; ++t) sum += shared[t];
  out[2 * blockIdx.x] = sum;
  out[2 * blockIdx.x + 1] = shared[blockDim.x];
}

TEST(EmuKernels, DynamicSharedMemoryIsPerBlockPoisonedAndLimitedUntilRaised) {
  DeviceArray<float> out(std::vector<float>(4, 0.0f));
  constexpr unsigned threads = 64;
  embgeo_emu::launch(dynamic_shared_kernel, 2, threads, (threads + 1) * sizeof(float), nullptr, out.get());
  ASSERT_EQ(cudaSuccess, cudaGetLastError());
  const std::vector<float> got = out.download();
  for (int block = 0; block < 2; ++block) {
    EXPECT_EQ(got[2 * block], threads * (threads - 1) / 2.0f);
    EXPECT_TRUE(std::isnan(got[2 * block + 1])) << "block " << block << " found " << got[2 * block + 1];
  }
  // Beyond 48 KiB a kernel needs cudaFuncSetAttribute, which stops at the opt-in limit.
  int optin = 0;
  ASSERT_CUDA(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  EXPECT_EQ(227 * 1024, optin);
  const std::size_t big = 100 * 1024;
  embgeo_emu::launch(dynamic_shared_kernel, 1, threads, big, nullptr, out.get());
  EXPECT_EQ(cudaErrorInvalidValue, cudaGetLastError());
  EXPECT_EQ(cudaErrorInvalidValue, cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, optin + 1));
  cudaGetLastError();
  ASSERT_CUDA(cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(big)));
  embgeo_emu::launch(dynamic_shared_kernel, 1, threads, big, nullptr, out.get());
  EXPECT_EQ(cudaSuccess, cudaGetLastError());
  EXPECT_EQ(out.download()[0], threads * (threads - 1) / 2.0f);
}

// Host memory handed to a kernel faults on a GPU: the emulated launch refuses it and runs nothing. Device
// memory, pinned memory, null and one-past-the-end pointers are fine.
TEST(EmuKernels, HostPointerArgumentIsAnIllegalAddress) {
  std::vector<float> host(256, 1.0f);
  embgeo_emu::launch(scale_kernel, 1, 256, 0, nullptr, host.data(), 2.0f, 256);
  EXPECT_EQ(cudaErrorIllegalAddress, cudaGetLastError());
  EXPECT_EQ(host[0], 1.0f);  // not run
  DeviceArray<float> device(host);
  embgeo_emu::launch(scale_kernel, 1, 256, 0, nullptr, device.get(), 2.0f, 256);
  embgeo_emu::launch(scale_kernel, 1, 256, 0, nullptr, device.get() + 256, 2.0f, 0);
  embgeo_emu::launch(scale_kernel, 1, 256, 0, nullptr, static_cast<float*>(nullptr), 2.0f, 0);
  float* pinned = nullptr;
  ASSERT_CUDA(cudaMallocHost(reinterpret_cast<void**>(&pinned), 256 * sizeof(float)));
  embgeo_emu::launch(scale_kernel, 1, 256, 0, nullptr, pinned, 2.0f, 0);
  EXPECT_EQ(cudaSuccess, cudaGetLastError());
  ASSERT_CUDA(cudaFreeHost(pinned));
  EXPECT_EQ(device.download()[0], 2.0f);
}

TEST(EmuKernels, LaunchConfigurationErrorsAreStickyUntilRead) {
  DeviceArray<long long> counter(std::vector<long long>{0});
  struct Case {
    dim3 grid, block;
    std::size_t shared;
    cudaError_t error;
  };
  const Case cases[] = {
      {dim3(0), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(1025), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(32, 32, 2), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(1, 1, 65), 0, cudaErrorInvalidConfiguration},
      {dim3(1, 65536), dim3(32), 0, cudaErrorInvalidConfiguration},
      {dim3(1), dim3(32), 64 * 1024, cudaErrorInvalidValue},
  };
  for (const Case& c : cases) {
    embgeo_emu::launch(increment_kernel, c.grid, c.block, c.shared, nullptr, counter.get());
    EXPECT_EQ(c.error, cudaPeekAtLastError());
    EXPECT_EQ(c.error, cudaGetLastError());
    EXPECT_EQ(cudaSuccess, cudaGetLastError());
  }
  EXPECT_EQ(0, counter.download()[0]) << "a refused launch must not run";
  EXPECT_STREQ("cudaErrorInvalidConfiguration", cudaGetErrorName(cudaErrorInvalidConfiguration));
  EXPECT_STREQ("invalid configuration argument", cudaGetErrorString(cudaErrorInvalidConfiguration));
}

// ---- streams, capture, graphs -----------------------------------------------------------------------------

class EmuStream : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  void TearDown() override {
    cudaStreamDestroy(stream_);
    cudaGetLastError();
  }
  cudaStream_t stream_ = nullptr;
};

TEST_F(EmuStream, CaptureRecordsAndReplayRuns) {
  DeviceArray<long long> counter(std::vector<long long>{0});
  DeviceArray<int> stored(std::vector<int>{0}), copy(std::vector<int>{0});
  int value = 7;
  ASSERT_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
  cudaStreamCaptureStatus status;
  ASSERT_CUDA(cudaStreamIsCapturing(stream_, &status));
  EXPECT_EQ(cudaStreamCaptureStatusActive, status);
  embgeo_emu::launch(increment_kernel, 1, 1, 0, stream_, counter.get());
  embgeo_emu::launch(store_kernel, 1, 1, 0, stream_, stored.get(), value);
  ASSERT_CUDA(cudaMemcpyAsync(copy.get(), stored.get(), sizeof(int), cudaMemcpyDeviceToDevice, stream_));
  value = 99;  // arguments are taken at capture time
  cudaGraph_t graph = nullptr;
  ASSERT_CUDA(cudaStreamEndCapture(stream_, &graph));
  ASSERT_NE(nullptr, graph);
  EXPECT_EQ(0, counter.download()[0]) << "captured work must not run";
  cudaGraphExec_t exec = nullptr;
  ASSERT_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  ASSERT_CUDA(cudaGraphDestroy(graph));
  for (int i = 0; i < 3; ++i) ASSERT_CUDA(cudaGraphLaunch(exec, stream_));
  ASSERT_CUDA(cudaStreamSynchronize(stream_));
  EXPECT_EQ(3, counter.download()[0]);
  EXPECT_EQ(7, copy.download()[0]);
  ASSERT_CUDA(cudaGraphExecDestroy(exec));
}

TEST_F(EmuStream, PinnedCopyIsCapturable) {
  float* pinned = nullptr;
  ASSERT_CUDA(cudaMallocHost(&pinned, 4 * sizeof(float)));
  DeviceArray<float> device(4);
  ASSERT_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal));
  ASSERT_CUDA(cudaMemcpyAsync(device.get(), pinned, 4 * sizeof(float), cudaMemcpyHostToDevice, stream_));
  cudaGraph_t graph = nullptr;
  ASSERT_CUDA(cudaStreamEndCapture(stream_, &graph));
  for (int i = 0; i < 4; ++i) pinned[i] = 1.5f * i;  // the replay reads the pinned buffer as it is then
  cudaGraphExec_t exec = nullptr;
  ASSERT_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  ASSERT_CUDA(cudaGraphLaunch(exec, stream_));
  EXPECT_EQ((std::vector<float>{0.0f, 1.5f, 3.0f, 4.5f}), device.download());
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  ASSERT_CUDA(cudaFreeHost(pinned));
}

TEST_F(EmuStream, UnsafeCallsDuringCaptureFailAndInvalidateIt) {
  DeviceArray<float> device(16);
  std::vector<float> pageable(16, 1.0f);
  void* extra = nullptr;
  const std::pair<const char*, std::function<cudaError_t()>> calls[] = {
      {"cudaMalloc", [&] { return cudaMalloc(&extra, 64); }},
      {"cudaFree", [&] { return cudaFree(device.get()); }},
      {"cudaStreamSynchronize", [&] { return cudaStreamSynchronize(stream_); }},
      {"cudaDeviceSynchronize", [&] { return cudaDeviceSynchronize(); }},
      {"cudaMemcpy", [&] { return cudaMemcpy(device.get(), pageable.data(), 64, cudaMemcpyHostToDevice); }},
      {"cudaMemset", [&] { return cudaMemset(device.get(), 0, 64); }},
      {"pageable cudaMemcpyAsync",
       [&] { return cudaMemcpyAsync(device.get(), pageable.data(), 64, cudaMemcpyHostToDevice, stream_); }},
      {"cudaFuncSetAttribute",
       [&] { return cudaFuncSetAttribute(increment_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, 1024); }},
  };
  for (const auto& [name, call] : calls) {
    ASSERT_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    EXPECT_EQ(cudaErrorStreamCaptureUnsupported, call()) << name;
    EXPECT_EQ(cudaErrorStreamCaptureInvalidated, cudaMemsetAsync(device.get(), 0, 64, stream_)) << name;
    cudaGraph_t graph = reinterpret_cast<cudaGraph_t>(0x1);
    EXPECT_EQ(cudaErrorStreamCaptureInvalidated, cudaStreamEndCapture(stream_, &graph)) << name;
    EXPECT_EQ(nullptr, graph) << name;
    cudaGetLastError();
  }
  EXPECT_EQ(nullptr, extra);
  // After the failed captures the stream works normally again.
  ASSERT_CUDA(cudaMemcpyAsync(device.get(), pageable.data(), 64, cudaMemcpyHostToDevice, stream_));
  ASSERT_CUDA(cudaStreamSynchronize(stream_));
}

TEST_F(EmuStream, EventsMeasureHostTime) {
  static_assert(embgeo_emu::kIsEmulated, "timings from this build are emulated");
  cudaEvent_t start, stop;
  ASSERT_CUDA(cudaEventCreate(&start));
  ASSERT_CUDA(cudaEventCreate(&stop));
  ASSERT_CUDA(cudaEventRecord(start, stream_));
  DeviceArray<float> data(std::vector<float>(1 << 16, 1.0f));
  embgeo_emu::launch(scale_kernel, 64, 256, 0, stream_, data.get(), 2.0f, 1 << 16);
  ASSERT_CUDA(cudaEventRecord(stop, stream_));
  ASSERT_CUDA(cudaEventSynchronize(stop));
  float ms = -1;
  ASSERT_CUDA(cudaEventElapsedTime(&ms, start, stop));
  EXPECT_GE(ms, 0.0f);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

// ---- memory and device ------------------------------------------------------------------------------------

TEST(EmuMemory, RegistryAndLimits) {
  std::size_t free0 = 0, total = 0;
  ASSERT_CUDA(cudaMemGetInfo(&free0, &total));
  if (std::getenv("EMBGEO_EMU_MEMORY_MB") == nullptr) {
    EXPECT_EQ(std::size_t{16} << 30, total);
  }
  void* p = nullptr;
  ASSERT_CUDA(cudaMalloc(&p, 1 << 20));
  std::size_t free1 = 0;
  ASSERT_CUDA(cudaMemGetInfo(&free1, &total));
  EXPECT_EQ(free0 - (1 << 20), free1);
  void* too_big = nullptr;
  EXPECT_EQ(cudaErrorMemoryAllocation, cudaMalloc(&too_big, free1 + 1));
  EXPECT_EQ(cudaErrorMemoryAllocation, cudaGetLastError());
  int on_stack = 0;
  EXPECT_EQ(cudaErrorInvalidValue, cudaFree(&on_stack));
  EXPECT_EQ(cudaErrorInvalidValue, cudaFree(static_cast<char*>(p) + 4)) << "only the start of an allocation";
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemcpy(&on_stack, &on_stack, 4, cudaMemcpyHostToDevice));
  cudaGetLastError();
  ASSERT_CUDA(cudaFree(p));
  ASSERT_CUDA(cudaFree(nullptr));
}

TEST(EmuMemory, DeviceQueries) {
  int count = 0, device = -1, l2 = 0;
  ASSERT_CUDA(cudaGetDeviceCount(&count));
  EXPECT_EQ(1, count);
  ASSERT_CUDA(cudaSetDevice(0));
  EXPECT_EQ(cudaErrorInvalidDevice, cudaSetDevice(1));
  EXPECT_EQ(cudaErrorInvalidDevice, cudaGetLastError());
  ASSERT_CUDA(cudaGetDevice(&device));
  EXPECT_EQ(0, device);
  cudaDeviceProp props{};
  ASSERT_CUDA(cudaGetDeviceProperties(&props, 0));
  EXPECT_STREQ("embgeo emulated device (CPU)", props.name);
  ASSERT_CUDA(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0));
  EXPECT_EQ(props.l2CacheSize, l2);
}

#if defined(__SANITIZE_ADDRESS__)
TEST(EmuMemoryDeathTest, AddressSanitizerSeesOverrunInKernel) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        float* data = nullptr;
        cudaMalloc(&data, 10 * sizeof(float));
        embgeo_emu::launch(write_past_end_kernel, 1, 32, 0, nullptr, data, 10);
      },
      "heap-buffer-overflow");
}
#endif

// ---- cuBLAS ------------------------------------------------------------------------------------------------

// Column-major C = alpha·op(A)·op(B) + beta·C, in double.
std::vector<float> naive_gemm(bool ta, bool tb, int m, int n, int k, float alpha, const std::vector<float>& A, int lda,
                              const std::vector<float>& B, int ldb, float beta, std::vector<float> C, int ldc) {
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double sum = 0;
      for (int p = 0; p < k; ++p) {
        const double a = ta ? A[p + static_cast<std::size_t>(i) * lda] : A[i + static_cast<std::size_t>(p) * lda];
        const double b = tb ? B[j + static_cast<std::size_t>(p) * ldb] : B[p + static_cast<std::size_t>(j) * ldb];
        sum += a * b;
      }
      float& c = C[i + static_cast<std::size_t>(j) * ldc];
      c = static_cast<float>(alpha * sum + beta * c);
    }
  return C;
}

std::vector<float> random_values(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

class EmuCublas : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_CUBLAS(cublasCreate(&handle_)); }
  void TearDown() override { cublasDestroy(handle_); }
  cublasHandle_t handle_ = nullptr;
};

TEST_F(EmuCublas, SgemmMatchesColumnMajorLoopForEveryTranspose) {
  const int m = 5, n = 3, k = 4;
  const float alpha = 1.5f, beta = 0.5f;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      const int lda = (ta ? k : m) + 2, ldb = (tb ? n : k) + 1, ldc = m + 3;
      const std::vector<float> A = random_values(static_cast<std::size_t>(lda) * (ta ? m : k), 1);
      const std::vector<float> B = random_values(static_cast<std::size_t>(ldb) * (tb ? k : n), 2);
      const std::vector<float> C = random_values(static_cast<std::size_t>(ldc) * n, 3);
      DeviceArray<float> dA(A), dB(B), dC(C);
      ASSERT_CUBLAS(cublasSgemm(handle_, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k,
                                &alpha, dA.get(), lda, dB.get(), ldb, &beta, dC.get(), ldc));
      const std::vector<float> expected = naive_gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
      const std::vector<float> got = dC.download();
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(expected[i], got[i], 1e-5f) << "ta=" << ta << " tb=" << tb;
    }
}

TEST_F(EmuCublas, SgemvMatchesLoop) {
  const int m = 6, n = 4, lda = 9;
  const float alpha = 2.0f, beta = -1.0f;
  const std::vector<float> A = random_values(static_cast<std::size_t>(lda) * n, 4);
  for (int t = 0; t < 2; ++t) {
    const int xlen = t ? m : n, ylen = t ? n : m;
    const std::vector<float> x = random_values(2 * xlen, 5), y = random_values(ylen, 6);
    DeviceArray<float> dA(A), dx(x), dy(y);
    ASSERT_CUBLAS(cublasSgemv(handle_, t ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, &alpha, dA.get(), lda, dx.get(), 2, &beta,
                              dy.get(), 1));
    const std::vector<float> got = dy.download();
    for (int i = 0; i < ylen; ++i) {
      double sum = 0;
      for (int p = 0; p < xlen; ++p) sum += static_cast<double>(t ? A[p + i * lda] : A[i + p * lda]) * x[2 * p];
      EXPECT_NEAR(alpha * sum + beta * y[i], got[i], 1e-5) << "trans=" << t;
    }
  }
}

TEST_F(EmuCublas, LeadingDimensionMistakesShow) {
  const int m = 5, n = 3, k = 4, lda = 7, ldb = 6;
  const float one = 1.0f, zero = 0.0f;
  const std::vector<float> A = random_values(static_cast<std::size_t>(lda) * k, 7);
  const std::vector<float> B = random_values(static_cast<std::size_t>(lda) * n, 8);
  DeviceArray<float> dA(A), dB(B), right(m * n), swapped(m * n);
  ASSERT_CUBLAS(cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA.get(), lda, dB.get(), ldb, &zero,
                            right.get(), m));
  ASSERT_CUBLAS(cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA.get(), ldb, dB.get(), lda, &zero,
                            swapped.get(), m));
  EXPECT_NE(right.download(), swapped.download());
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA.get(), m - 1,
                                                     dB.get(), ldb, &zero, right.get(), m));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, dA.get(), k - 1,
                                                     dB.get(), ldb, &zero, right.get(), m));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, -1, n, k, &one, dA.get(), lda,
                                                     dB.get(), ldb, &zero, right.get(), m));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, A.data(), lda,
                                                     dB.get(), ldb, &zero, right.get(), m))
      << "a host pointer is no operand";
  EXPECT_STREQ("CUBLAS_STATUS_INVALID_VALUE", cublasGetStatusName(CUBLAS_STATUS_INVALID_VALUE));
}

float round_to_tf32(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits = (bits + 0xfffu + ((bits >> 13) & 1u)) & 0xffffe000u;
  std::memcpy(&x, &bits, 4);
  return x;
}

TEST_F(EmuCublas, Tf32ChangesResultsByAboutTwoToTheMinusEleven) {
  const int m = 32, n = 24, k = 64;
  const float one = 1.0f, zero = 0.0f;
  const std::vector<float> A = random_values(static_cast<std::size_t>(m) * k, 9), B = random_values(k * n, 10);
  DeviceArray<float> dA(A), dB(B), full(m * n), tf32(m * n);
  ASSERT_CUBLAS(
      cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA.get(), m, dB.get(), k, &zero, full.get(), m));
  ASSERT_CUBLAS(cublasSetMathMode(handle_, CUBLAS_TF32_TENSOR_OP_MATH));
  cublasMath_t mode;
  ASSERT_CUBLAS(cublasGetMathMode(handle_, &mode));
  EXPECT_EQ(CUBLAS_TF32_TENSOR_OP_MATH, mode);
  ASSERT_CUBLAS(
      cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA.get(), m, dB.get(), k, &zero, tf32.get(), m));
  std::vector<float> rA(A), rB(B);
  for (float& x : rA) x = round_to_tf32(x);
  for (float& x : rB) x = round_to_tf32(x);
  const std::vector<float> expected =
      naive_gemm(false, false, m, n, k, 1.0f, rA, m, rB, k, 0.0f, std::vector<float>(m * n), m);
  const std::vector<float> got_full = full.download(), got_tf32 = tf32.download();
  double worst = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double scale = 0;  // Σ|a||b|: the size rounding errors are relative to
      for (int p = 0; p < k; ++p) scale += std::fabs(A[i + p * m] * B[p + j * k]);
      const std::size_t c = i + static_cast<std::size_t>(j) * m;
      worst = std::max(worst, std::fabs(got_tf32[c] - got_full[c]) / scale);
      EXPECT_NEAR(expected[c], got_tf32[c], 1e-5 * scale);
    }
  EXPECT_GT(worst, std::ldexp(1.0, -16)) << "TF32 must change the results";
  EXPECT_LT(worst, std::ldexp(1.0, -10)) << "two roundings of 2^-11 at most";
}

TEST_F(EmuCublas, GemmExBf16InputsFp32Output) {
  const int m = 8, n = 5, k = 16;
  const float alpha = 1.0f, beta = 0.0f;
  const std::vector<float> A = random_values(m * k, 11), B = random_values(k * n, 12);
  std::vector<__nv_bfloat16> hA(A.begin(), A.end()), hB(B.begin(), B.end());
  std::vector<float> wA(hA.begin(), hA.end()), wB(hB.begin(), hB.end());
  DeviceArray<__nv_bfloat16> dA(hA), dB(hB);
  DeviceArray<float> dC(m * n);
  ASSERT_CUBLAS(cublasGemmEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA.get(), CUDA_R_16BF, m, dB.get(),
                             CUDA_R_16BF, k, &beta, dC.get(), CUDA_R_32F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  const std::vector<float> expected =
      naive_gemm(false, false, m, n, k, 1.0f, wA, m, wB, k, 0.0f, std::vector<float>(m * n), m);
  const std::vector<float> got = dC.download();
  for (int i = 0; i < m * n; ++i) EXPECT_NEAR(expected[i], got[i], 1e-5f);
  EXPECT_EQ(CUBLAS_STATUS_NOT_SUPPORTED,
            cublasGemmEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA.get(), CUDA_R_16F, m, dB.get(),
                         CUDA_R_16F, k, &beta, dC.get(), CUDA_R_32F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

TEST_F(EmuCublas, CaptureNeedsAWorkspaceAndSetStreamDropsIt) {
  cudaStream_t stream;
  ASSERT_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  ASSERT_CUBLAS(cublasSetStream(handle_, stream));
  DeviceArray<float> A(std::vector<float>{2.0f}), B(std::vector<float>{3.0f}), C(std::vector<float>{0.0f});
  DeviceArray<unsigned char> workspace(1 << 20);
  float alpha = 1.0f;
  const float beta = 1.0f;
  auto gemm = [&] {
    return cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &alpha, A.get(), 1, B.get(), 1, &beta, C.get(), 1);
  };
  ASSERT_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  EXPECT_EQ(CUBLAS_STATUS_NOT_SUPPORTED, gemm());
  cudaGraph_t graph = nullptr;
  ASSERT_CUDA(cudaStreamEndCapture(stream, &graph));
  cudaGraphDestroy(graph);

  ASSERT_CUBLAS(cublasSetWorkspace(handle_, workspace.get(), 1 << 20));
  ASSERT_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  ASSERT_CUBLAS(gemm());
  alpha = 10.0f;  // host scalars are baked in at capture
  ASSERT_CUDA(cudaStreamEndCapture(stream, &graph));
  EXPECT_EQ(0.0f, C.download()[0]);
  cudaGraphExec_t exec;
  ASSERT_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  ASSERT_CUDA(cudaGraphLaunch(exec, stream));
  ASSERT_CUDA(cudaGraphLaunch(exec, stream));
  EXPECT_EQ(12.0f, C.download()[0]);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);

  ASSERT_CUBLAS(cublasSetStream(handle_, stream));  // resets the workspace, as cuBLAS does
  ASSERT_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  EXPECT_EQ(CUBLAS_STATUS_NOT_SUPPORTED, gemm());
  ASSERT_CUDA(cudaStreamEndCapture(stream, &graph));
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
}

// ---- bf16 and CUB ------------------------------------------------------------------------------------------

TEST(EmuBf16, RoundsToNearestEven) {
  EXPECT_EQ(1.0f, __bfloat162float(__float2bfloat16_rn(1.0f + std::ldexp(1.0f, -8))));  // tie → even
  EXPECT_EQ(1.0f + std::ldexp(1.0f, -6), __bfloat162float(__float2bfloat16_rn(1.0f + 3 * std::ldexp(1.0f, -8))));
  EXPECT_EQ(1.0f + std::ldexp(1.0f, -7),
            static_cast<float>(__nv_bfloat16(1.0f + std::ldexp(1.0f, -7) + std::ldexp(1.0f, -9))));
  EXPECT_TRUE(std::isnan(__bfloat162float(__float2bfloat16(NAN))));
  EXPECT_EQ(2u, sizeof(__nv_bfloat16));
}

TEST(EmuCub, RadixSortIsStableAndRespectsEndBit) {
  const std::vector<int> keys = {5 | (1 << 8), 3, 5, 3 | (2 << 8), 5 | (3 << 8), -1};
  const std::vector<int> values = {0, 1, 2, 3, 4, 5};
  DeviceArray<int> kin(keys), kout(keys.size()), vin(values), vout(values.size());
  std::size_t bytes = 0;
  ASSERT_CUDA(cub::DeviceRadixSort::SortPairs(nullptr, bytes, kin.get(), kout.get(), vin.get(), vout.get(), 6, 0, 8));
  ASSERT_GT(bytes, 0u);
  DeviceArray<unsigned char> temp(bytes);
  ASSERT_CUDA(
      cub::DeviceRadixSort::SortPairs(temp.get(), bytes, kin.get(), kout.get(), vin.get(), vout.get(), 6, 0, 8));
  // Bits 0..7 of -1 are 0xff (the sign flip is bit 31, outside the range): it sorts last.
  EXPECT_EQ((std::vector<int>{1, 3, 0, 2, 4, 5}), vout.download());
  EXPECT_EQ((std::vector<int>{3, 3 | (2 << 8), 5 | (1 << 8), 5, 5 | (3 << 8), -1}), kout.download());
  // All 32 bits: the sign bit is flipped first, so negatives come first.
  ASSERT_CUDA(cub::DeviceRadixSort::SortPairs(temp.get(), bytes, kin.get(), kout.get(), vin.get(), vout.get(), 6));
  EXPECT_EQ((std::vector<int>{-1, 3, 5, 5 | (1 << 8), 3 | (2 << 8), 5 | (3 << 8)}), kout.download());
}

TEST(EmuCub, DescendingFloatSort) {
  const std::vector<float> keys = {-1.5f, 2.0f, 0.5f, -3.0f, 2.0f, 0.0f};
  const std::vector<int> values = {0, 1, 2, 3, 4, 5};
  DeviceArray<float> kin(keys), kout(keys.size());
  DeviceArray<int> vin(values), vout(values.size());
  std::size_t bytes = 0;
  ASSERT_CUDA(
      cub::DeviceRadixSort::SortPairsDescending(nullptr, bytes, kin.get(), kout.get(), vin.get(), vout.get(), 6));
  DeviceArray<unsigned char> temp(bytes);
  ASSERT_CUDA(cub::DeviceRadixSort::SortPairsDescending(temp.get(), bytes, kin.get(), kout.get(), vin.get(), vout.get(),
                                                        6, 0, 32));
  EXPECT_EQ((std::vector<float>{2.0f, 2.0f, 0.5f, 0.0f, -1.5f, -3.0f}), kout.download());
  EXPECT_EQ((std::vector<int>{1, 4, 2, 5, 0, 3}), vout.download());
}

TEST(EmuCub, RunLengthEncodeAndScans) {
  const std::vector<int> in = {1, 1, 2, 2, 2, 5, 1};
  DeviceArray<int> din(in), unique(7), counts(7), runs(1), excl(7), incl(7);
  std::size_t bytes = 0;
  ASSERT_CUDA(cub::DeviceRunLengthEncode::Encode(nullptr, bytes, din.get(), unique.get(), counts.get(), runs.get(), 7));
  DeviceArray<unsigned char> temp(bytes);
  ASSERT_CUDA(
      cub::DeviceRunLengthEncode::Encode(temp.get(), bytes, din.get(), unique.get(), counts.get(), runs.get(), 7));
  ASSERT_EQ(4, runs.download()[0]);
  const std::vector<int> u = unique.download(), c = counts.download();
  EXPECT_EQ((std::vector<int>{1, 2, 5, 1}), std::vector<int>(u.begin(), u.begin() + 4));
  EXPECT_EQ((std::vector<int>{2, 3, 1, 1}), std::vector<int>(c.begin(), c.begin() + 4));
  std::size_t scan_bytes = 0;
  ASSERT_CUDA(cub::DeviceScan::ExclusiveSum(nullptr, scan_bytes, din.get(), excl.get(), 7));
  DeviceArray<unsigned char> scan_temp(scan_bytes);
  ASSERT_CUDA(cub::DeviceScan::ExclusiveSum(scan_temp.get(), scan_bytes, din.get(), excl.get(), 7));
  ASSERT_CUDA(cub::DeviceScan::InclusiveSum(scan_temp.get(), scan_bytes, din.get(), incl.get(), 7));
  EXPECT_EQ((std::vector<int>{0, 1, 2, 4, 6, 8, 13}), excl.download());
  EXPECT_EQ((std::vector<int>{1, 2, 4, 6, 8, 13, 14}), incl.download());
}

TEST(EmuCub, TempStorageProtocol) {
  std::vector<int> keys(1000);
  for (int i = 0; i < 1000; ++i) keys[i] = (i * 37) % 1000;
  DeviceArray<int> kin(keys), kout(keys.size());
  std::size_t small = 0, large = 0;
  ASSERT_CUDA(cub::DeviceRadixSort::SortKeys(nullptr, small, kin.get(), kout.get(), 10));
  ASSERT_CUDA(cub::DeviceRadixSort::SortKeys(nullptr, large, kin.get(), kout.get(), 1000));
  EXPECT_GT(small, 0u);
  EXPECT_GT(large, small);
  DeviceArray<unsigned char> temp(small);
  const std::vector<int> before = kout.download();
  std::size_t claimed = small;
  EXPECT_EQ(cudaErrorInvalidValue, cub::DeviceRadixSort::SortKeys(temp.get(), claimed, kin.get(), kout.get(), 1000));
  claimed = large;  // a claim larger than the buffer really is
  EXPECT_EQ(cudaErrorInvalidValue, cub::DeviceRadixSort::SortKeys(temp.get(), claimed, kin.get(), kout.get(), 1000));
  EXPECT_EQ(before, kout.download()) << "a refused call does nothing";
  DeviceArray<unsigned char> enough(large);
  EXPECT_EQ(cudaErrorInvalidValue, cub::DeviceRadixSort::SortKeys(enough.get(), large, keys.data(), kout.get(), 1000))
      << "host keys";
  ASSERT_CUDA(cub::DeviceRadixSort::SortKeys(enough.get(), large, kin.get(), kout.get(), 1000));
  std::vector<int> sorted(1000);
  for (int i = 0; i < 1000; ++i) sorted[i] = i;
  EXPECT_EQ(sorted, kout.download());
}

// Real CUB needs separate sort buffers and overwrites its scratch: a sort in place is refused, and the
// scratch holds nothing of the caller's after a call.
TEST(EmuCub, SortRefusesAliasedBuffersAndOverwritesItsScratch) {
  DeviceArray<int> keys(std::vector<int>{3, 1, 2}), out(std::vector<int>(3, 0));
  std::size_t bytes = 0;
  ASSERT_CUDA(cub::DeviceRadixSort::SortKeys(nullptr, bytes, keys.get(), out.get(), 3));
  DeviceArray<unsigned char> temp(std::vector<unsigned char>(bytes, 7));
  EXPECT_EQ(cudaErrorInvalidValue, cub::DeviceRadixSort::SortKeys(temp.get(), bytes, keys.get(), keys.get(), 3));
  ASSERT_CUDA(cub::DeviceRadixSort::SortKeys(temp.get(), bytes, keys.get(), out.get(), 3));
  EXPECT_EQ(out.download(), (std::vector<int>{1, 2, 3}));
  for (unsigned char b : temp.download()) ASSERT_NE(b, 7);
}

TEST(EmuCub, DeviceAlgorithmsAreCaptured) {
  cudaStream_t stream;
  ASSERT_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  DeviceArray<int> in(std::vector<int>{3, 1, 2}), out(std::vector<int>{0, 0, 0});
  std::size_t bytes = 0;
  ASSERT_CUDA(cub::DeviceScan::InclusiveSum(nullptr, bytes, in.get(), out.get(), 3, stream));
  DeviceArray<unsigned char> temp(bytes);
  ASSERT_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  ASSERT_CUDA(cub::DeviceScan::InclusiveSum(temp.get(), bytes, in.get(), out.get(), 3, stream));
  cudaGraph_t graph;
  ASSERT_CUDA(cudaStreamEndCapture(stream, &graph));
  EXPECT_EQ((std::vector<int>{0, 0, 0}), out.download());
  cudaGraphExec_t exec;
  ASSERT_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  ASSERT_CUDA(cudaGraphLaunch(exec, stream));
  EXPECT_EQ((std::vector<int>{3, 4, 6}), out.download());
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
}

TEST(EmuCub, BlockReduceIsDeterministicAndValidInThreadZero) {
  std::vector<float> values(128);
  for (int i = 0; i < 128; ++i) values[i] = std::ldexp(1.0f + i / 128.0f, (i * 13) % 40 - 20);
  float expected = values[0];
  for (int i = 1; i < 128; ++i) expected += values[i];  // thread order, left to right
  DeviceArray<float> in(values), out(1), echo(std::vector<float>(128, 0.0f));
  for (Schedule s : kAllSchedules) {
    ScheduleOverride schedule(s);
    embgeo_emu::launch(block_reduce_kernel, 1, 128, 0, nullptr, in.get(), out.get(), echo.get());
    EXPECT_EQ(expected, out.download()[0]) << embgeo_emu::schedule_name();
    const std::vector<float> others = echo.download();
    for (int t = 1; t < 128; ++t) EXPECT_EQ(values[t], others[t]) << "threads other than 0 get their input back";
  }
}

}  // namespace
