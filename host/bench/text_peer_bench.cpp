// `bench train --peer fasttext|gensim --corpus TEXT`: our CBOW and a word-embedding tool's, trained on the same
// tokens with the same D, window and epochs on one CPU thread each: words/s, the loss each reaches, and the
// geometry score of both tables from inspect's corpus yardstick.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <utility>

#include "bench/bench.hpp"
#include "bench/text_peers.hpp"
#include "embgeo/error.hpp"
#include "inspect/inspect.hpp"
#include "train/run.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

constexpr int kNeighbors = 5;         // the yardstick's neighbour lists are not reported here
constexpr int kGensimNegatives = 5;   // the gensim setting, negative=5; ours runs the same K

// The measured part of the text, one token after another, for a tool that splits on whitespace: our word
// tokenizer decides the tokens (lower-cased words, each punctuation mark a token), so both sides see the same.
void write_tokens(const Corpus& corpus, const std::string& path) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    for (std::int64_t i = 0; i < corpus.train_tokens; ++i)
      out << corpus.vocab.tokens[corpus.ids[i]] << (i + 1 < corpus.train_tokens ? ' ' : '\n');
    if (!out) fail("cannot write ", temporary);
  }
  std::filesystem::rename(temporary, path);
}

// The peer's input and output files, removed however the bench ends.
struct ScratchDirectory {
  std::string path;
  explicit ScratchDirectory(std::string p) : path(std::move(p)) { std::filesystem::create_directories(path); }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
};

struct Side {
  std::string name;
  double words_per_second = 0, loss = NAN, val_loss = NAN;
  CorpusYardstick yardstick;
};

json side_json(const Side& s) {
  auto number = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
  return {{"side", s.name}, {"words_per_second", s.words_per_second}, {"loss", number(s.loss)},
          {"val_loss", number(s.val_loss)}, {"geometry_score", s.yardstick.geometry_score},
          {"successor_score", s.yardstick.successor_score}, {"score_tokens", s.yardstick.score_tokens},
          {"mapped_tokens", s.yardstick.mapped}};
}

// Our side as `train` would run it: CBOW on the word tokenizer, on the CPU with one thread.
// Its steps are set once the text's length is known.
RunOptions text_peer_run_options(const BenchOptions& o) {
  RunOptions r;
  r.device = "cpu";
  r.corpus_path = o.corpus;
  r.tokenizer = "word";
  r.min_count = 1;  // as the peers' minCount 1: every word its own row
  r.objective = "cbow";
  r.loss = o.peer == "gensim" ? "negative-sampling" : "softmax";
  r.negatives = kGensimNegatives;
  r.dim = o.dim ? o.dim : 64;
  r.ctx = o.ctx ? o.ctx : 10;
  r.batch = o.batch ? o.batch : 64;
  r.threads = 1;
  r.quiet = true;
  return r;
}

}  // namespace

void bench_train_text_peer(const BenchOptions& o, json& out, std::ostream& console) {
  const bool fasttext = o.peer == "fasttext";
  const std::string peer_name = fasttext ? "fastText" : "gensim";
  const int epochs = o.epochs ? o.epochs : 5;
  RunOptions ours = text_peer_run_options(o);
  check_run_options(ours);  // an odd --ctx or a bad --dim fails before anything runs
  // The yardstick's reading of the text is train's: the same tokens and the same cut before the held-out tail.
  const Corpus corpus = read_yardstick_corpus({o.corpus, "word", ours.ctx, ours.val_fraction});
  // Equal work: every training word predicted once an epoch on both sides (ours: B rows a step).
  ours.steps = (epochs * corpus.train_tokens + ours.batch - 1) / ours.batch;
  ours.log_every = static_cast<int>(ours.steps);  // one log point: the run's mean loss
  const ScratchDirectory scratch(o.out_dir + "/peer-scratch-" + std::to_string(::getpid()));
  const std::string tokens_path = scratch.path + "/tokens.txt", vec_path = scratch.path + "/" + o.peer + ".vec";
  write_tokens(corpus, tokens_path);

  console << "\nCBOW (" << ours.loss << (fasttext ? "" : ", K=" + std::to_string(kGensimNegatives)) << ") against "
          << peer_name << " on " << o.corpus << ": " << corpus.train_tokens << " training words (our word tokenizer for "
          << "both), D=" << ours.dim << ", " << ours.ctx / 2 << " words each side, " << epochs
          << " epochs, one CPU thread each\n";
  // The peer first: a missing one fails before ours spends its time.
  const TextPeerRun peer_run{tokens_path, ours.dim, ours.ctx / 2, epochs, kGensimNegatives, vec_path};
  const TextPeerResult peer = fasttext ? run_fasttext_peer(peer_run) : run_gensim_peer(peer_run);
  Side peer_side{peer_name, peer.words_per_second, peer.loss, NAN,
                 corpus_yardstick(load_embedding_table(vec_path, "", ""), corpus, ours.ctx, kNeighbors)};

  std::ostringstream quiet;
  const RunOutcome run = run_training(ours, quiet);
  Side our_side{"embgeo-cuda", static_cast<double>(ours.batch) * ours.steps / run.result.train_seconds,
                run.result.log.back().train_loss, run.result.log.back().val_loss, {}};
  const EmbeddingTable table{"embgeo-cuda", "", "", "F32", run.shape.V, run.shape.D, run.result.final.embedding,
                             run.corpus.vocab.tokens, true};
  our_side.yardstick = corpus_yardstick(table, corpus, ours.ctx, kNeighbors);

  TextTable t({"", "words/s (1 thread)", "loss (run mean)", "val loss", "geometry score", "successor score"});
  for (const Side* s : {&our_side, &peer_side})
    t.add({s->name, fixed(s->words_per_second, 0), fixed(s->loss, 3), std::isfinite(s->val_loss) ? fixed(s->val_loss, 3) : "—",
           fixed(s->yardstick.geometry_score, 3), fixed(s->yardstick.successor_score, 3)});
  console << t.text();
  const double ratio = our_side.words_per_second / peer_side.words_per_second;
  console << "ours / " << peer_name << ": " << fixed(ratio, 3) << "× the words/s. Matched work: ours " << ours.steps
          << " steps × B=" << ours.batch << " = " << ours.steps * ours.batch << " rows (one centre word each) ≈ "
          << epochs << " epochs × " << corpus.train_tokens << " words, timed over the update steps; " << peer_name << " "
          << peer.version << " " << epochs << " epochs, "
          << (fasttext ? "its own words/sec/thread (fastText draws each window's size in [1, ws])"
                       : "words / seconds of model.train() (fixed windows, sample=0)")
          << ". Loss: "
          << (fasttext ? "softmax cross-entropy per word, averaged over the run on both sides"
                       : "ours: -log σ over target and K noise ids per row, run mean; gensim: its running loss per word")
          << ". Scores: inspect's corpus yardstick on both tables, window " << ours.ctx << ".\n";
  out["train_peer"] = {{"peer", o.peer}, {"peer_version", peer.version}, {"corpus", o.corpus},
                       {"training_words", corpus.train_tokens}, {"D", ours.dim}, {"ctx", ours.ctx},
                       {"window_each_side", ours.ctx / 2}, {"epochs", epochs}, {"B", ours.batch}, {"steps", ours.steps},
                       {"loss", ours.loss}, {"negatives", fasttext ? 0 : kGensimNegatives},
                       {"our_train_seconds", run.result.train_seconds}, {"peer_wall_seconds", peer.wall_seconds},
                       {"words_per_second_ratio", ratio}, {"rows", {side_json(our_side), side_json(peer_side)}}};
}

}  // namespace embgeo
