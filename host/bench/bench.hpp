#pragma once
// `embgeo-cuda bench`: measurements that are part of the product. Every fast path is checked equal to its
// reference before it is timed; figures are reported against measured ceilings, and ratios come from runs
// made side by side in one process.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "embgeo/shape.hpp"
#include "train/device.hpp"

namespace embgeo {

struct BenchOptions {
  std::string device = "auto";
  std::vector<std::int64_t> vocab;  // lookup-vs-onehot sizes; empty: 1e3..1e6 on a GPU, 1e2..1e5 on the CPU
  int dim = 0;                      // 0: 256 on a GPU, 64 on the CPU
  int tokens = 0;                   // 0: 8192 on a GPU, 256 on the CPU
  int repeats = 0;                  // 0: 20 on a GPU, 3 on the CPU
  double route_budget_seconds = 20; // GPU lookup-vs-onehot: a one-hot route predicted to need more is skipped
  std::vector<std::string> shapes;  // train: toy, word, gpt2, llama3; empty: by device
  std::int64_t steps = 0;           // 0: per shape (2000 toy, 50 large, 20 word on the CPU)
  std::string peer;                 // "pytorch": also time tools/peer_pytorch.py at the same shapes;
                                    // "fasttext" or "gensim": train CBOW on `corpus` beside that tool
  std::string corpus;               // --peer fasttext|gensim: the text both sides train on
  int epochs = 0;                   // --peer fasttext|gensim: 0: 5
  int ctx = 0;                      // --peer fasttext|gensim: the window's ids besides the target; 0: 10
  int batch = 0;                    // --peer fasttext|gensim: our rows a step; 0: 64
  std::vector<int> ranks;           // train: run each shape as this many ranks under mpirun (scaling)
  std::string out_dir = "runs/bench";
  std::string json_path;            // default: OUT_DIR/bench.json
};

// What the hardware allows, measured: the rates figures are reported against.
struct Ceilings {
  double copy_bytes_per_second = 0;  // a large copy, read + write counted
  double fp32_flops = 0;             // a large SGEMM
  double bf16_flops = 0;             // a large bf16 GEMM (GPU only)
};

// One op at one shape, timed alone: name, milliseconds, bytes moved (perf model) and FLOPs. `plain_gemm`
// marks the library SGEMM of the head's shape that the step's floor counts the GEMMs at.
struct KernelTiming {
  std::string name;
  double milliseconds = 0;
  double bytes = 0;
  double flops = 0;
  bool plain_gemm = false;
};

// The CPU side, for the fast CPU path on one thread (as the PyTorch peer is timed): a 256 MiB memcpy and a
// 1024³ OpenBLAS SGEMM; each op of a training step at `shape`, with a plain cblas_sgemm of the head's shape.
Ceilings measure_cpu_ceilings();
std::vector<KernelTiming> cpu_kernel_timings(const ModelShape& shape, int repeats);

// The bench's training shapes by name: toy, word, gpt2, llama3 (Error for others).
struct NamedShape {
  std::string name;
  ModelShape shape;
};
NamedShape shape_named(const std::string& name);

// `bench train --ranks 1,2`: each shape trained by `embgeo-cuda train` under `mpirun -np N` for each N, the
// global batch fixed (strong scaling): steps/s, speedup and efficiency against the smallest N, and the
// exchange's share of a step. Rows go to out["rank_scaling"].
void bench_rank_scaling(const BenchOptions& options, const DeviceChoice& device, const std::vector<std::string>& shapes,
                        nlohmann::json& out, std::ostream& console);

// `bench train --peer fasttext|gensim --corpus TEXT`: our CBOW (softmax beside fastText, negative sampling
// beside gensim) and the peer's on the same tokens, D, window and epochs, one CPU thread each: words/s, the
// loss each reaches and both tables' geometry scores. Rows go to out["train_peer"].
void bench_train_text_peer(const BenchOptions& options, nlohmann::json& out, std::ostream& console);

// which: lookup-vs-onehot, kernels, train, inspect or all.
void run_bench(const std::string& which, const BenchOptions& options, std::ostream& console);

}  // namespace embgeo
