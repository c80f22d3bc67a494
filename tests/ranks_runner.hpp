#pragma once
// Runs the CLI as N ranks under mpirun the way a user does (shared by the CPU tests of test_ranks.cpp and the
// NCCL-path tests of tests/gpu/): the run itself, its final embedding, and a rank killed mid-run.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.hpp"
#include "formats/formats.hpp"

extern char** environ;

namespace embgeo::testing_support {

// Whether Open MPI's mpirun is on PATH.
inline bool mpirun_available() { return std::system("command -v mpirun >/dev/null 2>&1") == 0; }

}  // namespace embgeo::testing_support

// Where the binaries were built (CI), mpirun is a build dependency and must be there; a GPU machine running a
// prebuilt bundle ($EMBGEO_CLI, tools/gpu-bundle.sh) may lack Open MPI, and then the rank tests skip, saying so.
#define REQUIRE_MPIRUN()                                                                                      \
  do {                                                                                                        \
    if (!::embgeo::testing_support::mpirun_available()) {                                                     \
      if (std::getenv("EMBGEO_CLI") == nullptr) GTEST_FAIL() << "mpirun not found (tools/deps.sh installs openmpi-bin)"; \
      GTEST_SKIP() << "mpirun not found on this machine: install openmpi-bin to run the rank tests";        \
    }                                                                                                         \
  } while (0)

namespace embgeo::testing_support {

// mpirun as CI runs it: ranks may outnumber cores (--oversubscribe), root needs --allow-run-as-root, and a
// wedged job is cut off rather than hanging the suite.
// Under ASan (tools/test.sh's sanitizer build) LeakSanitizer would report Open MPI's own allocations, made by
// plugins it unloads at exit, in every rank; the single-process tests keep leak checking for the project's code.
inline std::string mpirun_command(int ranks) {
  std::string command = "env ASAN_OPTIONS=detect_leaks=0 mpirun -np " + std::to_string(ranks) + " --oversubscribe";
  if (::geteuid() == 0) command += " --allow-run-as-root";
  return command + " ";
}

inline CliResult run_ranks(int ranks, const std::string& args, const TempDir& scratch) {
  return run_cli(args, scratch, "timeout 300 " + mpirun_command(ranks));
}

// The trained table a run directory holds.
inline std::vector<float> final_embedding(const std::string& run_dir) {
  const std::string bytes = slurp(run_dir + "/embedding.npy");
  return formats::parse_npy(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), run_dir).values;
}

// A word-level text (~1500-word vocabulary, Zipf-like, with a successor structure) so the tests cover a
// shape where V·D dwarfs the batch, the case the sparse exchange is for.
inline std::string write_word_corpus(const TempDir& scratch) {
  const std::string path = scratch.file("words.txt");
  std::ofstream out(path);
  std::uint64_t state = 12345;
  auto next = [&state] { return (state = state * 6364136223846793005ull + 1442695040888963407ull) >> 33; };
  std::uint64_t previous = 0;
  for (int i = 0; i < 40000; ++i) {
    const std::uint64_t draw = next() % 1000;
    // Half the time the successor of the previous word, otherwise a word drawn with a 1/rank-like weight.
    const std::uint64_t word = draw < 500 ? (previous * 7 + 3) % 1500 : (draw * draw * draw) / 666667;
    out << 'w' << word << ((i % 17 == 16) ? ".\n" : " ");
    previous = word;
  }
  return path;
}

// A job whose rank `victim` got a signal once training was under way: how the job ended.
struct SignalledRankOutcome {
  int exit_code = -1;         // mpirun's
  double seconds_after_kill = 0;
  bool survivors_gone = false;  // no rank process of the job left behind
  std::string err;
};

namespace detail {

// The pids of processes whose environment says they are rank `rank` of an Open MPI job started by `launcher`.
inline std::vector<pid_t> rank_pids(pid_t launcher, int rank) {
  std::vector<pid_t> found;
  const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    char state;
    pid_t parent = 0;
    fields >> state >> parent;
    if (parent != launcher) continue;
    const std::string env = slurp(entry.path() / "environ");
    for (std::size_t at = 0; at < env.size();) {
      const std::size_t end = env.find('\0', at);
      if (env.compare(at, (end == std::string::npos ? env.size() : end) - at, wanted) == 0)
        found.push_back(static_cast<pid_t>(std::stoi(name)));
      if (end == std::string::npos) break;
      at = end + 1;
    }
  }
  return found;
}

// Running or sleeping, not gone and not a zombie waiting to be reaped.
inline bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

}  // namespace detail

// Starts `mpirun -np ranks <cli> train_args` (stdout and stderr to files in scratch), waits for rank 0's first
// log line, sends `signal` to rank `victim`, and waits (at most 60 s) for mpirun to end.
inline SignalledRankOutcome signal_a_rank_mid_run(int ranks, int victim, int signal, const std::string& train_args,
                                                  const TempDir& scratch) {
  SignalledRankOutcome outcome;
  const std::string out = scratch.file("killed.stdout"), err = scratch.file("killed.stderr");
  // exec: mpirun itself is the child watched, and the ranks are its children.
  const std::string command = "exec " + mpirun_command(ranks) + "'" + cli_path() + "' " + train_args + " >'" + out +
                              "' 2>'" + err + "' </dev/null";
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t launcher = 0;
  if (posix_spawn(&launcher, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    ADD_FAILURE() << "could not start mpirun";
    return outcome;
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<pid_t> victims, survivors;
  while (std::chrono::steady_clock::now() < give_up) {
    if (slurp(out).find("step ") != std::string::npos) {
      victims = detail::rank_pids(launcher, victim);
      if (!victims.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (int r = 0; r < ranks; ++r)
    if (r != victim)
      for (const pid_t pid : detail::rank_pids(launcher, r)) survivors.push_back(pid);
  if (victims.empty()) {
    ::kill(launcher, SIGKILL);
    ::waitpid(launcher, nullptr, 0);
    ADD_FAILURE() << "rank " << victim << " never started training: " << slurp(err);
    return outcome;
  }
  for (const pid_t pid : victims) ::kill(pid, signal);
  const auto killed = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(launcher, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > killed + std::chrono::seconds(60)) {
      ::kill(launcher, SIGKILL);
      ::waitpid(launcher, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  outcome.seconds_after_kill = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // mpirun's last act is to signal the others; give them a few seconds to be gone.
  const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    outcome.survivors_gone = std::none_of(survivors.begin(), survivors.end(), detail::process_alive);
    if (!outcome.survivors_gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (!outcome.survivors_gone && std::chrono::steady_clock::now() < grace);
  outcome.err = slurp(err);
  return outcome;
}

// For each exchange, two runs of `train_args` as `ranks` ranks: their final tables must be the same bits.
inline void expect_repeatable_rank_runs(int ranks, const std::string& train_args, const TempDir& scratch) {
  for (const std::string exchange : {"dense", "sparse"}) {
    std::vector<float> tables[2];
    for (int run = 0; run < 2; ++run) {
      const std::string out = scratch.file(exchange + std::to_string(run));
      const CliResult r = run_ranks(ranks, train_args + " --exchange " + exchange + " --out '" + out + "'", scratch);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      tables[run] = final_embedding(out);
    }
    EXPECT_EQ(tables[0], tables[1]) << exchange;
  }
}

// Rank 1 of 2 killed with SIGKILL mid-run: the job ends with an error within seconds, no rank left behind.
inline void expect_killed_rank_ends_job(const std::string& train_args, const TempDir& scratch) {
  const SignalledRankOutcome o = signal_a_rank_mid_run(2, 1, SIGKILL, train_args, scratch);
  EXPECT_NE(o.exit_code, 0) << o.err;
  EXPECT_LT(o.seconds_after_kill, 15.0) << o.err;
  EXPECT_TRUE(o.survivors_gone) << "rank 0 outlived the job";
}

}  // namespace embgeo::testing_support
