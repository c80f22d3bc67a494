#pragma once
// The floor of each op (DESIGN.md §4): bytes it must move and FLOPs it must do, so benchmarks report
// achieved bandwidth and compute against measured ceilings rather than bare milliseconds.
#include <cstdint>

namespace embgeo::perf {

// gather+mean: N·4 (ids) + N·D·4 read, B·D·4 written.
inline double gather_mean_bytes(double B, double C, double D) { return B * C * 4 + B * C * D * 4 + B * D * 4; }
// A plain lookup of N single ids (C = 1).
inline double lookup_bytes(double N, double D) { return gather_mean_bytes(N, 1, D); }
// One-hot route: (N×V)·(V×D) GEMM.
inline double onehot_flops(double N, double V, double D) { return 2 * N * V * D; }
// softmax-CE fused: logits read once (plus the online pass re-reads them once), gradient written once.
inline double softmax_xent_bytes(double B, double V) { return 3 * B * V * 4; }
// scatter-add: dh read per slot, U·D row read-modify-writes (bounded above by every slot touching a row).
inline double scatter_add_bytes(double B, double C, double D) { return B * D * 4 + B * C * 4 + 2 * B * C * D * 4; }
// Adam over n elements: p, g, m, v read; p, m, v written.
inline double adam_bytes(double n) { return 7 * n * 4; }
inline double head_forward_flops(double B, double D, double V) { return 2 * B * D * V; }
inline double head_backward_flops(double B, double D, double V) { return 4 * B * D * V; }

}  // namespace embgeo::perf
