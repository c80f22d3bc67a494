// InterruptFlag: a sig_atomic_t set by a one-shot handler for SIGINT and SIGTERM.
#include "train/interrupt.hpp"

#include "embgeo/error.hpp"

namespace embgeo {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void remember_signal(int signal) { g_signal = signal; }

}  // namespace

InterruptFlag::InterruptFlag() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second signal is the default one: it ends the process
  if (sigaction(SIGINT, &action, &previous_int_) != 0 || sigaction(SIGTERM, &action, &previous_term_) != 0)
    fail("internal: cannot install the SIGINT/SIGTERM handlers");
}

InterruptFlag::~InterruptFlag() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

bool InterruptFlag::raised() const { return g_signal != 0; }

int InterruptFlag::signal() const { return g_signal; }

}  // namespace embgeo
