// The batch loss of a loss kernel's per-row slots: a one-block kernel adds them in a fixed order to a double
// accumulator, so the summed loss is the same on every run (atomics would add in arrival order) and thousands
// of steps can be summed on the device without drift; then the divergence flag is checked.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// *loss_sum += Σ row_loss in a fixed order: each thread sums a strided slice in order, then a fixed tree; and
// the divergence flag raised by a batch mean that is not finite or above the limit.
__global__ void add_row_losses_kernel(const double* __restrict__ row_loss, int rows, double* __restrict__ loss_sum,
                                      DivergenceFlag flag) {
  __shared__ double partial[256];
  double sum = 0;
  for (int r = threadIdx.x; r < rows; r += blockDim.x) sum += row_loss[r];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x != 0) return;
  *loss_sum += partial[0];
  const double mean = partial[0] / rows;
  if (flag.first_step != nullptr && *flag.first_step < 0 && (!isfinite(mean) || mean > *flag.limit))
    *flag.first_step = *flag.step;
}

}  // namespace

void add_row_losses(const double* row_loss, int rows, double* loss_sum, DivergenceFlag flag, cudaStream_t stream) {
  launch(add_row_losses_kernel, 1, 256, stream, row_loss, rows, loss_sum, flag);
}

}  // namespace embgeo::cuda
