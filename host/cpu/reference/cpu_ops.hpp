#pragma once
// The CPU reference: one plain loop nest per op, double accumulation wherever a sum runs over a long axis.
// It is the judge of the CUDA kernels, which carry the same names in kernels/.
// Shapes use the letters of shape.hpp; all tensors are row-major.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "embgeo/objective.hpp"
#include "embgeo/optimizer.hpp"
#include "embgeo/pooling.hpp"

namespace embgeo::cpu {

// x (B,C) ids, E (V,D), P (C,D) (null without a table) → h (B,H): slot rows r_c = E[x[b,c]], plus or times
// P[c], then their mean (H = D) or their concatenation (H = C·D), as pooling.hpp says.
void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int B, int C, int D,
                         const Pooling& pooling);

// The head ops take H, the width of h: D, or C·D for concat pooling.
// h (B,H), W (V,H), bias (V) → logits (B,V) = h·Wᵀ + bias
void head_forward(const float* h, const float* W, const float* bias, float* logits, int B, int H, int V);

// logits (B,V), y (B) → returns Σ_b [logsumexp(logits[b]) − logits[b,y[b]]] and overwrites logits with
// (softmax(logits[b]) − onehot(y[b])) · grad_scale (the trainer passes 1/B for a mean loss).
double softmax_xent_forward_backward(float* logits, const std::int32_t* y, int B, int V, float grad_scale);

// dlogits (B,V), h (B,H), W (V,H) → dW (V,H) = dlogitsᵀ·h, db (V) = Σ_b dlogits, dh (B,H) = dlogits·W
void head_backward(const float* dlogits, const float* h, const float* W, float* dW, float* db, float* dh, int B,
                   int H, int V);

// Negative sampling (negative_sampling.hpp) of rows whose pooled vectors are h (rows,H) and targets y (rows):
// ids (rows,K+1) gets each row's target, then noise ids sample_noise(seed, step, first_row + b, k, cdf, V) for
// k = 1..K. Returns Σ_b loss_b; writes dh (rows,H) and dW (V,H), db (V) (zeroed, then accumulated over the
// rows' ids), every gradient scaled by grad_scale.
double negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                          const std::uint64_t* cdf, std::uint64_t seed, std::int64_t step,
                                          int first_row, std::int32_t* ids, float* dh, float* dW, float* db, int rows,
                                          int K, int H, int V, float grad_scale);

// dh (B,H), x (B,C), P (C,D) (null without a table) → dE (V,D): zeroed, then for every slot
// dE[x[b,c]] += ∂loss/∂r_c (dh[b]/C for the mean, dh[b]'s slice c for concat), times P[c] when multiplied.
void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int B, int C, int D,
                          int V, const Pooling& pooling);

// dh (B,H), x (B,C), E (V,D) → dP (C,D) = Σ_b ∂loss/∂r_c, times E[x[b,c]] when multiplied (a learned table).
void position_backward(const float* dh, const std::int32_t* x, const float* E, float* dP, int B, int C, int D,
                       const Pooling& pooling);

// One Adam step over n elements (see optimizer.hpp for the update).
void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               std::int64_t t);

// The distinct ids of ids[0, n), ascending: the embedding rows a batch touches (lazy Adam updates only those).
std::vector<std::int32_t> distinct_rows(const std::int32_t* ids, std::size_t n);

// p ← p − lr·g
void sgd_step(float* param, const float* grad, std::size_t n, float lr);

// Random training windows: x (B,C), y (B) for rows first_row..first_row+B−1 of the step's batch, row r taking
// window w = window_begin + sample_window(seed, step, r, count) laid out by `layout` (C = layout.pooled_ids();
// skip-gram's pair is sample_pair(seed, step, r, context)). A rank of a data-parallel run draws its share.
void sample_batch(const std::int32_t* corpus, std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                  std::int64_t window_count, std::int32_t* x, std::int32_t* y, int B, const WindowLayout& layout,
                  int first_row = 0);

// `rows` consecutive windows from first_window (evaluation; skip-gram's pair is evaluation_pair()).
void window_batch(const std::int32_t* corpus, std::int64_t first_window, std::int32_t* x, std::int32_t* y, int rows,
                  const WindowLayout& layout);

// ids (N) one-hot encoded as (N,V) and multiplied by E (V,D) → out (N,D). The dense route a lookup avoids.
void onehot_matmul(const std::int32_t* ids, const float* E, float* out, int N, int V, int D);

}  // namespace embgeo::cpu
