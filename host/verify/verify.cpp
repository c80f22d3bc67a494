// `verify --against-cpu`: the toy/odd/large shape cases, each op run on a backend and on the CPU reference from
// the same inputs (outputs poisoned first) with every tensor compared, loss trajectories, the one-hot identity.
#include "verify/verify.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "cpu/reference/cpu_ops.hpp"
#include "data/corpus.hpp"
#include "embgeo/error.hpp"
#include "embgeo/philox.hpp"
#include "util/split_list.hpp"

namespace embgeo {
namespace {

// Tolerances, as (fraction of max|want| for atol, rtol). fp32 sums of up to ~10^5 terms against double
// sums stay well inside 1e-4 relative; tighter where no long sum is involved.
constexpr double kPoolAtol = 1e-6, kPoolRtol = 1e-5;
constexpr double kSumAtol = 1e-5, kSumRtol = 1e-4;
constexpr double kParamAtol = 1e-6, kParamRtol = 1e-5;
constexpr double kUpdateAtol = 1e-4, kUpdateRtol = 1e-4;  // of the update, besides 2 ulp of the value
constexpr double kTf32Tolerance = 5e-3;

std::vector<float> as_floats(const std::vector<std::int32_t>& ids) { return {ids.begin(), ids.end()}; }

// Keeps the worst result per row name across steps, in first-seen order.
class WorstOf {
 public:
  void add(Comparison c) {
    auto it = index_.find(c.what);
    if (it == index_.end()) {
      index_.emplace(c.what, rows_.size());
      rows_.push_back(std::move(c));
      return;
    }
    Comparison& row = rows_[it->second];
    row.elements += c.elements;
    row.mismatches += c.mismatches;
    row.max_abs = std::max(row.max_abs, c.max_abs);
    row.max_rel = std::max(row.max_rel, c.max_rel);
    row.tolerance.atol = std::max(row.tolerance.atol, c.tolerance.atol);
    for (std::string& m : c.first_mismatches)
      if (row.first_mismatches.size() < 5) row.first_mismatches.push_back(std::move(m));
  }
  std::vector<Comparison> rows() const { return rows_; }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<Comparison> rows_;
};

void compare(WorstOf& worst, Backend& judge, Backend& subject, Tensor t, double atol_fraction, double rtol) {
  const std::vector<float> want = judge.read(t);
  worst.add(compare_tensors(tensor_name(t), subject.read(t), want, scaled_tolerance(want, atol_fraction, rtol)));
}

// Fills the subject's output tensors with NaN before an op, so an element the op fails to write shows up as a
// mismatch instead of passing with a value left from the previous step.
void poison(Backend& subject, std::initializer_list<Tensor> tensors) {
  for (Tensor t : tensors) subject.write(t, std::vector<float>(subject.read(t).size(), NAN));
}

void copy(Backend& from, Backend& to, std::initializer_list<Tensor> tensors) {
  for (Tensor t : tensors) to.write(t, from.read(t));
}

// The mean loss the subject accumulated since its last take_loss_sum(), against the judge's.
void compare_loss(WorstOf& worst, const std::string& what, const Backend::LossSum& want_loss, Backend& subject,
                  double atol, double rtol) {
  const Backend::LossSum got_loss = subject.take_loss_sum();
  const std::vector<float> want{static_cast<float>(want_loss.sum / want_loss.rows)};
  worst.add(compare_tensors(what, {static_cast<float>(got_loss.sum / got_loss.rows)}, want,
                            scaled_tolerance(want, atol, rtol)));
}

// The subject's loss and the dlogits it left, against the judge's.
void compare_loss_and_dlogits(WorstOf& worst, const std::string& label, const Backend::LossSum& want_loss,
                              const Backend& judge, Backend& subject, double loss_atol, double loss_rtol,
                              double grad_atol, double grad_rtol) {
  compare_loss(worst, label + "loss", want_loss, subject, loss_atol, loss_rtol);
  const std::vector<float> want_grad = judge.read(Tensor::kLogits);
  worst.add(compare_tensors(label + "dlogits", subject.read(Tensor::kLogits), want_grad,
                            scaled_tolerance(want_grad, grad_atol, grad_rtol)));
}

// The softmax head from the pooled rows to dh, dW and db: head_forward, softmax_xent_forward_backward (alone
// and fused with the GEMM), head_backward.
void verify_softmax_head(WorstOf& worst, Backend& judge, Backend& subject, double gemm_atol, double gemm_rtol) {
  copy(judge, subject, {Tensor::kPooled, Tensor::kHeadWeight, Tensor::kHeadBias});
  poison(subject, {Tensor::kLogits});
  judge.head_forward();
  subject.head_forward();
  compare(worst, judge, subject, Tensor::kLogits, gemm_atol, gemm_rtol);

  copy(judge, subject, {Tensor::kLogits});
  judge.take_loss_sum();
  subject.take_loss_sum();
  judge.softmax_xent_forward_backward();
  subject.softmax_xent_forward_backward();
  const Backend::LossSum want_loss = judge.take_loss_sum();
  compare_loss_and_dlogits(worst, "", want_loss, judge, subject, kParamAtol, kParamRtol, kSumAtol, kSumRtol);
  // The fused form that steps and evaluations run (the CUDA backend adds the bias inside the softmax), from
  // the same h, W and b: it computes its own logits, so the GEMM's tolerance.
  poison(subject, {Tensor::kLogits});
  subject.head_forward_softmax_xent();
  compare_loss_and_dlogits(worst, "fused head+softmax ", want_loss, judge, subject, gemm_atol, gemm_rtol, gemm_atol,
                           gemm_rtol);

  copy(judge, subject, {Tensor::kLogits, Tensor::kPooled, Tensor::kHeadWeight});
  poison(subject, {Tensor::kHeadWeightGrad, Tensor::kHeadBiasGrad, Tensor::kPooledGrad});
  judge.head_backward();
  subject.head_backward();
  for (Tensor t : {Tensor::kHeadWeightGrad, Tensor::kHeadBiasGrad, Tensor::kPooledGrad})
    compare(worst, judge, subject, t, gemm_atol, gemm_rtol);
}

// Negative sampling from the pooled rows: the drawn ids exactly, the loss, dh, dW and db.
void verify_negative_sampling(WorstOf& worst, Backend& judge, Backend& subject) {
  copy(judge, subject, {Tensor::kPooled, Tensor::kHeadWeight, Tensor::kHeadBias});
  poison(subject, {Tensor::kPooledGrad, Tensor::kHeadWeightGrad, Tensor::kHeadBiasGrad});
  judge.take_loss_sum();
  subject.take_loss_sum();
  judge.negative_sampling_forward_backward();
  subject.negative_sampling_forward_backward();
  worst.add(compare_tensors("negative_sampling negative_ids", as_floats(subject.read_ids(Tensor::kNegativeIds)),
                            as_floats(judge.read_ids(Tensor::kNegativeIds)), {}));
  compare_loss(worst, "negative_sampling loss", judge.take_loss_sum(), subject, kParamAtol, kParamRtol);
  for (Tensor t : {Tensor::kPooledGrad, Tensor::kHeadWeightGrad, Tensor::kHeadBiasGrad})
    compare(worst, judge, subject, t, kSumAtol, kSumRtol);
}

}  // namespace

std::vector<VerifyCase> verify_cases(const std::string& which, std::uint64_t seed) {
  const std::vector<std::string> sets = split_list(which, ',');
  for (const std::string& name : sets)
    if (name != "toy" && name != "odd" && name != "large" && name != "all")
      fail("--shapes takes toy, odd, large or all (comma-separated), got '", name, "'");
  const auto wanted = [&](const char* set) {
    return std::find(sets.begin(), sets.end(), set) != sets.end() || std::find(sets.begin(), sets.end(), "all") != sets.end();
  };
  std::vector<VerifyCase> cases;
  auto synthetic = [&](const std::string& name, ModelShape shape) {
    const std::size_t tokens = std::max<std::size_t>(4096, static_cast<std::size_t>(shape.B) * (shape.C + 1) * 4);
    cases.push_back({name, shape, synthetic_corpus(shape.V, tokens, seed)});
  };
  if (wanted("toy")) {
    const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
    cases.push_back({"toy", ModelShape{toy.vocab.size(), 16, 8, 32}, toy.ids});
    for (const Objective o : {Objective::kCbow, Objective::kSkipgram}) {
      const WindowLayout layout{o, 8};
      cases.push_back({std::string("toy-") + objective_name(o), ModelShape{toy.vocab.size(), 16, layout.pooled_ids(), 32},
                       toy.ids, layout});
    }
    cases.push_back({"toy-negsamp", ModelShape{toy.vocab.size(), 16, 8, 32}, toy.ids,
                     WindowLayout{Objective::kNext, 8}, Loss::kNegativeSampling});
    // Position tables and concat pooling (pooling.hpp): the sinusoidal case multiplies its fixed table into
    // concatenated slots, the last one sends a C·D-wide h through negative sampling.
    const auto pooled = [&](const char* name, Pooling pooling, Loss loss) {
      cases.push_back({name, ModelShape{toy.vocab.size(), 16, 8, 32, pooling}, toy.ids, WindowLayout{Objective::kNext, 8},
                       loss});
    };
    pooled("toy-position-add", {Pool::kMean, Position::kLearned, PositionMode::kAdd}, Loss::kSoftmax);
    pooled("toy-position-multiply", {Pool::kMean, Position::kLearned, PositionMode::kMultiply}, Loss::kSoftmax);
    pooled("toy-sinusoidal-concat", {Pool::kConcat, Position::kSinusoidal, PositionMode::kMultiply}, Loss::kSoftmax);
    pooled("toy-concat-negsamp", {Pool::kConcat, Position::kNone, PositionMode::kAdd}, Loss::kNegativeSampling);
  }
  if (wanted("odd")) {
    synthetic("V=1", {1, 4, 2, 3});
    synthetic("D=1", {50, 1, 5, 7});
    synthetic("C=1", {100, 33, 1, 16});
    synthetic("B=1", {30000, 7, 3, 1});
    synthetic("D=257", {513, 257, 4, 9});
  }
  if (wanted("large")) synthetic("large", {50000, 256, 8, 256});
  return cases;
}

std::vector<Comparison> verify_ops(Backend& judge, Backend& subject, const std::vector<std::int32_t>& corpus,
                                   int steps, std::uint64_t seed, bool tf32) {
  // TF32 rounds GEMM inputs to 10 mantissa bits (relative 2^-11 per product), so GEMM outputs and what
  // depends on them only agree to about 1e-3.
  const double gemm_atol = tf32 ? kTf32Tolerance : kSumAtol, gemm_rtol = tf32 ? kTf32Tolerance : kSumRtol;
  const BackendConfig& config = judge.config();
  const auto windows = static_cast<std::int64_t>(corpus.size()) - config.layout().context;
  if (windows < 1) fail("verify corpus of ", corpus.size(), " tokens is shorter than a window");
  if (config.loss == Loss::kNegativeSampling) {  // every window of the corpus is a training window
    const std::vector<std::uint64_t> noise = noise_cdf(corpus.data(), corpus.size(), config.shape.V);
    judge.load_noise(noise);
    subject.load_noise(noise);
  }
  WorstOf worst;
  for (int step = 1; step <= steps; ++step) {
    judge.sample_batch(seed, step, 0, windows);
    subject.sample_batch(seed, step, 0, windows);
    for (Tensor t : {Tensor::kX, Tensor::kY}) {
      const std::vector<float> want = as_floats(judge.read_ids(t));
      worst.add(compare_tensors(std::string("sample_batch ") + tensor_name(t), as_floats(subject.read_ids(t)), want, {}));
    }

    const Pooling& pooling = config.shape.pooling;
    copy(judge, subject, {Tensor::kEmbedding});
    if (pooling.has_table()) copy(judge, subject, {Tensor::kPosition});
    poison(subject, {Tensor::kPooled});
    judge.gather_pool_forward();
    subject.gather_pool_forward();
    compare(worst, judge, subject, Tensor::kPooled, kPoolAtol, kPoolRtol);

    if (config.loss == Loss::kNegativeSampling)
      verify_negative_sampling(worst, judge, subject);
    else
      verify_softmax_head(worst, judge, subject, gemm_atol, gemm_rtol);

    if (!config.freeze_embedding) {
      copy(judge, subject, {Tensor::kPooledGrad});
      // Lazy Adam's sorted scatter writes only the batch's rows and relies on dE being zero elsewhere.
      if (config.optimizer.kind != OptimizerKind::kLazyAdam) poison(subject, {Tensor::kEmbeddingGrad});
      judge.scatter_add_backward();
      subject.scatter_add_backward();
      compare(worst, judge, subject, Tensor::kEmbeddingGrad, kSumAtol, kSumRtol);
    }
    if (pooling.trains_table()) {
      copy(judge, subject, {Tensor::kPooledGrad});
      poison(subject, {Tensor::kPositionGrad});
      judge.position_backward();
      subject.position_backward();
      compare(worst, judge, subject, Tensor::kPositionGrad, kSumAtol, kSumRtol);
    }

    const std::vector<Tensor> state = optimizer_tensors(config);
    std::vector<std::vector<float>> before;
    for (Tensor t : state) {
      before.push_back(judge.read(t));
      subject.write(t, before.back());
    }
    copy(judge, subject, {Tensor::kHeadWeightGrad, Tensor::kHeadBiasGrad});
    if (!config.freeze_embedding) copy(judge, subject, {Tensor::kEmbeddingGrad});
    if (pooling.trains_table()) copy(judge, subject, {Tensor::kPositionGrad});
    judge.optimizer_step(step);
    subject.optimizer_step(step);
    // Parameters by the update they received (a step of lr·g is far below a value tolerance); moments by value.
    for (std::size_t i = 0; i < state.size(); ++i) {
      const Tensor t = state[i];
      if (is_parameter(t))
        worst.add(compare_updates(tensor_name(t), before[i], subject.read(t), judge.read(t), kUpdateAtol, kUpdateRtol));
      else
        compare(worst, judge, subject, t, kParamAtol, kParamRtol);
    }
  }
  return worst.rows();
}

Comparison verify_trajectory(Backend& judge, Backend& subject, int steps, std::uint64_t seed, std::int64_t windows) {
  std::vector<float> want, got;
  judge.take_loss_sum();
  subject.take_loss_sum();
  for (int step = 1; step <= steps; ++step) {
    judge.train_step(seed, step, 0, windows);
    subject.train_step(seed, step, 0, windows);
    const Backend::LossSum j = judge.take_loss_sum(), s = subject.take_loss_sum();
    want.push_back(static_cast<float>(j.sum / j.rows));
    got.push_back(static_cast<float>(s.sum / s.rows));
  }
  // Free-running runs drift apart by rounding, and Adam amplifies it where a gradient is near zero, so the
  // per-step losses get a looser bound than the isolated ops.
  return compare_tensors("trajectory loss (" + std::to_string(steps) + " steps)", got, want,
                         scaled_tolerance(want, 1e-4, 1e-3));
}

Comparison verify_onehot_identity_cpu(const std::vector<std::int32_t>& ids, const std::vector<float>& E, int V, int D) {
  const int N = static_cast<int>(ids.size());
  std::vector<float> onehot(static_cast<std::size_t>(N) * D), gathered(onehot.size());
  cpu::onehot_matmul(ids.data(), E.data(), onehot.data(), N, V, D);
  cpu::gather_pool_forward(ids.data(), E.data(), nullptr, gathered.data(), N, 1, D, Pooling{});
  return compare_tensors("cpu one-hot(x)·E == E[x]", onehot, gathered, {});
}

}  // namespace embgeo
