#pragma once
// Host launchers of the CUDA ops, one per kernels/*.cu file. Each matches the CPU function of the same
// name in include/embgeo/cpu_ops.hpp; pointers are device pointers, shapes use the letters of shape.hpp.
// Launchers only enqueue work on `stream`: they never allocate, synchronize or talk to the user.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "embgeo/objective.hpp"
#include "embgeo/optimizer.hpp"
#include "embgeo/pooling.hpp"

namespace embgeo::cuda {

// x (rows,C), E (V,D), P (C,D) (null without a table) → h (rows,H) as `pooling` says
void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int rows, int C, int D,
                         const Pooling& pooling, cudaStream_t stream);

// The head's launchers take the width of h as D: pass H (D, or C·D for concat pooling).
// h (rows,D), W (V,D), bias (V) → logits (rows,V). bias null: logits = h·Wᵀ only, for a softmax that adds the
// bias itself.
void head_forward(cublasHandle_t cublas, const float* h, const float* W, const float* bias, float* logits, int rows,
                  int D, int V, cudaStream_t stream);

// The divergence flag of a batch loss: *first_step = *step the first time a batch's mean loss is not finite
// or above *limit (all three null: no check). Device pointers, so a captured graph checks every replay.
struct DivergenceFlag {
  const std::int64_t* step = nullptr;
  const double* limit = nullptr;
  std::int64_t* first_step = nullptr;
};

// *loss_sum += Σ row_loss[0, rows) in a fixed order (deterministic), then `flag` is checked on the batch mean.
void add_row_losses(const double* row_loss, int rows, double* loss_sum, DivergenceFlag flag, cudaStream_t stream);

// logits (rows,V) (+ bias (V) when not null) → dlogits in place, scaled by grad_scale; row_loss (rows) gets
// each row's loss, added to *loss_sum by add_row_losses.
void softmax_xent_forward_backward(float* logits, const float* bias, const std::int32_t* y, double* row_loss,
                                   double* loss_sum, int rows, int V, float grad_scale, cudaStream_t stream,
                                   DivergenceFlag flag = {});

// dlogits (rows,V), h (rows,D), W (V,D) → dW (V,D), db (V), dh (rows,D). `ones` holds ≥ rows ones.
void head_backward(cublasHandle_t cublas, const float* dlogits, const float* h, const float* W, float* dW, float* db,
                   float* dh, const float* ones, int rows, int D, int V, cudaStream_t stream);

// dh (rows,H), x (rows,C), P (C,D) → dE (V,D), zeroed then accumulated with atomics.
void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int rows, int C, int D,
                          int V, const Pooling& pooling, cudaStream_t stream);

// dh (rows,H), x (rows,C), E (V,D) → dP (C,D), each element summed over the rows in order.
void position_backward(const float* dh, const std::int32_t* x, const float* E, float* dP, int rows, int C, int D,
                       const Pooling& pooling, cudaStream_t stream);

// The bias-corrected Adam scalars of step *t (device) into scalars[0] = lr/(1−β1^t), scalars[1] = 1/√(1−β2^t),
// computed in double exactly as adam_step_scalars() does on the host. Reading t from the device is what
// lets a captured CUDA graph replay step after step.
void adam_scalars(const std::int64_t* t, const OptimizerConfig& config, float* scalars, cudaStream_t stream);

void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               const float* scalars, cudaStream_t stream);

void sgd_step(float* param, const float* grad, std::size_t n, float lr, cudaStream_t stream);

// The step number is read from device memory (*step) for the same reason as adam_scalars. Rows
// first_row..first_row+B−1 of the step's batch (a rank's share; 0 for one process); x is (B, layout.pooled_ids()).
void sample_batch(const std::int32_t* corpus, std::uint64_t seed, const std::int64_t* step, std::int64_t window_begin,
                  std::int64_t window_count, std::int32_t* x, std::int32_t* y, int B, const WindowLayout& layout,
                  int first_row, cudaStream_t stream);

// *counter += 1: the last node of a captured training step.
void increment_counter(std::int64_t* counter, cudaStream_t stream);
// *counter = value, as a kernel: no pageable host copy that could block the host.
void set_counter(std::int64_t* counter, std::int64_t value, cudaStream_t stream);

void window_batch(const std::int32_t* corpus, std::int64_t first_window, std::int32_t* x, std::int32_t* y, int rows,
                  const WindowLayout& layout, cudaStream_t stream);

// ids (N) → onehot (N,V) written in full, then out (N,D) = onehot·E through cuBLAS.
void onehot_matmul(cublasHandle_t cublas, const std::int32_t* ids, const float* E, float* onehot, float* out, int N,
                   int V, int D, cudaStream_t stream);

// The same in bf16 (inputs) with fp32 accumulation and output, through cublasGemmEx.
void onehot_matmul_bf16(cublasHandle_t cublas, const std::int32_t* ids, const __nv_bfloat16* E, __nv_bfloat16* onehot,
                        float* out, int N, int V, int D, cudaStream_t stream);

}  // namespace embgeo::cuda

#include "device_buffer.cuh"

namespace embgeo::cuda {

// Scratch of the sorted scatter-add for batches of up to `max_ids` ids of rows of D floats, allocated once by
// the backend. After a call, unique_ids[0, *run_count) lists the rows the batch touched, ascending.
struct SortedScatterWorkspace {
  // A block sums at most this many slots of a run: a frequent id's long run (the top Zipf token holds ~780
  // of N = 8192 slots) is split over several blocks instead of being summed by one.
  static constexpr int kChunkSlots = 64;
  SortedScatterWorkspace(int max_ids, int V, int D);
  // Device bytes the workspace allocates besides its CUB scratch (which is of the order of one id buffer).
  static std::size_t bytes(int max_ids, int D);
  int end_bit;  // sort only the bits an id < V can have
  DeviceBuffer<std::int32_t> slots, sorted_ids, sorted_slots, unique_ids, run_lengths, run_offsets;
  // Per run: its chunks and their first index; the chunks of runs longer than one chunk and the first
  // index of their partial sums (rows of D floats in `partials`).
  DeviceBuffer<std::int32_t> chunk_counts, chunk_offsets, partial_counts, partial_offsets;
  DeviceBuffer<float> partials;
  DeviceBuffer<int> run_count;
  DeviceBuffer<unsigned char> temp;
};

// Deterministic scatter-add: sort (id, slot) pairs, find the runs of equal ids, and sum each run in a fixed
// order: chunks of kChunkSlots slots in slot order, one block each, then a run's chunk sums in chunk order;
// the E row is written once — bit-identical from run to run, unlike atomics. With zero_table the whole dE
// is cleared first; without it only the touched rows are written (lazy Adam clears them again after use, so
// dE stays zero elsewhere).
// dh is (rows,H) and P (C,D) as for scatter_add_backward; the dW/db scatter of negative sampling passes C = 1,
// a null P and the plain mean.
void scatter_add_backward_sorted(const float* dh, const std::int32_t* x, const float* P, float* dE, int rows, int C,
                                 int D, const Pooling& pooling, bool zero_table, SortedScatterWorkspace& ws, int V,
                                 cudaStream_t stream);

// Adam on the rows the last sorted scatter touched (ws.unique_ids), then zeroes those rows of grad.
void lazy_adam_step(float* param, float* grad, float* m, float* v, int D, const SortedScatterWorkspace& ws, int max_rows,
                    const OptimizerConfig& config, const float* scalars, cudaStream_t stream);

}  // namespace embgeo::cuda

namespace embgeo::cuda {

// Where negative sampling's noise ids come from: the step counter on the device (as sample_batch reads it), the
// first batch row of this process and the noise table (V entries, noise_cdf).
struct NoiseDraw {
  const std::uint64_t* cdf;
  int V;
  std::uint64_t seed;
  const std::int64_t* step;
  int first_row;
};

// Negative sampling's per-slot scratch, rows·(K+1) slots: the scored ids, their score gradients, their dW rows
// (slots, D), and the per-row losses (rows).
struct NegativeSamplingWork {
  std::int32_t* ids;
  float* ds;
  float* weighted;
  double* row_loss;
};

// h (rows,D), W (V,D), bias (V), y (rows) → work.ids (rows,K+1) (target, then noise), *loss_sum += Σ row losses
// (then `flag` is checked), dh (rows,D), and dW (V,D), db (V) zeroed then scatter-added (through `sorted` when
// not null: deterministic), every gradient scaled by grad_scale.
void negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                        const NoiseDraw& noise, const NegativeSamplingWork& work, double* loss_sum,
                                        DivergenceFlag flag, float* dh, float* dW, float* db, int rows, int K, int D,
                                        int V, float grad_scale, SortedScatterWorkspace* sorted, cudaStream_t stream);

}  // namespace embgeo::cuda
