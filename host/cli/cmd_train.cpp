#include <iostream>
#include <memory>

#include "embgeo/run.hpp"
#include "host/cli/commands.hpp"

namespace embgeo::cli {

void add_train_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("train", "train the next-token model (built-in toy corpus by default)");
  cmd->add_option("--device", options->device, "auto (GPU 0 if present, else CPU), cpu, or a CUDA device number")
      ->capture_default_str();
  cmd->add_option("--corpus", options->corpus_path, "UTF-8 text file to train on (character tokenizer)");
  cmd->add_option("--dim", options->dim, "embedding dimension D")->capture_default_str();
  cmd->add_option("--ctx", options->ctx, "context length C (C ids predict the next)")->capture_default_str();
  cmd->add_option("--batch", options->batch, "batch rows B")->capture_default_str();
  cmd->add_option("--steps", options->steps, "training steps")->capture_default_str();
  cmd->add_option("--lr", options->lr, "learning rate")->capture_default_str();
  cmd->add_option("--optimizer", options->optimizer, "adam or sgd")->capture_default_str();
  cmd->add_option("--seed", options->seed, "seed for initialization and batch sampling")->capture_default_str();
  cmd->add_option("--log-every", options->log_every, "steps between loss lines")->capture_default_str();
  cmd->add_option("--val-fraction", options->val_fraction, "held-out tail of the corpus")->capture_default_str();
  cmd->add_flag("--freeze-embedding", options->freeze_embedding, "train only the head; E gets no gradient");
  cmd->add_option("--out", options->out_dir, "directory for summary.json and metrics.jsonl");
  cmd->callback([&action, options] {
    action = [options] {
      run_training(*options, std::cout);
      return 0;
    };
  });
}

}  // namespace embgeo::cli
