// The backend-independent parts of the Backend interface: tensor names for messages, the one training step
// every backend runs (sample → forward → backward → optimizer), and the training-state memory estimate.
#include "embgeo/backend.hpp"

#include "embgeo/error.hpp"

namespace embgeo {

const char* tensor_name(Tensor t) {
  switch (t) {
    case Tensor::kX: return "x";
    case Tensor::kY: return "y";
    case Tensor::kNegativeIds: return "negative_ids";
    case Tensor::kEmbedding: return "E";
    case Tensor::kHeadWeight: return "W";
    case Tensor::kHeadBias: return "b";
    case Tensor::kPosition: return "P";
    case Tensor::kPooled: return "h";
    case Tensor::kLogits: return "logits";
    case Tensor::kPooledGrad: return "dh";
    case Tensor::kEmbeddingGrad: return "dE";
    case Tensor::kHeadWeightGrad: return "dW";
    case Tensor::kHeadBiasGrad: return "db";
    case Tensor::kPositionGrad: return "dP";
    case Tensor::kEmbeddingM: return "adam_m(E)";
    case Tensor::kEmbeddingV: return "adam_v(E)";
    case Tensor::kHeadWeightM: return "adam_m(W)";
    case Tensor::kHeadWeightV: return "adam_v(W)";
    case Tensor::kHeadBiasM: return "adam_m(b)";
    case Tensor::kHeadBiasV: return "adam_v(b)";
    case Tensor::kPositionM: return "adam_m(P)";
    case Tensor::kPositionV: return "adam_v(P)";
  }
  return "?";
}

TensorShape parameter_shape(Tensor t, const ModelShape& s) {
  switch (t) {
    case Tensor::kEmbedding: case Tensor::kEmbeddingGrad: case Tensor::kEmbeddingM: case Tensor::kEmbeddingV:
      return {s.V, s.D};
    case Tensor::kHeadWeight: case Tensor::kHeadWeightGrad: case Tensor::kHeadWeightM: case Tensor::kHeadWeightV:
      return {s.V, s.H()};
    case Tensor::kHeadBias: case Tensor::kHeadBiasGrad: case Tensor::kHeadBiasM: case Tensor::kHeadBiasV:
      return {s.V, 1};
    case Tensor::kPosition: case Tensor::kPositionGrad: case Tensor::kPositionM: case Tensor::kPositionV:
      return {s.pooling.has_table() ? s.C : 0, s.D};
    default: fail("internal: ", tensor_name(t), " is not a parameter, gradient or moment");
  }
}

void Backend::head_forward_softmax_xent() {
  head_forward();
  softmax_xent_forward_backward();
}

void Backend::train_step(std::uint64_t seed, std::int64_t step, std::int64_t window_begin,
                         std::int64_t window_count) {
  sample_batch(seed, step, window_begin, window_count);
  gather_pool_forward();
  loss_forward_backward();
  embedding_backward_and_exchange();
  optimizer_step(step);
}

void Backend::loss_forward_backward() {
  if (config_.loss == Loss::kNegativeSampling) return negative_sampling_forward_backward();
  head_forward_softmax_xent();
  head_backward();
}

void Backend::embedding_backward_and_exchange() {
  // A frozen embedding gets no gradient at all: the scatter-add is not run, not merely discarded.
  if (!config_.freeze_embedding) {
    all_gather_pooled_gradients();
    scatter_add_backward();
  }
  if (config_.shape.pooling.trains_table()) position_backward();
  all_reduce_gradients();
}

void validate_backend_config(const BackendConfig& config) {
  validate_shape(config.shape);
  validate_window_layout(config.layout());
  validate_pooling(config.shape.pooling, config.objective);
  if (config.loss == Loss::kNegativeSampling) check_dimension("--negatives", config.negatives, kMaxNegatives);
  if (config.layout().pooled_ids() != config.shape.C)
    fail("internal: objective ", objective_name(config.objective), " pools ", config.layout().pooled_ids(),
         " ids a row, the shape says C=", config.shape.C);
  if (config.ranks != nullptr && config.optimizer.kind == OptimizerKind::kLazyAdam && !config.freeze_embedding &&
      config.exchange == EmbeddingExchange::kDense)
    fail("--optimizer lazy-adam on several ranks needs --exchange sparse: it updates only the global batch's rows");
}

bool is_parameter(Tensor t) {
  return t == Tensor::kEmbedding || t == Tensor::kHeadWeight || t == Tensor::kHeadBias || t == Tensor::kPosition;
}

std::vector<Tensor> parameter_tensors(const ModelShape& shape) {
  std::vector<Tensor> tensors = {Tensor::kEmbedding, Tensor::kHeadWeight, Tensor::kHeadBias};
  if (shape.pooling.has_table()) tensors.push_back(Tensor::kPosition);
  return tensors;
}

std::vector<Tensor> optimizer_tensors(const BackendConfig& config) {
  const bool positions = config.shape.pooling.trains_table();
  std::vector<Tensor> tensors = {Tensor::kHeadWeight, Tensor::kHeadBias};
  if (!config.freeze_embedding) tensors.insert(tensors.begin(), Tensor::kEmbedding);
  if (positions) tensors.push_back(Tensor::kPosition);
  if (config.optimizer.kind != OptimizerKind::kSgd) {
    if (!config.freeze_embedding) tensors.insert(tensors.end(), {Tensor::kEmbeddingM, Tensor::kEmbeddingV});
    tensors.insert(tensors.end(), {Tensor::kHeadWeightM, Tensor::kHeadWeightV, Tensor::kHeadBiasM, Tensor::kHeadBiasV});
    if (positions) tensors.insert(tensors.end(), {Tensor::kPositionM, Tensor::kPositionV});
  }
  return tensors;
}

std::size_t training_state_bytes(const BackendConfig& config) {
  const ModelShape& s = config.shape;
  // E (+ dE, m/v of E unless frozen); W, dW and W's Adam m/v; b with its gradient and moments; P (+ dP and m/v
  // when learned).
  const std::size_t tables = (config.freeze_embedding ? 1 : 4) * s.embedding_elems() + 4 * s.head_weight_elems() +
                             6 * static_cast<std::size_t>(s.V) + (s.pooling.trains_table() ? 4 : 1) * s.position_elems();
  const std::size_t work = s.logits_elems() + 2 * s.pooled_elems() + s.B;
  std::size_t ids = static_cast<std::size_t>(s.B) * (s.C + 1);
  std::size_t gathered = 0;  // the sparse exchange's copy of the global batch: x (B·N, C) and dh (B·N, H)
  if (config.scatters_global_batch()) {
    ids += static_cast<std::size_t>(config.global_batch()) * s.C;
    gathered = static_cast<std::size_t>(config.global_batch()) * s.H();
  }
  // Negative sampling: each row's K+1 ids and score gradients, their dW rows (B·(K+1), H), the noise table.
  std::size_t sampled = 0, noise = 0;
  if (config.loss == Loss::kNegativeSampling) {
    const std::size_t scored = config.scored_ids(s.B);
    ids += scored;
    sampled = scored * (1 + static_cast<std::size_t>(s.H()));
    noise = static_cast<std::size_t>(s.V) * sizeof(std::uint64_t);
  }
  return (tables + work + gathered + sampled) * sizeof(float) + ids * sizeof(std::int32_t) + noise;
}

}  // namespace embgeo
