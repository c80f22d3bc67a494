// Linear head backward through cuBLAS: dW = dlogitsᵀ·h, db = Σ_rows dlogits, dh = dlogits·W.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {

void head_backward(cublasHandle_t cublas, const float* dlogits, const float* h, const float* W, float* dW, float* db,
                   float* dh, const float* ones, int rows, int D, int V, cudaStream_t stream) {
  check_bound_stream(cublas, stream);
  const float one = 1.0f, zero = 0.0f;
  // dW (V,D) row-major = column-major dWᵀ (D,V) ld D = hᵀ·dlogits: hᵀ is column-major (D,rows) ld D as
  // stored; dlogits row-major (rows,V) is column-major (V,rows) ld V, so op T gives (rows,V).
  CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_T, D, V, rows, &one, h, D, dlogits, V, &zero, dW, D));
  // db (V) = column-major dlogitsᵀ (V,rows) · ones (rows).
  CUBLAS_CHECK(cublasSgemv(cublas, CUBLAS_OP_N, V, rows, &one, dlogits, V, ones, 1, &zero, db, 1));
  // dh (rows,D) row-major = column-major dhᵀ (D,rows) = Wᵀ (D,V) · dlogitsᵀ (V,rows), both as stored.
  CUBLAS_CHECK(cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_N, D, rows, V, &one, W, D, dlogits, V, &zero, dh, D));
}

}  // namespace embgeo::cuda
