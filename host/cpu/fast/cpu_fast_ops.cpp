// The fast CPU path: OpenBLAS for the head GEMMs, vectorized single-pass loops for the rest.
// `#pragma omp simd` (compiled with -fopenmp-simd, no OpenMP runtime) lets the float reductions vectorize
// without -ffast-math; target_clones builds each loop for AVX-512, AVX2 and baseline x86-64 and picks one
// at load time, so one binary runs everywhere and uses the widest vectors present.
#include "cpu_fast_ops.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "embgeo/adam_update.hpp"
#include "embgeo/negative_sampling.hpp"

namespace embgeo::cpu_fast {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EMBGEO_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define EMBGEO_SIMD_CLONES
#endif

void set_blas_threads(int threads) {
  static const int default_threads = openblas_get_num_threads();  // OPENBLAS_NUM_THREADS, or one per core
  openblas_set_num_threads(threads > 0 ? threads : default_threads);
}

int blas_threads() { return openblas_get_num_threads(); }

void head_forward(const float* h, const float* W, const float* bias, float* logits, int B, int H, int V) {
  for (int b = 0; b < B; ++b) std::copy(bias, bias + V, logits + static_cast<std::size_t>(b) * V);
  // Row-major logits (B,V) = h (B,H) · W (V,H)ᵀ, accumulated onto the bias rows (beta = 1).
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, V, H, 1.0f, h, H, W, H, 1.0f, logits, V);
}

// exp(x) = 2^n · e^r with n = round(x/ln2) and |r| ≤ ln2/2; e^r by its Taylor series to r⁷ (error < 1e-8
// relative), 2^n by writing n into the exponent bits. Branch-free so the loops that call it vectorize.
inline float exp_nonpositive_inline(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693145751953125f;  // ln 2 split so n·kLn2Hi is exact for |n| < 2^11
  constexpr float kLn2Lo = 1.42860682030941723e-6f;
  constexpr float kRoundMagic = 12582912.0f;    // 1.5·2^23: adding and subtracting it rounds to an integer
  constexpr std::uint32_t kRoundMagicBits = 0x4B400000u;
  x = x < -87.0f ? -87.0f : x;                  // keeps 2^n a normal float; e^-87 is below every softmax term
  const float shifted = x * kLog2e + kRoundMagic;  // its bits are kRoundMagicBits + n for the integer n
  const float n = shifted - kRoundMagic;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // n + 127 into the exponent field, read off the bits of `shifted`: unsigned arithmetic, so a NaN input
  // gives some finite scale (and a NaN result) instead of an undefined float-to-int conversion.
  std::uint32_t shifted_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  const std::uint32_t bits = (shifted_bits - kRoundMagicBits + 127u) << 23;
  float two_to_n;
  std::memcpy(&two_to_n, &bits, sizeof two_to_n);
  return p * two_to_n;
}

// Cloned like the loops that inline it, so its test runs the code the softmax runs (FMA contraction included).
EMBGEO_SIMD_CLONES
float exp_nonpositive(float x) { return exp_nonpositive_inline(x); }

// One row: returns its loss and leaves (softmax − onehot(target)) · grad_scale in place of the logits.
EMBGEO_SIMD_CLONES
static double softmax_xent_row(float* row, std::int32_t target, int V, float grad_scale) {
  float row_max = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : row_max)
  for (int v = 0; v < V; ++v) row_max = row[v] > row_max ? row[v] : row_max;
  const float target_logit = row[target];
  float exp_sum = 0;
#pragma omp simd reduction(+ : exp_sum)
  for (int v = 0; v < V; ++v) {
    const float e = exp_nonpositive_inline(row[v] - row_max);
    row[v] = e;
    exp_sum += e;
  }
  const float scale = grad_scale / exp_sum;
#pragma omp simd
  for (int v = 0; v < V; ++v) row[v] *= scale;
  row[target] -= grad_scale;
  return static_cast<double>(row_max) + std::log(static_cast<double>(exp_sum)) - target_logit;
}

double softmax_xent_forward_backward(float* logits, const std::int32_t* y, int B, int V, float grad_scale) {
  double loss_sum = 0;
  for (int b = 0; b < B; ++b) loss_sum += softmax_xent_row(logits + static_cast<std::size_t>(b) * V, y[b], V, grad_scale);
  return loss_sum;
}

EMBGEO_SIMD_CLONES
static void column_sums(const float* rows, float* sums, int B, int V) {
  std::fill(sums, sums + V, 0.0f);
  for (int b = 0; b < B; ++b) {
    const float* row = rows + static_cast<std::size_t>(b) * V;
#pragma omp simd
    for (int v = 0; v < V; ++v) sums[v] += row[v];
  }
}

void head_backward(const float* dlogits, const float* h, const float* W, float* dW, float* db, float* dh, int B,
                   int H, int V) {
  // dW (V,H) = dlogits (B,V)ᵀ · h (B,H)
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, H, B, 1.0f, dlogits, V, h, H, 0.0f, dW, H);
  // dh (B,H) = dlogits (B,V) · W (V,H)
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, V, 1.0f, dlogits, V, W, H, 0.0f, dh, H);
  column_sums(dlogits, db, B, V);
}

EMBGEO_SIMD_CLONES
void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int B, int C, int D,
                          int V, const Pooling& pooling) {
  std::fill(dE, dE + static_cast<std::size_t>(V) * D, 0.0f);
  for (int b = 0; b < B; ++b) {
    for (int c = 0; c < C; ++c) {
      const float* grad = dh + pooling.slot_offset(b, c, C, D);
      float* row = dE + static_cast<std::size_t>(x[b * C + c]) * D;
      const float* p = pooling.multiplies() ? P + static_cast<std::size_t>(c) * D : nullptr;
#pragma omp simd
      for (int d = 0; d < D; ++d) row[d] += pooling.slot_gradient(grad[d], C) * (p != nullptr ? p[d] : 1.0f);
    }
  }
}

EMBGEO_SIMD_CLONES
void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int B, int C, int D,
                         const Pooling& pooling) {
  const bool concat = pooling.pool == Pool::kConcat;
  for (int b = 0; b < B; ++b) {
    float* mean = h + static_cast<std::size_t>(b) * D;  // the mean's row (concat writes each slot's slice)
    if (!concat) std::fill(mean, mean + D, 0.0f);
    for (int c = 0; c < C; ++c) {
      const float* e = E + static_cast<std::size_t>(x[b * C + c]) * D;
      const float* p = pooling.has_table() ? P + static_cast<std::size_t>(c) * D : nullptr;
      float* out = h + pooling.slot_offset(b, c, C, D);
#pragma omp simd
      for (int d = 0; d < D; ++d) {
        const float r = pooling.slot_value(e[d], p != nullptr ? p[d] : 0.0f);
        out[d] = concat ? r : out[d] + r;
      }
    }
    if (!concat) {
#pragma omp simd
      for (int d = 0; d < D; ++d) mean[d] /= static_cast<float>(C);
    }
  }
}

EMBGEO_SIMD_CLONES
double negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                          const std::uint64_t* cdf, std::uint64_t seed, std::int64_t step,
                                          int first_row, std::int32_t* ids, float* dh, float* dW, float* db, int rows,
                                          int K, int H, int V, float grad_scale) {
  const int J = K + 1;  // scored ids a row: the target, then the noise
  std::fill(dW, dW + static_cast<std::size_t>(V) * H, 0.0f);
  std::fill(db, db + V, 0.0f);
  double loss_sum = 0;
  for (int b = 0; b < rows; ++b) {
    const float* h_row = h + static_cast<std::size_t>(b) * H;
    float* dh_row = dh + static_cast<std::size_t>(b) * H;
    std::fill(dh_row, dh_row + H, 0.0f);
    for (int j = 0; j < J; ++j) {
      const std::int32_t t = j == 0 ? y[b] : sample_noise(seed, step, first_row + b, j, cdf, V);
      ids[b * J + j] = t;
      const float* w_row = W + static_cast<std::size_t>(t) * H;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int d = 0; d < H; ++d) s += h_row[d] * w_row[d];
      s += bias[t];
      // −log σ(z) for z = s (the target) or −s (noise), = log(1 + e^−|z|) + max(−z, 0) without overflow.
      const float z = j == 0 ? s : -s;
      loss_sum += std::log1p(std::exp(-std::fabs(z))) + std::max(-z, 0.0f);
      const float g = (1.0f / (1.0f + std::exp(-s)) - (j == 0 ? 1.0f : 0.0f)) * grad_scale;
      float* dw_row = dW + static_cast<std::size_t>(t) * H;
#pragma omp simd
      for (int d = 0; d < H; ++d) {
        dh_row[d] += g * w_row[d];
        dw_row[d] += g * h_row[d];
      }
      db[t] += g;
    }
  }
  return loss_sum;
}

void onehot_matmul(const std::int32_t* ids, const float* E, float* out, int N, int V, int D) {
  std::vector<float> onehot(static_cast<std::size_t>(N) * V, 0.0f);
  for (int n = 0; n < N; ++n) onehot[static_cast<std::size_t>(n) * V + ids[n]] = 1.0f;
  // out (N,D) = onehot (N,V) · E (V,D), all row-major
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, D, V, 1.0f, onehot.data(), V, E, D, 0.0f, out, D);
}

EMBGEO_SIMD_CLONES
void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               std::int64_t t) {
  const AdamStepScalars s = adam_step_scalars(config, t);
  const float beta1 = config.beta1, beta2 = config.beta2, eps = config.eps;
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i)
    adam_update(param[i], m[i], v[i], grad[i], beta1, beta2, eps, s.step_size, s.inv_sqrt_bias2);
}

}  // namespace embgeo::cpu_fast
