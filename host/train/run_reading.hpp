#pragma once
// What a run's numbers say: tables and plain-language sentences generated from the measurements (never
// canned text), shared by the console, summary.json and report.md.
#include <string>
#include <utility>
#include <vector>

#include "plots/plots.hpp"
#include "train/run.hpp"
#include "util/text_table.hpp"

namespace embgeo {

struct PairGroupMean {
  std::string group;
  int count = 0;
  double before = 0, after = 0;
};
std::vector<PairGroupMean> pair_group_means(const GeometryReport& g);

// (title, table) for: before/after summary, pairs, neighbours.
std::vector<std::pair<std::string, TextTable>> geometry_tables(const RunOutcome& run);

std::vector<std::string> run_reading(const RunOutcome& run);

std::string run_report_markdown(const RunOptions& options, const RunOutcome& run,
                                const std::vector<plots::PlotResult>& pictures);

}  // namespace embgeo
