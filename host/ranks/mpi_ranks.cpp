// RankGroup over MPI_COMM_WORLD (Open MPI): blocking host collectives, every error turned into embgeo::Error.
#include "ranks/mpi_ranks.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>

#include "embgeo/error.hpp"

namespace embgeo {
namespace {

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail("MPI: ", call, " failed: ", std::string(text, static_cast<std::size_t>(length)));
}
#define MPI_CALL(call) check_mpi((call), #call)

// MPI counts are int: larger transfers go in pieces.
constexpr std::size_t kMaxCount = static_cast<std::size_t>(std::numeric_limits<int>::max());

class MpiRanks final : public RankGroup {
 public:
  MpiRanks() {
    MPI_CALL(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
    MPI_CALL(MPI_Comm_size(MPI_COMM_WORLD, &size_));
    MPI_Comm node = MPI_COMM_NULL;
    MPI_CALL(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node));
    MPI_CALL(MPI_Comm_rank(node, &local_rank_));
    MPI_CALL(MPI_Comm_size(node, &local_size_));
    MPI_Comm_free(&node);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }

  void all_reduce_sum(float* values, std::size_t count) override { reduce(values, count, MPI_FLOAT, MPI_SUM); }
  void all_reduce_sum(double* values, std::size_t count) override { reduce(values, count, MPI_DOUBLE, MPI_SUM); }
  void all_reduce_min(std::int64_t* values, std::size_t count) override { reduce(values, count, MPI_INT64_T, MPI_MIN); }

  void all_gather(const void* mine, std::size_t bytes, void* all) override {
    if (bytes > kMaxCount) fail("internal: an all-gather of ", bytes, " bytes per rank");
    MPI_CALL(MPI_Allgather(mine, static_cast<int>(bytes), MPI_BYTE, all, static_cast<int>(bytes), MPI_BYTE,
                           MPI_COMM_WORLD));
  }

  void broadcast(void* data, std::size_t bytes, int root) override {
    if (bytes > kMaxCount) fail("internal: a broadcast of ", bytes, " bytes");
    MPI_CALL(MPI_Bcast(data, static_cast<int>(bytes), MPI_BYTE, root, MPI_COMM_WORLD));
  }

  void barrier() override { MPI_CALL(MPI_Barrier(MPI_COMM_WORLD)); }

 private:
  template <typename T>
  void reduce(T* values, std::size_t count, MPI_Datatype type, MPI_Op op) {
    for (std::size_t done = 0; done < count; done += kMaxCount) {
      const int piece = static_cast<int>(std::min(kMaxCount, count - done));
      MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, values + done, piece, type, op, MPI_COMM_WORLD));
    }
  }

  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
};

std::unique_ptr<MpiRanks> g_ranks;

// Open MPI, MPICH/Hydra and Slurm's PMI all announce a launched process in its environment.
bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

}  // namespace

MpiSession::MpiSession() {
  if (!started_by_launcher()) return;
  MPI_CALL(MPI_Init(nullptr, nullptr));
  // Errors come back as codes (turned into Errors above) instead of MPI's default abort without a message.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  g_ranks = std::make_unique<MpiRanks>();
}

MpiSession::~MpiSession() {
  if (!g_ranks) return;
  g_ranks.reset();
  MPI_Finalize();
}

RankGroup* launched_ranks() { return g_ranks.get(); }

int local_rank() { return g_ranks ? g_ranks->local_rank() : 0; }
int local_rank_count() { return g_ranks ? g_ranks->local_size() : 1; }

void abort_all_ranks(int exit_code) {
  if (g_ranks) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

}  // namespace embgeo
