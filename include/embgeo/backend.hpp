#pragma once
// The backend interface: one trainer loop drives either the CPU reference or the CUDA backend through the
// same op sequence. Each op works on buffers the backend owns; read()/write() move a named tensor to or from
// the host, which is how `verify --against-cpu` feeds both backends the same inputs and compares outputs.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embgeo/negative_sampling.hpp"
#include "embgeo/objective.hpp"
#include "embgeo/optimizer.hpp"
#include "embgeo/params.hpp"
#include "embgeo/ranks.hpp"
#include "embgeo/shape.hpp"

namespace embgeo {

enum class Tensor {
  kX,             // (B,C) int32 context ids
  kY,             // (B) int32 target ids
  kNegativeIds,   // (B,K+1) int32: each row's target, then its K noise ids (negative sampling)
  kEmbedding,     // E (V,D)
  kHeadWeight,    // W (V,H)
  kHeadBias,      // b (V)
  kPosition,      // P (C,D), with a position table (pooling.hpp)
  kPooled,        // h (B,H)
  kLogits,        // (B,V); after softmax_xent_forward_backward it holds dlogits
  kPooledGrad,    // dh (B,H)
  kEmbeddingGrad, // dE (V,D)
  kHeadWeightGrad,// dW (V,H)
  kHeadBiasGrad,  // db (V)
  kPositionGrad,  // dP (C,D), with a learned table
  kEmbeddingM, kEmbeddingV, kHeadWeightM, kHeadWeightV, kHeadBiasM, kHeadBiasV, kPositionM, kPositionV,  // Adam moments
};
const char* tensor_name(Tensor t);

// The (rows, cols) of a parameter, its gradient or its optimizer moments: E (V,D), W (V,H), b (V,1), P (C,D).
struct TensorShape {
  int rows = 0, cols = 0;
  std::size_t elems() const { return static_cast<std::size_t>(rows) * cols; }
};
TensorShape parameter_shape(Tensor t, const ModelShape& shape);

struct BackendConfig {
  ModelShape shape;
  // What a batch row learns from its window (objective.hpp). shape.C is the ids a row pools: --ctx, or 1 for
  // skip-gram, whose window of --ctx ids around the centre is skipgram_window.
  Objective objective = Objective::kNext;
  int skipgram_window = 0;
  Loss loss = Loss::kSoftmax;      // negative sampling replaces the head GEMMs and softmax (negative_sampling.hpp)
  int negatives = kDefaultNegatives;  // K noise ids a row
  OptimizerConfig optimizer;
  bool freeze_embedding = false;  // no dE, no scatter-add, no optimizer state for E
  bool cuda_graph = true;         // CUDA: replay train_step() as one captured graph (no effect on the CPU)
  bool deterministic = false;     // CUDA: sorted scatter-add instead of atomics, bit-identical runs
  bool tf32 = false;              // CUDA: head GEMMs on TF32 tensor cores (10-bit mantissa inputs)
  int cpu_threads = 0;            // fast CPU path: OpenBLAS threads for the head GEMMs (0: OpenBLAS's default)
  // Data parallel (nullptr: one process). shape.B is then this rank's share of a global batch of
  // B·size() rows: rows [B·rank, B·(rank+1)), drawn exactly as a single process draws them.
  RankGroup* ranks = nullptr;
  EmbeddingExchange exchange = EmbeddingExchange::kDense;

  // Negative sampling's scored ids for `rows` batch rows: each row's target, then its K noise ids.
  std::size_t scored_ids(int rows) const { return static_cast<std::size_t>(rows) * (negatives + 1); }
  WindowLayout layout() const { return {objective, objective == Objective::kSkipgram ? skipgram_window : shape.C}; }
  // Trains `l`: sets the objective and shape.C to the ids its rows pool.
  void set_layout(const WindowLayout& l) {
    objective = l.objective;
    skipgram_window = l.objective == Objective::kSkipgram ? l.context : 0;
    shape.C = l.pooled_ids();
  }
  int global_batch() const { return ranks != nullptr ? shape.B * ranks->size() : shape.B; }
  int first_batch_row() const { return ranks != nullptr ? shape.B * ranks->rank() : 0; }
  // The sparse exchange: scatter_add_backward and lazy Adam work on the gathered global batch.
  bool scatters_global_batch() const {
    return ranks != nullptr && exchange == EmbeddingExchange::kSparse && !freeze_embedding;
  }
  // The batch rows scatter_add_backward and lazy Adam work on, when this process's batch has `local_rows`.
  int scattered_rows(int local_rows) const { return scatters_global_batch() ? global_batch() : local_rows; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;  // "cpu", "cpu-reference" or "cuda:0 (NVIDIA H100 ...)"
  const BackendConfig& config() const { return config_; }

  // The token stream the batches are cut from; ids must already be validated against V.
  virtual void load_corpus(const std::vector<std::int32_t>& ids) = 0;
  virtual void load_params(const Params& params) = 0;  // also zeroes the optimizer moments
  virtual Params params() const = 0;

  // Batch selection: fills x (rows,C) and y (rows) from windows of layout().context + 1 tokens.
  // sample_batch: B rows, window of row r = window_begin + sample_window(seed, step, first_batch_row() + r,
  // window_count) (skip-gram's pair: sample_pair with the same arguments); its dlogits are scaled by 1/global_batch(), so the ranks' gradients sum to the whole batch's.
  virtual void sample_batch(std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                            std::int64_t window_count) = 0;
  // window_batch: `rows` (≤ B) consecutive windows starting at first_window, for evaluation.
  virtual void window_batch(std::int64_t first_window, int rows) = 0;
  int rows() const { return rows_; }

  // The ops of one training step, in order. Names match the CPU functions and CUDA kernels.
  virtual void gather_pool_forward() = 0;  // h from x, E (and P) as shape.pooling says
  virtual void head_forward() = 0;
  // Adds the batch's summed row losses to an accumulator and overwrites logits with dlogits/rows.
  virtual void softmax_xent_forward_backward() = 0;
  // Negative sampling's loss op, in place of head_forward_softmax_xent and head_backward: draws each row's noise
  // ids (seed and step of the last sample_batch), scores them and the target, adds the row losses to the
  // accumulator and writes dh, dW and db (scaled as dlogits are). Needs load_noise first.
  virtual void negative_sampling_forward_backward() = 0;
  // The noise distribution of the training text (noise_cdf), before the first negative-sampling step.
  virtual void load_noise(const std::vector<std::uint64_t>& cdf) = 0;
  // The training loss and the head's gradients as config().loss says: softmax over the head (then its
  // backward), or negative sampling.
  void loss_forward_backward();
  // head_forward then softmax_xent_forward_backward: what a step and an evaluation run. A backend may fuse
  // them (the CUDA backend adds the bias inside the softmax pass and never writes the biased logits).
  virtual void head_forward_softmax_xent();
  virtual void head_backward() = 0;
  virtual void scatter_add_backward() = 0;
  // dP (C,D) of a learned position table from this process's rows (summed over ranks by all_reduce_gradients).
  virtual void position_backward() = 0;
  virtual void optimizer_step(std::int64_t t) = 0;  // t = 1-based step count (Adam bias correction)
  // Data parallel only (no-ops without ranks), between the backward ops and the optimizer step.
  // all_gather_pooled_gradients: the sparse exchange gathers every rank's x and dh rows in rank order, which
  // is the global batch scatter_add_backward then works on.
  virtual void all_gather_pooled_gradients() = 0;
  // all_reduce_gradients: sums dW and db (dP with a learned table, dE with the dense exchange) over the ranks.
  virtual void all_reduce_gradients() = 0;
  // Wall-clock seconds spent in the two exchanges so far (on the GPU: not measured, NaN; the collectives run
  // inside the captured step).
  virtual double exchange_seconds() const = 0;

  // Returns and clears the accumulated loss sum and row count (the only per-step host sync on a GPU).
  struct LossSum {
    double sum = 0;
    std::int64_t rows = 0;
  };
  virtual LossSum take_loss_sum() = 0;
  // Sets the accumulator: a checkpoint puts back what it took, and a resumed run starts from it, so the
  // sum adds the same values in the same order whether or not the run was interrupted.
  virtual void set_loss_sum(const LossSum& sum) = 0;

  // The divergence guard, checked on every batch at no cost (on a GPU by the loss kernel, no sync): the first
  // step whose batch mean loss is not finite or above `max_mean_loss` is remembered; diverged_step() reads it
  // (-1: none yet). The step is the one of the last sample_batch or train_step.
  virtual void set_divergence_limit(double max_mean_loss) = 0;
  virtual std::int64_t diverged_step() const = 0;

  virtual std::vector<float> read(Tensor t) const = 0;
  virtual std::vector<std::int32_t> read_ids(Tensor t) const = 0;  // kX, kY or kNegativeIds
  virtual void write(Tensor t, const std::vector<float>& values) = 0;
  virtual void write_ids(Tensor t, const std::vector<std::int32_t>& values, int rows) = 0;

  // One full training step: the trainer's unit of work. Backends may override (a CUDA graph replays it).
  virtual void train_step(std::uint64_t seed, std::int64_t step, std::int64_t window_begin, std::int64_t window_count);

 protected:
  explicit Backend(BackendConfig config) : config_(config) {}
  // After head_backward: the embedding's and position table's gradients and the exchange between ranks, in the one order an eager
  // step and a captured one both run them (the gather feeds the scatter; the all-reduce needs dE done).
  void embedding_backward_and_exchange();
  BackendConfig config_;
  int rows_ = 0;
};

// The two CPU paths. kReference: the plain double-accumulating loops (host/cpu/reference/), the judge of every
// other backend. kFast: OpenBLAS GEMMs and vectorized float loops (host/cpu/fast/), what `--device cpu` runs.
enum class CpuPath { kReference, kFast };
inline const char* cpu_path_name(CpuPath path) { return path == CpuPath::kFast ? "cpu" : "cpu-reference"; }

// Implemented by the CPU library (host/cpu/).
std::unique_ptr<Backend> make_cpu_backend(const BackendConfig& config, CpuPath path = CpuPath::kReference);

// The shape's ranges and the combinations no backend can train (one-line Error): lazy Adam over ranks needs the
// sparse exchange, since it updates the rows of the global batch, which a rank knows only by gathering it.
void validate_backend_config(const BackendConfig& config);

bool is_parameter(Tensor t);  // E, W, b or P (the rest are activations, gradients and optimizer moments)

// The parameters a backend holds: E, W, b and, with a position table, P (learned or fixed).
std::vector<Tensor> parameter_tensors(const ModelShape& shape);

// What an optimizer step reads and updates: the trainable parameters, then their optimizer moments (Adam's m
// and v; none for SGD). With the parameters, the moments are the training state a checkpoint keeps.
std::vector<Tensor> optimizer_tensors(const BackendConfig& config);

// Bytes a backend holds for a config: parameters, gradients, Adam moments and the per-batch workspaces
// (the corpus not included). The CUDA backend refuses a model whose state exceeds free device memory.
std::size_t training_state_bytes(const BackendConfig& config);

}  // namespace embgeo
