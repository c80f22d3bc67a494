// The PyTorch peer of the bench: runs tools/peer_pytorch.py at one shape in a child process and reads back its
// steps/s and torch version from the JSON it writes (EMBGEO_PEER_SCRIPT overrides the script).
#include "bench/peer.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "data/corpus.hpp"
#include "embgeo/error.hpp"

extern char** environ;

namespace embgeo {
namespace {

std::string peer_script() {
  if (const char* path = std::getenv("EMBGEO_PEER_SCRIPT"); path && *path) return path;
  return std::string(EMBGEO_SOURCE_DIR) + "/tools/peer_pytorch.py";
}

// Debian's python3 sees Debian's python3-torch; another python3 first on PATH may not.
std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

}  // namespace

PeerResult run_pytorch_peer(const std::string& device, const ModelShape& s, std::int64_t steps) {
  const std::string script = peer_script();
  if (!std::filesystem::exists(script)) fail("PyTorch peer script not found at ", script, " (set EMBGEO_PEER_SCRIPT)");
  const std::string json_path = (std::filesystem::temp_directory_path() / ("embgeo_peer_" + std::to_string(::getpid()) + ".json")).string();
  const std::string log_path = json_path + ".log";
  const std::string shape = std::to_string(s.V) + "," + std::to_string(s.D) + "," + std::to_string(s.C) + "," + std::to_string(s.B);
  std::vector<std::string> args = {python(), script, "--device", device, "--shape", shape, "--steps", std::to_string(steps),
                                   "--json", json_path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) fail("cannot start ", args[0], " for the PyTorch peer");
  int status = 0;
  waitpid(pid, &status, 0);
  std::string log;
  try {
    log = read_text_file(log_path);
  } catch (const Error&) {
  }
  std::remove(log_path.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::remove(json_path.c_str());
    const std::size_t last = log.find_last_not_of('\n');
    const std::string tail = last == std::string::npos ? "" : log.substr(log.rfind('\n', last) + 1, last - log.rfind('\n', last));
    fail("the PyTorch peer failed: ", tail.empty() ? "no output" : tail);
  }
  const nlohmann::json j = nlohmann::json::parse(read_text_file(json_path));
  std::remove(json_path.c_str());
  const nlohmann::json& row = j.at("results").at(0);
  return {row.at("steps_per_s").get<double>(), j.value("torch", "")};
}

}  // namespace embgeo
