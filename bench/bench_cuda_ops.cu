// Benchmarks of the CUDA ops through their launchers (kernels/launchers.cuh), at the shapes of real GPT-2 /
// Llama-3-vocabulary training. Each launch is timed alone with CUDA events (UseManualTime) after an L2
// flush, and reported against the performance model of DESIGN.md §4: GB/s of compulsory traffic, as a
// share of the measured device-to-device copy rate, and TFLOP/s for the GEMMs next to a bare cublasSgemm.
// Without a GPU every benchmark here reports "no CUDA GPU" and touches CUDA no further.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "bench/device_fill.cuh"
#include "bench/perf_model.hpp"
#include "cuda_check.cuh"
#include "device_buffer.cuh"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/philox.hpp"
#include "embgeo/synthetic_ids.hpp"
#include "launchers.cuh"

namespace embgeo::bench {
namespace {

using namespace embgeo::perf;  // the cost model

using cuda::DeviceBuffer;
using cuda::uniform_buffer;
using cuda::uploaded;

constexpr std::uint64_t kSeed = 1234;
constexpr std::size_t kCopyBytes = std::size_t{1} << 30;   // far beyond L2: the copy runs at HBM speed
constexpr std::size_t kMinFlushBytes = std::size_t{256} << 20;
constexpr double kZipfExponent = 1.1;                       // close to the rank-frequency law of BPE tokens

// ---------------------------------------------------------------------------------------------------------
// Device data

// ---------------------------------------------------------------------------------------------------------
// Timing

// The process's stream, cuBLAS handle, events and L2-flush buffer, created on first use (on device 0).
class Gpu {
 public:
  Gpu() {
    int l2_bytes = 0;
    CUDA_CHECK(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, 0));
    flush_ = DeviceBuffer<unsigned char>(std::max(kMinFlushBytes, 2 * static_cast<std::size_t>(l2_bytes)));
    CUDA_CHECK(cudaEventCreate(&start_));
    CUDA_CHECK(cudaEventCreate(&stop_));
  }

  cudaStream_t stream() const { return handles_.stream(); }
  cublasHandle_t cublas() const { return handles_.cublas(); }

  // Seconds of one `launch`, measured by events on the stream. L2 is flushed first, outside the timed
  // region, so every repeat reads its inputs from HBM as in a training step, where the other ops evict them.
  template <typename Launch>
  double time_once(Launch&& launch) {
    flush_.zero(stream());
    CUDA_CHECK(cudaEventRecord(start_, stream()));
    launch();
    CUDA_CHECK(cudaEventRecord(stop_, stream()));
    CUDA_CHECK(cudaEventSynchronize(stop_));
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
    return ms * 1e-3;
  }

  // The measured bandwidth ceiling (read + write bytes per second of a large device-to-device copy), best of
  // a few, measured once per process.
  double copy_bytes_per_second() {
    if (copy_bytes_per_second_ == 0) {
      const DeviceBuffer<unsigned char> src(kCopyBytes);
      DeviceBuffer<unsigned char> dst(kCopyBytes);
      double best = std::numeric_limits<double>::infinity();
      for (int repeat = 0; repeat < 5; ++repeat)
        best = std::min(best, time_once([&] { copy(src, dst); }));
      copy_bytes_per_second_ = 2.0 * kCopyBytes / best;
    }
    return copy_bytes_per_second_;
  }

  void copy(const DeviceBuffer<unsigned char>& src, DeviceBuffer<unsigned char>& dst) const {
    CUDA_CHECK(cudaMemcpyAsync(dst.get(), src.get(), src.size(), cudaMemcpyDeviceToDevice, stream()));
  }

 private:
  cuda::StreamAndBlas handles_;
  DeviceBuffer<unsigned char> flush_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  double copy_bytes_per_second_ = 0;
};

// Deliberately never destroyed: static destructors run after the CUDA runtime has begun unloading at exit,
// where releasing a stream or cuBLAS handle can crash; the process exit frees everything anyway.
Gpu& gpu() {
  static Gpu* const instance = new Gpu();
  return *instance;
}

const GpuInventory& gpu_inventory() {
  static const GpuInventory inventory = query_gpus();
  return inventory;
}

// Runs `body` only where a GPU exists. A CUDA failure becomes this benchmark's error instead of an uncaught
// exception that would end the whole binary.
template <typename Body>
void with_gpu(benchmark::State& state, Body&& body) {
  const GpuInventory& gpus = gpu_inventory();
  if (gpus.count == 0) {
    state.SkipWithError(("no CUDA GPU: " + gpus.why_none).c_str());
    return;
  }
  try {
    body(gpu());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Times `launch` once per iteration and reports rates of the modelled cost over the measured time.
template <typename Launch>
void run_timed(benchmark::State& state, Gpu& g, const OpCost& cost, Launch&& launch) {
  launch();  // untimed: lazy module loading and cuBLAS algorithm selection happen on the first call
  double seconds = 0;
  for (auto _ : state) {
    const double once = g.time_once(launch);
    state.SetIterationTime(once);
    seconds += once;
  }
  const double n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(cost.bytes * n));
  state.counters["GB/s"] = cost.bytes * n / seconds * 1e-9;
  state.counters["%copy_bw"] = 100.0 * cost.bytes * n / seconds / g.copy_bytes_per_second();
  if (cost.flops > 0) state.counters["TFLOP/s"] = cost.flops * n / seconds * 1e-12;
}

// ---------------------------------------------------------------------------------------------------------
// Shapes (arguments in ModelShape order)

ModelShape shape_arg(const benchmark::State& state) {
  return ModelShape{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                    static_cast<int>(state.range(2)), static_cast<int>(state.range(3))};
}

void shape_args(benchmark::internal::Benchmark* b, std::initializer_list<std::vector<std::int64_t>> shapes) {
  b->ArgNames({"V", "D", "C", "B"})->UseManualTime()->Unit(benchmark::kMicrosecond);
  for (const auto& shape : shapes) b->Args(shape);
}

// Embedding ops: a large gathered batch (N = 65536 tokens, D = 256) and the GPT-2-sized training batch.
void embedding_shapes(benchmark::internal::Benchmark* b) {
  shape_args(b, {{50257, 256, 8, 8192}, {50257, 768, 8, 1024}});
}

// Head, softmax and optimizer: GPT-2 and Llama-3 vocabularies at D = 768, B = 1024.
void head_shapes(benchmark::internal::Benchmark* b) {
  shape_args(b, {{50257, 768, 8, 1024}, {128256, 768, 8, 1024}});
}

// ---------------------------------------------------------------------------------------------------------
// Benchmarks

// The bandwidth ceiling every memory-bound op is measured against.
void BM_CudaMemcpyDeviceToDevice(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const DeviceBuffer<unsigned char> src(kCopyBytes);
    DeviceBuffer<unsigned char> dst(kCopyBytes);
    run_timed(state, g, OpCost{2.0 * kCopyBytes, 0}, [&] { g.copy(src, dst); });
  });
}

void BM_CudaGatherMeanForward(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    const auto x = uploaded(synthetic_corpus(s.V, static_cast<std::size_t>(s.B) * s.C, kSeed), g.stream());
    const auto E = uniform_buffer(s.embedding_elems(), -1.0f, 1.0f, kSeed, g.stream());
    DeviceBuffer<float> h(static_cast<std::size_t>(s.B) * s.D);
    run_timed(state, g, gather_mean_cost(s),
              [&] { cuda::gather_pool_forward(x.get(), E.get(), nullptr, h.get(), s.B, s.C, s.D, Pooling{}, g.stream()); });
    state.SetItemsProcessed(static_cast<std::int64_t>(tokens(s) * static_cast<double>(state.iterations())));
  });
}

enum class IdDistribution { kUniform, kZipf };

void BM_CudaScatterAddBackward(benchmark::State& state, IdDistribution distribution) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    const std::size_t N = static_cast<std::size_t>(s.B) * s.C;
    const std::vector<std::int32_t> ids = distribution == IdDistribution::kUniform
                                              ? synthetic_corpus(s.V, N, kSeed)
                                              : zipf_ids(s.V, N, kZipfExponent, kSeed);
    const auto x = uploaded(ids, g.stream());
    const auto dh = uniform_buffer(static_cast<std::size_t>(s.B) * s.D, -1.0f, 1.0f, kSeed, g.stream());
    DeviceBuffer<float> dE(s.embedding_elems());
    const std::size_t unique_rows = distinct_ids(ids, s.V);
    run_timed(state, g, scatter_add_cost(s, unique_rows),
              [&] { cuda::scatter_add_backward(dh.get(), x.get(), nullptr, dE.get(), s.B, s.C, s.D, s.V, Pooling{}, g.stream()); });
    state.SetItemsProcessed(static_cast<std::int64_t>(tokens(s) * static_cast<double>(state.iterations())));
    state.counters["unique_rows"] = static_cast<double>(unique_rows);
  });
}

void BM_CudaSoftmaxXentForwardBackward(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    auto logits = uniform_buffer(s.logits_elems(), -8.0f, 8.0f, kSeed, g.stream());
    const auto y = uploaded(synthetic_corpus(s.V, static_cast<std::size_t>(s.B), kSeed), g.stream());
    DeviceBuffer<double> loss_sum(1), row_loss(static_cast<std::size_t>(s.B));
    loss_sum.zero(g.stream());
    // Repeats run on the previous repeat's output (the op works in place); one pass costs the same for any
    // finite values.
    run_timed(state, g, softmax_xent_cost(s), [&] {
      cuda::softmax_xent_forward_backward(logits.get(), nullptr, y.get(), row_loss.get(), loss_sum.get(), s.B, s.V, 1.0f / s.B,
                                          g.stream());
    });
  });
}

// The head's tensors with PyTorch-like value ranges (W, bias ~ U(±1/√D)).
struct HeadTensors {
  HeadTensors(const ModelShape& s, cudaStream_t stream)
      : h(uniform_buffer(static_cast<std::size_t>(s.B) * s.D, -1.0f, 1.0f, kSeed, stream)),
        W(uniform_buffer(s.embedding_elems(), -linear_bound(s), linear_bound(s), kSeed + 1, stream)),
        bias(uniform_buffer(s.V, -linear_bound(s), linear_bound(s), kSeed + 2, stream)),
        logits(uniform_buffer(s.logits_elems(), -1e-4f, 1e-4f, kSeed + 3, stream)) {}
  static float linear_bound(const ModelShape& s) { return 1.0f / std::sqrt(static_cast<float>(s.D)); }
  DeviceBuffer<float> h, W, bias, logits;  // logits doubles as dlogits (magnitudes ~1/B) for the backward
};

void BM_CudaHeadForward(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    HeadTensors t(s, g.stream());
    run_timed(state, g, head_forward_cost(s), [&] {
      cuda::head_forward(g.cublas(), t.h.get(), t.W.get(), t.bias.get(), t.logits.get(), s.B, s.D, s.V, g.stream());
    });
  });
}

// The GEMM inside head_forward alone (beta = 0, no bias pass): the library's rate at this shape, so the
// difference to BM_CudaHeadForward is what the bias broadcast costs.
void BM_CudaSgemmHeadShape(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    HeadTensors t(s, g.stream());  // the handle is bound to g.stream() already
    const float one = 1.0f, zero = 0.0f;
    run_timed(state, g, head_forward_cost(s), [&] {
      // Row-major logits (B,V) = h·Wᵀ is column-major logitsᵀ (V,B) = W·hᵀ: W stored as column-major (D,V)
      // with ld D, hence op T; h stored as column-major (D,B) with ld D, used as is.
      CUBLAS_CHECK(cublasSgemm(g.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, s.V, s.B, s.D, &one, t.W.get(), s.D, t.h.get(),
                               s.D, &zero, t.logits.get(), s.V));
    });
  });
}

void BM_CudaHeadBackward(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const ModelShape s = shape_arg(state);
    HeadTensors t(s, g.stream());
    const auto ones = uploaded(std::vector<float>(static_cast<std::size_t>(s.B), 1.0f), g.stream());
    DeviceBuffer<float> dW(s.embedding_elems()), db(s.V), dh(static_cast<std::size_t>(s.B) * s.D);
    run_timed(state, g, head_backward_cost(s), [&] {
      cuda::head_backward(g.cublas(), t.logits.get(), t.h.get(), t.W.get(), dW.get(), db.get(), dh.get(), ones.get(),
                          s.B, s.D, s.V, g.stream());
    });
  });
}

// One Adam step over a (V,D) table, the size of E and of W.
void BM_CudaAdamStep(benchmark::State& state) {
  with_gpu(state, [&](Gpu& g) {
    const std::size_t n = shape_arg(state).embedding_elems();
    auto param = uniform_buffer(n, -1.0f, 1.0f, kSeed, g.stream());
    const auto grad = uniform_buffer(n, -1e-3f, 1e-3f, kSeed + 1, g.stream());
    DeviceBuffer<float> m(n), v(n), scalars(2);
    m.zero(g.stream());
    v.zero(g.stream());
    const OptimizerConfig config;
    const AdamStepScalars step1 = adam_step_scalars(config, 1);
    const float host_scalars[2] = {step1.step_size, step1.inv_sqrt_bias2};
    scalars.upload(host_scalars, 2, g.stream());
    run_timed(state, g, adam_cost(n),
              [&] { cuda::adam_step(param.get(), grad.get(), m.get(), v.get(), n, config, scalars.get(), g.stream()); });
    state.SetItemsProcessed(static_cast<std::int64_t>(static_cast<double>(n) * static_cast<double>(state.iterations())));
  });
}

BENCHMARK(BM_CudaMemcpyDeviceToDevice)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CudaGatherMeanForward)->Apply(embedding_shapes);
BENCHMARK_CAPTURE(BM_CudaScatterAddBackward, uniform, IdDistribution::kUniform)->Apply(embedding_shapes);
BENCHMARK_CAPTURE(BM_CudaScatterAddBackward, zipf, IdDistribution::kZipf)->Apply(embedding_shapes);
BENCHMARK(BM_CudaSoftmaxXentForwardBackward)->Apply(head_shapes);
BENCHMARK(BM_CudaHeadForward)->Apply(head_shapes);
BENCHMARK(BM_CudaSgemmHeadShape)->Apply(head_shapes);
BENCHMARK(BM_CudaHeadBackward)->Apply(head_shapes);
BENCHMARK(BM_CudaAdamStep)->Apply(head_shapes);

}  // namespace
}  // namespace embgeo::bench
