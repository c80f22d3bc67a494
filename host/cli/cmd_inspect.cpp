// The options of `inspect FILE` (a real embedding matrix, summarized and queried) and `params` (what a table
// costs); host/inspect/inspect_command.cpp does the work.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "inspect/inspect.hpp"

namespace embgeo::cli {

void add_inspect_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "look inside an embedding matrix (safetensors, .npy or word2vec .vec)");
  cmd->add_option("file", o->file, "the file")->required();
  cmd->add_flag("--list", o->list, "list the tensors in the file");
  cmd->add_option("--tensor", o->tensor, "safetensors tensor to inspect");
  cmd->add_option("--vocab", o->vocab, "vocab.txt (line = id) or a tokenizer.json naming the rows");
  cmd->add_option("--device", o->device, "auto, cpu or a CUDA device number")->capture_default_str();
  cmd->add_option("--token", o->tokens, "describe a row (text or #id); repeatable");
  cmd->add_option("--similarity", o->similarity, "cosine between two tokens")->expected(2);
  cmd->add_option("--neighbors", o->neighbors, "nearest rows of a token; repeatable");
  cmd->add_option("-k", o->k, "neighbours to list")->capture_default_str();
  cmd->add_option("--analogy", o->analogy, "A B C: rows nearest to B − A + C")->expected(3);
  cmd->add_option("--pca", o->pca, "comma-separated tokens: 2-D PCA written as pca.png")->check(non_empty_list());
  cmd->add_option("--out", o->out_dir, "directory for pca.png")->capture_default_str();
  cmd->add_option("--quantize", o->quantize, "int8: per-tensor and per-row error and neighbour changes");
  CLI::Option* corpus =
      cmd->add_option("--corpus", o->corpus.path, "UTF-8 text: train's geometry and successor scores on this table");
  cmd->add_option("--tokenizer", o->corpus.tokenizer, "word or char, as in train")->capture_default_str()->needs(corpus);
  cmd->add_option("--window", o->corpus.window, "co-occurrence window, as train's --ctx")->capture_default_str()->needs(corpus);
  cmd->add_option("--val-fraction", o->corpus.val_fraction, "held-out tail left unmeasured, as in train (0: none)")
      ->capture_default_str()->needs(corpus);
  cmd->add_flag("--json", o->as_json, "machine-readable output");
  cmd->callback([&action, o] { action = [o] { return run_inspect(*o, std::cout); }; });

  struct ParamsOptions {
    int V = 0, D = 0;
    std::string preset;
  };
  auto p = std::make_shared<ParamsOptions>();
  CLI::App* params = app.add_subcommand("params", "parameter count and memory of embedding tables");
  params->add_option("--vocab", p->V, "vocabulary size V");
  params->add_option("--dim", p->D, "embedding dimension D");
  params->add_option("--preset", p->preset, "gpt2, gpt2-xl, bert-base, llama-3.2-1b, gpt3 or all");
  params->callback([&action, p] { action = [p] { return run_params(p->V, p->D, p->preset, std::cout); }; });
}

}  // namespace embgeo::cli
