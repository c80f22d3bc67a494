// The CPU backends: host vectors driven either by the plain reference loops of cpu_ops.cpp (the judge) or by
// the fast path of cpu_fast_ops.cpp (`--device cpu`), which shares the reference's cheap ops (gather, sampling).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "cpu_path.hpp"
#include "embgeo/error.hpp"
#include "embgeo/host_memory.hpp"
#include "embgeo/tensor_checks.hpp"

namespace embgeo {
namespace {

class CpuBackend final : public Backend {
 public:
  CpuBackend(const BackendConfig& config, CpuPath path)
      : Backend(config), path_(path), ops_(cpu_ops(path)) {
    if (path == CpuPath::kFast) cpu_fast::set_blas_threads(config.cpu_threads);
    const ModelShape& s = config.shape;
    const std::size_t VD = s.embedding_elems(), VH = s.head_weight_elems();
    E_.resize(VD);
    W_.resize(VH);
    bias_.resize(s.V);
    P_.resize(s.position_elems());
    x_.resize(static_cast<std::size_t>(s.B) * s.C);
    y_.resize(s.B);
    h_.resize(s.pooled_elems());
    logits_.resize(s.logits_elems());
    dh_.resize(h_.size());
    dW_.resize(VH);
    db_.resize(s.V);
    mW_.resize(VH);
    vW_.resize(VH);
    mb_.resize(s.V);
    vb_.resize(s.V);
    if (!config.freeze_embedding) {
      dE_.resize(VD);
      mE_.resize(VD);
      vE_.resize(VD);
    }
    if (s.pooling.trains_table()) {
      dP_.resize(P_.size());
      mP_.resize(P_.size());
      vP_.resize(P_.size());
    }
    if (config.loss == Loss::kNegativeSampling)
      negative_ids_.resize(config.scored_ids(s.B));
    if (config.scatters_global_batch()) {
      x_all_.resize(static_cast<std::size_t>(config.global_batch()) * s.C);
      dh_all_.resize(static_cast<std::size_t>(config.global_batch()) * s.H());
    }
  }

  std::string name() const override { return cpu_path_name(path_); }

  void load_corpus(const std::vector<std::int32_t>& ids) override {
    check_token_ids(ids, config_.shape.V, "corpus");
    corpus_ = ids;
  }

  void load_params(const Params& params) override {
    check_param_sizes(params, config_.shape);
    E_ = params.embedding;
    W_ = params.head_weight;
    bias_ = params.head_bias;
    P_ = params.position;
    for (auto* moment : {&mE_, &vE_, &mW_, &vW_, &mb_, &vb_, &mP_, &vP_})
      std::fill(moment->begin(), moment->end(), 0.0f);
  }

  Params params() const override { return Params{E_, W_, bias_, P_}; }

  void sample_batch(std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                    std::int64_t window_count) override {
    const ModelShape& s = config_.shape;
    cpu::sample_batch(corpus_.data(), seed, step, window_begin, window_count, x_.data(), y_.data(), s.B,
                      config_.layout(), config_.first_batch_row());
    rows_ = s.B;
    gradient_rows_ = config_.global_batch();
    seed_ = seed;
    step_ = step;
  }

  void window_batch(std::int64_t first_window, int rows) override {
    check_rows(rows, config_.shape.B);
    cpu::window_batch(corpus_.data(), first_window, x_.data(), y_.data(), rows, config_.layout());
    rows_ = gradient_rows_ = rows;
  }

  void gather_pool_forward() override {
    const ModelShape& s = config_.shape;
    ops_.gather_pool_forward(x_.data(), E_.data(), P_.data(), h_.data(), rows_, s.C, s.D, s.pooling);
  }

  void head_forward() override {
    const ModelShape& s = config_.shape;
    ops_.head_forward(h_.data(), W_.data(), bias_.data(), logits_.data(), rows_, s.H(), s.V);
  }

  void softmax_xent_forward_backward() override {
    add_batch_loss(ops_.softmax_xent_forward_backward(logits_.data(), y_.data(), rows_, config_.shape.V,
                                                      1.0f / static_cast<float>(gradient_rows_)));
  }

  // A row costs (K+1)·H multiply-adds, no GEMM to hand to OpenBLAS: the fast path's is one float pass.
  void negative_sampling_forward_backward() override {
    if (noise_.empty()) fail("internal: negative sampling before load_noise");  // (load_noise checks the loss)
    const ModelShape& s = config_.shape;
    add_batch_loss(ops_.negative_sampling_forward_backward(
        h_.data(), W_.data(), bias_.data(), y_.data(), noise_.data(), seed_, step_, config_.first_batch_row(),
        negative_ids_.data(), dh_.data(), dW_.data(), db_.data(), rows_, config_.negatives, s.H(), s.V,
        1.0f / static_cast<float>(gradient_rows_)));
  }

  void load_noise(const std::vector<std::uint64_t>& cdf) override {
    if (config_.loss != Loss::kNegativeSampling) fail("internal: load_noise without negative sampling");
    check_noise_cdf(cdf, config_.shape.V);
    noise_ = cdf;
  }

  void head_backward() override {
    const ModelShape& s = config_.shape;
    ops_.head_backward(logits_.data(), h_.data(), W_.data(), dW_.data(), db_.data(), dh_.data(), rows_, s.H(), s.V);
  }

  void scatter_add_backward() override {
    if (config_.freeze_embedding) fail("internal: scatter_add_backward called with a frozen embedding");
    const ModelShape& s = config_.shape;
    const ScatterRows rows = scatter_rows();
    ops_.scatter_add_backward(rows.dh, rows.x, P_.data(), dE_.data(), rows.count, s.C, s.D, s.V, s.pooling);
  }

  void position_backward() override {
    const ModelShape& s = config_.shape;
    if (!s.pooling.trains_table()) fail("internal: position_backward without a learned position table");
    cpu::position_backward(dh_.data(), x_.data(), E_.data(), dP_.data(), rows_, s.C, s.D, s.pooling);
  }

  void all_gather_pooled_gradients() override {
    if (!config_.scatters_global_batch()) return;
    const std::size_t B = static_cast<std::size_t>(rows_);
    timed([&] {
      config_.ranks->all_gather(x_.data(), B * config_.shape.C * sizeof(std::int32_t), x_all_.data());
      config_.ranks->all_gather(dh_.data(), B * config_.shape.H() * sizeof(float), dh_all_.data());
    });
  }

  void all_reduce_gradients() override {
    if (config_.ranks == nullptr) return;
    timed([&] {
      config_.ranks->all_reduce_sum(dW_.data(), dW_.size());
      config_.ranks->all_reduce_sum(db_.data(), db_.size());
      if (config_.shape.pooling.trains_table()) config_.ranks->all_reduce_sum(dP_.data(), dP_.size());
      if (!config_.freeze_embedding && config_.exchange == EmbeddingExchange::kDense)
        config_.ranks->all_reduce_sum(dE_.data(), dE_.size());
    });
  }

  double exchange_seconds() const override { return exchange_seconds_; }

  void optimizer_step(std::int64_t t) override {
    const OptimizerConfig& opt = config_.optimizer;
    auto update = [&](std::vector<float>& p, const std::vector<float>& g, std::vector<float>& m,
                      std::vector<float>& v) {
      if (opt.kind == OptimizerKind::kSgd)
        cpu::sgd_step(p.data(), g.data(), p.size(), opt.lr);
      else
        ops_.adam_step(p.data(), g.data(), m.data(), v.data(), p.size(), opt, t);
    };
    if (!config_.freeze_embedding && opt.kind == OptimizerKind::kLazyAdam) {
      const ScatterRows rows = scatter_rows();
      const std::vector<std::int32_t> touched =
          cpu::distinct_rows(rows.x, static_cast<std::size_t>(rows.count) * config_.shape.C);
      const std::size_t D = static_cast<std::size_t>(config_.shape.D);
      for (const std::int32_t row : touched)
        ops_.adam_step(&E_[row * D], &dE_[row * D], &mE_[row * D], &vE_[row * D], D, opt, t);
    } else if (!config_.freeze_embedding) {
      update(E_, dE_, mE_, vE_);
    }
    update(W_, dW_, mW_, vW_);
    update(bias_, db_, mb_, vb_);
    if (config_.shape.pooling.trains_table()) update(P_, dP_, mP_, vP_);
  }

  LossSum take_loss_sum() override { return std::exchange(loss_, LossSum{}); }
  void set_loss_sum(const LossSum& sum) override { loss_ = sum; }
  void set_divergence_limit(double max_mean_loss) override { divergence_limit_ = max_mean_loss; }
  std::int64_t diverged_step() const override { return diverged_step_; }

  std::vector<float> read(Tensor t) const override { return *float_tensor(t); }

  std::vector<std::int32_t> read_ids(Tensor t) const override {
    const ModelShape& s = config_.shape;
    if (t == Tensor::kX) return {x_.begin(), x_.begin() + static_cast<std::ptrdiff_t>(rows_) * s.C};
    if (t == Tensor::kY) return {y_.begin(), y_.begin() + rows_};
    if (t == Tensor::kNegativeIds)
      return {negative_ids_.begin(), negative_ids_.begin() + static_cast<std::ptrdiff_t>(config_.scored_ids(rows_))};
    fail("internal: read_ids of a float tensor ", tensor_name(t));
  }

  void write(Tensor t, const std::vector<float>& values) override {
    std::vector<float>* target = const_cast<std::vector<float>*>(float_tensor(t));
    check_tensor_size(t, values.size(), target->size());
    *target = values;
  }

  void write_ids(Tensor t, const std::vector<std::int32_t>& values, int rows) override {
    check_rows(rows, config_.shape.B);
    const ModelShape& s = config_.shape;
    const std::size_t expected = t == Tensor::kX ? static_cast<std::size_t>(rows) * s.C : static_cast<std::size_t>(rows);
    check_tensor_size(t, values.size(), expected);
    check_token_ids(values, s.V, tensor_name(t));
    std::copy(values.begin(), values.end(), (t == Tensor::kX ? x_ : y_).begin());
    rows_ = gradient_rows_ = rows;
  }

 private:
  // Adds a batch's summed row losses to the accumulator and raises the divergence flag on a bad batch mean.
  void add_batch_loss(double batch) {
    loss_.sum += batch;
    loss_.rows += rows_;
    const double mean = batch / rows_;
    if (diverged_step_ < 0 && (!std::isfinite(mean) || mean > divergence_limit_)) diverged_step_ = step_;
  }

  // The rows the embedding gradient comes from: this process's batch, or with the sparse exchange the
  // gathered global batch.
  struct ScatterRows {
    const float* dh;
    const std::int32_t* x;
    int count;
  };
  ScatterRows scatter_rows() const {
    const bool global = config_.scatters_global_batch();
    return {global ? dh_all_.data() : dh_.data(), global ? x_all_.data() : x_.data(), config_.scattered_rows(rows_)};
  }

  // Adds the wall-clock time of `exchange` to exchange_seconds().
  template <typename Exchange>
  void timed(Exchange exchange) {
    const auto start = std::chrono::steady_clock::now();
    exchange();
    exchange_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const std::vector<float>* float_tensor(Tensor t) const {
    switch (t) {
      case Tensor::kEmbedding: return &E_;
      case Tensor::kHeadWeight: return &W_;
      case Tensor::kHeadBias: return &bias_;
      case Tensor::kPosition: return &P_;
      case Tensor::kPositionGrad: return &dP_;
      case Tensor::kPositionM: return &mP_;
      case Tensor::kPositionV: return &vP_;
      case Tensor::kPooled: return &h_;
      case Tensor::kLogits: return &logits_;
      case Tensor::kPooledGrad: return &dh_;
      case Tensor::kEmbeddingGrad: return &dE_;
      case Tensor::kHeadWeightGrad: return &dW_;
      case Tensor::kHeadBiasGrad: return &db_;
      case Tensor::kEmbeddingM: return &mE_;
      case Tensor::kEmbeddingV: return &vE_;
      case Tensor::kHeadWeightM: return &mW_;
      case Tensor::kHeadWeightV: return &vW_;
      case Tensor::kHeadBiasM: return &mb_;
      case Tensor::kHeadBiasV: return &vb_;
      case Tensor::kX:
      case Tensor::kY:
      case Tensor::kNegativeIds: break;
    }
    fail("internal: ", tensor_name(t), " is not a float tensor");
  }

  CpuPath path_;
  const CpuOps& ops_;
  std::vector<std::int32_t> corpus_, x_, y_, x_all_, negative_ids_;
  std::vector<std::uint64_t> noise_;  // negative sampling's noise_cdf
  std::vector<float> E_, W_, bias_, P_, h_, logits_, dh_, dE_, dW_, db_, dP_, dh_all_;
  std::vector<float> mE_, vE_, mW_, vW_, mb_, vb_, mP_, vP_;
  LossSum loss_;
  std::uint64_t seed_ = 0;  // of the last sampled batch
  std::int64_t step_ = 0;
  int gradient_rows_ = 1;  // dlogits are divided by it: the global batch for a training batch, else rows_
  double exchange_seconds_ = 0;
  double divergence_limit_ = std::numeric_limits<double>::infinity();
  std::int64_t diverged_step_ = -1;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const BackendConfig& config, CpuPath path) {
  validate_backend_config(config);
  // Refuse up front rather than die half-way through allocating.
  const std::size_t needed = training_state_bytes(config);
  const std::size_t available = available_host_bytes();
  if (needed > available)
    fail("model needs ", needed >> 20, " MiB of host memory but only ", available >> 20,
         " MiB are available; lower --dim, --batch or the vocabulary");
  return std::make_unique<CpuBackend>(config, path);
}

}  // namespace embgeo
