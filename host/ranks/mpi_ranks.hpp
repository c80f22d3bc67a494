#pragma once
// The ranks of `mpirun -np N embgeo-cuda train ...`: MPI is process-wide, so main() joins once when a launcher
// started the process (and only then: without mpirun the binary never touches MPI), and the rest asks here.
#include <memory>
#include <string>

#include "embgeo/ranks.hpp"

namespace embgeo {

// Joins MPI when the process was started by mpirun (or another PMI launcher), for the lifetime of the object.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

// The process's ranks: nullptr when it was not started by a launcher (or before MpiSession).
RankGroup* launched_ranks();
// This process's index among the ranks on its machine (for the GPU it drives), and their number; 0 and 1
// without ranks.
int local_rank();
int local_rank_count();
// Ends every rank of the job at once: a rank that failed must not leave the others waiting in a collective.
[[noreturn]] void abort_all_ranks(int exit_code);

}  // namespace embgeo
