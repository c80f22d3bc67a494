// What the CUDA backend does with the device that only the emulated device can observe: when it captures.
#include <gtest/gtest.h>

#include <cuda_runtime.h>

#include "data/corpus.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/params.hpp"

namespace embgeo {
namespace {

// The first use of each kernel and cuBLAS call must happen outside capture, so the graph-captured step is
// captured only from the second train_step on, once, and replayed after that.
TEST(EmulatedCudaBackend, CapturesTheStepOnlyAfterOneEagerStep) {
  const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
  BackendConfig config;
  config.shape = {toy.vocab.size(), 16, 8, 32};
  const auto backend = make_cuda_backend(0, config);
  backend->load_corpus(toy.ids);
  backend->load_params(init_params(config.shape, 3));
  const std::int64_t windows = static_cast<std::int64_t>(toy.ids.size()) - 8;
  const std::size_t before = embgeo_emu::captures_begun();
  backend->train_step(3, 1, 0, windows);
  EXPECT_EQ(embgeo_emu::captures_begun(), before);
  backend->train_step(3, 2, 0, windows);
  EXPECT_EQ(embgeo_emu::captures_begun(), before + 1);
  for (std::int64_t step = 3; step <= 5; ++step) backend->train_step(3, step, 0, windows);
  EXPECT_EQ(embgeo_emu::captures_begun(), before + 1);
  EXPECT_EQ(backend->take_loss_sum().rows, 5 * config.shape.B);
}

}  // namespace
}  // namespace embgeo
