// SignalGuard: kills the watched gnuplot and removes its partial output when a terminating signal arrives
// (see signal_guard.hpp). The handler uses only async-signal-safe calls.
#include "plots/signal_guard.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace embgeo::plots::detail {
namespace {

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

volatile sig_atomic_t watched_child = 0;
char partial_path[4096];  // empty: nothing to remove (also when the path would not fit)

extern "C" void stop_child_and_die(int signal_number) {
  if (watched_child > 0) ::kill(static_cast<pid_t>(watched_child), SIGKILL);
  if (partial_path[0] != '\0') ::unlink(partial_path);
  // With the default action restored, the signal (blocked while its handler runs) ends the process on return.
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

}  // namespace

SignalGuard::SignalGuard(const std::string& partial_output) {
  const bool fits = partial_output.size() < sizeof partial_path;
  std::memcpy(partial_path, fits ? partial_output.c_str() : "", fits ? partial_output.size() + 1 : 1);
  watched_child = 0;
  struct sigaction action {};
  action.sa_handler = stop_child_and_die;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &action, &previous_[i]);
}

SignalGuard::~SignalGuard() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
  watched_child = 0;
  partial_path[0] = '\0';
}

void SignalGuard::watch(pid_t child) { watched_child = child; }

}  // namespace embgeo::plots::detail
