#pragma once
// A program the bench runs beside itself (the PyTorch peer, mpirun): started without a shell, its stdout and
// stderr captured to a file, waited for.
#include <string>
#include <vector>

namespace embgeo {

struct ChildResult {
  bool ok = false;        // exited with status 0
  std::string last_line;  // of its output, for the one-line error when it failed
};

// Runs args[0] (looked up on PATH) with args; Error when it cannot be started at all. `what` names it in errors.
ChildResult run_child(const std::vector<std::string>& args, const std::string& what);

}  // namespace embgeo
