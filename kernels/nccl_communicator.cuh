#pragma once
// One NCCL communicator over a data-parallel run's ranks, and the two collectives a training step needs, on
// the training stream (so they are captured into the step's graph with the kernels around them).
#include <nccl.h>

#include <cstddef>

#include "cuda_check.cuh"
#include "embgeo/ranks.hpp"

#define NCCL_CHECK(call)                                                                                     \
  do {                                                                                                       \
    const ncclResult_t nccl_check_status = (call);                                                           \
    if (nccl_check_status != ncclSuccess)                                                                    \
      ::embgeo::fail("NCCL error ", ncclGetErrorString(nccl_check_status), " in ", #call, " at ", __FILE__, ":", \
                     __LINE__);                                                                              \
  } while (0)

namespace embgeo::cuda {

class NcclCommunicator {
 public:
  // Collective over `ranks`: rank 0 makes the unique id and broadcasts it over the host collectives (MPI). The
  // rank's device must be selected.
  explicit NcclCommunicator(RankGroup& ranks);
  ~NcclCommunicator();
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  // values (count floats) summed over the ranks, in place.
  void all_reduce_sum(float* values, std::size_t count, cudaStream_t stream);
  // Every rank's `count` elements of `mine`, concatenated in rank order into `all` (ranks·count elements).
  void all_gather(const float* mine, float* all, std::size_t count, cudaStream_t stream);
  void all_gather(const std::int32_t* mine, std::int32_t* all, std::size_t count, cudaStream_t stream);

 private:
  ncclComm_t comm_ = nullptr;
};

}  // namespace embgeo::cuda
