// `bench kernels` and the step's floor on the CPU, mirroring kernels/gpu_benchmarks.cu for the fast CPU path:
// each op of a training step timed alone on one thread (as the PyTorch peer runs), with the bytes and FLOPs
// of the cost model, and the library SGEMM of the head's shape beside the head ops.
#include <cblas.h>

#include <cstring>
#include <vector>

#include "bench/bench.hpp"
#include "bench/median_time.hpp"
#include "bench/perf_model.hpp"
#include "cpu/cpu_path.hpp"
#include "embgeo/params.hpp"
#include "embgeo/synthetic_ids.hpp"

namespace embgeo {

Ceilings measure_cpu_ceilings() {
  cpu_fast::set_blas_threads(1);
  Ceilings c;
  const std::size_t bytes = std::size_t{256} << 20;
  std::vector<char> from(bytes, 1), to(bytes);
  c.copy_bytes_per_second =
      2.0 * static_cast<double>(bytes) / median_seconds(3, [&] { std::memcpy(to.data(), from.data(), bytes); });
  const int n = 1024;
  std::vector<float> a(static_cast<std::size_t>(n) * n, 0.5f), b(a.size(), 0.25f), product(a.size());
  const double seconds = median_seconds(3, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, product.data(), n);
  });
  c.fp32_flops = 2.0 * n * n * n / seconds;
  return c;
}

std::vector<KernelTiming> cpu_kernel_timings(const ModelShape& s, int repeats) {
  cpu_fast::set_blas_threads(1);
  const CpuOps& ops = cpu_ops(CpuPath::kFast);
  const int B = s.B, C = s.C, D = s.D, V = s.V;
  Params p = init_params(s, 11);
  const std::vector<std::int32_t> uniform_ids = synthetic_corpus(V, static_cast<std::size_t>(B) * C, 11);
  const std::vector<std::int32_t> skewed_ids = zipf_ids(V, static_cast<std::size_t>(B) * C, 1.1, 11);
  const std::vector<std::int32_t> y = synthetic_corpus(V, static_cast<std::size_t>(B), 12);
  std::vector<float> h(static_cast<std::size_t>(B) * D), logits(s.logits_elems()), dlogits(logits.size()),
      plain(logits.size()), dh(h.size()), dW(s.embedding_elems()), db(V), dE(s.embedding_elems()),
      m(s.embedding_elems(), 0.0f), v(s.embedding_elems(), 0.0f);
  ops.gather_pool_forward(uniform_ids.data(), p.embedding.data(), nullptr, h.data(), B, C, D, Pooling{});
  ops.head_forward(h.data(), p.head_weight.data(), p.head_bias.data(), logits.data(), B, D, V);

  std::vector<KernelTiming> rows;
  auto time = [&](const std::string& name, double bytes, double flops, auto&& run) {
    rows.push_back({name, 1e3 * median_seconds(repeats, run), bytes, flops});
  };
  time("gather_pool_forward", perf::gather_mean_cost(s).bytes, 0,
       [&] { ops.gather_pool_forward(uniform_ids.data(), p.embedding.data(), nullptr, h.data(), B, C, D, Pooling{}); });
  time("head_forward (bias + OpenBLAS)", 0, perf::head_forward_cost(s).flops,
       [&] { ops.head_forward(h.data(), p.head_weight.data(), p.head_bias.data(), logits.data(), B, D, V); });
  time("plain cblas_sgemm, same shape", 0, perf::head_forward_cost(s).flops, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, V, D, 1.0f, h.data(), D, p.head_weight.data(), D, 0.0f,
                plain.data(), V);
  });
  rows.back().plain_gemm = true;
  // softmax-CE overwrites its input: each repeat starts from a fresh copy, timed alone and subtracted.
  const double copy_ms = 1e3 * median_seconds(repeats, [&] { dlogits = logits; });
  const double xent_ms = 1e3 * median_seconds(repeats, [&] {
    dlogits = logits;
    ops.softmax_xent_forward_backward(dlogits.data(), y.data(), B, V, 1.0f / B);
  });
  rows.push_back({"softmax_xent_forward_backward", std::max(0.0, xent_ms - copy_ms), perf::softmax_xent_cost(s).bytes, 0});
  time("head_backward (2 GEMMs + bias sums)", 0, perf::head_backward_cost(s).flops, [&] {
    ops.head_backward(dlogits.data(), h.data(), p.head_weight.data(), dW.data(), db.data(), dh.data(), B, D, V);
  });
  time("scatter_add_backward, uniform ids", perf::scatter_add_cost(s, perf::distinct_ids(uniform_ids, V)).bytes, 0,
       [&] { ops.scatter_add_backward(dh.data(), uniform_ids.data(), nullptr, dE.data(), B, C, D, V, Pooling{}); });
  time("scatter_add_backward, Zipf ids", perf::scatter_add_cost(s, perf::distinct_ids(skewed_ids, V)).bytes, 0,
       [&] { ops.scatter_add_backward(dh.data(), skewed_ids.data(), nullptr, dE.data(), B, C, D, V, Pooling{}); });
  const OptimizerConfig adam;
  time("adam_step over E (V·D)", perf::adam_cost(s.embedding_elems()).bytes, 0,
       [&] { ops.adam_step(p.embedding.data(), dE.data(), m.data(), v.data(), s.embedding_elems(), adam, 1); });
  return rows;
}

}  // namespace embgeo
