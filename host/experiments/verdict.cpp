// Means, spreads and the verdict sentences: every claim an experiment prints is computed here from numbers.
#include <cmath>

#include "experiments/experiments.hpp"
#include "util/text_table.hpp"

namespace embgeo {

MeanSpread mean_spread(const std::vector<double>& values) {
  MeanSpread m;
  if (values.empty()) return m;
  for (double v : values) m.mean += v;
  m.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double sq = 0;
    for (double v : values) sq += (v - m.mean) * (v - m.mean);
    m.spread = std::sqrt(sq / static_cast<double>(values.size() - 1));
  }
  return m;
}

MeanSpread Arm::stat(double RunStats::*field) const {
  std::vector<double> values;
  for (const RunStats& r : runs) values.push_back(r.*field);
  return mean_spread(values);
}

std::string compare_verdict(const std::string& what, const MeanSpread& baseline, const MeanSpread& variant, int seeds) {
  const double diff = variant.mean - baseline.mean;
  // Twice the standard error of the difference of two means: beyond it the gap is unlikely to be seed noise.
  const double noise = 2.0 * std::sqrt((baseline.spread * baseline.spread + variant.spread * variant.spread) / seeds);
  std::string s = what + ": " + fixed(variant.mean, 3) + " ± " + fixed(variant.spread, 3) + " vs baseline " +
                  fixed(baseline.mean, 3) + " ± " + fixed(baseline.spread, 3);
  // A ratio only means something between two positive quantities (losses, norms), not scores around 0.
  if (baseline.mean > 0 && variant.mean > 0) s += " (" + fixed(variant.mean / baseline.mean, 2) + "× baseline)";
  if (seeds < 2)
    s += "; one seed, so no noise estimate";
  else if (std::fabs(diff) <= noise)
    s += "; the difference " + signed_fixed(diff, 3) + " is within noise (±" + fixed(noise, 3) + " over " +
         std::to_string(seeds) + " seeds)";
  else
    s += "; the difference " + signed_fixed(diff, 3) + " exceeds the seed noise (±" + fixed(noise, 3) + ")";
  return s;
}

OrderVerdict order_verdict(const Arm& arm) {
  std::vector<double> rises;
  for (const RunStats& r : arm.runs) rises.push_back(r.shuffled_val_loss - r.val_loss);
  const MeanSpread rise = mean_spread(rises);
  const int seeds = static_cast<int>(rises.size());
  const double noise = seeds > 1 ? 2.0 * rise.spread / std::sqrt(static_cast<double>(seeds)) : 0.0;
  OrderVerdict v;
  v.uses_order = rise.mean > kOrderGapFloor && rise.mean > noise;
  v.sentence = arm.name + ": validation loss " + fixed(arm.stat(&RunStats::val_loss).mean, 4) + " in order, " +
               fixed(arm.stat(&RunStats::shuffled_val_loss).mean, 4) + " with each window shuffled (rise " +
               signed_fixed(rise.mean, 4) + " ± " + fixed(rise.spread, 4) + " over " + std::to_string(seeds) +
               " seed(s)): " + (v.uses_order ? "order-using" : "order-blind");
  v.sentence += v.uses_order ? " (the rise exceeds the seed noise and " + fixed(kOrderGapFloor, 3) + " nats)"
                             : " (the rise is within the seed noise or below " + fixed(kOrderGapFloor, 3) + " nats)";
  if (seeds < 2) v.sentence += "; one seed, so no noise estimate";
  return v;
}

}  // namespace embgeo
