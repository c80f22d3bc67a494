// NCCL on MPI for the emulated device: a communicator is a duplicate of MPI_COMM_WORLD, and a collective is
// stream work (run at once, or recorded into a capture and run at each replay) that calls the matching MPI
// collective on host memory, which is what emulated device memory is. Operands are checked as cuBLAS's are:
// each buffer must lie inside one device allocation.
#include "nccl.h"

#include <mpi.h>

#include <cstdio>
#include <cstring>

#include "emu_internal.hpp"

struct ncclComm {
  MPI_Comm mpi = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
};

namespace {

using embgeo_emu::detail::enqueue;
using embgeo_emu::detail::require_device_range;

// The id rank 0 makes and every rank must pass back: proof the bootstrap broadcast happened.
constexpr char kIdMagic[] = "embgeo emulated NCCL over MPI_COMM_WORLD";

bool mpi_ready() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

std::size_t type_bytes(ncclDataType_t type) {
  switch (type) {
    case ncclInt8: case ncclUint8: return 1;
    case ncclFloat16: return 2;
    case ncclInt32: case ncclUint32: case ncclFloat32: return 4;
    case ncclInt64: case ncclUint64: case ncclFloat64: return 8;
  }
  return 0;
}

MPI_Datatype mpi_type(ncclDataType_t type) {
  switch (type) {
    case ncclInt8: return MPI_INT8_T;
    case ncclUint8: return MPI_UINT8_T;
    case ncclInt32: return MPI_INT32_T;
    case ncclUint32: return MPI_UINT32_T;
    case ncclInt64: return MPI_INT64_T;
    case ncclUint64: return MPI_UINT64_T;
    case ncclFloat32: return MPI_FLOAT;
    case ncclFloat64: return MPI_DOUBLE;
    case ncclFloat16: break;  // MPI has no half type; the project never reduces halves
  }
  return MPI_DATATYPE_NULL;
}

MPI_Op mpi_op(ncclRedOp_t op) {
  switch (op) {
    case ncclSum: return MPI_SUM;
    case ncclProd: return MPI_PROD;
    case ncclMax: return MPI_MAX;
    case ncclMin: return MPI_MIN;
    case ncclAvg: break;  // no MPI counterpart; not used
  }
  return MPI_OP_NULL;
}

// A collective whose MPI call fails at run time (a peer died) cannot return an error from inside a replayed
// graph: like a GPU fault, it ends the process with one line.
void check_mpi(int code, const char* call) {
  if (code != MPI_SUCCESS) embgeo_emu::detail::fatal("NCCL (emulated on MPI): %s failed with MPI error %d", call, code);
}

cudaError_t as_cuda(cudaError_t error) { return embgeo_emu::detail::record_error(error); }

}  // namespace

extern "C" {

ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId) {
  if (uniqueId == nullptr) return ncclInvalidArgument;
  std::memset(uniqueId->internal, 0, sizeof uniqueId->internal);
  std::memcpy(uniqueId->internal, kIdMagic, sizeof kIdMagic);
  return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank) {
  if (comm == nullptr) return ncclInvalidArgument;
  *comm = nullptr;
  if (!mpi_ready()) {
    std::fprintf(stderr, "emulated device: ncclCommInitRank: MPI is not initialized (start the ranks with mpirun)\n");
    return ncclInvalidUsage;
  }
  if (std::memcmp(commId.internal, kIdMagic, sizeof kIdMagic) != 0) {
    std::fprintf(stderr, "emulated device: ncclCommInitRank: the unique id is not one ncclGetUniqueId made\n");
    return ncclInvalidArgument;
  }
  int world_rank = 0, world_size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  if (nranks != world_size || rank != world_rank) {
    std::fprintf(stderr, "emulated device: ncclCommInitRank(nranks %d, rank %d) on MPI rank %d of %d\n", nranks, rank,
                 world_rank, world_size);
    return ncclInvalidArgument;
  }
  auto* created = new ncclComm;
  if (MPI_Comm_dup(MPI_COMM_WORLD, &created->mpi) != MPI_SUCCESS) {
    delete created;
    return ncclSystemError;
  }
  created->rank = rank;
  created->size = nranks;
  *comm = created;
  return ncclSuccess;
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (comm == nullptr) return ncclInvalidArgument;
  if (mpi_ready()) MPI_Comm_free(&comm->mpi);
  delete comm;
  return ncclSuccess;
}

ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
  if (comm == nullptr || count == nullptr) return ncclInvalidArgument;
  *count = comm->size;
  return ncclSuccess;
}

ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
  if (comm == nullptr || rank == nullptr) return ncclInvalidArgument;
  *rank = comm->rank;
  return ncclSuccess;
}

const char* ncclGetErrorString(ncclResult_t result) {
  switch (result) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error";
    case ncclSystemError: return "unhandled system error";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage";
    case ncclRemoteError: return "remote process exited or there was a network error";
    case ncclInProgress: return "NCCL operation in progress";
    case ncclNumResults: break;
  }
  return "unknown result code";
}

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                           ncclComm_t comm, cudaStream_t stream) {
  const std::size_t bytes = count * type_bytes(datatype);
  if (comm == nullptr || mpi_type(datatype) == MPI_DATATYPE_NULL || mpi_op(op) == MPI_OP_NULL) return ncclInvalidArgument;
  if (!require_device_range("ncclAllReduce", "sendbuff", sendbuff, bytes) ||
      !require_device_range("ncclAllReduce", "recvbuff", recvbuff, bytes))
    return ncclInvalidArgument;
  const int n = static_cast<int>(count);
  if (static_cast<size_t>(n) != count) return ncclInvalidArgument;  // MPI counts are int
  const cudaError_t queued = enqueue(stream, [=] {
    check_mpi(MPI_Allreduce(sendbuff == recvbuff ? MPI_IN_PLACE : sendbuff, recvbuff, n, mpi_type(datatype), mpi_op(op),
                            comm->mpi),
              "MPI_Allreduce");
  });
  return as_cuda(queued) == cudaSuccess ? ncclSuccess : ncclUnhandledCudaError;
}

ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype,
                           ncclComm_t comm, cudaStream_t stream) {
  if (comm == nullptr || mpi_type(datatype) == MPI_DATATYPE_NULL) return ncclInvalidArgument;
  const std::size_t bytes = sendcount * type_bytes(datatype);
  if (!require_device_range("ncclAllGather", "sendbuff", sendbuff, bytes) ||
      !require_device_range("ncclAllGather", "recvbuff", recvbuff, bytes * static_cast<std::size_t>(comm->size)))
    return ncclInvalidArgument;
  const int n = static_cast<int>(sendcount);
  if (static_cast<size_t>(n) != sendcount) return ncclInvalidArgument;
  // NCCL's in-place form: sendbuff == recvbuff + rank·sendcount.
  const bool in_place = static_cast<const char*>(sendbuff) == static_cast<char*>(recvbuff) + bytes * comm->rank;
  const cudaError_t queued = enqueue(stream, [=] {
    check_mpi(MPI_Allgather(in_place ? MPI_IN_PLACE : sendbuff, n, mpi_type(datatype), recvbuff, n, mpi_type(datatype),
                            comm->mpi),
              "MPI_Allgather");
  });
  return as_cuda(queued) == cudaSuccess ? ncclSuccess : ncclUnhandledCudaError;
}

}  // extern "C"
