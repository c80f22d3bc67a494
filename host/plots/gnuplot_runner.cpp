// Finding and running gnuplot (EMBGEO_GNUPLOT or PATH) on a written script via posix_spawn, within a time limit
// (EMBGEO_GNUPLOT_TIMEOUT seconds) and stopped with us by a terminating signal, renaming its output into place,
// or a note saying how to render by hand when gnuplot is missing, fails or runs too long.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "plots/plot_support.hpp"
#include "plots/signal_guard.hpp"

extern char** environ;

namespace embgeo {
namespace plots {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The gnuplot to run as an absolute path (the child changes directory before exec), or "" when none.
std::string find_gnuplot() {
  const char* configured = std::getenv("EMBGEO_GNUPLOT");
  const std::string program = configured && *configured ? configured : "gnuplot";
  if (program.find('/') != std::string::npos)
    return is_executable_file(program) ? std::filesystem::absolute(program).string() : "";
  const char* path = std::getenv("PATH");
  const std::string search = path ? path : "/bin:/usr/bin";  // execvp's default when PATH is unset
  std::size_t start = 0;
  while (start <= search.size()) {
    std::size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    const std::string directory = end > start ? search.substr(start, end - start) : ".";
    const std::string candidate = directory + "/" + program;
    if (is_executable_file(candidate)) return std::filesystem::absolute(candidate).string();
    start = end + 1;
  }
  return "";
}

std::string shell_quote(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./-+:=,", c));
  if (plain) return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// No picture of ours takes gnuplot more than a few seconds; one that runs this long is not worth the wait.
constexpr int kDefaultTimeoutSeconds = 120;

// The limit on one gnuplot run: EMBGEO_GNUPLOT_TIMEOUT seconds when it is a positive integer, else the default.
int timeout_seconds() {
  const char* configured = std::getenv("EMBGEO_GNUPLOT_TIMEOUT");
  if (!configured || !*configured) return kDefaultTimeoutSeconds;
  char* end = nullptr;
  const long seconds = std::strtol(configured, &end, 10);
  return *end == '\0' && seconds > 0 && seconds <= 86400 ? static_cast<int>(seconds) : kDefaultTimeoutSeconds;
}

struct Outcome {
  bool ok = false;
  std::string error;  // one line when !ok
};

// gnuplot's last non-empty output line is the error itself ("file" line N: message); earlier lines echo
// the offending command and a caret.
std::string last_line(const std::string& output) {
  std::size_t end = output.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  const std::size_t newline = output.find_last_of('\n', end);
  const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
  return output.substr(begin, end - begin + 1);
}

// Runs argv[0] in `dir` with stdin from /dev/null and stdout+stderr captured, killing it after `seconds`, or
// when a terminating signal reaches us (then `partial_output` is removed too, and we die of the signal). It
// stays in our process group, so a Ctrl-C on the terminal reaches it as well. posix_spawn rather than fork:
// the caller may be a large multi-threaded CUDA process.
Outcome run_in(const std::string& dir, const std::vector<std::string>& args, int seconds,
               const std::string& partial_output) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {false, std::string("cannot create a pipe: ") + std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  detail::SignalGuard guard(partial_output);  // before the spawn, so no signal finds the child unwatched
  pid_t pid = 0;
  const int spawn_error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error == 0) guard.watch(pid);
  ::close(pipe_fds[1]);
  if (spawn_error != 0) {
    ::close(pipe_fds[0]);
    return {false, "cannot run " + args[0] + " in " + dir + ": " + std::strerror(spawn_error)};
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const auto milliseconds_left = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
  };
  std::string output;
  char buffer[4096];
  for (pollfd readable{pipe_fds[0], POLLIN, 0}; milliseconds_left() > 0;) {
    const int ready = ::poll(&readable, 1, milliseconds_left());
    const ssize_t got = ready > 0 ? ::read(pipe_fds[0], buffer, sizeof buffer) : -1;
    if (got > 0) {
      output.append(buffer, static_cast<std::size_t>(got));
      if (output.size() > 65536) output.erase(0, output.size() - 65536);  // only the end matters
    } else if (got == 0 || (ready != 0 && errno != EINTR)) {
      break;  // end of output (or a broken pipe): what is left is waiting for the exit
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  pid_t waited = 0;
  while ((waited = ::waitpid(pid, &status, WNOHANG)) == 0 && milliseconds_left() > 0) ::usleep(10'000);
  if (waited == 0) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {false, "ran longer than " + std::to_string(seconds) + " s and was stopped"};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, ""};
  const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                            : "killed by signal " + std::to_string(WTERMSIG(status));
  const std::string message = last_line(output);
  return {false, message.empty() ? how : message + " (" + how + ")"};
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Empty when `path` holds a whole image of its kind, else what is wrong. gnuplot exits 0 even when the disk
// fills up under it, so a PNG must end with its IEND chunk and a GIF with its trailer byte.
std::string incomplete_image(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return "it wrote no " + name;
  if (ends_with(name, ".png")) {
    static const std::string signature("\x89PNG\r\n\x1a\n", 8), iend("\0\0\0\0IEND\xae\x42\x60\x82", 12);
    if (bytes.compare(0, signature.size(), signature) != 0 || !ends_with(bytes, iend))
      return name + " is truncated (no PNG end chunk; disk full?)";
  } else if (ends_with(name, ".gif")) {
    if ((bytes.compare(0, 6, "GIF87a") != 0 && bytes.compare(0, 6, "GIF89a") != 0) || bytes.back() != '\x3b')
      return name + " is truncated (no GIF trailer; disk full?)";
  }
  return "";
}

}  // namespace

bool gnuplot_available() { return !find_gnuplot().empty(); }

namespace detail {

std::string join_path(const std::string& dir, const std::string& file) {
  return dir.empty() ? file : dir.back() == '/' ? dir + file : dir + "/" + file;
}

PlotResult render(const std::string& dir, const std::string& script, const std::string& output) {
  PlotResult result;
  result.path = join_path(dir, output);
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) {
    result.note = "gnuplot not found: wrote " + script + "; render with `cd " + shell_quote(dir.empty() ? "." : dir) +
                  " && gnuplot " + script + "`";
    return result;
  }
  const std::string temporary = output + ".tmp." + std::to_string(::getpid());  // two runs never share one
  const std::string temporary_path = join_path(dir, temporary);
  // -d skips the user's ~/.gnuplot, so the picture depends on the script alone.
  Outcome outcome =
      run_in(dir.empty() ? "." : dir, {gnuplot, "-d", "-e", "outfile=" + quote(temporary), script}, timeout_seconds(),
             temporary_path);
  if (outcome.ok) {
    const std::string problem = incomplete_image(temporary_path, output);
    if (!problem.empty()) outcome = {false, problem};
  }
  if (outcome.ok && std::rename(temporary_path.c_str(), result.path.c_str()) != 0)
    outcome = {false, "cannot rename " + temporary + ": " + std::strerror(errno)};
  if (!outcome.ok) {
    std::remove(temporary_path.c_str());
    result.note = "gnuplot failed on " + join_path(dir, script) + ": " + outcome.error + "; " + output + " not drawn";
    return result;
  }
  result.rendered = true;
  return result;
}

PlotResult write_and_render(const std::string& dir, const std::string& name, const DataFile& data,
                            const std::string& script) {
  write_plot_file(dir, name + ".dat", data.text());
  write_plot_file(dir, name + ".gp", script);
  return render(dir, name + ".gp", name + ".png");
}

}  // namespace detail
}  // namespace plots
}  // namespace embgeo
