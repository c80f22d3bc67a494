// Nearest rows by cosine on the GPU: the table is normalized once on the device (one block per row); a
// query is a cuBLAS GEMV against the unit rows followed by a CUB radix sort of (score, id) pairs, which is
// stable, so ties keep ascending ids exactly as the CPU reference orders them.
#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "device_buffer.cuh"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/tensor_checks.hpp"

namespace embgeo {
namespace {

using cuda::DeviceBuffer;

// unit[v] = E[v] / ‖E[v]‖ (a zero row stays zero: it has no direction, cosine 0 with everything).
__global__ void normalize_rows_kernel(const float* __restrict__ E, float* __restrict__ unit, int D) {
  __shared__ double partial[256];
  const float* row = E + static_cast<std::size_t>(blockIdx.x) * D;
  double sum = 0;
  for (int d = threadIdx.x; d < D; d += blockDim.x) sum += static_cast<double>(row[d]) * row[d];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const double norm = sqrt(partial[0]);
  float* out = unit + static_cast<std::size_t>(blockIdx.x) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) out[d] = norm > 0 ? static_cast<float>(row[d] / norm) : 0.0f;
}

__global__ void iota_kernel(int* __restrict__ ids, int V) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < V; i += gridDim.x * blockDim.x) ids[i] = i;
}

class CudaNeighborIndex final : public NeighborIndex {
 public:
  CudaNeighborIndex(int device, const std::vector<float>& table, int V, int D) : device_(device), V_(V), D_(D) {
    CUDA_CHECK(cudaSetDevice(device));
    const GpuMemory memory = gpu_memory(device);
    const std::size_t needed = table.size() * sizeof(float) * 2 + static_cast<std::size_t>(V) * 16;
    if (needed > memory.free_bytes)
      fail("the table needs ", needed >> 20, " MiB on cuda:", device, " but only ", memory.free_bytes >> 20, " MiB are free");
    name_ = memory.name;
    context_ = std::make_unique<cuda::StreamAndBlas>();
    const cudaStream_t stream = context_->stream();
    {
      DeviceBuffer<float> raw(table.size());
      raw.upload(table.data(), table.size(), stream);
      unit_ = DeviceBuffer<float>(table.size());
      cuda::launch(normalize_rows_kernel, V, 256, stream, raw.get(), unit_.get(), D);
      CUDA_CHECK(cudaStreamSynchronize(stream));  // `raw` is freed at the end of this scope
    }
    query_ = DeviceBuffer<float>(D);
    scores_ = DeviceBuffer<float>(V);
    sorted_scores_ = DeviceBuffer<float>(V);
    ids_ = DeviceBuffer<int>(V);
    sorted_ids_ = DeviceBuffer<int>(V);
    cuda::launch(iota_kernel, cuda::blocks_for(V, 256), 256, stream, ids_.get(), V);
    std::size_t temp_bytes = 0;
    CUDA_CHECK(cub::DeviceRadixSort::SortPairsDescending(nullptr, temp_bytes, scores_.get(), sorted_scores_.get(),
                                                         ids_.get(), sorted_ids_.get(), V, 0, 32, stream));
    sort_temp_ = DeviceBuffer<unsigned char>(temp_bytes);
  }

  std::string device() const override { return "cuda:" + std::to_string(device_) + " (" + name_ + ")"; }

  std::vector<Neighbor> query(const std::vector<float>& vector, int k, const std::vector<int>& exclude) override {
    if (static_cast<int>(vector.size()) != D_) fail("internal: query of ", vector.size(), " values for D=", D_);
    check_matrix(vector, 1, D_, "query");
    std::vector<int> excluded_ids(exclude);
    std::sort(excluded_ids.begin(), excluded_ids.end());
    excluded_ids.erase(std::unique(excluded_ids.begin(), excluded_ids.end()), excluded_ids.end());  // A B A analogies
    for (int id : excluded_ids)
      if (id < 0 || id >= V_) fail("internal: excluded id ", id, " outside the table");
    CUDA_CHECK(cudaSetDevice(device_));
    const cudaStream_t stream = context_->stream();
    // Cosine needs the query's norm too; dividing on the host keeps the kernels to the table's side.
    double norm_sq = 0;
    for (float v : vector) norm_sq += static_cast<double>(v) * v;
    std::vector<float> unit_query(vector);
    if (norm_sq > 0)
      for (float& v : unit_query) v = static_cast<float>(v / std::sqrt(norm_sq));
    query_.upload(unit_query.data(), unit_query.size(), stream);
    // scores (V) = unit rows (V,D row-major = column-major (D,V) ld D), transposed, times the query (D).
    const float one = 1.0f, zero = 0.0f;
    CUBLAS_CHECK(cublasSgemv(context_->cublas(), CUBLAS_OP_T, D_, V_, &one, unit_.get(), D_, query_.get(), 1, &zero,
                             scores_.get(), 1));
    // Excluded rows sink to the bottom of the order.
    const float sunk = -FLT_MAX;
    for (int id : excluded_ids)
      CUDA_CHECK(cudaMemcpyAsync(scores_.get() + id, &sunk, sizeof(float), cudaMemcpyHostToDevice, stream));
    std::size_t temp_bytes = sort_temp_.size();
    CUDA_CHECK(cub::DeviceRadixSort::SortPairsDescending(sort_temp_.get(), temp_bytes, scores_.get(), sorted_scores_.get(),
                                                         ids_.get(), sorted_ids_.get(), V_, 0, 32, stream));
    const int excluded = static_cast<int>(excluded_ids.size());
    const int take = std::max(0, std::min(k, V_ - excluded));
    const std::vector<float> top_scores = sorted_scores_.download(take, stream);
    const std::vector<int> top_ids = sorted_ids_.download(take, stream);
    std::vector<Neighbor> out;
    for (int i = 0; i < take; ++i) out.push_back({top_ids[i], norm_sq > 0 ? static_cast<double>(top_scores[i]) : 0.0});
    return out;
  }

 private:
  int device_, V_, D_;
  std::string name_;
  std::unique_ptr<cuda::StreamAndBlas> context_;
  DeviceBuffer<float> unit_, query_, scores_, sorted_scores_;
  DeviceBuffer<int> ids_, sorted_ids_;
  DeviceBuffer<unsigned char> sort_temp_;
};

}  // namespace

std::unique_ptr<NeighborIndex> make_cuda_neighbor_index(int device, const std::vector<float>& table, int V, int D) {
  check_matrix(table, V, D, "embedding table");
  return std::make_unique<CudaNeighborIndex>(device, table, V, D);
}

}  // namespace embgeo
