#include "bench/bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "bench/gpu_timings.hpp"
#include "bench/median_time.hpp"
#include "bench/peer.hpp"
#include "bench/perf_model.hpp"
#include "cpu/cpu_path.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"
#include "embgeo/host_memory.hpp"
#include "embgeo/params.hpp"
#include "formats/formats.hpp"
#include "inspect/inspect.hpp"
#include "plots/plots.hpp"
#include "train/device.hpp"
#include "util/atomic_file.hpp"
#include "util/json_text.hpp"
#include "util/text_table.hpp"
#include "verify/verify.hpp"

namespace embgeo {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

json route_json(const OnehotRoute& route) {
  return {{"fits", route.fits}, {"ms", route.milliseconds}, {"bytes", route.onehot_bytes},
          {"over_budget", route.over_budget}, {"predicted_seconds", route.predicted_seconds}, {"repeats", route.repeats}};
}

// Sizes fit for a real GPU; the CPU and the emulated device (the CPU again, far slower) take the CPU's.
bool gpu_sized(const DeviceChoice& device) { return device.cuda && !device.emulated; }

std::string gbps(double bytes, double seconds) { return fixed(bytes / seconds / 1e9, 1); }
std::string percent(double part, double whole) { return whole > 0 ? fixed(100.0 * part / whole, 0) + "%" : "—"; }

void bench_lookup_vs_onehot(const BenchOptions& o, const DeviceChoice& device, const Ceilings& ceilings, json& out,
                            std::ostream& console,
                            std::vector<plots::Series>& series) {
  const bool gpu = device.cuda, big = gpu_sized(device);
  const int D = o.dim ? o.dim : (big ? 256 : 64), N = o.tokens ? o.tokens : (big ? 8192 : 256);
  const int repeats = o.repeats ? o.repeats : (big ? 20 : 3);
  std::vector<std::int64_t> vocab = o.vocab;
  if (vocab.empty()) vocab = big ? std::vector<std::int64_t>{1000, 10000, 100000, 1000000} : std::vector<std::int64_t>{100, 1000, 10000, 100000};
  const double copy = ceilings.copy_bytes_per_second;
  console << "\nlookup vs one-hot on " << device_label(device) << ": N=" << N << " tokens, D=" << D
          << "; copy ceiling " << fixed(copy / 1e9, 0) << " GB/s"
          << (gpu ? ", fp32 GEMM " + fixed(ceilings.fp32_flops / 1e12, 1) + " TFLOP/s, bf16 GEMM " +
                        fixed(ceilings.bf16_flops / 1e12, 1) + " TFLOP/s"
                  : std::string())
          << "\n";
  out["lookup_vs_onehot"] = {{"device", device_label(device)}, {"N", N}, {"D", D}, {"repeats", repeats},
                             {"copy_bytes_per_second", copy}, {"fp32_gemm_flops", ceilings.fp32_flops},
                             {"bf16_gemm_flops", ceilings.bf16_flops}, {"rows", json::array()}};
  TextTable table({"V", "lookup ms", "GB/s", "% copy", "one-hot fp32 ms", "GFLOP/s", "% peak", "one-hot bf16 ms",
                   "GFLOP/s", "one-hot/lookup", "one-hot bytes (fp32)"});
  plots::Series lookup_series{"lookup (gather)", {}, {}}, fp32_series{"one-hot GEMM fp32", {}, {}},
      bf16_series{"one-hot GEMM bf16", {}, {}};
  if (!gpu) cpu_fast::set_blas_threads(1);  // the one-hot GEMM on one thread, like the gather it is compared with
  for (const std::int64_t V64 : vocab) {
    const int V = static_cast<int>(V64);
    const double bytes = perf::gather_mean_cost({V, D, 1, N}).bytes, flops = perf::onehot_matmul_cost(N, V, D).flops;
    LookupVsOnehot r;
    if (gpu) {
      r = cuda_lookup_vs_onehot(device.index, V, D, N, repeats, ceilings, o.route_budget_seconds);
    } else {
      const std::vector<float> E = init_params({V, D, 1, 1}, 7).embedding;
      const std::vector<std::int32_t> ids = synthetic_corpus(V, static_cast<std::size_t>(N), 7);
      std::vector<float> gathered(static_cast<std::size_t>(N) * D), product(gathered.size());
      r.lookup_milliseconds = 1e3 * median_seconds(repeats, [&] { cpu::gather_pool_forward(ids.data(), E.data(), nullptr, gathered.data(), N, 1, D, Pooling{}); });
      r.lookup_equal = true;  // the CPU gather is the reference itself
      r.fp32.onehot_bytes = 4.0 * N * V;
      // Like the GPU route: a one-hot matrix that would take over half the free host memory is not built.
      r.fp32.fits = r.fp32.onehot_bytes <= 0.5 * static_cast<double>(available_host_bytes());
      // The one-hot route on the path being measured: OpenBLAS on the fast path, plain loops on the reference.
      const auto onehot_matmul = device.cpu_path == CpuPath::kFast ? cpu_fast::onehot_matmul : cpu::onehot_matmul;
      if (r.fp32.fits) {
        r.fp32.milliseconds = 1e3 * median_seconds(repeats, [&] { onehot_matmul(ids.data(), E.data(), product.data(), N, V, D); });
        r.fp32.equal = product == gathered;
      }
    }
    if (!r.lookup_equal || (r.fp32.timed() && !r.fp32.equal) || (r.bf16.timed() && !r.bf16.equal))
      fail("bench lookup-vs-onehot: results differ from the reference at V=", V, "; timings not reported");
    auto route_cells = [&](const OnehotRoute& route, double peak) -> std::vector<std::string> {
      if (!route.fits) return {"does not fit", "—", "—"};
      if (route.over_budget) return {"skipped: predicted " + fixed(route.predicted_seconds, 0) + " s", "—", "—"};
      return {fixed(route.milliseconds, 3), fixed(flops / (route.milliseconds * 1e-3) / 1e9, 1),
              percent(flops / (route.milliseconds * 1e-3), peak)};
    };
    std::vector<std::string> row = {std::to_string(V), fixed(r.lookup_milliseconds, 4),
                                    gbps(bytes, r.lookup_milliseconds * 1e-3), percent(bytes / (r.lookup_milliseconds * 1e-3), copy)};
    for (const std::string& c : route_cells(r.fp32, ceilings.fp32_flops)) row.push_back(c);
    if (gpu) {
      const std::vector<std::string> b = route_cells(r.bf16, ceilings.bf16_flops);
      row.insert(row.end(), {b[0], b[1]});
    } else {
      row.insert(row.end(), {"—", "—"});
    }
    row.push_back(r.fp32.timed() ? fixed(r.fp32.milliseconds / r.lookup_milliseconds, 0) + "×" : "—");
    row.push_back(human_bytes(r.fp32.onehot_bytes));
    table.add(row);
    lookup_series.x.push_back(V), lookup_series.y.push_back(r.lookup_milliseconds);
    if (r.fp32.timed()) fp32_series.x.push_back(V), fp32_series.y.push_back(r.fp32.milliseconds);
    if (r.bf16.timed()) bf16_series.x.push_back(V), bf16_series.y.push_back(r.bf16.milliseconds);
    out["lookup_vs_onehot"]["rows"].push_back(
        {{"V", V}, {"lookup_ms", r.lookup_milliseconds}, {"lookup_bytes", bytes},
         {"onehot_fp32", route_json(r.fp32)},
         {"onehot_bf16", route_json(r.bf16)},
         {"flops", flops}});
  }
  console << table.text();
  for (plots::Series* s : {&lookup_series, &fp32_series, &bf16_series})
    if (!s->x.empty()) series.push_back(std::move(*s));
}

void bench_kernels(const BenchOptions& o, const DeviceChoice& device, const Ceilings& c, json& out,
                   std::ostream& console) {
  // GPU: the kernels at GPT-2's head shape. CPU: the fast path's ops at the word shape, on one thread.
  const ModelShape shape = shape_named(gpu_sized(device) ? "gpt2" : "word").shape;
  const int repeats = o.repeats ? o.repeats : (gpu_sized(device) ? 20 : 5);
  const std::vector<KernelTiming> rows =
      device.cuda ? cuda_kernel_timings(device.index, shape, repeats) : cpu_kernel_timings(shape, repeats);
  const double flop_unit = device.cuda ? 1e12 : 1e9;
  const std::string flop_name = device.cuda ? "TFLOP/s" : "GFLOP/s";
  console << "\nkernels on " << (device.cuda ? device_label(device) : "cpu, fast path on one thread") << " at B=" << shape.B
          << " C=" << shape.C << " D=" << shape.D << " V=" << shape.V << " (copy ceiling "
          << fixed(c.copy_bytes_per_second / 1e9, 0) << " GB/s, fp32 GEMM " << fixed(c.fp32_flops / flop_unit, 1) << " "
          << flop_name << ")\n";
  TextTable table({"kernel", "ms", "GB/s", "% of copy", flop_name, "% of fp32 GEMM"});
  for (const KernelTiming& k : rows) {
    const double s = k.milliseconds * 1e-3;
    table.add({k.name, fixed(k.milliseconds, 4), k.bytes > 0 ? gbps(k.bytes, s) : "—",
               k.bytes > 0 ? percent(k.bytes / s, c.copy_bytes_per_second) : "—",
               k.flops > 0 ? fixed(k.flops / s / flop_unit, 1) : "—", k.flops > 0 ? percent(k.flops / s, c.fp32_flops) : "—"});
    out["kernels"].push_back({{"name", k.name}, {"ms", k.milliseconds}, {"bytes", k.bytes}, {"flops", k.flops}});
  }
  console << table.text();
}

void bench_train(const BenchOptions& o, const DeviceChoice& device, const Ceilings& c, json& out,
                 std::ostream& console) {
  std::vector<std::string> shapes = o.shapes;
  if (shapes.empty()) shapes = gpu_sized(device) ? std::vector<std::string>{"toy", "gpt2", "llama3"} : std::vector<std::string>{"toy", "word"};
  if (!o.ranks.empty()) return bench_rank_scaling(o, device, shapes, out, console);
  console << "\ntraining step on " << device_label(device) << (o.peer.empty() ? "" : ", next to the PyTorch peer") << "\n";
  // GPU: the graph-captured step beside the eager one. CPU: the fast path beside the reference loops, on one
  // thread like the PyTorch peer.
  TextTable table({"shape", "V", "D", "C", "B", "steps", "steps/s", device.cuda ? "eager steps/s" : "reference steps/s",
                   "tokens/s", "ms/step", "floor ms", "step/floor", "state MiB", "device MiB", "peer steps/s",
                   "ours / peer"});
  for (const std::string& name : shapes) {
    const NamedShape ns = shape_named(name);
    const ModelShape& s = ns.shape;
    const std::int64_t steps = o.steps ? o.steps : (name == "toy" ? 2000 : (gpu_sized(device) ? 50 : 20));
    BackendConfig config;
    config.shape = s;
    config.cpu_threads = 1;
    const std::vector<std::int32_t> corpus =
        synthetic_corpus(s.V, std::max<std::size_t>(100000, static_cast<std::size_t>(s.B) * (s.C + 1) * 4), 3);
    // Steps per second of one backend; `device_mib` gets what it held on the device.
    auto steps_per_second = [&](const DeviceChoice& on, const BackendConfig& c, double* device_mib) {
      const std::size_t used_before = device.cuda ? gpu_used_bytes(device.index) : 0;
      const std::unique_ptr<Backend> backend = make_backend(on, c);
      backend->load_corpus(corpus);
      backend->load_params(init_params(s, 3));
      const std::int64_t windows = static_cast<std::int64_t>(corpus.size()) - s.C;
      for (std::int64_t step = 1; step <= 5; ++step) backend->train_step(3, step, 0, windows);
      backend->take_loss_sum();  // synchronizes: the warm-up is done before the clock starts
      const auto start = Clock::now();
      for (std::int64_t step = 6; step < 6 + steps; ++step) backend->train_step(3, step, 0, windows);
      const Backend::LossSum loss = backend->take_loss_sum();
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (!std::isfinite(loss.sum)) fail("bench train: loss became non-finite at shape ", name);
      if (device_mib && device.cuda)
        *device_mib = (static_cast<double>(gpu_used_bytes(device.index)) - static_cast<double>(used_before)) / (1 << 20);
      return static_cast<double>(steps) / seconds;
    };
    double device_mib = 0;
    const double rate = steps_per_second(device, config, &device_mib);
    // The step's floor: its three GEMMs at plain library SGEMM speed for this shape (cuBLAS, or OpenBLAS on
    // one thread), plus the bytes softmax-CE, scatter-add and Adam must move at the measured copy bandwidth.
    double floor_ms = 0;
    for (const KernelTiming& k : device.cuda ? cuda_kernel_timings(device.index, s, 10) : cpu_kernel_timings(s, 3))
      if (k.plain_gemm) floor_ms += 3 * k.milliseconds;
    const double bytes = perf::softmax_xent_cost(s).bytes + perf::scatter_add_cost(s, s.B * s.C).bytes +
                         perf::adam_cost(s.embedding_elems()).bytes * 2;
    floor_ms += 1e3 * bytes / c.copy_bytes_per_second;
    // GPU: the same step without the CUDA graph, what one launch per step instead of a dozen buys.
    // CPU: the same step through the reference loops, what the fast path buys.
    BackendConfig eager = config;
    eager.cuda_graph = false;
    DeviceChoice reference = device;
    reference.cpu_path = CpuPath::kReference;
    const double baseline_rate = steps_per_second(reference, eager, nullptr);
    json row = {{"shape", name}, {"V", s.V}, {"D", s.D}, {"C", s.C}, {"B", s.B}, {"steps", steps},
                {"steps_per_second", rate}, {"floor_ms", floor_ms},
                {device.cuda ? "eager_steps_per_second" : "reference_steps_per_second", baseline_rate},
                {"tokens_per_second", rate * s.B * s.C}, {"device", device_label(device)},
                {"state_bytes", training_state_bytes(config)}, {"device_bytes_in_use", device_mib * (1 << 20)}};
    std::string peer_rate = "—", ratio = "—";
    if (!o.peer.empty()) {
      const PeerResult peer = run_pytorch_peer(device.cuda ? "cuda" : "cpu", s, steps);
      peer_rate = fixed(peer.steps_per_second, 1);
      ratio = fixed(rate / peer.steps_per_second, 2) + "×";
      row["peer"] = {{"name", "pytorch"}, {"steps_per_second", peer.steps_per_second}, {"version", peer.version}};
    }
    table.add({name, std::to_string(s.V), std::to_string(s.D), std::to_string(s.C), std::to_string(s.B),
               std::to_string(steps), fixed(rate, 1), fixed(baseline_rate, 1), fixed(rate * s.B * s.C, 0),
               fixed(1e3 / rate, 3), floor_ms > 0 ? fixed(floor_ms, 3) : "—",
               floor_ms > 0 ? fixed(1e3 / rate / floor_ms, 2) + "×" : "—",
               fixed(static_cast<double>(training_state_bytes(config)) / (1 << 20), 1),
               device.cuda ? fixed(device_mib, 0) : "—", peer_rate, ratio});
    out["train"].push_back(row);
  }
  console << table.text();
}

// The LLaMA 3.2 1B table shape: loading it from safetensors against a plain read of the same file (both
// from the page cache after a warm-up read), and one nearest-neighbour query on the CPU and the GPU.
void bench_inspect(const BenchOptions& o, const DeviceChoice& device, json& out, std::ostream& console) {
  // LLaMA-3.2-1B's table; on the emulated device (33M fibered threads to normalize it) a tenth of its rows.
  const int V = device.emulated ? 12826 : 128256, D = 2048;
  const std::string path = o.out_dir + "/llama_shape_table.safetensors";
  {
    formats::FloatMatrix table{V, D, false, std::vector<float>(static_cast<std::size_t>(V) * D)};
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift: fast filler for 262M values; quality is irrelevant
    for (float& value : table.values) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;
      value = static_cast<float>(static_cast<std::int64_t>(state >> 40) - (1 << 23)) / static_cast<float>(1 << 23);
    }
    formats::write_safetensors(path, {{"tok_embeddings.weight", std::move(table)}}, {});
  }
  const double file_bytes = static_cast<double>(std::filesystem::file_size(path));
  const double read_s = median_seconds(3, [&] {
    std::vector<char> raw(static_cast<std::size_t>(file_bytes));
    std::ifstream(path, std::ios::binary).read(raw.data(), static_cast<std::streamsize>(raw.size()));
  });
  EmbeddingTable table;
  const double load_s = median_seconds(3, [&] { table = load_embedding_table(path, "", ""); });
  std::filesystem::remove(path);
  const std::vector<float> query(table.values.begin(), table.values.begin() + D);
  const auto cpu_index = make_cpu_neighbor_index(table.values, V, D);
  cpu_fast::set_blas_threads(0);  // inspect's own setting: OpenBLAS's default (every core)
  const double cpu_ms = 1e3 * median_seconds(3, [&] { cpu_index->query(query, 10, {0}); });
  console << "\ninspect at " << V << "×" << D << " (F32, " << human_bytes(file_bytes) << "): load "
          << fixed(load_s, 2) << " s vs plain read " << fixed(read_s, 2) << " s (" << fixed(read_s / load_s, 2)
          << "× the plain read's speed, " << fixed(file_bytes / load_s / 1e9, 2) << " GB/s); top-10 neighbours: cpu ("
          << cpu_fast::blas_threads() << " threads) " << fixed(cpu_ms, 1) << " ms";
  out["inspect"] = {{"V", V}, {"D", D}, {"file_bytes", file_bytes}, {"load_seconds", load_s}, {"read_seconds", read_s},
                    {"cpu_neighbors_ms", cpu_ms}, {"cpu_threads", cpu_fast::blas_threads()}};
  if (device.cuda) {
    const auto start = Clock::now();
    const auto gpu_index = make_cuda_neighbor_index(device.index, table.values, V, D);
    const double build_s = std::chrono::duration<double>(Clock::now() - start).count();
    const std::vector<metrics::Neighbor> gpu = gpu_index->query(query, 10, {0}), cpu = cpu_index->query(query, 10, {0});
    if (gpu.size() != cpu.size() || gpu.front().id != cpu.front().id)
      fail("bench inspect: GPU and CPU nearest neighbours differ; timings not reported");
    const double gpu_ms = 1e3 * median_seconds(20, [&] { gpu_index->query(query, 10, {0}); });
    console << ", " << gpu_index->device() << " " << fixed(gpu_ms, 2) << " ms (" << fixed(cpu_ms / gpu_ms, 0)
            << "× the CPU; index built in " << fixed(build_s, 2) << " s)";
    out["inspect"]["gpu_neighbors_ms"] = gpu_ms;
    out["inspect"]["gpu_index_build_seconds"] = build_s;
  }
  console << "\n";
}

}  // namespace

NamedShape shape_named(const std::string& name) {
  if (name == "toy") return {name, {21, 16, 8, 32}};
  if (name == "word") return {name, {10000, 64, 8, 64}};
  if (name == "gpt2") return {name, {50257, 768, 8, 1024}};
  if (name == "llama3") return {name, {128256, 768, 8, 1024}};
  fail("unknown bench shape '", name, "' (toy, word, gpt2, llama3)");
}

void run_bench(const std::string& which, const BenchOptions& o, std::ostream& console) {
  if (which != "lookup-vs-onehot" && which != "kernels" && which != "train" && which != "inspect" && which != "all")
    fail("unknown bench '", which, "' (lookup-vs-onehot, kernels, train, inspect or all)");
  if (o.dim != 0) check_dimension("--dim", o.dim, kMaxDim);  // 0: the device's default
  if (o.tokens < 0 || o.tokens > (1 << 24)) fail("--tokens must be in [1, 16777216], got ", o.tokens);
  if (o.repeats < 0 || o.repeats > 10000) fail("--repeats must be in [1, 10000], got ", o.repeats);
  // The budget bounds the one-hot routes (N·V·D grows fast with --vocab and --tokens) so a GPU check stays
  // inside one device session.
  if (!(o.route_budget_seconds > 0) || o.route_budget_seconds > 86400)
    fail("--route-budget must be in (0, 86400] seconds, got ", o.route_budget_seconds);
  if (o.steps < 0 || o.steps > 1000000) fail("--steps must be in [1, 1000000], got ", o.steps);
  if (!o.peer.empty() && o.peer != "pytorch" && o.peer != "fasttext" && o.peer != "gensim")
    fail("--peer supports pytorch, fasttext and gensim, got '", o.peer, "'");
  const bool text_peer = o.peer == "fasttext" || o.peer == "gensim";
  if (text_peer && which != "train") fail("--peer ", o.peer, " belongs to bench train");
  if (text_peer && o.corpus.empty()) fail("--peer ", o.peer, " needs --corpus TEXT, the text both sides train on");
  if (!text_peer && (!o.corpus.empty() || o.epochs || o.ctx || o.batch))
    fail("--corpus, --epochs, --ctx and --batch belong to --peer fasttext|gensim");
  if (text_peer && o.device != "auto" && o.device != "cpu")
    fail("--peer ", o.peer, " compares one CPU thread each side; give --device cpu or leave it out");
  if (o.epochs < 0 || o.epochs > 10000) fail("--epochs must be in [1, 10000], got ", o.epochs);
  if (o.batch < 0 || o.batch > (1 << 20)) fail("--batch must be in [1, 1048576], got ", o.batch);
  for (const int ranks : o.ranks)
    if (ranks < 1 || ranks > 1024) fail("--ranks values must be in [1, 1024], got ", ranks);
  if (!o.ranks.empty() && !o.peer.empty()) fail("--ranks and --peer are separate measurements; give one");
  for (const std::int64_t V : o.vocab)
    check_dimension("--vocab values", V, kMaxVocab);
  for (const std::string& name : o.shapes) shape_named(name);  // an unknown name fails before any measuring
  std::string notice;
  const DeviceChoice device = resolve_device(text_peer ? "cpu" : o.device, &notice);
  if (!notice.empty()) console << notice << "\n";
  if (device.emulated)
    console << "note: " << device_label(device) << " is the emulated device: every time below is the CPU running the "
            << "emulation (CPU-sized defaults), a check of the CUDA code path, never a GPU figure\n";
  make_directories(o.out_dir);
  json out;
  out["device"] = device.cuda ? gpu_memory(device.index).name : device_label(device);
  out["emulated_device"] = device.emulated;
  std::vector<plots::Series> series;
  // Measured once (GPU: a 1 GiB copy and two 8192³ GEMMs) and shared by every section that needs it.
  const Ceilings ceilings = which == "inspect" || text_peer ? Ceilings{} : device.cuda ? measure_gpu_ceilings(device.index) : measure_cpu_ceilings();
  if (which == "lookup-vs-onehot" || which == "all") bench_lookup_vs_onehot(o, device, ceilings, out, console, series);
  if (which == "kernels" || which == "all") bench_kernels(o, device, ceilings, out, console);
  if (text_peer) bench_train_text_peer(o, out, console);
  else if (which == "train" || which == "all") bench_train(o, device, ceilings, out, console);
  if (which == "inspect" || which == "all") bench_inspect(o, device, out, console);
  const std::string json_path = o.json_path.empty() ? o.out_dir + "/bench.json" : o.json_path;
  write_file_atomically(json_path, json_text(out));
  console << "\nwrote " << json_path;
  if (!series.empty()) {
    const plots::PlotResult p = plots::plot_lines(o.out_dir, "lookup_vs_onehot", series, "lookup vs one-hot matmul on " + device_label(device),
                                                  "vocabulary size V", "milliseconds", true, true);
    console << (p.rendered ? " and " + p.path : "; " + p.note);
  }
  console << "\n";
}

}  // namespace embgeo
