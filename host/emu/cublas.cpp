// cuBLAS on CBLAS: the caller's column-major arguments go to cblas_sgemm/cblas_sgemv unchanged (a layout
// mistake gives the same wrong answer as on a GPU), after the argument checks cuBLAS makes. The work runs on
// the handle's stream, so it is recorded while that stream captures.
#include <cblas.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cublas_v2.h"
#include "cuda_bf16.h"
#include "emu_internal.hpp"

struct cublasContext {
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;  // null: cuBLAS's own pool, which it cannot grow inside a capture
  cublasMath_t math = CUBLAS_DEFAULT_MATH;
};

namespace {

using embgeo_emu::detail::StreamWork;

// How GEMM inputs are rounded before the product, modelling tensor-core input precision.
enum class InputRounding { kNone, kTf32, kBf16 };

float round_input(float x, InputRounding rounding) {
  if (rounding == InputRounding::kNone) return x;
  if (rounding == InputRounding::kBf16) return static_cast<float>(__nv_bfloat16(x));
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7f800000u) == 0x7f800000u) return x;  // inf and NaN stay as they are
  bits += 0xfffu + ((bits >> 13) & 1u);               // to 10 mantissa bits, ties to even
  bits &= 0xffffe000u;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

bool valid_op(cublasOperation_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }

CBLAS_TRANSPOSE to_cblas(cublasOperation_t op) { return op == CUBLAS_OP_N ? CblasNoTrans : CblasTrans; }

int max1(int v) { return v > 1 ? v : 1; }

std::size_t element_bytes(cudaDataType type) { return type == CUDA_R_32F ? 4 : 2; }

// Elements spanned by a column-major rows×cols matrix with leading dimension ld.
std::size_t matrix_extent(int rows, int cols, int ld) {
  return rows == 0 || cols == 0 ? 0 : static_cast<std::size_t>(ld) * (cols - 1) + rows;
}

std::size_t vector_extent(int length, int inc) {
  return length == 0 ? 0 : 1 + static_cast<std::size_t>(length - 1) * static_cast<std::size_t>(inc < 0 ? -inc : inc);
}

// On a GPU a host pointer or an overrun would fault inside the kernel; here the call is refused up front.
cublasStatus_t enqueue_on(cublasHandle_t handle, StreamWork work) {
  if (handle->workspace == nullptr && embgeo_emu::detail::stream_is_capturing(handle->stream))
    return CUBLAS_STATUS_NOT_SUPPORTED;
  const cudaError_t error = embgeo_emu::detail::enqueue(handle->stream, std::move(work));
  return error == cudaSuccess ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

// A GEMM whose operands may be bf16 or need rounding: widened into dense float copies first.
struct GemmOperands {
  cublasOperation_t transa, transb;
  int m, n, k;
  float alpha, beta;
  const void* A;
  cudaDataType a_type;
  int lda;
  const void* B;
  cudaDataType b_type;
  int ldb;
  void* C;
  cudaDataType c_type;
  int ldc;
  InputRounding rounding;
};

float load(const void* base, cudaDataType type, std::size_t i) {
  if (type == CUDA_R_32F) return static_cast<const float*>(base)[i];
  return static_cast<float>(static_cast<const __nv_bfloat16*>(base)[i]);
}

std::vector<float> widen(const void* base, cudaDataType type, int rows, int cols, int ld, InputRounding rounding) {
  std::vector<float> dense(static_cast<std::size_t>(max1(rows)) * cols);
  for (int c = 0; c < cols; ++c)
    for (int r = 0; r < rows; ++r)
      dense[static_cast<std::size_t>(c) * max1(rows) + r] =
          round_input(load(base, type, static_cast<std::size_t>(c) * ld + r), rounding);
  return dense;
}

void run_gemm(const GemmOperands& g) {
  const int a_rows = g.transa == CUBLAS_OP_N ? g.m : g.k, a_cols = g.transa == CUBLAS_OP_N ? g.k : g.m;
  const int b_rows = g.transb == CUBLAS_OP_N ? g.k : g.n, b_cols = g.transb == CUBLAS_OP_N ? g.n : g.k;
  const std::vector<float> a = widen(g.A, g.a_type, a_rows, a_cols, g.lda, g.rounding);
  const std::vector<float> b = widen(g.B, g.b_type, b_rows, b_cols, g.ldb, g.rounding);
  if (g.c_type == CUDA_R_32F) {
    cblas_sgemm(CblasColMajor, to_cblas(g.transa), to_cblas(g.transb), g.m, g.n, g.k, g.alpha, a.data(), max1(a_rows),
                b.data(), max1(b_rows), g.beta, static_cast<float*>(g.C), g.ldc);
    return;
  }
  auto* c_out = static_cast<__nv_bfloat16*>(g.C);
  std::vector<float> c = g.beta == 0.0f ? std::vector<float>(static_cast<std::size_t>(g.m) * g.n)
                                        : widen(g.C, g.c_type, g.m, g.n, g.ldc, InputRounding::kNone);
  cblas_sgemm(CblasColMajor, to_cblas(g.transa), to_cblas(g.transb), g.m, g.n, g.k, g.alpha, a.data(), max1(a_rows),
              b.data(), max1(b_rows), g.beta, c.data(), max1(g.m));
  for (int col = 0; col < g.n; ++col)
    for (int r = 0; r < g.m; ++r)
      c_out[static_cast<std::size_t>(col) * g.ldc + r] = __nv_bfloat16(c[static_cast<std::size_t>(col) * g.m + r]);
}

// cuBLAS's checks of a GEMM's shape arguments and, beyond them, of its operands' memory.
cublasStatus_t check_gemm(const char* call, const GemmOperands& g) {
  if (!valid_op(g.transa) || !valid_op(g.transb) || g.m < 0 || g.n < 0 || g.k < 0 ||
      g.lda < max1(g.transa == CUBLAS_OP_N ? g.m : g.k) || g.ldb < max1(g.transb == CUBLAS_OP_N ? g.k : g.n) ||
      g.ldc < max1(g.m))
    return CUBLAS_STATUS_INVALID_VALUE;
  const int a_rows = g.transa == CUBLAS_OP_N ? g.m : g.k, a_cols = g.transa == CUBLAS_OP_N ? g.k : g.m;
  const int b_rows = g.transb == CUBLAS_OP_N ? g.k : g.n, b_cols = g.transb == CUBLAS_OP_N ? g.n : g.k;
  const bool empty = g.m == 0 || g.n == 0;
  if (!empty && (!embgeo_emu::detail::require_device_range(call, "A", g.A, matrix_extent(a_rows, a_cols, g.lda) * element_bytes(g.a_type)) ||
                 !embgeo_emu::detail::require_device_range(call, "B", g.B, matrix_extent(b_rows, b_cols, g.ldb) * element_bytes(g.b_type)) ||
                 !embgeo_emu::detail::require_device_range(call, "C", g.C, matrix_extent(g.m, g.n, g.ldc) * element_bytes(g.c_type))))
    return CUBLAS_STATUS_INVALID_VALUE;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t enqueue_gemm(cublasHandle_t handle, const char* call, const GemmOperands& g) {
  if (const cublasStatus_t status = check_gemm(call, g); status != CUBLAS_STATUS_SUCCESS) return status;
  if (g.m == 0 || g.n == 0) return CUBLAS_STATUS_SUCCESS;
  if (g.a_type == CUDA_R_32F && g.b_type == CUDA_R_32F && g.c_type == CUDA_R_32F && g.rounding == InputRounding::kNone)
    return enqueue_on(handle, [g] {
      cblas_sgemm(CblasColMajor, to_cblas(g.transa), to_cblas(g.transb), g.m, g.n, g.k, g.alpha,
                  static_cast<const float*>(g.A), g.lda, static_cast<const float*>(g.B), g.ldb, g.beta,
                  static_cast<float*>(g.C), g.ldc);
    });
  return enqueue_on(handle, [g] { run_gemm(g); });
}

}  // namespace

extern "C" {

const char* cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "CUBLAS_STATUS_LICENSE_ERROR";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

const char* cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "error detected trying to check the license";
  }
  return "unknown error";
}

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  handle->workspace = nullptr;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetStream(cublasHandle_t handle, cudaStream_t* stream) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (stream == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *stream = handle->stream;
  return CUBLAS_STATUS_SUCCESS;
}

// cuBLAS wants device memory aligned to 256 bytes; a null or empty workspace returns the handle to its pool.
cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void* workspace, std::size_t bytes) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (workspace == nullptr || bytes == 0) {
    handle->workspace = nullptr;
    return CUBLAS_STATUS_SUCCESS;
  }
  if (reinterpret_cast<std::uintptr_t>(workspace) % 256 != 0 ||
      !embgeo_emu::detail::require_device_range("cublasSetWorkspace", "workspace", workspace, bytes))
    return CUBLAS_STATUS_INVALID_VALUE;
  handle->workspace = workspace;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode != CUBLAS_DEFAULT_MATH && mode != CUBLAS_TENSOR_OP_MATH && mode != CUBLAS_PEDANTIC_MATH &&
      mode != CUBLAS_TF32_TENSOR_OP_MATH)
    return CUBLAS_STATUS_INVALID_VALUE;
  handle->math = mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  *mode = handle->math;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           int k, const float* alpha, const float* A, int lda, const float* B, int ldb,
                           const float* beta, float* C, int ldc) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  const InputRounding rounding =
      handle->math == CUBLAS_TF32_TENSOR_OP_MATH ? InputRounding::kTf32 : InputRounding::kNone;
  return enqueue_gemm(handle, "cublasSgemm",
                      GemmOperands{transa, transb, m, n, k, *alpha, *beta, A, CUDA_R_32F, lda, B, CUDA_R_32F, ldb, C,
                                   CUDA_R_32F, ldc, rounding});
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                            int k, const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B,
                            cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc,
                            cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  const int algo_number = static_cast<int>(algo);
  if (!(algo_number >= -1 && algo_number <= 23) && !(algo_number >= 99 && algo_number <= 115))
    return CUBLAS_STATUS_INVALID_VALUE;
  InputRounding rounding;
  switch (computeType) {
    case CUBLAS_COMPUTE_32F:
      rounding = handle->math == CUBLAS_TF32_TENSOR_OP_MATH ? InputRounding::kTf32 : InputRounding::kNone;
      break;
    case CUBLAS_COMPUTE_32F_PEDANTIC:
      rounding = InputRounding::kNone;
      break;
    case CUBLAS_COMPUTE_32F_FAST_TF32:
      rounding = InputRounding::kTf32;
      break;
    case CUBLAS_COMPUTE_32F_FAST_16BF:
      rounding = InputRounding::kBf16;
      break;
    default:
      return CUBLAS_STATUS_NOT_SUPPORTED;  // fp16 and integer computation are not emulated
  }
  // The combinations cuBLAS offers with fp32 computation that the emulator models.
  const bool inputs_ok = Atype == Btype && (Atype == CUDA_R_32F || Atype == CUDA_R_16BF);
  const bool output_ok = Ctype == CUDA_R_32F || (Ctype == CUDA_R_16BF && Atype == CUDA_R_16BF);
  if (!inputs_ok || !output_ok) return CUBLAS_STATUS_NOT_SUPPORTED;
  return enqueue_gemm(
      handle, "cublasGemmEx",
      GemmOperands{transa, transb, m, n, k, *static_cast<const float*>(alpha), *static_cast<const float*>(beta), A,
                   Atype, lda, B, Btype, ldb, C, Ctype, ldc, rounding});
}

cublasStatus_t cublasSgemv(cublasHandle_t handle, cublasOperation_t trans, int m, int n, const float* alpha,
                           const float* A, int lda, const float* x, int incx, const float* beta, float* y, int incy) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!valid_op(trans) || m < 0 || n < 0 || lda < max1(m) || incx == 0 || incy == 0 || alpha == nullptr ||
      beta == nullptr)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const int x_length = trans == CUBLAS_OP_N ? n : m, y_length = trans == CUBLAS_OP_N ? m : n;
  if (!embgeo_emu::detail::require_device_range("cublasSgemv", "A", A, matrix_extent(m, n, lda) * sizeof(float)) ||
      !embgeo_emu::detail::require_device_range("cublasSgemv", "x", x, vector_extent(x_length, incx) * sizeof(float)) ||
      !embgeo_emu::detail::require_device_range("cublasSgemv", "y", y, vector_extent(y_length, incy) * sizeof(float)))
    return CUBLAS_STATUS_INVALID_VALUE;
  const float a = *alpha, b = *beta;
  return enqueue_on(handle, [=] { cblas_sgemv(CblasColMajor, to_cblas(trans), m, n, a, A, lda, x, incx, b, y, incy); });
}

}  // extern "C"
