#pragma once
// The resume check both backends run: a run stopped by stop_requested after step `stop_after` (between two
// checkpoints), its checkpoint read back from a file and resumed on a fresh backend, against the run that was
// never stopped — final parameters, optimizer moments and every logged loss must be bit-identical.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "train/checkpoint.hpp"
#include "train/run.hpp"

namespace embgeo::testing_support {

using BackendFactory = std::function<std::unique_ptr<Backend>(const BackendConfig&)>;

inline void expect_resume_is_bit_identical(const RunOptions& o, const BackendFactory& make, const std::string& path,
                                           std::int64_t stop_after) {
  const Corpus corpus = load_corpus_for(o);
  const ModelShape shape = model_shape(o, corpus.vocab.size());
  const BackendConfig config = backend_config(o, shape);
  const Params initial = init_params(shape, o.seed);
  TrainConfig tc;
  tc.steps = o.steps;
  tc.seed = o.seed;
  tc.log_every = o.log_every;
  tc.checkpoint_every = o.checkpoint_every;
  tc.checkpoint = [&](const TrainProgress& progress, const Backend& b) { write_checkpoint(path, o, corpus, progress, b, {}); };

  const auto whole_backend = make(config);
  const TrainResult whole = train(*whole_backend, corpus, initial, tc, nullptr);

  TrainConfig stopping = tc;
  std::int64_t steps_done = 0;
  stopping.stop_requested = [&] { return ++steps_done == stop_after; };
  EXPECT_THROW(train(*make(config), corpus, initial, stopping, nullptr), TrainingInterrupted);

  const Checkpoint checkpoint = read_checkpoint(path);
  EXPECT_EQ(checkpoint.resume.progress.step, stop_after);
  TrainConfig resuming = tc;
  resuming.resume = &checkpoint.resume;
  const auto resumed_backend = make(config);
  const TrainResult resumed = train(*resumed_backend, corpus, initial, resuming, nullptr);

  EXPECT_EQ(resumed.final.embedding, whole.final.embedding);
  EXPECT_EQ(resumed.final.head_weight, whole.final.head_weight);
  EXPECT_EQ(resumed.final.head_bias, whole.final.head_bias);
  for (const Tensor t : optimizer_tensors(config))
    EXPECT_EQ(resumed_backend->read(t), whole_backend->read(t)) << tensor_name(t);
  ASSERT_EQ(resumed.log.size(), whole.log.size());
  for (std::size_t i = 0; i < whole.log.size(); ++i) {
    EXPECT_EQ(resumed.log[i].step, whole.log[i].step);
    EXPECT_EQ(resumed.log[i].train_loss, whole.log[i].train_loss) << "step " << whole.log[i].step;
    EXPECT_EQ(resumed.log[i].val_loss, whole.log[i].val_loss) << "step " << whole.log[i].step;
  }
}

}  // namespace embgeo::testing_support
