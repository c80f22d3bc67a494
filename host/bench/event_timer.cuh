#pragma once
// Timing for benchmarks: CUDA events around each repeat, L2 flushed before it (so a repeat does not find
// its inputs already cached), median of the repeats.
#include <algorithm>
#include <vector>

#include "device_buffer.cuh"

namespace embgeo::cuda {

class EventTimer {
 public:
  explicit EventTimer(cudaStream_t stream) : stream_(stream), flush_(kFlushBytes) {
    CUDA_CHECK(cudaEventCreate(&start_));
    CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  // Median milliseconds of `repeats` runs of `launch` (which enqueues work on the stream), after one untimed
  // warm-up run unless the caller has just run it (kWarm: a correctness check that doubles as the warm-up).
  enum Warmth { kCold, kWarm };
  template <typename Launch>
  double median_ms(int repeats, Launch&& launch, Warmth warmth = kCold) {
    if (warmth == kCold) launch();  // first-use costs (cuBLAS heuristics, module load) are not the op's
    std::vector<float> ms;
    for (int r = 0; r < repeats; ++r) {
      CUDA_CHECK(cudaMemsetAsync(flush_.get(), r & 0xff, flush_.size(), stream_));
      CUDA_CHECK(cudaEventRecord(start_, stream_));
      launch();
      CUDA_CHECK(cudaEventRecord(stop_, stream_));
      CUDA_CHECK(cudaEventSynchronize(stop_));
      float elapsed = 0;
      CUDA_CHECK(cudaEventElapsedTime(&elapsed, start_, stop_));
      ms.push_back(elapsed);
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    return ms[ms.size() / 2];
  }

 private:
  // Larger than any GPU's L2; on the emulated device (CPU caches, emulated speed) a smaller flush suffices.
#if defined(EMBGEO_EMULATED_DEVICE)
  static constexpr std::size_t kFlushBytes = std::size_t{16} << 20;
#else
  static constexpr std::size_t kFlushBytes = std::size_t{256} << 20;
#endif
  cudaStream_t stream_;
  DeviceBuffer<unsigned char> flush_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

}  // namespace embgeo::cuda
