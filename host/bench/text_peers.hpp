#pragma once
// The word-embedding peers of `bench train --peer fasttext|gensim`, each run as a child process on one thread:
// fastText's CBOW with full softmax and gensim's Word2Vec CBOW with negative sampling. Both read a text of
// whitespace-separated tokens and leave their input vectors as word2vec text for the geometry yardstick.
#include <string>

namespace embgeo {

struct TextPeerRun {
  std::string text_path;  // whitespace-separated tokens
  int dim = 0;
  int window = 0;         // context words each side
  int epochs = 0;
  int negatives = 0;      // gensim only
  std::string vec_path;   // where the peer's table goes, ending in .vec (fastText adds it to its prefix)
};

struct TextPeerResult {
  std::string version;
  double words_per_second = 0;  // as the peer reports it, on its one thread
  double loss = 0;              // mean over the whole run, per predicted word, as the peer reports it
  double wall_seconds = 0;      // the child process, start to end (vocabulary and file writing included)
};

// Error (one line naming the Debian package) when the peer is missing or fails. EMBGEO_FASTTEXT overrides
// the fastText binary; EMBGEO_GENSIM_SCRIPT the gensim script (default tools/peer_gensim.py).
TextPeerResult run_fasttext_peer(const TextPeerRun& run);
TextPeerResult run_gensim_peer(const TextPeerRun& run);

}  // namespace embgeo
