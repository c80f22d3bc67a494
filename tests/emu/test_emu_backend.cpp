// What the CUDA backend does with the device that only the emulated device can observe: when it captures.
#include <gtest/gtest.h>

#include <cuda_runtime.h>
#include <nccl.h>

#include <cstring>

#include "data/corpus.hpp"
#include "emu_test_support.hpp"
#include "embgeo/synthetic_ids.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"
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

// dE of one batch with heavy repeats (3 ids over 2048 slots), on a fresh backend under a random schedule.
std::vector<float> embedding_gradient(bool deterministic, unsigned long long schedule_seed) {
  const embgeo_emu::testing::ScheduleOverride random(embgeo_emu::Schedule::kRandom, schedule_seed);
  BackendConfig config;
  config.shape = {3, 40, 16, 128};
  config.deterministic = deterministic;
  const auto backend = make_cuda_backend(0, config);
  const std::vector<std::int32_t> corpus = synthetic_corpus(3, 4000, 5);
  backend->load_corpus(corpus);
  backend->load_params(init_params(config.shape, 5));
  backend->sample_batch(5, 1, 0, static_cast<std::int64_t>(corpus.size()) - 16);
  backend->gather_pool_forward();
  backend->head_forward();
  backend->softmax_xent_forward_backward();
  backend->head_backward();
  backend->scatter_add_backward();
  return backend->read(Tensor::kEmbeddingGrad);
}

// The emulator really reorders the atomic scatter's additions (blocks and threads in another order per seed),
// so the bit-identity of the sorted scatter is shown across orders, not merely across repeats of one order.
TEST(EmulatedCudaBackend, SortedScatterIsBitIdenticalAcrossSchedulesWhereAtomicsAreNot) {
  EXPECT_EQ(embedding_gradient(true, 1), embedding_gradient(true, 2));
  EXPECT_NE(embedding_gradient(false, 1), embedding_gradient(false, 2));
}

// A rank group of one whose collectives do nothing: enough for the backend to build its NCCL communicator.
class LoneRank final : public RankGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void all_reduce_sum(float*, std::size_t) override {}
  void all_reduce_sum(double*, std::size_t) override {}
  void all_reduce_min(std::int64_t*, std::size_t) override {}
  void all_gather(const void* mine, std::size_t bytes, void* all) override { std::memcpy(all, mine, bytes); }
  void broadcast(void*, std::size_t, int) override {}
  void barrier() override {}
};

// The emulated NCCL runs on MPI: without `mpirun` (MPI never initialized) the communicator is refused, and the
// backend reports the NCCL call that failed in one line instead of training ranks that cannot talk.
TEST(EmulatedCudaBackend, NcclWithoutMpiIsRefusedNamingTheCall) {
  LoneRank lone;
  BackendConfig config;
  config.shape = {21, 16, 8, 32};
  config.ranks = &lone;
  try {
    make_cuda_backend(0, config);
    FAIL() << "a communicator was built without MPI";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NCCL error invalid usage in ncclCommInitRank"), std::string::npos) << e.what();
  }
}

// The emulated collectives check their operands as cuBLAS's stand-in does: device memory, a communicator.
TEST(EmulatedNccl, ChecksItsArguments) {
  ncclUniqueId id;
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  ncclComm_t comm = nullptr;
  EXPECT_EQ(ncclCommInitRank(&comm, 1, id, 0), ncclInvalidUsage);  // MPI is not initialized in this process
  EXPECT_EQ(comm, nullptr);
  float host[4] = {};
  EXPECT_EQ(ncclAllReduce(host, host, 4, ncclFloat32, ncclSum, nullptr, nullptr), ncclInvalidArgument);
  EXPECT_STREQ(ncclGetErrorString(ncclInvalidUsage), "invalid usage");
}

}  // namespace
}  // namespace embgeo
