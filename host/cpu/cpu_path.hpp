#pragma once
// The two CPU paths and the table of ops each one runs, shared by the CPU backend, its tests and benchmarks.
#include "embgeo/backend.hpp"  // CpuPath
#include "fast/cpu_fast_ops.hpp"
#include "reference/cpu_ops.hpp"

namespace embgeo {

struct CpuOps {
  decltype(&cpu::gather_pool_forward) gather_pool_forward;
  decltype(&cpu::head_forward) head_forward;
  decltype(&cpu::softmax_xent_forward_backward) softmax_xent_forward_backward;
  decltype(&cpu::head_backward) head_backward;
  decltype(&cpu::scatter_add_backward) scatter_add_backward;
  decltype(&cpu::adam_step) adam_step;
  decltype(&cpu::negative_sampling_forward_backward) negative_sampling_forward_backward;
};

// position_backward (B·C·D terms once a step, learned tables only) is the reference's on both paths.
inline const CpuOps& cpu_ops(CpuPath path) {
  static constexpr CpuOps kReference{cpu::gather_pool_forward, cpu::head_forward, cpu::softmax_xent_forward_backward,
                                     cpu::head_backward, cpu::scatter_add_backward, cpu::adam_step,
                                     cpu::negative_sampling_forward_backward};
  static constexpr CpuOps kFast{cpu_fast::gather_pool_forward, cpu_fast::head_forward,
                                cpu_fast::softmax_xent_forward_backward, cpu_fast::head_backward,
                                cpu_fast::scatter_add_backward, cpu_fast::adam_step,
                                cpu_fast::negative_sampling_forward_backward};
  return path == CpuPath::kFast ? kFast : kReference;
}

}  // namespace embgeo
