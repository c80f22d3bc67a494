#pragma once
// `embgeo-cuda bench`: measurements that are part of the product. Every fast path is checked equal to its
// reference before it is timed; figures are reported against measured ceilings, and ratios come from runs
// made side by side in one process.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace embgeo {

struct BenchOptions {
  std::string device = "auto";
  std::vector<std::int64_t> vocab;  // lookup-vs-onehot sizes; empty: 1e3..1e6 on a GPU, 1e2..1e4 on the CPU
  int dim = 0;                      // 0: 256 on a GPU, 64 on the CPU
  int tokens = 0;                   // 0: 8192 on a GPU, 256 on the CPU
  int repeats = 0;                  // 0: 20 on a GPU, 3 on the CPU
  std::vector<std::string> shapes;  // train: toy, word, gpt2, llama3; empty: by device
  std::int64_t steps = 0;           // 0: per shape (2000 toy, 50 large, 20 word on the CPU)
  std::string peer;                 // "pytorch": also time tools/peer_pytorch.py at the same shapes
  std::string out_dir = "runs/bench";
  std::string json_path;            // default: OUT_DIR/bench.json
};

// which: lookup-vs-onehot, kernels, train, inspect or all.
void run_bench(const std::string& which, const BenchOptions& options, std::ostream& console);

}  // namespace embgeo
