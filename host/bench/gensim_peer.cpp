// gensim as a bench peer: tools/peer_gensim.py (Word2Vec CBOW, negative sampling, one worker) in a child
// process, its figures read back from the JSON it writes.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/child_process.hpp"
#include "bench/text_peers.hpp"
#include "data/corpus.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

std::string gensim_script() {
  if (const char* path = std::getenv("EMBGEO_GENSIM_SCRIPT"); path && *path) return path;
  return std::string(EMBGEO_SOURCE_DIR) + "/tools/peer_gensim.py";
}

}  // namespace

TextPeerResult run_gensim_peer(const TextPeerRun& run) {
  const std::string script = gensim_script();
  if (!std::filesystem::exists(script)) fail("gensim peer script not found at ", script, " (set EMBGEO_GENSIM_SCRIPT)");
  const std::string json_path = run.vec_path + ".json";
  const auto start = std::chrono::steady_clock::now();
  // The script's own failure line names python3-gensim when gensim is missing.
  const ChildResult r = run_child({debian_python(), script, "--text", run.text_path, "--dim", std::to_string(run.dim),
                                   "--window", std::to_string(run.window), "--epochs", std::to_string(run.epochs),
                                   "--negative", std::to_string(run.negatives), "--vec", run.vec_path, "--json", json_path},
                                  "the gensim peer");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok) fail("the gensim peer failed: ", r.last_line);
  const nlohmann::json j = nlohmann::json::parse(read_text_file(json_path));
  std::filesystem::remove(json_path);
  return {j.at("gensim").get<std::string>(), j.at("words_per_second").get<double>(), j.at("loss_per_word").get<double>(),
          wall};
}

}  // namespace embgeo
