#pragma once
// Stand-in for cub::BlockReduce: every thread deposits its value, a barrier, then thread 0 folds the values in
// linear thread order, so the result is deterministic. As in CUB it is valid in thread 0 only (the other
// threads get their own input back), and reusing TempStorage needs a __syncthreads() first.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "cuda_runtime.h"

namespace cub {

enum BlockReduceAlgorithm { BLOCK_REDUCE_RAKING_COMMUTATIVE_ONLY, BLOCK_REDUCE_RAKING, BLOCK_REDUCE_WARP_REDUCTIONS };

struct Sum {
  template <typename T>
  T operator()(const T& a, const T& b) const {
    return a + b;
  }
};

template <typename T, int BLOCK_DIM_X, BlockReduceAlgorithm ALGORITHM = BLOCK_REDUCE_WARP_REDUCTIONS,
          int BLOCK_DIM_Y = 1, int BLOCK_DIM_Z = 1>
class BlockReduce {
  static_assert(std::is_trivially_copyable<T>::value, "the emulated BlockReduce stores T bytewise");
  static constexpr int kThreads = BLOCK_DIM_X * BLOCK_DIM_Y * BLOCK_DIM_Z;

 public:
  struct TempStorage {
    alignas(T) unsigned char slots[sizeof(T) * kThreads];
  };

  explicit BlockReduce(TempStorage& storage) : storage_(storage) {
    if (blockDim.x * blockDim.y * blockDim.z != static_cast<unsigned>(kThreads)) {
      std::fprintf(stderr, "emulated device: cub::BlockReduce for %d threads used in a block of %u threads\n", kThreads,
                   blockDim.x * blockDim.y * blockDim.z);
      std::abort();
    }
  }

  template <typename ReductionOp>
  T Reduce(T input, ReductionOp op) {
    const unsigned self = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    std::memcpy(storage_.slots + sizeof(T) * self, &input, sizeof(T));
    __syncthreads();
    if (self != 0) return input;
    T total;
    std::memcpy(&total, storage_.slots, sizeof(T));
    for (int i = 1; i < kThreads; ++i) {
      T next;
      std::memcpy(&next, storage_.slots + sizeof(T) * i, sizeof(T));
      total = op(total, next);
    }
    return total;
  }

  T Sum(T input) { return Reduce(input, cub::Sum()); }

 private:
  TempStorage& storage_;
};

}  // namespace cub
