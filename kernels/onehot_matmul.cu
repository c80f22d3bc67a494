// The dense route an embedding lookup avoids: encode ids as an (N,V) one-hot matrix and multiply by E.
// Costs 2·N·V·D FLOPs and N·V·4 bytes where the gather costs N·D·4 bytes.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// Row n of the (N,V) matrix on blockIdx.y (row_column_grid): 1 in column ids[n], 0 elsewhere.
template <typename T>
__global__ void onehot_encode_kernel(const std::int32_t* __restrict__ ids, T* __restrict__ onehot, int N, int V) {
  for (int n = blockIdx.y; n < N; n += gridDim.y) {
    T* row = onehot + static_cast<std::size_t>(n) * V;
    const std::int32_t id = ids[n];
    for (int v = blockIdx.x * blockDim.x + threadIdx.x; v < V; v += gridDim.x * blockDim.x)
      row[v] = static_cast<T>(v == id ? 1.0f : 0.0f);
  }
}

template <typename T>
void onehot_encode(const std::int32_t* ids, T* onehot, int N, int V, cudaStream_t stream) {
  launch(onehot_encode_kernel<T>, row_column_grid(N, V, 256), 256, stream, ids, onehot, N, V);
}

}  // namespace

void onehot_matmul(cublasHandle_t cublas, const std::int32_t* ids, const float* E, float* onehot, float* out, int N,
                   int V, int D, cudaStream_t stream) {
  onehot_encode(ids, onehot, N, V, stream);
  check_bound_stream(cublas, stream);
  const float one = 1.0f, zero = 0.0f;
  // Row-major out (N,D) = column-major outᵀ (D,N) = Eᵀ (D,V) · onehotᵀ (V,N), both as stored.
  CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_N, D, N, V, &one, E, D, onehot, V, &zero, out, D));
}

void onehot_matmul_bf16(cublasHandle_t cublas, const std::int32_t* ids, const __nv_bfloat16* E, __nv_bfloat16* onehot,
                        float* out, int N, int V, int D, cudaStream_t stream) {
  onehot_encode(ids, onehot, N, V, stream);
  check_bound_stream(cublas, stream);
  const float one = 1.0f, zero = 0.0f;
  // Same layout as the fp32 route; bf16 inputs, fp32 accumulation and output (exact: one non-zero term).
  CUBLAS_CHECK(cublasGemmEx(cublas, CUBLAS_OP_N, CUBLAS_OP_N, D, N, V, &one, E, CUDA_R_16BF, D, onehot, CUDA_R_16BF, V,
                            &zero, out, CUDA_R_32F, D, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

}  // namespace embgeo::cuda
