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
};

// The gather is shared: its C-term sums are cheap, so the fast path keeps the reference's (and its
// position_backward, B·C·D terms, is the reference's too).
inline const CpuOps& cpu_ops(CpuPath path) {
  static constexpr CpuOps kReference{cpu::gather_pool_forward, cpu::head_forward, cpu::softmax_xent_forward_backward,
                                     cpu::head_backward, cpu::scatter_add_backward, cpu::adam_step};
  static constexpr CpuOps kFast{cpu::gather_pool_forward, cpu_fast::head_forward,
                                cpu_fast::softmax_xent_forward_backward, cpu_fast::head_backward,
                                cpu_fast::scatter_add_backward, cpu_fast::adam_step};
  return path == CpuPath::kFast ? kFast : kReference;
}

}  // namespace embgeo
