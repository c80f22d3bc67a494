// Benchmarks of the two CPU paths (argument fast:0 the reference loops, fast:1 the fast path): each op alone,
// then a whole training step through the backend interface, with bytes/s and FLOP/s from the model in
// include/embgeo/perf_model.hpp. The reference is written to be read; the fast path is what `--device cpu` runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "bench/perf_model.hpp"
#include "cpu/cpu_path.hpp"
#include "embgeo/backend.hpp"
#include "embgeo/params.hpp"
#include "embgeo/synthetic_ids.hpp"

namespace embgeo::bench {
namespace {

using namespace embgeo::perf;  // the cost model

constexpr std::uint64_t kSeed = 1234;

// Toy: the built-in character corpus model. Word: a word-level vocabulary, where the head dominates.
// The fast path runs its GEMMs on one thread, as the PyTorch CPU peer does.
void cpu_shapes(benchmark::internal::Benchmark* b) {
  cpu_fast::set_blas_threads(1);
  b->ArgNames({"V", "D", "C", "B", "fast"});
  for (int fast : {0, 1}) {
    b->Args({21, 16, 8, 32, fast});
    b->Args({10000, 64, 8, 64, fast});
  }
  b->Unit(benchmark::kMicrosecond);
}

const CpuOps& ops_arg(const benchmark::State& state) {
  return cpu_ops(state.range(4) ? CpuPath::kFast : CpuPath::kReference);
}

ModelShape shape_arg(const benchmark::State& state) {
  return ModelShape{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                    static_cast<int>(state.range(2)), static_cast<int>(state.range(3))};
}

// Enough windows that batches of different steps rarely repeat, as in a real corpus.
std::size_t corpus_tokens(const ModelShape& s) {
  return std::max<std::size_t>(4096, static_cast<std::size_t>(s.B) * (s.C + 1) * 4);
}

// Every tensor of one training step at a shape, produced by running the ops once in order on fixed-seed
// data, so each benchmark times its op on the values a real step would see.
struct StepTensors {
  explicit StepTensors(const ModelShape& s)
      : shape(s),
        params(init_params(s, kSeed)),
        x(static_cast<std::size_t>(s.B) * s.C),
        y(s.B),
        h(static_cast<std::size_t>(s.B) * s.D),
        dlogits(s.logits_elems()),
        dh(h.size()),
        dE(s.embedding_elems()),
        dW(s.embedding_elems()),
        db(s.V) {
    const std::vector<std::int32_t> corpus = synthetic_corpus(s.V, corpus_tokens(s), kSeed);
    cpu::sample_batch(corpus.data(), kSeed, 1, 0, static_cast<std::int64_t>(corpus.size()) - s.C, x.data(), y.data(),
                      s.B, WindowLayout{Objective::kNext, s.C});
    cpu::gather_pool_forward(x.data(), params.embedding.data(), nullptr, h.data(), s.B, s.C, s.D, Pooling{});
    cpu::head_forward(h.data(), params.head_weight.data(), params.head_bias.data(), dlogits.data(), s.B, s.D, s.V);
    logits = dlogits;
    cpu::softmax_xent_forward_backward(dlogits.data(), y.data(), s.B, s.V, 1.0f / s.B);
    cpu::head_backward(dlogits.data(), h.data(), params.head_weight.data(), dW.data(), db.data(), dh.data(), s.B, s.D,
                       s.V);
    cpu::scatter_add_backward(dh.data(), x.data(), nullptr, dE.data(), s.B, s.C, s.D, s.V, Pooling{});
  }

  ModelShape shape;
  Params params;
  std::vector<std::int32_t> x, y;
  std::vector<float> h, logits, dlogits, dh, dE, dW, db;
};

// Rates over all iterations: bytes/s from Google Benchmark itself, FLOP/s as a rate counter.
void report(benchmark::State& state, const OpCost& cost, double items_per_iteration) {
  const double n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(cost.bytes * n));
  state.SetItemsProcessed(static_cast<std::int64_t>(items_per_iteration * n));
  if (cost.flops > 0) state.counters["FLOP/s"] = benchmark::Counter(cost.flops * n, benchmark::Counter::kIsRate);
}

void BM_CpuGatherMeanForward(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const ModelShape& s = t.shape;
  for (auto _ : state) {
    ops.gather_pool_forward(t.x.data(), t.params.embedding.data(), nullptr, t.h.data(), s.B, s.C, s.D, Pooling{});
    benchmark::DoNotOptimize(t.h.data());
  }
  report(state, gather_mean_cost(s), tokens(s));
}

void BM_CpuHeadForward(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const ModelShape& s = t.shape;
  for (auto _ : state) {
    ops.head_forward(t.h.data(), t.params.head_weight.data(), t.params.head_bias.data(), t.logits.data(), s.B, s.D,
                      s.V);
    benchmark::DoNotOptimize(t.logits.data());
  }
  report(state, head_forward_cost(s), s.B);
}

void BM_CpuSoftmaxXentForwardBackward(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const ModelShape& s = t.shape;
  // Repeats run on the previous repeat's output (the op works in place); one pass costs the same for any
  // finite values, and restoring the logits inside the loop would time a copy as well.
  for (auto _ : state)
    benchmark::DoNotOptimize(ops.softmax_xent_forward_backward(t.logits.data(), t.y.data(), s.B, s.V, 1.0f / s.B));
  report(state, softmax_xent_cost(s), s.B);
}

void BM_CpuHeadBackward(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const ModelShape& s = t.shape;
  for (auto _ : state) {
    ops.head_backward(t.dlogits.data(), t.h.data(), t.params.head_weight.data(), t.dW.data(), t.db.data(),
                       t.dh.data(), s.B, s.D, s.V);
    benchmark::DoNotOptimize(t.dh.data());
  }
  report(state, head_backward_cost(s), s.B);
}

void BM_CpuScatterAddBackward(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const ModelShape& s = t.shape;
  for (auto _ : state) {
    ops.scatter_add_backward(t.dh.data(), t.x.data(), nullptr, t.dE.data(), s.B, s.C, s.D, s.V, Pooling{});
    benchmark::DoNotOptimize(t.dE.data());
  }
  report(state, scatter_add_cost(s, distinct_ids(t.x, s.V)), tokens(s));
}

// One Adam step over the embedding table, the largest tensor the optimizer touches.
void BM_CpuAdamStep(benchmark::State& state) {
  StepTensors t(shape_arg(state));
  const CpuOps& ops = ops_arg(state);
  const std::size_t n = t.shape.embedding_elems();
  std::vector<float> m(n, 0.0f), v(n, 0.0f);
  const OptimizerConfig config;
  for (auto _ : state) {
    ops.adam_step(t.params.embedding.data(), t.dE.data(), m.data(), v.data(), n, config, 1);
    benchmark::DoNotOptimize(t.params.embedding.data());
  }
  report(state, adam_cost(n), static_cast<double>(n));
}

// The trainer's unit of work: sample a batch, forward, backward, Adam on E, W and b. Items are tokens (N per step).
void BM_CpuTrainStep(benchmark::State& state) {
  const ModelShape s = shape_arg(state);
  BackendConfig config;
  config.shape = s;
  config.cpu_threads = 1;
  const std::unique_ptr<Backend> backend =
      make_cpu_backend(config, state.range(4) ? CpuPath::kFast : CpuPath::kReference);
  const std::vector<std::int32_t> corpus = synthetic_corpus(s.V, corpus_tokens(s), kSeed);
  backend->load_corpus(corpus);
  backend->load_params(init_params(s, kSeed));
  const std::int64_t windows = static_cast<std::int64_t>(corpus.size()) - s.C;
  std::int64_t step = 0;
  for (auto _ : state) backend->train_step(kSeed, ++step, 0, windows);
  state.SetItemsProcessed(static_cast<std::int64_t>(tokens(s) * static_cast<double>(state.iterations())));
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_CpuGatherMeanForward)->Apply(cpu_shapes);
BENCHMARK(BM_CpuHeadForward)->Apply(cpu_shapes);
BENCHMARK(BM_CpuSoftmaxXentForwardBackward)->Apply(cpu_shapes);
BENCHMARK(BM_CpuHeadBackward)->Apply(cpu_shapes);
BENCHMARK(BM_CpuScatterAddBackward)->Apply(cpu_shapes);
BENCHMARK(BM_CpuAdamStep)->Apply(cpu_shapes);
BENCHMARK(BM_CpuTrainStep)->Apply(cpu_shapes);

}  // namespace
}  // namespace embgeo::bench
