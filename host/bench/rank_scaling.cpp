// `bench train --ranks 1,2`: the same run as 1, 2, ... ranks, each a real `mpirun -np N embgeo-cuda train` on a
// synthetic token file of the shape, read back from its summary.json: strong scaling (global batch fixed).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "bench/bench.hpp"
#include "bench/child_process.hpp"
#include "data/corpus.hpp"
#include "data/tokenizers.hpp"
#include "embgeo/error.hpp"
#include "embgeo/synthetic_ids.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

// This very binary, so the ranks run the code being measured.
std::string own_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

struct RanksRun {
  double steps_per_second = 0;
  double exchange_seconds = NAN;  // NaN: not measured (the GPU's collectives run inside its captured step)
  double exchange_bytes_per_step = 0;
  std::string exchange;
};

RanksRun train_as_ranks(int ranks, const std::string& tokens, const ModelShape& s, std::int64_t steps,
                        const DeviceChoice& device, const std::string& scratch) {
  const std::string out = scratch + "/ranks" + std::to_string(ranks);
  std::filesystem::remove_all(out);
  std::vector<std::string> args = {"mpirun", "-np", std::to_string(ranks), "--oversubscribe"};
  if (::geteuid() == 0) args.push_back("--allow-run-as-root");  // Open MPI refuses root without it (CI runs as root)
  for (const std::string& a :
       {own_executable(), std::string("train"), std::string("--tokens"), tokens, std::string("--vocab-size"),
        std::to_string(s.V), std::string("--dim"), std::to_string(s.D), std::string("--ctx"), std::to_string(s.C),
        std::string("--batch"), std::to_string(s.B), std::string("--steps"), std::to_string(steps),
        std::string("--log-every"), std::to_string(steps), std::string("--lr"), std::string("0.001"),
        std::string("--threads"), std::string("1"), std::string("--device"), std::string(device.cuda ? "auto" : "cpu"),
        std::string("--out"), out})
    args.push_back(a);
  const ChildResult run = run_child(args, "bench train --ranks (is Open MPI's mpirun installed?)");
  if (!run.ok) fail("bench train --ranks ", ranks, ": ", run.last_line);
  const json summary = json::parse(read_text_file(out + "/summary.json"));
  RanksRun r;
  r.steps_per_second = summary.at("steps_per_second").get<double>();
  if (summary.contains("exchange_seconds") && summary["exchange_seconds"].is_number())
    r.exchange_seconds = summary["exchange_seconds"].get<double>();
  r.exchange_bytes_per_step = summary.value("exchange_bytes_per_step", 0.0);
  r.exchange = summary.value("exchange", "none");
  std::filesystem::remove_all(out);
  return r;
}

}  // namespace

void bench_rank_scaling(const BenchOptions& o, const DeviceChoice& device, const std::vector<std::string>& shapes,
                        json& out, std::ostream& console) {
  console << "\nscaling over ranks (mpirun, global batch fixed) on " << device_label(device)
          << (device.cuda ? ", one GPU per rank" : ", one thread per rank") << "\n";
  TextTable table({"shape", "V", "D", "B", "ranks", "exchange", "steps/s", "speedup", "efficiency", "exchange ms/step",
                   "compute ms/step", "KiB/step/rank"});
  const std::string scratch = o.out_dir + "/ranks-scratch";
  std::filesystem::create_directories(scratch);
  for (const std::string& name : shapes) {
    const ModelShape s = shape_named(name).shape;
    const std::int64_t steps = o.steps ? o.steps : (name == "toy" ? 2000 : 100);
    const std::string tokens = scratch + "/" + name + ".bin";
    write_token_bin(tokens, synthetic_corpus(s.V, std::max<std::size_t>(100000, static_cast<std::size_t>(s.B) * (s.C + 1) * 4), 3));
    double base_rate = 0;
    int base_ranks = 0;
    for (const int ranks : o.ranks) {
      if (s.B % ranks != 0) {
        table.add({name, std::to_string(s.V), std::to_string(s.D), std::to_string(s.B), std::to_string(ranks),
                   "—", "B does not split", "—", "—", "—", "—", "—"});
        continue;
      }
      const RanksRun r = train_as_ranks(ranks, tokens, s, steps, device, scratch);
      if (base_ranks == 0) base_rate = r.steps_per_second, base_ranks = ranks;
      const double speedup = r.steps_per_second / base_rate;
      const double efficiency = speedup * base_ranks / ranks;
      const double step_ms = 1e3 / r.steps_per_second;
      const bool timed = std::isfinite(r.exchange_seconds);
      const double exchange_ms = timed ? 1e3 * r.exchange_seconds / static_cast<double>(steps) : NAN;
      table.add({name, std::to_string(s.V), std::to_string(s.D), std::to_string(s.B), std::to_string(ranks), r.exchange,
                 fixed(r.steps_per_second, 1), fixed(speedup, 2) + "×", fixed(100 * efficiency, 0) + "%",
                 timed ? fixed(exchange_ms, 3) : "—", timed ? fixed(step_ms - exchange_ms, 3) : "—",
                 fixed(r.exchange_bytes_per_step / 1024, 1)});
      out["rank_scaling"].push_back({{"shape", name}, {"V", s.V}, {"D", s.D}, {"C", s.C}, {"B", s.B}, {"ranks", ranks},
                                     {"steps", steps}, {"exchange", r.exchange}, {"steps_per_second", r.steps_per_second},
                                     {"speedup", speedup}, {"efficiency", efficiency},
                                     {"exchange_ms_per_step", timed ? json(exchange_ms) : json(nullptr)},
                                     {"exchange_bytes_per_step", r.exchange_bytes_per_step}});
    }
    std::filesystem::remove(tokens);
  }
  std::filesystem::remove_all(scratch);
  console << table.text();
  if (device.cuda)
    console << "(on a GPU the exchange runs inside the captured step and is not timed apart: see the steps/s)\n";
}

}  // namespace embgeo
