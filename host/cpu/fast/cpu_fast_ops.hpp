#pragma once
// The fast CPU path (`--device cpu`): the ops where the reference's double-accumulating loops cost time,
// rewritten for speed. Head GEMMs go to OpenBLAS (as cuBLAS serves the GPU), softmax-CE and Adam are
// single-pass float loops that the compiler vectorizes for the widest instruction set the CPU has.
// Same names, shapes and contracts as cpu_ops.hpp; each is tested against its reference twin, and
// `verify --against-cpu --device cpu` checks the whole path against the reference.
#include <cstddef>
#include <cstdint>

#include "embgeo/optimizer.hpp"
#include "embgeo/pooling.hpp"

namespace embgeo::cpu_fast {

// Threads OpenBLAS may use (0: its own default, OPENBLAS_NUM_THREADS or one per core). Process-wide, as
// OpenBLAS's thread pool is.
void set_blas_threads(int threads);
int blas_threads();  // the count in force

// As cpu::gather_pool_forward: h (B,H) from x (B,C), E (V,D) and P (C,D), float sums over the C slots.
void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int B, int C, int D,
                         const Pooling& pooling);

// h (B,H), W (V,H), bias (V) → logits (B,V) = h·Wᵀ + bias
void head_forward(const float* h, const float* W, const float* bias, float* logits, int B, int H, int V);

// As cpu::softmax_xent_forward_backward: returns Σ_b row losses, overwrites logits with dlogits · grad_scale.
double softmax_xent_forward_backward(float* logits, const std::int32_t* y, int B, int V, float grad_scale);

// dlogits (B,V), h (B,H), W (V,H) → dW (V,H) = dlogitsᵀ·h, db (V) = Σ_b dlogits, dh (B,H) = dlogits·W
void head_backward(const float* dlogits, const float* h, const float* W, float* dW, float* db, float* dh, int B,
                   int H, int V);

// dh (B,H), x (B,C), P (C,D) → dE (V,D): zeroed, then dE[x[b,c]] += each slot's gradient as pooling.hpp says
// (float sums, in batch order).
void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int B, int C, int D,
                          int V, const Pooling& pooling);

// As cpu::negative_sampling_forward_backward (the same noise ids, loss and gradients), in float: each scored
// id's dot product and its dh, dW and db contributions in one pass over the row, dW summed in arrival order.
double negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                          const std::uint64_t* cdf, std::uint64_t seed, std::int64_t step,
                                          int first_row, std::int32_t* ids, float* dh, float* dW, float* db, int rows,
                                          int K, int H, int V, float grad_scale);

// One Adam step over n elements, the update of optimizer.hpp.
void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               std::int64_t t);

// ids (N) one-hot encoded as (N,V) and multiplied by E (V,D) with OpenBLAS → out (N,D): the dense route a
// lookup avoids, at library GEMM speed (exact: each output sums one 1·E term and zeros).
void onehot_matmul(const std::int32_t* ids, const float* E, float* out, int N, int V, int D);

// e^x for x ≤ 0 (softmax arguments after the max is subtracted), within 2 float ulp; below −87 it returns
// e^-87 (≈1.6e-38), negligible beside the max term 1. NaN stays NaN.
float exp_nonpositive(float x);

}  // namespace embgeo::cpu_fast
