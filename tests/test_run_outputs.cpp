// A whole `train` run on the CPU: every promised file appears, and each export reads back through its reader.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "cli_runner.hpp"
#include "formats/formats.hpp"
#include "plots/plots.hpp"
#include "train/run.hpp"
#include "train/run_reading.hpp"

namespace embgeo {
namespace {

using testing_support::slurp;
using testing_support::TempDir;

struct ToyRunFiles {
  TempDir dir;
  RunOptions options;
  RunOutcome run;
  ToyRunFiles() {
    options.device = "cpu";
    options.steps = 300;
    options.log_every = 100;
    options.quiet = true;
    std::ostringstream console;
    run = run_training(options, console);
    write_run_outputs(options, run, dir.path().string(), console);
  }
};

TEST(RunOutputs, EveryExportReadsBackWithTheTrainedValues) {
  const ToyRunFiles f;
  const int V = f.run.shape.V, D = f.run.shape.D;
  const std::string dir = f.dir.path().string();

  const formats::MappedFile after(dir + "/embedding_after.safetensors");
  const formats::SafetensorsHeader header = formats::parse_safetensors(after.data(), after.size(), "after");
  EXPECT_EQ(header.metadata.at("seed"), "1337");
  EXPECT_EQ(header.metadata.at("vocab_size"), std::to_string(V));
  const formats::FloatMatrix E = formats::load_safetensors_tensor(after.data(), after.size(), header, "embedding", "after");
  EXPECT_EQ(E.values, f.run.result.final.embedding);
  const formats::FloatMatrix bias = formats::load_safetensors_tensor(after.data(), after.size(), header, "head.bias", "after");
  EXPECT_TRUE(bias.is_vector);
  EXPECT_EQ(bias.values, f.run.result.final.head_bias);
  const formats::MappedFile before(dir + "/embedding_before.safetensors");
  EXPECT_EQ(formats::load_safetensors_tensor(before.data(), before.size(),
                                             formats::parse_safetensors(before.data(), before.size(), "before"),
                                             "embedding", "before").values,
            f.run.result.initial.embedding);

  const formats::MappedFile npy(dir + "/embedding.npy");
  const formats::FloatMatrix from_npy = formats::parse_npy(npy.data(), npy.size(), "npy");
  EXPECT_EQ(from_npy.rows, V);
  EXPECT_EQ(from_npy.cols, D);
  EXPECT_EQ(from_npy.values, f.run.result.final.embedding);

  const formats::MappedFile vec(dir + "/vectors.vec");
  const formats::WordVectors words = formats::parse_word2vec_text(vec.data(), vec.size(), "vec");
  EXPECT_EQ(words.tokens, f.run.corpus.vocab.tokens);  // includes the " " token, escaped in the file
  EXPECT_EQ(words.vectors.values, f.run.result.final.embedding);
  EXPECT_EQ(formats::read_vocab(dir + "/vocab.txt"), f.run.corpus.vocab.tokens);

  std::istringstream tsv(slurp(dir + "/vectors.tsv")), meta(slurp(dir + "/metadata.tsv"));
  int tsv_rows = 0, meta_rows = 0;
  for (std::string line; std::getline(tsv, line); ++tsv_rows) EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), D - 1);
  for (std::string line; std::getline(meta, line);) ++meta_rows;
  EXPECT_EQ(tsv_rows, V);
  EXPECT_EQ(meta_rows, V);
}

TEST(RunOutputs, SummaryMetricsReportAndPictures) {
  const ToyRunFiles f;
  const std::string dir = f.dir.path().string();
  const nlohmann::json summary = nlohmann::json::parse(slurp(dir + "/summary.json"));
  EXPECT_EQ(summary["geometry"]["pairs"].size(), f.run.geometry.pairs.size());
  EXPECT_EQ(summary["geometry"]["cosine_matrix"]["after"].size(), static_cast<std::size_t>(f.run.shape.V));
  EXPECT_DOUBLE_EQ(summary["val_loss"].get<double>(), f.run.result.log.back().val_loss);
  EXPECT_FALSE(summary["reading"].empty());
  std::istringstream metrics(slurp(dir + "/metrics.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(metrics, line); ++lines) {
    const nlohmann::json j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("geometry_score"));
    EXPECT_TRUE(j["norm"].contains("std"));
  }
  EXPECT_EQ(lines, 4);  // steps 0, 100, 200, 300
  const std::string report = slurp(dir + "/report.md");
  EXPECT_NE(report.find("## Reading"), std::string::npos);
  EXPECT_NE(report.find("Validation loss fell from"), std::string::npos);
  // Each picture with the gnuplot script that draws it: scripts are always written, images when gnuplot exists.
  const std::pair<const char*, const char*> pictures[] = {
      {"loss.png", "loss.gp"},   {"norms.png", "norms.gp"},         {"pca.png", "pca.gp"},
      {"cosine_before.png", "cosine_before.gp"}, {"cosine_after.png", "cosine_after.gp"},
      {"trajectory.gif", "trajectory_gif.gp"},   {"trajectory.png", "trajectory.gp"}};
  for (const auto& [picture, script] : pictures) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + script)) << script;
    if (plots::gnuplot_available()) {
      EXPECT_TRUE(std::filesystem::exists(dir + "/" + picture)) << picture;
      EXPECT_NE(report.find(std::string("](") + picture + ")"), std::string::npos) << picture;
    }
  }
}

TEST(RunOutputs, ReadingNamesOverfittingWhenValidationLossTurnsUp) {
  RunOutcome run;
  run.shape = {10, 4, 2, 2};
  GeometryPoint p;
  for (auto [step, train, val] : {std::tuple{0, 2.3, 2.3}, {100, 1.2, 1.5}, {200, 0.9, 1.7}}) {
    p.step = step;
    p.train_loss = train;
    p.val_loss = val;
    p.norms.mean = 1;
    run.geometry.points.push_back(p);
  }
  bool said = false;
  for (const std::string& line : run_reading(run)) said = said || line.find("lowest at step 100") != std::string::npos;
  EXPECT_TRUE(said);
}


// A diverging run (--lr 1e6: losses from 3.2 to 6e12) is read as diverging, not as overfitting.
TEST(RunOutputs, ReadingNamesDivergenceNotOverfitting) {
  RunOutcome run;
  run.shape = {21, 4, 2, 2};
  GeometryPoint p;
  p.norms.mean = 1;
  for (auto [step, train, val] : {std::tuple{0, 3.19, 3.2}, {100, 1e6, 2e6}, {200, 6e12, 5.7e12}}) {
    p.step = step;
    p.train_loss = train;
    p.val_loss = val;
    run.geometry.points.push_back(p);
  }
  run.geometry.pca_after.explained[0] = 0.9;  // a diverged table is dominated by a few huge rows
  std::string said;
  for (const std::string& line : run_reading(run)) said += line + "\n";
  EXPECT_EQ(said.find("overfits"), std::string::npos) << said;
  EXPECT_EQ(said.find("as structure formed"), std::string::npos) << said;
  EXPECT_EQ(said.find("kept falling"), std::string::npos) << said;
  EXPECT_NE(said.find("Validation loss rose from 3.200 to 5.7e+12 and the training loss with it"), std::string::npos)
      << said;
  EXPECT_NE(said.find("diverged"), std::string::npos) << said;
}

}  // namespace
}  // namespace embgeo
