#pragma once
// Checkpoints: the whole state of a training run in one safetensors file — parameters and optimizer moments as
// tensors (E, W and b under the export names, so `inspect` reads a checkpoint too), and in __metadata__ the run
// options, the vocabulary, a fingerprint of the corpus, the progress (step, log, pending loss) and the geometry
// measured so far. Batches come from (seed, step), so this is all a run needs to continue bit-identically.
#include <cstdint>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "train/geometry.hpp"
#include "train/run.hpp"
#include "train/trainer.hpp"

namespace embgeo {

struct Checkpoint {
  RunOptions options;  // what the run was started with (device, threads and quiet are the resumer's)
  std::vector<std::string> vocabulary;
  std::uint64_t corpus_fingerprint = 0;
  ResumePoint resume;
  std::vector<GeometryPoint> geometry;  // the recorder's points so far
};

// FNV-1a over the token ids and the train/validation split: a resumed run must see the same corpus.
std::uint64_t corpus_fingerprint(const Corpus& corpus);

// Writes atomically and durably (temporary name, fsync, rename): an interrupted write keeps the last good one.
void write_checkpoint(const std::string& path, const RunOptions& options, const Corpus& corpus,
                      const TrainProgress& progress, const Backend& backend, const std::vector<GeometryPoint>& geometry);

// One-line Error naming the file when it is not a checkpoint of this program or is inconsistent.
Checkpoint read_checkpoint(const std::string& path);

}  // namespace embgeo
