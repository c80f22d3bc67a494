// The PyTorch peer of the bench: runs tools/peer_pytorch.py at one shape in a child process and reads back its
// steps/s and torch version from the JSON it writes (EMBGEO_PEER_SCRIPT overrides the script).
#include "bench/peer.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/child_process.hpp"
#include "data/corpus.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

std::string peer_script() {
  if (const char* path = std::getenv("EMBGEO_PEER_SCRIPT"); path && *path) return path;
  return std::string(EMBGEO_SOURCE_DIR) + "/tools/peer_pytorch.py";
}

}  // namespace

PeerResult run_pytorch_peer(const std::string& device, const ModelShape& s, std::int64_t steps) {
  const std::string script = peer_script();
  if (!std::filesystem::exists(script)) fail("PyTorch peer script not found at ", script, " (set EMBGEO_PEER_SCRIPT)");
  const std::string json_path = (std::filesystem::temp_directory_path() / ("embgeo_peer_" + std::to_string(::getpid()) + ".json")).string();
  const std::string shape = std::to_string(s.V) + "," + std::to_string(s.D) + "," + std::to_string(s.C) + "," + std::to_string(s.B);
  const ChildResult run = run_child({debian_python(), script, "--device", device, "--shape", shape, "--steps",
                                     std::to_string(steps), "--json", json_path},
                                    "the PyTorch peer");
  if (!run.ok) {
    std::remove(json_path.c_str());
    fail("the PyTorch peer failed: ", run.last_line);
  }
  const nlohmann::json j = nlohmann::json::parse(read_text_file(json_path));
  std::remove(json_path.c_str());
  const nlohmann::json& row = j.at("results").at(0);
  return {row.at("steps_per_s").get<double>(), j.value("torch", "")};
}

}  // namespace embgeo
