// run_child: posix_spawnp with stdout and stderr sent to a temporary log, whose last line is kept.
#include "bench/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "data/corpus.hpp"
#include "embgeo/error.hpp"

extern char** environ;

namespace embgeo {

ChildResult run_child(const std::vector<std::string>& args, const std::string& what) {
  static int counter = 0;
  const std::string log_path = (std::filesystem::temp_directory_path() /
                                ("embgeo_child_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".log"))
                                   .string();
  std::vector<std::string> owned = args;
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::remove(log_path.c_str());
    fail("cannot start ", args[0], " for ", what);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::string log;
  try {
    log = read_text_file(log_path);
  } catch (const Error&) {
  }
  std::remove(log_path.c_str());
  ChildResult result;
  result.output = log;
  result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const std::size_t last = log.find_last_not_of('\n');
  if (last != std::string::npos) {
    const std::size_t begin = log.rfind('\n', last);
    result.last_line = log.substr(begin == std::string::npos ? 0 : begin + 1, last - (begin == std::string::npos ? 0 : begin + 1) + 1);
  }
  if (result.last_line.empty()) result.last_line = "no output";
  return result;
}

std::string debian_python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

}  // namespace embgeo
