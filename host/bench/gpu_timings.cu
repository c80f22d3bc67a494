// The GPU measurements behind `embgeo-cuda bench`: device ceilings, lookup vs one-hot, and each training
// kernel alone. Every fast path is checked against a reference before it is timed.
#include <cuda_bf16.h>

#include <cstring>

#include "bench/device_fill.cuh"
#include "bench/event_timer.cuh"
#include "bench/gpu_timings.hpp"
#include "bench/perf_model.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/params.hpp"
#include "embgeo/philox.hpp"
#include "embgeo/synthetic_ids.hpp"
#include "launchers.cuh"

namespace embgeo {
namespace {

using cuda::DeviceBuffer;
using cuda::uploaded;

__global__ void to_bf16_kernel(const float* __restrict__ in, __nv_bfloat16* __restrict__ out, std::size_t n) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    out[i] = __float2bfloat16_rn(in[i]);
}

std::size_t free_bytes(int device) { return gpu_memory(device).free_bytes; }

// The ceilings: a large copy and large GEMMs. The emulated device runs on the CPU, so there the same
// measurements run at sizes that finish in seconds (and measure the CPU, which bench says).
#if defined(EMBGEO_EMULATED_DEVICE)
constexpr std::size_t kCeilingCopyBytes = std::size_t{64} << 20;
constexpr int kCeilingGemmSize = 512;
#else
constexpr std::size_t kCeilingCopyBytes = std::size_t{1} << 30;
constexpr int kCeilingGemmSize = 8192;
#endif

}  // namespace

namespace cuda {
namespace {

__global__ void fill_uniform_kernel(float* __restrict__ out, std::size_t n, float lo, float hi, std::uint64_t seed) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    out[i] = lo + (hi - lo) * uniform01(philox_draw(seed, RandomStream::kUser, i).v[0]);
}

}  // namespace

DeviceBuffer<float> uniform_buffer(std::size_t n, float lo, float hi, std::uint64_t seed, cudaStream_t stream) {
  DeviceBuffer<float> buffer(n);
  launch(fill_uniform_kernel, blocks_for(n, 256), 256, stream, buffer.get(), n, lo, hi, seed);
  return buffer;
}

}  // namespace cuda

Ceilings measure_gpu_ceilings(int device) {
  CUDA_CHECK(cudaSetDevice(device));
  const cuda::StreamAndBlas context;
  const cudaStream_t stream = context.stream();
  cuda::EventTimer timer(stream);
  Ceilings c;
  const std::size_t bytes = kCeilingCopyBytes;
  DeviceBuffer<unsigned char> a(bytes), b(bytes);
  CUDA_CHECK(cudaMemsetAsync(a.get(), 1, bytes, stream));
  const double copy_ms = timer.median_ms(10, [&] {
    CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, stream));
  });
  c.copy_bytes_per_second = 2.0 * static_cast<double>(bytes) / (copy_ms * 1e-3);

  const int n = kCeilingGemmSize;
  const std::size_t elems = static_cast<std::size_t>(n) * n;
  // Random operands: a GEMM of zeros reads ~13% faster than real work on an H200.
  DeviceBuffer<float> x = cuda::uniform_buffer(elems, -1.0f, 1.0f, 1, stream),
                      y = cuda::uniform_buffer(elems, -1.0f, 1.0f, 2, stream), z(elems);
  const float one = 1.0f, zero = 0.0f;
  const double flops = 2.0 * n * static_cast<double>(n) * n;
  c.fp32_flops = flops / (1e-3 * timer.median_ms(5, [&] {
    CUBLAS_CHECK(cublasSgemm(context.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, x.get(), n, y.get(), n, &zero, z.get(), n));
  }));
  // The same random operands rounded to bf16.
  DeviceBuffer<__nv_bfloat16> xb(elems), yb(elems);
  cuda::launch(to_bf16_kernel, cuda::blocks_for(elems, 256), 256, stream, x.get(), xb.get(), elems);
  cuda::launch(to_bf16_kernel, cuda::blocks_for(elems, 256), 256, stream, y.get(), yb.get(), elems);
  c.bf16_flops = flops / (1e-3 * timer.median_ms(5, [&] {
    CUBLAS_CHECK(cublasGemmEx(context.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, xb.get(), CUDA_R_16BF, n, yb.get(),
                              CUDA_R_16BF, n, &zero, z.get(), CUDA_R_32F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }));
  return c;
}

LookupVsOnehot cuda_lookup_vs_onehot(int device, int V, int D, int N, int repeats, const Ceilings& ceilings,
                                     double budget_seconds) {
  CUDA_CHECK(cudaSetDevice(device));
  const cuda::StreamAndBlas context;
  const cudaStream_t stream = context.stream();
  cuda::EventTimer timer(stream);
  const std::vector<float> E = init_params({V, D, 1, 1}, 7).embedding;
  const std::vector<std::int32_t> ids = synthetic_corpus(V, static_cast<std::size_t>(N), 7);
  std::vector<float> reference(static_cast<std::size_t>(N) * D);
  cpu::gather_pool_forward(ids.data(), E.data(), nullptr, reference.data(), N, 1, D, Pooling{});

  LookupVsOnehot r;
  DeviceBuffer<float> d_E = uploaded(E, stream), out(reference.size());
  DeviceBuffer<std::int32_t> d_ids = uploaded(ids, stream);
  auto lookup = [&] { cuda::gather_pool_forward(d_ids.get(), d_E.get(), nullptr, out.get(), N, 1, D, Pooling{}, stream); };
  lookup();
  r.lookup_equal = out.download(out.size(), stream) == reference;
  r.lookup_milliseconds = timer.median_ms(repeats, lookup);

  // Repeats for a route from its predicted time; 0: over the budget, skipped.
  const double flops = perf::onehot_matmul_cost(N, V, D).flops;
  auto plan = [&](OnehotRoute& route, double rate) {
    route.predicted_seconds = rate > 0 ? flops / rate : 0;
    route.over_budget = route.predicted_seconds * 2 > budget_seconds;
    const double affordable = route.predicted_seconds > 0 ? budget_seconds / route.predicted_seconds - 1 : repeats;
    route.repeats = route.over_budget ? 0 : std::clamp(static_cast<int>(affordable), 1, repeats);
  };
  plan(r.fp32, ceilings.fp32_flops);
  plan(r.bf16, ceilings.bf16_flops);

  const double cells = static_cast<double>(N) * V;
  r.fp32.onehot_bytes = cells * sizeof(float);
  r.bf16.onehot_bytes = cells * sizeof(__nv_bfloat16);
  const double headroom = 256.0 * (1 << 20);  // cuBLAS workspace and the flush buffer
  r.fp32.fits = r.fp32.onehot_bytes + headroom < static_cast<double>(free_bytes(device));
  if (r.fp32.fits && !r.fp32.over_budget) {
    DeviceBuffer<float> onehot(static_cast<std::size_t>(cells));
    auto route = [&] { cuda::onehot_matmul(context.cublas(), d_ids.get(), d_E.get(), onehot.get(), out.get(), N, V, D, stream); };
    route();
    r.fp32.equal = out.download(out.size(), stream) == reference;
    r.fp32.milliseconds = timer.median_ms(r.fp32.repeats, route, cuda::EventTimer::kWarm);
  }
  r.bf16.fits = r.bf16.onehot_bytes + E.size() * 2.0 + headroom < static_cast<double>(free_bytes(device));
  if (r.bf16.fits && !r.bf16.over_budget) {
    DeviceBuffer<__nv_bfloat16> E_bf16(E.size()), onehot(static_cast<std::size_t>(cells));
    cuda::launch(to_bf16_kernel, cuda::blocks_for(E.size(), 256), 256, stream, d_E.get(), E_bf16.get(), E.size());
    auto route = [&] {
      cuda::onehot_matmul_bf16(context.cublas(), d_ids.get(), E_bf16.get(), onehot.get(), out.get(), N, V, D, stream);
    };
    route();
    // The bf16 route must return exactly the bf16-rounded rows.
    const std::vector<float> got = out.download(out.size(), stream);
    bool equal = true;
    for (std::size_t i = 0; i < got.size() && equal; ++i)
      equal = got[i] == __bfloat162float(__float2bfloat16_rn(reference[i]));
    r.bf16.equal = equal;
    r.bf16.milliseconds = timer.median_ms(r.bf16.repeats, route, cuda::EventTimer::kWarm);
  }
  return r;
}

std::vector<KernelTiming> cuda_kernel_timings(int device, const ModelShape& s, int repeats) {
  CUDA_CHECK(cudaSetDevice(device));
  const cuda::StreamAndBlas context;
  const cudaStream_t stream = context.stream();
  cublasHandle_t cublas = context.cublas();
  cuda::EventTimer timer(stream);
  const int B = s.B, C = s.C, D = s.D, V = s.V;
  const Params p = init_params(s, 11);
  DeviceBuffer<float> E = uploaded(p.embedding, stream), W = uploaded(p.head_weight, stream), bias = uploaded(p.head_bias, stream);
  const std::vector<std::int32_t> uniform_ids = synthetic_corpus(V, static_cast<std::size_t>(B) * C, 11);
  const std::vector<std::int32_t> skewed_ids = zipf_ids(V, static_cast<std::size_t>(B) * C, 1.1, 11);
  DeviceBuffer<std::int32_t> x = uploaded(uniform_ids, stream), x_zipf = uploaded(skewed_ids, stream);
  DeviceBuffer<std::int32_t> y = uploaded(synthetic_corpus(V, B, 12), stream);
  DeviceBuffer<float> h(static_cast<std::size_t>(B) * D), logits(static_cast<std::size_t>(B) * V), dh(h.size()),
      dW(p.head_weight.size()), db(V), dE(p.embedding.size()), m(p.embedding.size()), v(p.embedding.size()),
      ones = uploaded(std::vector<float>(B, 1.0f), stream), plain(logits.size());
  DeviceBuffer<double> loss(1), row_loss(static_cast<std::size_t>(B));
  loss.zero(stream);  // the softmax adds its batch loss into it
  m.zero(stream);
  v.zero(stream);
  cuda::gather_pool_forward(x.get(), E.get(), nullptr, h.get(), B, C, D, Pooling{}, stream);
  cuda::head_forward(cublas, h.get(), W.get(), bias.get(), logits.get(), B, D, V, stream);

  std::vector<KernelTiming> rows;
  auto time = [&](const std::string& name, double bytes, double flops, auto&& launch) {
    rows.push_back({name, timer.median_ms(repeats, launch), bytes, flops});
  };
  time("gather_pool_forward", perf::gather_mean_cost(s).bytes, 0,
       [&] { cuda::gather_pool_forward(x.get(), E.get(), nullptr, h.get(), B, C, D, Pooling{}, stream); });
  time("head_forward (bias + cuBLAS)", 0, perf::head_forward_cost(s).flops,
       [&] { cuda::head_forward(cublas, h.get(), W.get(), bias.get(), logits.get(), B, D, V, stream); });
  const float one = 1.0f, zero = 0.0f;
  time("plain cublasSgemm, same shape", 0, perf::head_forward_cost(s).flops, [&] {
    CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_T, CUBLAS_OP_N, V, B, D, &one, W.get(), D, h.get(), D, &zero, plain.get(), V));
  });
  rows.back().plain_gemm = true;
  // softmax-CE overwrites its input, so each repeat starts from a fresh copy of the logits; the copy is
  // timed separately and subtracted.
  const double copy_ms = timer.median_ms(repeats, [&] {
    CUDA_CHECK(cudaMemcpyAsync(plain.get(), logits.get(), logits.size() * sizeof(float), cudaMemcpyDeviceToDevice, stream));
  });
  const double xent_ms = timer.median_ms(repeats, [&] {
    CUDA_CHECK(cudaMemcpyAsync(plain.get(), logits.get(), logits.size() * sizeof(float), cudaMemcpyDeviceToDevice, stream));
    cuda::softmax_xent_forward_backward(plain.get(), nullptr, y.get(), row_loss.get(), loss.get(), B, V, 1.0f / B, stream);
  });
  rows.push_back({"softmax_xent_forward_backward", std::max(0.0, xent_ms - copy_ms), perf::softmax_xent_cost(s).bytes, 0});
  // The step's forward both ways: the bias broadcast before a beta = 1 GEMM, against the bias added by the
  // softmax as it reads each row (what a training step runs).
  const double forward_flops = perf::head_forward_cost(s).flops;
  time("head_forward + softmax, bias pass", 0, forward_flops, [&] {
    cuda::head_forward(cublas, h.get(), W.get(), bias.get(), plain.get(), B, D, V, stream);
    cuda::softmax_xent_forward_backward(plain.get(), nullptr, y.get(), row_loss.get(), loss.get(), B, V, 1.0f / B, stream);
  });
  time("head GEMM + softmax adding the bias (step)", 0, forward_flops, [&] {
    cuda::head_forward(cublas, h.get(), W.get(), nullptr, plain.get(), B, D, V, stream);
    cuda::softmax_xent_forward_backward(plain.get(), bias.get(), y.get(), row_loss.get(), loss.get(), B, V, 1.0f / B, stream);
  });
  time("head_backward (2 GEMMs + GEMV)", 0, perf::head_backward_cost(s).flops, [&] {
    cuda::head_backward(cublas, plain.get(), h.get(), W.get(), dW.get(), db.get(), dh.get(), ones.get(), B, D, V, stream);
  });
  time("scatter_add_backward, uniform ids", perf::scatter_add_cost(s, perf::distinct_ids(uniform_ids, V)).bytes, 0,
       [&] { cuda::scatter_add_backward(dh.get(), x.get(), nullptr, dE.get(), B, C, D, V, Pooling{}, stream); });
  time("scatter_add_backward, Zipf ids", perf::scatter_add_cost(s, perf::distinct_ids(skewed_ids, V)).bytes, 0,
       [&] { cuda::scatter_add_backward(dh.get(), x_zipf.get(), nullptr, dE.get(), B, C, D, V, Pooling{}, stream); });
  // The deterministic path's cost next to the atomic one, at the same ids.
  cuda::SortedScatterWorkspace sorted(B * C, V, D);
  time("scatter_add_backward_sorted, uniform ids", perf::scatter_add_cost(s, perf::distinct_ids(uniform_ids, V)).bytes, 0,
       [&] { cuda::scatter_add_backward_sorted(dh.get(), x.get(), nullptr, dE.get(), B, C, D, Pooling{}, true, sorted, V, stream); });
  time("scatter_add_backward_sorted, Zipf ids", perf::scatter_add_cost(s, perf::distinct_ids(skewed_ids, V)).bytes, 0,
       [&] { cuda::scatter_add_backward_sorted(dh.get(), x_zipf.get(), nullptr, dE.get(), B, C, D, Pooling{}, true, sorted, V, stream); });
  OptimizerConfig adam;
  DeviceBuffer<std::int64_t> step = uploaded(std::vector<std::int64_t>{1}, stream);
  DeviceBuffer<float> scalars(2);
  cuda::adam_scalars(step.get(), adam, scalars.get(), stream);
  time("adam_step over E (V·D)", perf::adam_cost(E.size()).bytes, 0,
       [&] { cuda::adam_step(E.get(), dE.get(), m.get(), v.get(), E.size(), adam, scalars.get(), stream); });
  return rows;
}

}  // namespace embgeo
