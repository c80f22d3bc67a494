// NcclCommunicator: bootstrapped over the run's RankGroup (MPI broadcast of the unique id), every call checked.
#include "nccl_communicator.cuh"

namespace embgeo::cuda {

NcclCommunicator::NcclCommunicator(RankGroup& ranks) {
  ncclUniqueId id{};
  if (ranks.rank() == 0) NCCL_CHECK(ncclGetUniqueId(&id));
  ranks.broadcast(&id, sizeof id, 0);
  NCCL_CHECK(ncclCommInitRank(&comm_, ranks.size(), id, ranks.rank()));
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ != nullptr) ncclCommDestroy(comm_);
}

void NcclCommunicator::all_reduce_sum(float* values, std::size_t count, cudaStream_t stream) {
  NCCL_CHECK(ncclAllReduce(values, values, count, ncclFloat32, ncclSum, comm_, stream));
}

void NcclCommunicator::all_gather(const float* mine, float* all, std::size_t count, cudaStream_t stream) {
  NCCL_CHECK(ncclAllGather(mine, all, count, ncclFloat32, comm_, stream));
}

void NcclCommunicator::all_gather(const std::int32_t* mine, std::int32_t* all, std::size_t count, cudaStream_t stream) {
  NCCL_CHECK(ncclAllGather(mine, all, count, ncclInt32, comm_, stream));
}

}  // namespace embgeo::cuda
