#pragma once
// Turns SIGINT and SIGTERM into a flag the training loop polls between steps, for as long as an
// InterruptFlag lives; the previous handlers come back afterwards. A second signal acts as it would have
// without us (the handler resets itself), so a stuck run can still be killed with a second Ctrl-C.
#include <csignal>

namespace embgeo {

class InterruptFlag {
 public:
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

  bool raised() const;
  int signal() const;  // the signal that raised it (0: none)

 private:
  struct sigaction previous_int_ {}, previous_term_ {};
};

}  // namespace embgeo
