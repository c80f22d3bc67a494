#pragma once
// One complete training run as the CLI describes it: corpus, backend, loop, measurements, console lines.
// `train` is this plus argument parsing and write_run_outputs(); experiments call it once per variant.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "data/corpus.hpp"
#include "train/geometry.hpp"
#include "train/trainer.hpp"

namespace embgeo {

struct RunOptions {
  std::string device = "auto";
  // Data: the built-in toy corpus, a text file (--corpus, char or word tokenizer), or llm.c tokens.
  std::string corpus_path;
  std::string tokenizer = "char";  // char | word
  int min_count = 1;               // word tokenizer: rarer words become <unk>
  std::string tokens_path;         // --tokens FILE.bin
  std::string vocab_path;          // --vocab vocab.txt for --tokens
  std::int64_t vocab_size = 0;     // --vocab-size V for --tokens (0: implied by the ids)
  int dim = ModelShape{}.D;
  std::string objective = "next";  // next | cbow | skipgram (objective.hpp)
  std::string loss = "softmax";    // softmax | negative-sampling (negative_sampling.hpp)
  int negatives = kDefaultNegatives;
  int ctx = ModelShape{}.C;        // the window's ids besides its target (skip-gram: the model's C is 1)
  std::string pool = "mean";       // mean | concat (pooling.hpp)
  std::string position = "none";   // none | learned | sinusoidal
  std::string position_mode = "add";  // add | multiply
  int batch = ModelShape{}.B;
  std::int64_t steps = TrainConfig{}.steps;
  float lr = 1e-2f;
  std::string optimizer = "adam";
  std::uint64_t seed = TrainConfig{}.seed;
  int log_every = TrainConfig{}.log_every;
  double val_fraction = kDefaultValFraction;
  bool freeze_embedding = false;
  bool deterministic = false;      // CUDA: sorted scatter-add, bit-identical runs
  bool tf32 = false;               // CUDA: TF32 head GEMMs
  int threads = 0;                 // fast CPU path: OpenBLAS threads (0: OPENBLAS_NUM_THREADS or one per core)
  GeometryOptions geometry;
  bool quiet = false;              // no per-log-step lines (experiments)
  // Checkpoints go to checkpoint_path (empty: none, as with --no-files) every checkpoint_every steps (0: only
  // when a signal stops the run).
  std::string checkpoint_path;
  std::int64_t checkpoint_every = 0;
  // Data parallel (`mpirun -np N embgeo-cuda train`): how the embedding gradient crosses ranks (auto, dense or
  // sparse), and the ranks themselves (set by the CLI, not an option; nullptr: one process).
  std::string exchange = "auto";
  RankGroup* ranks = nullptr;
};

struct RunOutcome {
  Corpus corpus;
  ModelShape shape;    // B is the global batch
  std::string device;  // backend name
  int ranks = 1;
  EmbeddingExchange exchange = EmbeddingExchange::kDense;
  double exchange_bytes_per_step = 0;  // per rank: embedding and head gradients
  TrainResult result;
  GeometryReport geometry;
};

// Validates options and reads the corpus (split for --ctx); one-line Error on bad input.
Corpus load_corpus_for(const RunOptions& options);
void check_run_options(const RunOptions& options);

// The pooling of --pool, --position and --position-mode (one-line Error on an unknown name).
Pooling pooling_of(const RunOptions& options);

// The model's shape for the options on a vocabulary of V (C: the ids a row pools, 1 for skip-gram).
ModelShape model_shape(const RunOptions& options, int V);

// The one place run options become a backend configuration (train, experiments and their evaluations).
BackendConfig backend_config(const RunOptions& options, const ModelShape& shape);

// Optional hooks for variants: a corpus transform (e.g. permuted ids) and an initial-parameter transform,
// applied after loading and initialization.
struct RunHooks {
  std::function<void(Corpus&)> corpus;
  std::function<void(Params&)> params;
};

struct Checkpoint;

// Trains; with `resume`, continues that checkpoint's run (whose options `options` must be, see
// resumed_options) on a corpus that must match it. SIGINT and SIGTERM stop training between two steps and,
// when there is a checkpoint path, write a checkpoint first; the run then ends in an Error saying how to resume.
RunOutcome run_training(const RunOptions& options, std::ostream& console, const RunHooks& hooks = {},
                        const Checkpoint* resume = nullptr);

// summary.json, metrics.jsonl, exports, pictures and report.md into `dir`; prints one line per output group.
void write_run_outputs(const RunOptions& options, const RunOutcome& run, const std::string& dir, std::ostream& console);

// The before/after tables printed at the end of `train`.
void print_geometry_tables(const RunOutcome& run, std::ostream& console);

}  // namespace embgeo
