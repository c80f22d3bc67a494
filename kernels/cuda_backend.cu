// The CUDA backend: parameters, optimizer state, corpus and workspaces live on the device; a training step
// is a fixed sequence of launches on one stream with no host round-trip (the loss stays in a device
// accumulator until take_loss_sum()).
#include <cmath>
#include <limits>
#include <utility>

#include "device_buffer.cuh"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/tensor_checks.hpp"
#include "launchers.cuh"
#include "nccl_communicator.cuh"

namespace embgeo {
namespace {

using cuda::DeviceBuffer;

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, const BackendConfig& config) : Backend(config), device_(device) {
    const GpuMemory memory = gpu_memory(device);  // also selects the device
    device_name_ = memory.name;
    // The model's state plus what the backend adds: the cuBLAS workspace, the row losses and the sorted
    // scatter's workspace (counted whether or not the run uses it, with one more id buffer for its CUB scratch).
    const int ids = config.scattered_rows(config.shape.B) * config.shape.C;
    std::size_t needed = training_state_bytes(config) + kCublasWorkspaceBytes +
                         cuda::SortedScatterWorkspace::bytes(ids, config.shape.D) +
                         static_cast<std::size_t>(ids) * sizeof(std::int32_t) +
                         static_cast<std::size_t>(config.shape.B) * sizeof(double);
    if (config.loss == Loss::kNegativeSampling && config.deterministic)
      needed += cuda::SortedScatterWorkspace::bytes(static_cast<int>(config.scored_ids(config.shape.B)), config.shape.H());
    if (needed > memory.free_bytes)
      fail("model needs ", needed >> 20, " MiB on cuda:", device, " but only ", memory.free_bytes >> 20,
           " MiB are free; lower --dim, --batch or the vocabulary");
    context_ = std::make_unique<cuda::StreamAndBlas>();
    stream_ = context_->stream();
    cublas_ = context_->cublas();

    const ModelShape& s = config.shape;
    const std::size_t VD = s.embedding_elems(), VH = s.head_weight_elems();
    E_ = DeviceBuffer<float>(VD);
    W_ = DeviceBuffer<float>(VH);
    bias_ = DeviceBuffer<float>(s.V);
    P_ = DeviceBuffer<float>(s.position_elems());
    x_ = DeviceBuffer<std::int32_t>(static_cast<std::size_t>(s.B) * s.C);
    y_ = DeviceBuffer<std::int32_t>(s.B);
    h_ = DeviceBuffer<float>(s.pooled_elems());
    logits_ = DeviceBuffer<float>(s.logits_elems());
    dh_ = DeviceBuffer<float>(s.pooled_elems());
    dW_ = DeviceBuffer<float>(VH);
    db_ = DeviceBuffer<float>(s.V);
    mW_ = DeviceBuffer<float>(VH);
    vW_ = DeviceBuffer<float>(VH);
    mb_ = DeviceBuffer<float>(s.V);
    vb_ = DeviceBuffer<float>(s.V);
    if (!config.freeze_embedding) {
      dE_ = DeviceBuffer<float>(VD);
      mE_ = DeviceBuffer<float>(VD);
      vE_ = DeviceBuffer<float>(VD);
    }
    if (s.pooling.trains_table()) {
      dP_ = DeviceBuffer<float>(P_.size());
      mP_ = DeviceBuffer<float>(P_.size());
      vP_ = DeviceBuffer<float>(P_.size());
    }
    ones_ = cuda::uploaded(std::vector<float>(s.B, 1.0f), stream_);
    loss_sum_ = DeviceBuffer<double>(1);
    loss_sum_.zero(stream_);
    row_loss_ = DeviceBuffer<double>(s.B);
    step_ = DeviceBuffer<std::int64_t>(1);
    divergence_limit_ = cuda::uploaded(std::vector<double>{std::numeric_limits<double>::infinity()}, stream_);
    diverged_step_ = cuda::uploaded(std::vector<std::int64_t>{-1}, stream_);
    adam_scalars_ = DeviceBuffer<float>(2);
    // An explicit cuBLAS workspace: inside graph capture cuBLAS must not allocate one of its own.
    cublas_workspace_ = DeviceBuffer<unsigned char>(kCublasWorkspaceBytes);
    CUBLAS_CHECK(cublasSetWorkspace(cublas_, cublas_workspace_.get(), cublas_workspace_.size()));
    if (config.tf32) CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_TF32_TENSOR_OP_MATH));
    if (sorted_scatter()) {
      sorted_ = std::make_unique<cuda::SortedScatterWorkspace>(config.scattered_rows(s.B) * s.C, s.V, s.D);
      dE_.zero(stream_);  // lazy Adam keeps dE zero outside the rows of the current batch
    }
    if (config.scatters_global_batch()) {
      x_all_ = DeviceBuffer<std::int32_t>(static_cast<std::size_t>(config.global_batch()) * s.C);
      dh_all_ = DeviceBuffer<float>(static_cast<std::size_t>(config.global_batch()) * s.H());
    }
    if (config.loss == Loss::kNegativeSampling) {
      const std::size_t slots = config.scored_ids(s.B);
      negative_ids_ = DeviceBuffer<std::int32_t>(slots);
      negative_ds_ = DeviceBuffer<float>(slots);
      negative_weighted_ = DeviceBuffer<float>(slots * s.H());
      noise_ = DeviceBuffer<std::uint64_t>(s.V);  // allocated once: a captured step holds its address
      // dW and db rows of a deterministic run are summed in a fixed order too; a workspace of their own keeps
      // the embedding's (and lazy Adam's list of touched rows) apart.
      if (config.deterministic)
        negative_sorted_ = std::make_unique<cuda::SortedScatterWorkspace>(static_cast<int>(slots), s.V, s.H());
    }
    if (config.ranks != nullptr) nccl_ = std::make_unique<cuda::NcclCommunicator>(*config.ranks);
  }

  ~CudaBackend() override {
    if (graph_exec_) cudaGraphExecDestroy(graph_exec_);
  }

  std::string name() const override { return "cuda:" + std::to_string(device_) + " (" + device_name_ + ")"; }

  void load_corpus(const std::vector<std::int32_t>& ids) override {
    bind();
    check_token_ids(ids, config_.shape.V, "corpus");  // before any id can reach a kernel
    CUDA_CHECK(cudaStreamSynchronize(stream_));  // a replayed graph may still read the old corpus
    if (graph_exec_) CUDA_CHECK(cudaGraphExecDestroy(std::exchange(graph_exec_, nullptr)));  // it holds the old corpus
    corpus_ = DeviceBuffer<std::int32_t>();
    const std::size_t bytes = ids.size() * sizeof(std::int32_t), free = gpu_memory(device_).free_bytes;
    if (bytes > free) fail("the corpus needs ", bytes >> 20, " MiB on cuda:", device_, " but only ", free >> 20, " MiB are free");
    corpus_ = DeviceBuffer<std::int32_t>(ids.size());
    corpus_.upload(ids.data(), ids.size(), stream_);
    corpus_tokens_ = static_cast<std::int64_t>(ids.size());
  }

  void load_params(const Params& params) override {
    bind();
    check_param_sizes(params, config_.shape);
    E_.upload(params.embedding.data(), params.embedding.size(), stream_);
    W_.upload(params.head_weight.data(), params.head_weight.size(), stream_);
    bias_.upload(params.head_bias.data(), params.head_bias.size(), stream_);
    P_.upload(params.position.data(), params.position.size(), stream_);
    for (auto* moment : {&mE_, &vE_, &mW_, &vW_, &mb_, &vb_, &mP_, &vP_}) moment->zero(stream_);
  }

  Params params() const override {
    bind();
    return Params{E_.download(E_.size(), stream_), W_.download(W_.size(), stream_), bias_.download(bias_.size(), stream_),
                  P_.download(P_.size(), stream_)};
  }

  void sample_batch(std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                    std::int64_t window_count) override {
    bind();
    check_windows(window_begin, window_count);
    set_step(step);
    launch_sample_batch(seed, window_begin, window_count);
  }

  void window_batch(std::int64_t first_window, int rows) override {
    bind();
    check_rows(rows, config_.shape.B);
    check_windows(first_window, rows);
    cuda::window_batch(corpus_.get(), first_window, x_.get(), y_.get(), rows, config_.layout(), stream_);
    rows_ = gradient_rows_ = rows;
  }

  void gather_pool_forward() override {
    const ModelShape& s = config_.shape;
    cuda::gather_pool_forward(x_.get(), E_.get(), P_.get(), h_.get(), rows_, s.C, s.D, s.pooling, stream_);
  }

  void head_forward() override {
    const ModelShape& s = config_.shape;
    cuda::head_forward(cublas_, h_.get(), W_.get(), bias_.get(), logits_.get(), rows_, s.H(), s.V, stream_);
  }

  void softmax_xent_forward_backward() override {
    enqueue_softmax(nullptr);
    loss_rows_ += rows_;
  }

  void head_forward_softmax_xent() override {
    enqueue_head_softmax();
    loss_rows_ += rows_;
  }

  void negative_sampling_forward_backward() override {
    bind();
    enqueue_negative_sampling();
    loss_rows_ += rows_;
  }

  void load_noise(const std::vector<std::uint64_t>& cdf) override {
    bind();
    if (config_.loss != Loss::kNegativeSampling) fail("internal: load_noise without negative sampling");
    check_noise_cdf(cdf, config_.shape.V);
    noise_.upload(cdf.data(), cdf.size(), stream_);
    noise_loaded_ = true;
  }

  void head_backward() override {
    const ModelShape& s = config_.shape;
    cuda::head_backward(cublas_, logits_.get(), h_.get(), W_.get(), dW_.get(), db_.get(), dh_.get(), ones_.get(), rows_,
                        s.H(), s.V, stream_);
  }

  void scatter_add_backward() override {
    if (config_.freeze_embedding) fail("internal: scatter_add_backward called with a frozen embedding");
    const ModelShape& s = config_.shape;
    // The sparse exchange scatters the gathered global batch; otherwise this rank's (or process's) rows.
    const bool global = config_.scatters_global_batch();
    const float* dh = global ? dh_all_.get() : dh_.get();
    const std::int32_t* x = global ? x_all_.get() : x_.get();
    const int rows = config_.scattered_rows(rows_);
    if (sorted_)
      cuda::scatter_add_backward_sorted(dh, x, P_.get(), dE_.get(), rows, s.C, s.D, s.pooling,
                                        config_.optimizer.kind != OptimizerKind::kLazyAdam, *sorted_, s.V, stream_);
    else
      cuda::scatter_add_backward(dh, x, P_.get(), dE_.get(), rows, s.C, s.D, s.V, s.pooling, stream_);
  }

  void position_backward() override {
    const ModelShape& s = config_.shape;
    if (!s.pooling.trains_table()) fail("internal: position_backward without a learned position table");
    cuda::position_backward(dh_.get(), x_.get(), E_.get(), dP_.get(), rows_, s.C, s.D, s.pooling, stream_);
  }

  void all_gather_pooled_gradients() override {
    if (!config_.scatters_global_batch()) return;
    const ModelShape& s = config_.shape;
    nccl_->all_gather(x_.get(), x_all_.get(), static_cast<std::size_t>(s.B) * s.C, stream_);
    nccl_->all_gather(dh_.get(), dh_all_.get(), s.pooled_elems(), stream_);
  }

  void all_reduce_gradients() override {
    if (!nccl_) return;
    nccl_->all_reduce_sum(dW_.get(), dW_.size(), stream_);
    nccl_->all_reduce_sum(db_.get(), db_.size(), stream_);
    if (config_.shape.pooling.trains_table()) nccl_->all_reduce_sum(dP_.get(), dP_.size(), stream_);
    if (!config_.freeze_embedding && config_.exchange == EmbeddingExchange::kDense)
      nccl_->all_reduce_sum(dE_.get(), dE_.size(), stream_);
  }

  // The collectives run inside the captured step, where the host cannot time them apart from the kernels.
  double exchange_seconds() const override {
    return nccl_ ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  }

  void optimizer_step(std::int64_t t) override {
    bind();
    set_step(t);
    launch_optimizer_step();
  }

  // The whole step as one CUDA graph: captured on first use (and again if seed or windows change), then
  // replayed. Step-dependent values live on the device (the step counter, Adam's scalars), so one graph
  // serves every step and a step costs one launch and no host round-trip.
  void train_step(std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                  std::int64_t window_count) override {
    bind();
    // The first step runs eagerly, so the first use of every kernel and cuBLAS call (module loading, cuBLAS's
    // own set-up, which may allocate or synchronize) happens outside capture; capture starts with the second.
    if (!config_.cuda_graph || !eager_step_done_) {
      eager_step_done_ = true;
      return Backend::train_step(seed, step, window_begin, window_count);
    }
    check_windows(window_begin, window_count);
    const GraphKey key{seed, window_begin, window_count};
    if (!graph_exec_ || !(key == graph_key_)) capture_step(key);
    if (device_step_ != step) set_step(step);
    CUDA_CHECK(cudaGraphLaunch(graph_exec_, stream_));
    device_step_ = step + 1;  // the graph's last node advanced the counter
    rows_ = config_.shape.B;
    gradient_rows_ = config_.global_batch();
    loss_rows_ += rows_;
  }

  LossSum take_loss_sum() override {
    bind();
    const std::vector<double> sum = loss_sum_.download(1, stream_);
    loss_sum_.zero(stream_);
    return LossSum{sum[0], std::exchange(loss_rows_, 0)};
  }

  void set_divergence_limit(double max_mean_loss) override {
    bind();
    divergence_limit_.upload(&max_mean_loss, 1, stream_);
  }

  // A host read of the flag: called at log points, where the loss is read anyway.
  std::int64_t diverged_step() const override {
    bind();
    return diverged_step_.download(1, stream_)[0];
  }

  void set_loss_sum(const LossSum& sum) override {
    bind();
    loss_sum_.upload(&sum.sum, 1, stream_);
    loss_rows_ = sum.rows;
  }

  std::vector<float> read(Tensor t) const override {
    bind();
    const DeviceBuffer<float>& buffer = float_tensor(t);
    return buffer.download(buffer.size(), stream_);
  }

  std::vector<std::int32_t> read_ids(Tensor t) const override {
    bind();
    const std::size_t count = static_cast<std::size_t>(rows_) * (t == Tensor::kX ? config_.shape.C : 1);
    if (t == Tensor::kX) return x_.download(count, stream_);
    if (t == Tensor::kY) return y_.download(count, stream_);
    if (t == Tensor::kNegativeIds)
      return negative_ids_.download(config_.scored_ids(rows_), stream_);
    fail("internal: read_ids of a float tensor ", tensor_name(t));
  }

  void write(Tensor t, const std::vector<float>& values) override {
    bind();
    DeviceBuffer<float>& buffer = const_cast<DeviceBuffer<float>&>(float_tensor(t));
    check_tensor_size(t, values.size(), buffer.size());
    buffer.upload(values.data(), values.size(), stream_);
  }

  void write_ids(Tensor t, const std::vector<std::int32_t>& values, int rows) override {
    bind();
    check_rows(rows, config_.shape.B);
    const std::size_t expected = static_cast<std::size_t>(rows) * (t == Tensor::kX ? config_.shape.C : 1);
    check_tensor_size(t, values.size(), expected);
    check_token_ids(values, config_.shape.V, tensor_name(t));
    (t == Tensor::kX ? x_ : y_).upload(values.data(), values.size(), stream_);
    rows_ = gradient_rows_ = rows;
  }

 private:
  // Entry points re-select the backend's device: other code may have selected another one since.
  void bind() const { CUDA_CHECK(cudaSetDevice(device_)); }

  static constexpr std::size_t kCublasWorkspaceBytes = std::size_t{32} << 20;

  struct GraphKey {
    std::uint64_t seed;
    std::int64_t window_begin, window_count;
    bool operator==(const GraphKey& o) const {
      return seed == o.seed && window_begin == o.window_begin && window_count == o.window_count;
    }
  };

  void set_step(std::int64_t step) {
    cuda::set_counter(step_.get(), step, stream_);
    device_step_ = step;
  }

  // Softmax-CE over the logits of the current rows, adding `bias` as it reads them when not null.
  void enqueue_softmax(const float* bias) {
    cuda::softmax_xent_forward_backward(logits_.get(), bias, y_.get(), row_loss_.get(), loss_sum_.get(), rows_,
                                        config_.shape.V, 1.0f / static_cast<float>(gradient_rows_), stream_,
                                        {step_.get(), divergence_limit_.get(), diverged_step_.get()});
  }

  // The bias joins the logits inside the softmax pass: the GEMM writes h·Wᵀ alone (beta = 0), saving a
  // write and a re-read of the (B,V) logits.
  void enqueue_head_softmax() {
    const ModelShape& s = config_.shape;
    cuda::head_forward(cublas_, h_.get(), W_.get(), nullptr, logits_.get(), rows_, s.H(), s.V, stream_);
    enqueue_softmax(bias_.get());
  }

  // The training loss and the head's gradients (Backend::loss_forward_backward) without the host-side row count,
  // so a captured step can hold it.
  void enqueue_loss_forward_backward() {
    if (config_.loss == Loss::kNegativeSampling) return enqueue_negative_sampling();
    enqueue_head_softmax();
    head_backward();
  }

  void enqueue_negative_sampling() {
    if (!noise_loaded_) fail("internal: negative sampling before load_noise");
    const ModelShape& s = config_.shape;
    cuda::negative_sampling_forward_backward(
        h_.get(), W_.get(), bias_.get(), y_.get(), {noise_.get(), s.V, seed_, step_.get(), config_.first_batch_row()},
        {negative_ids_.get(), negative_ds_.get(), negative_weighted_.get(), row_loss_.get()}, loss_sum_.get(),
        {step_.get(), divergence_limit_.get(), diverged_step_.get()}, dh_.get(), dW_.get(), db_.get(), rows_,
        config_.negatives, s.H(), s.V, 1.0f / static_cast<float>(gradient_rows_), negative_sorted_.get(), stream_);
  }

  void launch_sample_batch(std::uint64_t seed, std::int64_t window_begin, std::int64_t window_count) {
    const ModelShape& s = config_.shape;
    seed_ = seed;
    cuda::sample_batch(corpus_.get(), seed, step_.get(), window_begin, window_count, x_.get(), y_.get(), s.B,
                       config_.layout(), config_.first_batch_row(), stream_);
    rows_ = s.B;
    gradient_rows_ = config_.global_batch();
  }

  // The sorted scatter serves --deterministic, lazy Adam (which needs the list of touched rows) and the sparse
  // exchange, where every rank scatters the same global batch and must get the same bits (atomics would not).
  bool sorted_scatter() const {
    return !config_.freeze_embedding && (config_.deterministic || config_.optimizer.kind == OptimizerKind::kLazyAdam ||
                                         config_.scatters_global_batch());
  }

  void launch_optimizer_step() {
    const OptimizerConfig& opt = config_.optimizer;
    const bool adam = opt.kind != OptimizerKind::kSgd;
    if (adam) cuda::adam_scalars(step_.get(), opt, adam_scalars_.get(), stream_);
    auto update = [&](DeviceBuffer<float>& p, const DeviceBuffer<float>& g, DeviceBuffer<float>& m,
                      DeviceBuffer<float>& v) {
      if (adam)
        cuda::adam_step(p.get(), g.get(), m.get(), v.get(), p.size(), opt, adam_scalars_.get(), stream_);
      else
        cuda::sgd_step(p.get(), g.get(), p.size(), opt.lr, stream_);
    };
    const ModelShape& s = config_.shape;
    if (!config_.freeze_embedding && opt.kind == OptimizerKind::kLazyAdam)
      cuda::lazy_adam_step(E_.get(), dE_.get(), mE_.get(), vE_.get(), s.D, *sorted_, config_.scattered_rows(s.B) * s.C, opt,
                           adam_scalars_.get(), stream_);
    else if (!config_.freeze_embedding)
      update(E_, dE_, mE_, vE_);
    update(W_, dW_, mW_, vW_);
    update(bias_, db_, mb_, vb_);
    if (s.pooling.trains_table()) update(P_, dP_, mP_, vP_);
  }

  void capture_step(const GraphKey& key) {
    if (graph_exec_) CUDA_CHECK(cudaGraphExecDestroy(std::exchange(graph_exec_, nullptr)));
    CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    cudaGraph_t graph = nullptr;
    try {
      launch_sample_batch(key.seed, key.window_begin, key.window_count);
      gather_pool_forward();
      enqueue_loss_forward_backward();  // its rows are counted when the graph is launched
      embedding_backward_and_exchange();
      launch_optimizer_step();
      cuda::increment_counter(step_.get(), stream_);
    } catch (...) {
      cudaStreamEndCapture(stream_, &graph);  // leave capture mode before reporting the failure
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();                     // and leave no error behind for the next check
      throw;
    }
    CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
    const cudaError_t instantiated = cudaGraphInstantiate(&graph_exec_, graph, 0);
    cudaGraphDestroy(graph);
    CUDA_CHECK(instantiated);
    graph_key_ = key;
  }

  // Windows are host-checked against the corpus too, so no kernel can read past its end.
  void check_windows(std::int64_t first, std::int64_t count) const {
    if (first < 0 || count < 1 || first + count + config_.layout().context > corpus_tokens_)
      fail("internal: windows [", first, ", ", first + count, ") do not fit a corpus of ", corpus_tokens_, " tokens");
  }

  const DeviceBuffer<float>& float_tensor(Tensor t) const {
    switch (t) {
      case Tensor::kEmbedding: return E_;
      case Tensor::kHeadWeight: return W_;
      case Tensor::kHeadBias: return bias_;
      case Tensor::kPosition: return P_;
      case Tensor::kPositionGrad: return dP_;
      case Tensor::kPositionM: return mP_;
      case Tensor::kPositionV: return vP_;
      case Tensor::kPooled: return h_;
      case Tensor::kLogits: return logits_;
      case Tensor::kPooledGrad: return dh_;
      case Tensor::kEmbeddingGrad: return dE_;
      case Tensor::kHeadWeightGrad: return dW_;
      case Tensor::kHeadBiasGrad: return db_;
      case Tensor::kEmbeddingM: return mE_;
      case Tensor::kEmbeddingV: return vE_;
      case Tensor::kHeadWeightM: return mW_;
      case Tensor::kHeadWeightV: return vW_;
      case Tensor::kHeadBiasM: return mb_;
      case Tensor::kHeadBiasV: return vb_;
      case Tensor::kX:
      case Tensor::kY:
      case Tensor::kNegativeIds: break;
    }
    fail("internal: ", tensor_name(t), " is not a float tensor");
  }

  int device_;
  std::string device_name_;
  std::unique_ptr<cuda::StreamAndBlas> context_;  // declared before the buffers: freed after them
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  DeviceBuffer<std::int32_t> corpus_, x_, y_, x_all_, negative_ids_;
  DeviceBuffer<float> negative_ds_, negative_weighted_;   // negative sampling's per-slot scratch
  DeviceBuffer<std::uint64_t> noise_;                      // its noise_cdf
  std::unique_ptr<cuda::SortedScatterWorkspace> negative_sorted_;  // its deterministic dW/db scatter
  bool noise_loaded_ = false;
  std::uint64_t seed_ = 0;                                 // of the last sampled batch
  DeviceBuffer<float> E_, W_, bias_, P_, h_, logits_, dh_, dE_, dW_, db_, dP_, ones_, dh_all_;
  DeviceBuffer<float> mE_, vE_, mW_, vW_, mb_, vb_, mP_, vP_;
  DeviceBuffer<double> loss_sum_, row_loss_;
  DeviceBuffer<std::int64_t> step_;       // the current step, read by sample_batch and adam_scalars
  DeviceBuffer<double> divergence_limit_;         // the divergence guard's limit on a batch's mean loss
  DeviceBuffer<std::int64_t> diverged_step_;      // the first step above it (-1: none)
  DeviceBuffer<float> adam_scalars_;      // lr/(1−β1^t), 1/√(1−β2^t)
  DeviceBuffer<unsigned char> cublas_workspace_;
  std::unique_ptr<cuda::SortedScatterWorkspace> sorted_;  // only with --deterministic or lazy Adam
  bool eager_step_done_ = false;          // train_step() captures only after one eager step
  std::int64_t device_step_ = -1;         // what step_ holds, as far as the host knows (-1: unknown)
  cudaGraphExec_t graph_exec_ = nullptr;
  GraphKey graph_key_{};
  std::int64_t corpus_tokens_ = 0;
  std::int64_t loss_rows_ = 0;
  int gradient_rows_ = 1;  // dlogits are divided by it: the global batch for a training batch, else rows_
  std::unique_ptr<cuda::NcclCommunicator> nccl_;  // with ranks: the collectives of the step
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(int device, const BackendConfig& config) {
  validate_backend_config(config);
  return std::make_unique<CudaBackend>(device, config);
}

OnehotVsGather cuda_onehot_vs_gather(int device, const std::vector<std::int32_t>& ids, const std::vector<float>& E,
                                     int V, int D) {
  check_token_ids(ids, V, "ids");
  if (E.size() != static_cast<std::size_t>(V) * D) fail("internal: E has ", E.size(), " elements, expected V·D");
  CUDA_CHECK(cudaSetDevice(device));
  const cuda::StreamAndBlas context;
  const cudaStream_t stream = context.stream();
  OnehotVsGather result;
  {
    const int N = static_cast<int>(ids.size());
    DeviceBuffer<std::int32_t> d_ids(ids.size());
    DeviceBuffer<float> d_E(E.size()), onehot(static_cast<std::size_t>(N) * V), out(static_cast<std::size_t>(N) * D),
        gathered(static_cast<std::size_t>(N) * D);
    d_ids.upload(ids.data(), ids.size(), stream);
    d_E.upload(E.data(), E.size(), stream);
    cuda::onehot_matmul(context.cublas(), d_ids.get(), d_E.get(), onehot.get(), out.get(), N, V, D, stream);
    // A gather of single ids is gather_pool_forward with C = 1 and no table.
    cuda::gather_pool_forward(d_ids.get(), d_E.get(), nullptr, gathered.get(), N, 1, D, Pooling{}, stream);
    result.onehot = out.download(out.size(), stream);
    result.gathered = gathered.download(gathered.size(), stream);
  }
  return result;
}

}  // namespace embgeo
