#pragma once
// An owning device allocation (RAII); copies go through the backend's stream.
#include <cstddef>
#include <utility>
#include <vector>

#include "cuda_check.cuh"

namespace embgeo::cuda {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count_ > 0) CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count_ * sizeof(T)));
  }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);  // never throw from a destructor; a failed free is not actionable
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return data_; }
  std::size_t size() const { return count_; }

  void upload(const T* host, std::size_t count, cudaStream_t stream) {
    if (count > count_) fail("internal: upload of ", count, " elements into a buffer of ", count_);
    if (count > 0) CUDA_CHECK(cudaMemcpyAsync(data_, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));  // the host vector may go away after we return
  }
  std::vector<T> download(std::size_t count, cudaStream_t stream) const {
    std::vector<T> host(count);
    if (count > 0) CUDA_CHECK(cudaMemcpyAsync(host.data(), data_, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    return host;
  }
  void zero(cudaStream_t stream) {
    if (count_ > 0) CUDA_CHECK(cudaMemsetAsync(data_, 0, count_ * sizeof(T), stream));
  }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

// A new buffer holding a copy of `host`.
template <typename T>
DeviceBuffer<T> uploaded(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> buffer(host.size());
  buffer.upload(host.data(), host.size(), stream);
  return buffer;
}

}  // namespace embgeo::cuda

namespace embgeo::cuda {

// A stream and a cuBLAS handle bound to it, released together.
class StreamAndBlas {
 public:
  StreamAndBlas() {
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    const cublasStatus_t status = cublasCreate(&cublas_);
    if (status != CUBLAS_STATUS_SUCCESS) {
      cudaStreamDestroy(stream_);
      fail("cuBLAS error ", cublasGetStatusName(status), " in cublasCreate");
    }
    CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
  }
  ~StreamAndBlas() {
    cublasDestroy(cublas_);
    cudaStreamDestroy(stream_);
  }
  StreamAndBlas(const StreamAndBlas&) = delete;
  StreamAndBlas& operator=(const StreamAndBlas&) = delete;

  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }

 private:
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
};

}  // namespace embgeo::cuda
