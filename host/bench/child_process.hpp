#pragma once
// A program the bench runs beside itself (the peers, mpirun): started without a shell, its stdout and stderr
// captured to a file, waited for.
#include <string>
#include <vector>

namespace embgeo {

struct ChildResult {
  bool ok = false;        // exited with status 0
  std::string last_line;  // of its output, for the one-line error when it failed
  std::string output;     // stdout and stderr, interleaved as written
};

// Runs args[0] (looked up on PATH) with args; Error when it cannot be started at all. `what` names it in errors.
ChildResult run_child(const std::vector<std::string>& args, const std::string& what);

// Debian's python3, which sees Debian's python3-torch and python3-gensim; another python3 first on PATH (pyenv)
// may not. "python3" where /usr/bin/python3 is absent.
std::string debian_python();

}  // namespace embgeo
