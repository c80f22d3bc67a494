#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"
#include "train/device.hpp"
#include "verify/verify.hpp"

namespace embgeo::cli {
namespace {

struct VerifyOptions {
  bool against_cpu = false;
  std::string device = "auto";
  std::string shapes = "all";
  int steps = 3;
  int trajectory_steps = 200;
  std::uint64_t seed = 1337;
  std::string optimizer = "adam";
  bool deterministic = false, tf32 = false;
};

void print_row(const std::string& case_name, const Comparison& c) {
  std::printf("%-13s %-34s %11.3e %11.3e %10.2e %8.0e  %s\n", case_name.c_str(), c.what.c_str(), c.max_abs, c.max_rel,
              c.tolerance.atol, c.tolerance.rtol, c.pass() ? "PASS" : "FAIL");
  for (const std::string& m : c.first_mismatches) std::printf("           mismatch %s\n", m.c_str());
  if (!c.pass()) std::printf("           %zu of %zu elements out of tolerance\n", c.mismatches, c.elements);
}

int run_verify(const VerifyOptions& o) {
  if (!o.against_cpu) fail("verify needs --against-cpu (the CPU reference is the judge)");
  if (o.steps < 1 || o.steps > 1000) fail("--steps must be in [1, 1000], got ", o.steps);
  if (o.trajectory_steps < 0 || o.trajectory_steps > 100000)
    fail("--trajectory-steps must be in [0, 100000], got ", o.trajectory_steps);
  if (o.device == "cpu-reference") fail("verify --against-cpu: cpu-reference is the judge itself; pick cpu or a GPU");
  // TF32 would loosen the GEMM tolerances for a path that has no TF32.
  if (o.device == "cpu" && o.tf32) fail("verify --tf32 checks CUDA TF32 GEMMs; the CPU path has none");
  if (o.device == "auto" && query_gpus().count == 0)
    fail("verify --against-cpu needs a CUDA GPU (", query_gpus().why_none, "); --device cpu checks the fast CPU path");
  const DeviceChoice device = resolve_device(o.device, nullptr);
  const std::vector<VerifyCase> cases = verify_cases(o.shapes, o.seed);

  std::printf("%-13s %-34s %11s %11s %10s %8s  %s\n", "case", "check", "max abs", "max rel", "atol", "rtol", "result");
  bool all_pass = true;
  auto report = [&](const std::string& case_name, const Comparison& c) {
    print_row(case_name, c);
    all_pass = all_pass && c.pass();
  };
  for (const VerifyCase& vc : cases) {
    BackendConfig config = vc.config();
    config.optimizer.kind = parse_optimizer(o.optimizer);
    config.deterministic = o.deterministic;
    config.tf32 = o.tf32;
    const std::unique_ptr<Backend> cpu = make_cpu_backend(config, CpuPath::kReference);
    const std::unique_ptr<Backend> gpu = make_backend(device, config);  // the subject: a GPU or the fast CPU path
    const Params params = init_params(vc.shape, o.seed);
    for (Backend* b : {cpu.get(), gpu.get()}) {
      b->load_corpus(vc.corpus);
      b->load_params(params);
    }
    std::printf("-- %s: %s, %s, %s, V=%d D=%d C=%d B=%d, %d steps of %s%s%s on %s\n", vc.name.c_str(),
                objective_name(vc.layout.objective), loss_name(vc.loss), pooling_description(vc.shape.pooling).c_str(),
                vc.shape.V, vc.shape.D, vc.shape.C, vc.shape.B, o.steps, o.optimizer.c_str(), o.deterministic ? ", deterministic scatter" : "",
                o.tf32 ? ", TF32 GEMMs" : "", gpu->name().c_str());
    for (const Comparison& c : verify_ops(*cpu, *gpu, vc.corpus, o.steps, o.seed, o.tf32)) report(vc.name, c);

    if (vc.name == "toy" && o.trajectory_steps > 0) {
      for (Backend* b : {cpu.get(), gpu.get()}) b->load_params(params);
      const auto windows = static_cast<std::int64_t>(vc.corpus.size()) - vc.layout.context;  // noise: loaded by verify_ops
      report(vc.name, verify_trajectory(*cpu, *gpu, o.trajectory_steps, o.seed, windows));
    }

    // one-hot(x)·E == E[x]: exact on each backend. The CPU product costs N·V·D, so it gets fewer rows.
    const int V = vc.shape.V, D = vc.shape.D;
    const auto cpu_rows = static_cast<std::size_t>(std::clamp<double>(2e8 / (static_cast<double>(V) * D), 1, 1024));
    const std::vector<std::int32_t> cpu_ids(vc.corpus.begin(), vc.corpus.begin() + std::min(cpu_rows, vc.corpus.size()));
    report(vc.name, verify_onehot_identity_cpu(cpu_ids, params.embedding, V, D));
    if (!device.cuda) continue;
    const std::vector<std::int32_t> gpu_ids(vc.corpus.begin(), vc.corpus.begin() + std::min<std::size_t>(4096, vc.corpus.size()));
    const OnehotVsGather on_gpu = cuda_onehot_vs_gather(device.index, gpu_ids, params.embedding, V, D);
    std::vector<float> reference(gpu_ids.size() * D);
    cpu::gather_pool_forward(gpu_ids.data(), params.embedding.data(), nullptr, reference.data(), static_cast<int>(gpu_ids.size()), 1, D, Pooling{});
    report(vc.name, compare_tensors("gpu one-hot(x)·E == E[x]", on_gpu.onehot, on_gpu.gathered, {}));
    report(vc.name, compare_tensors("gpu gather E[x] == cpu E[x]", on_gpu.gathered, reference, {}));
  }
  std::printf("%s\n", all_pass ? "verify: PASS (every tensor within tolerance)" : "verify: FAIL");
  return all_pass ? 0 : 1;
}

}  // namespace

void add_verify_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "check every GPU (or fast CPU) op against the CPU reference");
  cmd->add_flag("--against-cpu", options->against_cpu, "compare the GPU with the CPU reference (required)");
  cmd->add_option("--device", options->device, "CUDA device number (auto: 0), or cpu for the fast CPU path")
      ->capture_default_str();
  cmd->add_option("--shapes", options->shapes, "toy, odd, large or all")->capture_default_str();
  cmd->add_option("--steps", options->steps, "training steps compared op by op per shape")->capture_default_str();
  cmd->add_option("--trajectory-steps", options->trajectory_steps, "free-running steps compared at the toy shape")
      ->capture_default_str();
  add_seed_option(*cmd, options->seed, "seed for parameters, corpus and batches");
  cmd->add_option("--optimizer", options->optimizer, "adam, lazy-adam or sgd")->capture_default_str();
  cmd->add_flag("--deterministic", options->deterministic, "check the sorted (deterministic) scatter-add");
  cmd->add_flag("--tf32", options->tf32, "check TF32 head GEMMs (with TF32-sized tolerances on GEMM outputs)");
  cmd->callback([&action, options] { action = [options] { return run_verify(*options); }; });
}

}  // namespace embgeo::cli
