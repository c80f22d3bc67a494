// CPU reference ops: plain loops, written to be read. Sums over long axes accumulate in double.
#include "cpu_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "embgeo/negative_sampling.hpp"
#include "embgeo/philox.hpp"

namespace embgeo::cpu {

namespace {

// Slot c's row of batch row b, element d: E[x[b,c]][d], plus or times P[c][d].
double slot_value(const std::int32_t* x, const float* E, const float* P, int b, int c, int C, int D, int d,
                         const Pooling& pooling) {
  const double e = E[static_cast<std::size_t>(x[b * C + c]) * D + d];
  if (!pooling.has_table()) return e;
  const double p = P[static_cast<std::size_t>(c) * D + d];
  return pooling.mode == PositionMode::kMultiply ? e * p : e + p;
}

// ∂loss/∂(slot c's row)[d] of batch row b: the mean spreads dh[b] evenly, concat hands each slot its slice.
double slot_gradient(const float* dh, int b, int c, int C, int D, int d, const Pooling& pooling) {
  if (pooling.pool == Pool::kConcat) return dh[(static_cast<std::size_t>(b) * C + c) * D + d];
  return static_cast<double>(dh[static_cast<std::size_t>(b) * D + d]) / C;
}

}  // namespace

void gather_pool_forward(const std::int32_t* x, const float* E, const float* P, float* h, int B, int C, int D,
                         const Pooling& pooling) {
  for (int b = 0; b < B; ++b) {
    for (int d = 0; d < D; ++d) {
      if (pooling.pool == Pool::kConcat) {
        for (int c = 0; c < C; ++c)
          h[(static_cast<std::size_t>(b) * C + c) * D + d] = static_cast<float>(slot_value(x, E, P, b, c, C, D, d, pooling));
      } else {
        double sum = 0;
        for (int c = 0; c < C; ++c) sum += slot_value(x, E, P, b, c, C, D, d, pooling);
        h[static_cast<std::size_t>(b) * D + d] = static_cast<float>(sum / C);
      }
    }
  }
}

void head_forward(const float* h, const float* W, const float* bias, float* logits, int B, int H, int V) {
  for (int b = 0; b < B; ++b) {
    const float* h_row = h + static_cast<std::size_t>(b) * H;
    for (int v = 0; v < V; ++v) {
      const float* w_row = W + static_cast<std::size_t>(v) * H;
      double sum = bias[v];
      for (int d = 0; d < H; ++d) sum += static_cast<double>(h_row[d]) * w_row[d];
      logits[static_cast<std::size_t>(b) * V + v] = static_cast<float>(sum);
    }
  }
}

double softmax_xent_forward_backward(float* logits, const std::int32_t* y, int B, int V, float grad_scale) {
  double loss_sum = 0;
  for (int b = 0; b < B; ++b) {
    float* row = logits + static_cast<std::size_t>(b) * V;
    // Subtracting the row max keeps exp() in range; it cancels in both the loss and the softmax.
    const double row_max = *std::max_element(row, row + V);
    double exp_sum = 0;
    for (int v = 0; v < V; ++v) exp_sum += std::exp(row[v] - row_max);
    const double log_sum_exp = row_max + std::log(exp_sum);
    loss_sum += log_sum_exp - row[y[b]];
    for (int v = 0; v < V; ++v) {
      const double p = std::exp(row[v] - log_sum_exp);
      row[v] = static_cast<float>((p - (v == y[b] ? 1.0 : 0.0)) * grad_scale);
    }
  }
  return loss_sum;
}

void head_backward(const float* dlogits, const float* h, const float* W, float* dW, float* db, float* dh, int B,
                   int H, int V) {
  // Loop orders keep the innermost loop on contiguous rows (and independent double accumulators, which the
  // compiler can vectorize) while every sum still runs in a fixed order.
  std::vector<double> acc(static_cast<std::size_t>(H));
  for (int v = 0; v < V; ++v) {
    std::fill(acc.begin(), acc.end(), 0.0);
    double bias_sum = 0;
    for (int b = 0; b < B; ++b) {
      const double g = dlogits[static_cast<std::size_t>(b) * V + v];
      const float* h_row = h + static_cast<std::size_t>(b) * H;
      for (int d = 0; d < H; ++d) acc[d] += g * h_row[d];
      bias_sum += g;
    }
    for (int d = 0; d < H; ++d) dW[static_cast<std::size_t>(v) * H + d] = static_cast<float>(acc[d]);
    db[v] = static_cast<float>(bias_sum);
  }
  for (int b = 0; b < B; ++b) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int v = 0; v < V; ++v) {
      const double g = dlogits[static_cast<std::size_t>(b) * V + v];
      const float* w_row = W + static_cast<std::size_t>(v) * H;
      for (int d = 0; d < H; ++d) acc[d] += g * w_row[d];
    }
    for (int d = 0; d < H; ++d) dh[static_cast<std::size_t>(b) * H + d] = static_cast<float>(acc[d]);
  }
}

double negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                          const std::uint64_t* cdf, std::uint64_t seed, std::int64_t step,
                                          int first_row, std::int32_t* ids, float* dh, float* dW, float* db, int rows,
                                          int K, int H, int V, float grad_scale) {
  const int J = K + 1;  // scored ids a row: the target, then the noise
  // −log σ(x) = log(1 + e^−x), written so that neither branch overflows.
  const auto minus_log_sigmoid = [](double x) { return x > 0 ? std::log1p(std::exp(-x)) : -x + std::log1p(std::exp(x)); };
  std::vector<double> ds(static_cast<std::size_t>(rows) * J);
  double loss_sum = 0;
  for (int b = 0; b < rows; ++b) {
    const float* h_row = h + static_cast<std::size_t>(b) * H;
    for (int j = 0; j < J; ++j) {
      const std::int32_t t = j == 0 ? y[b] : sample_noise(seed, step, first_row + b, j, cdf, V);
      ids[b * J + j] = t;
      double s = bias[t];
      for (int d = 0; d < H; ++d) s += static_cast<double>(h_row[d]) * W[static_cast<std::size_t>(t) * H + d];
      const double sigmoid = 1.0 / (1.0 + std::exp(-s));
      loss_sum += j == 0 ? minus_log_sigmoid(s) : minus_log_sigmoid(-s);
      ds[static_cast<std::size_t>(b) * J + j] = (sigmoid - (j == 0 ? 1.0 : 0.0)) * grad_scale;
    }
    for (int d = 0; d < H; ++d) {
      double sum = 0;
      for (int j = 0; j < J; ++j) sum += ds[static_cast<std::size_t>(b) * J + j] * W[static_cast<std::size_t>(ids[b * J + j]) * H + d];
      dh[static_cast<std::size_t>(b) * H + d] = static_cast<float>(sum);
    }
  }
  // dW and db: each id's contributions summed in double, in (row, slot) order.
  std::fill(dW, dW + static_cast<std::size_t>(V) * H, 0.0f);
  std::fill(db, db + V, 0.0f);
  std::vector<int> slots(ds.size());
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = static_cast<int>(i);
  std::stable_sort(slots.begin(), slots.end(), [&](int a, int b) { return ids[a] < ids[b]; });
  std::vector<double> row(static_cast<std::size_t>(H));
  for (std::size_t first = 0; first < slots.size();) {
    const std::int32_t t = ids[slots[first]];
    std::fill(row.begin(), row.end(), 0.0);
    double bias_sum = 0;
    std::size_t last = first;
    for (; last < slots.size() && ids[slots[last]] == t; ++last) {
      const double g = ds[slots[last]];
      const float* h_row = h + static_cast<std::size_t>(slots[last] / J) * H;
      for (int d = 0; d < H; ++d) row[d] += g * h_row[d];
      bias_sum += g;
    }
    for (int d = 0; d < H; ++d) dW[static_cast<std::size_t>(t) * H + d] = static_cast<float>(row[d]);
    db[t] = static_cast<float>(bias_sum);
    first = last;
  }
  return loss_sum;
}

void scatter_add_backward(const float* dh, const std::int32_t* x, const float* P, float* dE, int B, int C, int D,
                          int V, const Pooling& pooling) {
  const std::size_t table = static_cast<std::size_t>(V) * D;
  // Accumulate in double so the reference does not depend on the order repeated ids arrive in.
  std::vector<double> sum(table, 0.0);
  for (int b = 0; b < B; ++b)
    for (int c = 0; c < C; ++c)
      for (int d = 0; d < D; ++d) {
        const double factor = pooling.multiplies() ? P[static_cast<std::size_t>(c) * D + d] : 1.0;
        sum[static_cast<std::size_t>(x[b * C + c]) * D + d] += slot_gradient(dh, b, c, C, D, d, pooling) * factor;
      }
  for (std::size_t i = 0; i < table; ++i) dE[i] = static_cast<float>(sum[i]);
}

void position_backward(const float* dh, const std::int32_t* x, const float* E, float* dP, int B, int C, int D,
                       const Pooling& pooling) {
  for (int c = 0; c < C; ++c)
    for (int d = 0; d < D; ++d) {
      double sum = 0;
      for (int b = 0; b < B; ++b) {
        const double factor = pooling.multiplies() ? E[static_cast<std::size_t>(x[b * C + c]) * D + d] : 1.0;
        sum += slot_gradient(dh, b, c, C, D, d, pooling) * factor;
      }
      dP[static_cast<std::size_t>(c) * D + d] = static_cast<float>(sum);
    }
}

void adam_step(float* param, const float* grad, float* m, float* v, std::size_t n, const OptimizerConfig& config,
               std::int64_t t) {
  const AdamStepScalars s = adam_step_scalars(config, t);
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = config.beta1 * m[i] + (1.0f - config.beta1) * grad[i];
    v[i] = config.beta2 * v[i] + (1.0f - config.beta2) * grad[i] * grad[i];
    param[i] -= s.step_size * m[i] / (std::sqrt(v[i]) * s.inv_sqrt_bias2 + config.eps);
  }
}

std::vector<std::int32_t> distinct_rows(const std::int32_t* ids, std::size_t n) {
  std::vector<std::int32_t> rows(ids, ids + n);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

void sgd_step(float* param, const float* grad, std::size_t n, float lr) {
  for (std::size_t i = 0; i < n; ++i) param[i] -= lr * grad[i];
}

namespace {

// Row b of a batch from the window at corpus offset w (see objective.hpp for the layouts).
void fill_row(const std::int32_t* corpus, std::int64_t w, int pair, const WindowLayout& layout, std::int32_t* x,
              std::int32_t* y, int b) {
  const int C = layout.pooled_ids();
  for (int c = 0; c < C; ++c) x[b * C + c] = corpus[w + layout.context_offset(c)];
  y[b] = corpus[w + layout.target_offset(pair)];
}

}  // namespace

void sample_batch(const std::int32_t* corpus, std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                  std::int64_t window_count, std::int32_t* x, std::int32_t* y, int B, const WindowLayout& layout,
                  int first_row) {
  for (int b = 0; b < B; ++b) {
    const std::int64_t w = window_begin + sample_window(seed, step, first_row + b, window_count);
    const int pair = layout.objective == Objective::kSkipgram ? sample_pair(seed, step, first_row + b, layout.context) : 0;
    fill_row(corpus, w, pair, layout, x, y, b);
  }
}

void window_batch(const std::int32_t* corpus, std::int64_t first_window, std::int32_t* x, std::int32_t* y, int rows,
                  const WindowLayout& layout) {
  for (int b = 0; b < rows; ++b) {
    const std::int64_t w = first_window + b;
    fill_row(corpus, w, evaluation_pair(w, layout), layout, x, y, b);
  }
}

void onehot_matmul(const std::int32_t* ids, const float* E, float* out, int N, int V, int D) {
  std::vector<float> onehot(static_cast<std::size_t>(V));
  for (int n = 0; n < N; ++n) {
    std::fill(onehot.begin(), onehot.end(), 0.0f);
    onehot[ids[n]] = 1.0f;
    for (int d = 0; d < D; ++d) {
      double sum = 0;
      for (int v = 0; v < V; ++v) sum += static_cast<double>(onehot[v]) * E[static_cast<std::size_t>(v) * D + d];
      out[static_cast<std::size_t>(n) * D + d] = static_cast<float>(sum);
    }
  }
}

}  // namespace embgeo::cpu
