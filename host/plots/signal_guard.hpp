#pragma once
// While gnuplot draws a picture, a terminating signal to us (SIGINT, SIGTERM, SIGHUP) must leave neither gnuplot
// running as an orphan nor its half-written output behind: the guard kills the child, removes the partial file,
// then lets the signal end the process as it would have. One guard at a time (the state a handler may touch is
// static).
#include <signal.h>
#include <sys/types.h>

#include <string>

namespace embgeo::plots::detail {

class SignalGuard {
 public:
  explicit SignalGuard(const std::string& partial_output);  // installs the handlers
  ~SignalGuard();                                           // restores the previous ones
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  void watch(pid_t child);  // the child to kill from now on; 0 for none

 private:
  struct sigaction previous_[3];
};

}  // namespace embgeo::plots::detail
