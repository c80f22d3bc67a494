// Published vocabulary size, width and parameter total of well-known models (GPT-2, BERT, LLaMA 3.2, GPT-3):
// the --preset rows of `params`, which sizes their embedding tables.
#include "inspect/inspect.hpp"

namespace embgeo {

// Vocabulary and width from each model's published configuration; totals as published (GPT-2 and
// LLaMA 3.2 tie the output head to the embedding, so their totals count the table once).
const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = {
      {"gpt2", 50257, 768, 124439808},
      {"gpt2-xl", 50257, 1600, 1557611200},
      {"bert-base", 30522, 768, 109482240},
      {"llama-3.2-1b", 128256, 2048, 1235814400},
      {"gpt3", 50257, 12288, 175000000000LL},
  };
  return presets;
}

}  // namespace embgeo
