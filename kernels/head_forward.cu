// Linear head forward: logits (rows,V) = h (rows,D) · Wᵀ + bias, through cuBLAS; without a bias, h · Wᵀ alone
// (the training step's form: its softmax adds the bias as it reads the row).
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// Pre-fills logits with the bias so the GEMM can add onto it (beta = 1). Rows on blockIdx.y (row_column_grid).
__global__ void bias_broadcast_kernel(const float* __restrict__ bias, float* __restrict__ logits, int rows, int V) {
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    float* out = logits + static_cast<std::size_t>(row) * V;
    for (int v = blockIdx.x * blockDim.x + threadIdx.x; v < V; v += gridDim.x * blockDim.x) out[v] = bias[v];
  }
}

}  // namespace

void head_forward(cublasHandle_t cublas, const float* h, const float* W, const float* bias, float* logits, int rows,
                  int D, int V, cudaStream_t stream) {
  if (bias != nullptr) launch(bias_broadcast_kernel, row_column_grid(rows, V, 256), 256, stream, bias, logits, rows, V);
  // Row-major ↔ column-major swap: row-major logits (rows,V) is column-major logitsᵀ (V,rows) with ld V.
  // logitsᵀ = W·hᵀ, where row-major W (V,D) is column-major Wᵀ (D,V) ld D, hence op T; row-major h (rows,D)
  // is column-major hᵀ (D,rows) ld D, used as is.
  check_bound_stream(cublas, stream);
  const float one = 1.0f, beta = bias != nullptr ? 1.0f : 0.0f;
  CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_T, CUBLAS_OP_N, V, rows, D, &one, W, D, h, D, &beta, logits, V));
}

}  // namespace embgeo::cuda
