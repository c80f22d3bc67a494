// The run options that `train` and `experiment` share (device, corpus, shape, optimizer, geometry queries),
// and their post-parse step that turns --pairs and --neighbors into GeometryOptions.
#include "cli/train_options.hpp"

#include "cli/option_checks.hpp"
#include "embgeo/error.hpp"
#include "util/split_list.hpp"

namespace embgeo::cli {

void add_run_options(CLI::App& cmd, TrainCliOptions& o) {
  RunOptions& r = o.run;
  cmd.add_option("--device", r.device,
                 "auto (GPU 0 if present, else CPU), cpu, cpu-reference (the plain judge loops) or a CUDA device number")
      ->capture_default_str();
  cmd.add_option("--threads", r.threads, "CPU: OpenBLAS threads for the head GEMMs (0: OPENBLAS_NUM_THREADS or all cores)")
      ->capture_default_str();
  cmd.add_option("--corpus", r.corpus_path, "UTF-8 text file to train on");
  cmd.add_option("--tokenizer", r.tokenizer, "char or word (lower-cased words, punctuation as tokens)")
      ->capture_default_str();
  cmd.add_option("--min-count", r.min_count, "word tokenizer: words seen fewer times become <unk>")->capture_default_str();
  cmd.add_option("--tokens", r.tokens_path, "pre-tokenized llm.c .bin file instead of --corpus");
  cmd.add_option("--vocab", r.vocab_path, "vocab.txt naming the ids of --tokens (line number = id)");
  cmd.add_option("--vocab-size", r.vocab_size, "vocabulary size V of --tokens without --vocab (ids must be below it)");
  cmd.add_option("--dim", r.dim, "embedding dimension D")->capture_default_str();
  cmd.add_option("--objective", r.objective,
                 "next (C ids predict the next), cbow (C/2 each side predict the centre) or skipgram (the centre "
                 "predicts each id of its window of C)")
      ->capture_default_str();
  cmd.add_option("--loss", r.loss,
                 "softmax (over the whole vocabulary) or negative-sampling (the target against --negatives noise ids)")
      ->capture_default_str();
  cmd.add_option("--negatives", r.negatives, "negative sampling: noise ids per row, drawn from unigram^0.75")
      ->capture_default_str();
  cmd.add_option("--ctx", r.ctx, "context length C: ids a window holds besides its target")->capture_default_str();
  cmd.add_option("--pool", r.pool, "mean (h is the mean of the C context rows) or concat (h is their C·D concatenation)")
      ->capture_default_str();
  cmd.add_option("--position", r.position,
                 "none, learned or sinusoidal: a (C,D) position table combined with each context row")
      ->capture_default_str();
  cmd.add_option("--position-mode", r.position_mode, "add (E[x_c] + P[c]) or multiply (E[x_c] * P[c])")
      ->capture_default_str();
  cmd.add_option("--batch", r.batch, "batch rows B")->capture_default_str();
  cmd.add_option("--steps", r.steps, "training steps")->capture_default_str();
  cmd.add_option("--lr", r.lr, "learning rate")->capture_default_str();
  cmd.add_option("--optimizer", r.optimizer, "adam, lazy-adam (only touched embedding rows) or sgd")->capture_default_str();
  add_seed_option(cmd, r.seed, "seed for initialization and batch sampling");
  cmd.add_option("--log-every", r.log_every, "steps between measurements")->capture_default_str();
  cmd.add_option("--val-fraction", r.val_fraction, "held-out tail of the corpus")->capture_default_str();
  cmd.add_flag("--freeze-embedding", r.freeze_embedding, "train only the head; E gets no gradient");
  cmd.add_flag("--deterministic", r.deterministic, "GPU: sorted scatter-add instead of atomics (bit-identical runs)");
  cmd.add_flag("--tf32", r.tf32, "GPU: head GEMMs on TF32 tensor cores");
  cmd.add_option("--pairs", o.pairs, "extra token pairs to follow, e.g. a:b,c:t (#id for ids)")
      ->check(non_empty_list());
  cmd.add_option("--neighbors", o.neighbors, "tokens whose nearest neighbours to show, e.g. a,t,#3")
      ->check(non_empty_list());
  cmd.add_option("-k", r.geometry.k, "neighbours per token")->capture_default_str();
}

void finish_run_options(TrainCliOptions& o) {
  if (!o.pairs.empty())
    for (const std::string& item : split_list(o.pairs, ',')) {
      const std::size_t colon = item.find(':', 1);  // from 1, so ":" itself can be the first token
      if (colon == std::string::npos || colon + 1 >= item.size())
        fail("--pairs wants a:b items separated by commas, got '", item, "'");
      o.run.geometry.user_pairs.emplace_back(item.substr(0, colon), item.substr(colon + 1));
    }
  if (!o.neighbors.empty()) o.run.geometry.neighbor_tokens = split_list(o.neighbors, ',');
}

}  // namespace embgeo::cli
