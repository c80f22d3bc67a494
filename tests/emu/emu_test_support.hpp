#pragma once
// Helpers shared by the emulated device's own tests.
#include <cuda_runtime.h>

namespace embgeo_emu::testing {

// Runs a scope under one schedule (and seed) and puts back the one the environment chose, so a run under
// EMBGEO_EMU_SCHEDULE=reverse still runs the other tests in reverse.
class ScheduleOverride {
 public:
  explicit ScheduleOverride(Schedule s, unsigned long long seed = kDefaultSeed) : saved_(schedule()) {
    set_schedule(s, seed);
  }
  ~ScheduleOverride() { set_schedule(saved_); }
  ScheduleOverride(const ScheduleOverride&) = delete;
  ScheduleOverride& operator=(const ScheduleOverride&) = delete;

 private:
  Schedule saved_;
};

}  // namespace embgeo_emu::testing
