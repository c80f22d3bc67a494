// The `bench` subcommand: its options (which benches, device, vocabulary sizes, shapes, peers, output
// directory) and the action that hands them to run_bench.
#include <iostream>
#include <memory>

#include "bench/bench.hpp"
#include "cli/commands.hpp"

namespace embgeo::cli {

void add_bench_command(CLI::App& app, Action& action) {
  struct Options {
    std::string which = "all";
    BenchOptions bench;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("bench", "measure: lookup-vs-onehot, kernels, train, inspect, or all");
  cmd->add_option("which", o->which, "lookup-vs-onehot, kernels, train, inspect or all")->capture_default_str();
  cmd->add_option("--device", o->bench.device, "auto, cpu or a CUDA device number")->capture_default_str();
  cmd->add_option("--vocab", o->bench.vocab, "lookup-vs-onehot vocabulary sizes, e.g. 1000,10000,100000")->delimiter(',');
  cmd->add_option("--dim", o->bench.dim, "embedding dimension (default 256 GPU, 64 CPU)");
  cmd->add_option("--tokens", o->bench.tokens, "tokens looked up (default 8192 GPU, 256 CPU)");
  cmd->add_option("--repeats", o->bench.repeats, "timed repeats; the median is reported");
  cmd->add_option("--route-budget", o->bench.route_budget_seconds,
                  "seconds a GPU one-hot route may take (check and repeats); longer ones are skipped")
      ->capture_default_str();
  cmd->add_option("--shapes", o->bench.shapes, "train shapes: toy, word, gpt2, llama3")->delimiter(',');
  cmd->add_option("--steps", o->bench.steps, "timed training steps per shape");
  cmd->add_option("--peer", o->bench.peer,
                  "train: pytorch (tools/peer_pytorch.py at the same shapes), fasttext (CBOW, softmax) or gensim "
                  "(CBOW, negative sampling) on --corpus");
  cmd->add_option("--corpus", o->bench.corpus, "--peer fasttext|gensim: the text both sides train on");
  cmd->add_option("--epochs", o->bench.epochs, "--peer fasttext|gensim: passes over the text (default 5)");
  cmd->add_option("--ctx", o->bench.ctx, "--peer fasttext|gensim: the window's words besides the target (default 10)");
  cmd->add_option("--batch", o->bench.batch, "--peer fasttext|gensim: our rows a step (default 64)");
  cmd->add_option("--ranks", o->bench.ranks, "train: rank counts to scale over under mpirun, e.g. 1,2")->delimiter(',');
  cmd->add_option("--out", o->bench.out_dir, "directory for bench.json and the plot")->capture_default_str();
  cmd->add_option("--json", o->bench.json_path, "where to write the JSON (default OUT/bench.json)");
  cmd->callback([&action, o] {
    action = [o] {
      run_bench(o->which, o->bench, std::cout);
      return 0;
    };
  });
}

}  // namespace embgeo::cli
