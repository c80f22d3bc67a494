// Streams, stream capture, graphs and events. Streams are synchronous: work runs when it is enqueued, except
// on a capturing stream, where it is recorded (with its arguments as of now) for cudaGraphLaunch to replay.
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "cuda_runtime.h"
#include "emu_internal.hpp"

using embgeo_emu::detail::StreamWork;
using Nodes = std::vector<StreamWork>;

struct CUstream_st {
  unsigned int flags = 0;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
  std::thread::id capturing_thread;
  Nodes recorded;
};

struct CUgraph_st {
  std::shared_ptr<const Nodes> nodes;
};

struct CUgraphExec_st {
  std::shared_ptr<const Nodes> nodes;
};

struct CUevent_st {
  std::chrono::steady_clock::time_point when{};
  bool recorded = false;
};

namespace embgeo_emu::detail {
namespace {

struct Streams {
  std::mutex mutex;
  std::set<CUstream_st*> live;
};

Streams& streams() {
  static Streams s;
  return s;
}

// The legacy and per-thread default streams: they cannot capture, so their work always runs at once.
bool is_default_stream(cudaStream_t stream) {
  return stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread;
}

void invalidate(CUstream_st* stream) {
  stream->capture = cudaStreamCaptureStatusInvalidated;
  stream->recorded.clear();
}

bool is_capturing(const CUstream_st* stream) { return stream->capture != cudaStreamCaptureStatusNone; }

}  // namespace

cudaError_t enqueue(cudaStream_t stream, StreamWork work) {
  if (!is_default_stream(stream)) {
    std::unique_lock<std::mutex> lock(streams().mutex);
    if (streams().live.count(stream) == 0) return cudaErrorInvalidResourceHandle;
    if (stream->capture == cudaStreamCaptureStatusInvalidated) return cudaErrorStreamCaptureInvalidated;
    if (stream->capture == cudaStreamCaptureStatusActive) {
      stream->recorded.push_back(std::move(work));
      return cudaSuccess;
    }
  }
  work();
  return cudaSuccess;
}

bool stream_is_capturing(cudaStream_t stream) {
  if (is_default_stream(stream)) return false;
  std::lock_guard<std::mutex> lock(streams().mutex);
  return streams().live.count(stream) != 0 && is_capturing(stream);
}

// CUDA's rule: the calling thread may not make unsafe calls while it has a capture of its own that is not
// relaxed, or while any thread has a global-mode capture.
cudaError_t refuse_if_capture_forbids_unsafe_calls() {
  std::lock_guard<std::mutex> lock(streams().mutex);
  const std::thread::id self = std::this_thread::get_id();
  bool forbidden = false;
  for (CUstream_st* s : streams().live) {
    if (!is_capturing(s)) continue;
    const bool own = s->capturing_thread == self && s->mode != cudaStreamCaptureModeRelaxed;
    if (own || s->mode == cudaStreamCaptureModeGlobal) {
      invalidate(s);
      forbidden = true;
    }
  }
  return forbidden ? cudaErrorStreamCaptureUnsupported : cudaSuccess;
}

cudaError_t refuse_and_invalidate_capture(cudaStream_t stream) {
  if (!is_default_stream(stream)) {
    std::lock_guard<std::mutex> lock(streams().mutex);
    if (streams().live.count(stream) != 0 && is_capturing(stream)) invalidate(stream);
  }
  return cudaErrorStreamCaptureUnsupported;
}

}  // namespace embgeo_emu::detail

namespace embgeo_emu {
namespace {
std::size_t g_captures_begun = 0;  // guarded by streams().mutex
}  // namespace

std::size_t captures_begun() {
  std::lock_guard<std::mutex> lock(detail::streams().mutex);
  return g_captures_begun;
}
}  // namespace embgeo_emu

using embgeo_emu::detail::record_error;
using embgeo_emu::detail::streams;

extern "C" {

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  if (stream == nullptr || flags > cudaStreamNonBlocking) return record_error(cudaErrorInvalidValue);
  auto* created = new CUstream_st;
  created->flags = flags;
  std::lock_guard<std::mutex> lock(streams().mutex);
  streams().live.insert(created);
  *stream = created;
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  if (embgeo_emu::detail::is_default_stream(stream)) return record_error(cudaErrorInvalidResourceHandle);
  std::lock_guard<std::mutex> lock(streams().mutex);
  if (streams().live.erase(stream) == 0) return record_error(cudaErrorInvalidResourceHandle);
  delete stream;
  return cudaSuccess;
}

// Synchronizing or querying a capturing stream would wait on work that does not run: refused, capture lost.
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (embgeo_emu::detail::is_default_stream(stream)) return cudaSuccess;
  if (embgeo_emu::detail::stream_is_capturing(stream))
    return record_error(embgeo_emu::detail::refuse_and_invalidate_capture(stream));
  std::lock_guard<std::mutex> lock(streams().mutex);
  return streams().live.count(stream) ? cudaSuccess : record_error(cudaErrorInvalidResourceHandle);
}

cudaError_t cudaStreamQuery(cudaStream_t stream) { return cudaStreamSynchronize(stream); }

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int) {
  if (event == nullptr) return record_error(cudaErrorInvalidResourceHandle);
  return record_error(embgeo_emu::detail::enqueue(stream, [] {}));
}

cudaError_t cudaDeviceSynchronize(void) {
  return record_error(embgeo_emu::detail::refuse_if_capture_forbids_unsafe_calls());
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  if (embgeo_emu::detail::is_default_stream(stream)) return record_error(cudaErrorStreamCaptureUnsupported);
  if (mode < cudaStreamCaptureModeGlobal || mode > cudaStreamCaptureModeRelaxed)
    return record_error(cudaErrorInvalidValue);
  std::lock_guard<std::mutex> lock(streams().mutex);
  if (streams().live.count(stream) == 0) return record_error(cudaErrorInvalidResourceHandle);
  if (stream->capture != cudaStreamCaptureStatusNone) return record_error(cudaErrorIllegalState);
  stream->capture = cudaStreamCaptureStatusActive;
  ++embgeo_emu::g_captures_begun;
  stream->mode = mode;
  stream->capturing_thread = std::this_thread::get_id();
  stream->recorded.clear();
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  if (graph == nullptr) return record_error(cudaErrorInvalidValue);
  *graph = nullptr;
  if (embgeo_emu::detail::is_default_stream(stream)) return record_error(cudaErrorIllegalState);
  std::lock_guard<std::mutex> lock(streams().mutex);
  if (streams().live.count(stream) == 0) return record_error(cudaErrorInvalidResourceHandle);
  if (stream->capture == cudaStreamCaptureStatusNone) return record_error(cudaErrorIllegalState);
  if (stream->mode != cudaStreamCaptureModeRelaxed && stream->capturing_thread != std::this_thread::get_id())
    return record_error(cudaErrorStreamCaptureWrongThread);
  const bool invalidated = stream->capture == cudaStreamCaptureStatusInvalidated;
  Nodes nodes = std::move(stream->recorded);
  stream->recorded.clear();
  stream->capture = cudaStreamCaptureStatusNone;
  if (invalidated) return record_error(cudaErrorStreamCaptureInvalidated);
  *graph = new CUgraph_st{std::make_shared<const Nodes>(std::move(nodes))};
  return cudaSuccess;
}

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  if (status == nullptr) return record_error(cudaErrorInvalidValue);
  *status = cudaStreamCaptureStatusNone;
  if (embgeo_emu::detail::is_default_stream(stream)) return cudaSuccess;
  std::lock_guard<std::mutex> lock(streams().mutex);
  if (streams().live.count(stream) == 0) return record_error(cudaErrorInvalidResourceHandle);
  *status = stream->capture;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  if (exec == nullptr || graph == nullptr) return record_error(cudaErrorInvalidValue);
  *exec = new CUgraphExec_st{graph->nodes};
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (exec == nullptr) return record_error(cudaErrorInvalidValue);
  std::shared_ptr<const Nodes> nodes = exec->nodes;
  return record_error(embgeo_emu::detail::enqueue(stream, [nodes] {
    for (const StreamWork& node : *nodes) node();
  }));
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  if (graph == nullptr) return record_error(cudaErrorInvalidValue);
  delete graph;
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  if (exec == nullptr) return record_error(cudaErrorInvalidValue);
  delete exec;
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int) {
  if (event == nullptr) return record_error(cudaErrorInvalidValue);
  *event = new CUevent_st;
  return cudaSuccess;
}

// The host clock when the stream reaches the record: meaningless as GPU time (see embgeo_emu::kIsEmulated).
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  if (event == nullptr) return record_error(cudaErrorInvalidResourceHandle);
  return record_error(embgeo_emu::detail::enqueue(stream, [event] {
    event->when = std::chrono::steady_clock::now();
    event->recorded = true;
  }));
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  return event == nullptr ? record_error(cudaErrorInvalidResourceHandle) : cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) { return cudaEventQuery(event); }

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (ms == nullptr) return record_error(cudaErrorInvalidValue);
  if (start == nullptr || end == nullptr || !start->recorded || !end->recorded)
    return record_error(cudaErrorInvalidResourceHandle);
  *ms = std::chrono::duration<float, std::milli>(end->when - start->when).count();
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  if (event == nullptr) return record_error(cudaErrorInvalidResourceHandle);
  delete event;
  return cudaSuccess;
}

}  // extern "C"
