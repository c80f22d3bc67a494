// The emulator's schedules: the order of a block's threads between barriers and the order of a grid's blocks,
// forward, reverse or random (seeded), so code that silently relies on one order gives different results.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <numeric>

#include "cuda_runtime.h"
#include "emu_internal.hpp"

namespace embgeo_emu {
namespace {

struct ScheduleState {
  Schedule schedule = Schedule::kForward;
  std::uint64_t rng = kDefaultSeed;
};

[[noreturn]] void bad_environment(const char* variable, const char* value, const char* expected) {
  std::fprintf(stderr, "emulated device: %s=%s is not %s\n", variable, value, expected);
  std::exit(2);
}

ScheduleState read_environment() {
  ScheduleState state;
  if (const char* name = std::getenv("EMBGEO_EMU_SCHEDULE"); name && *name) {
    if (std::strcmp(name, "forward") == 0)
      state.schedule = Schedule::kForward;
    else if (std::strcmp(name, "reverse") == 0)
      state.schedule = Schedule::kReverse;
    else if (std::strcmp(name, "random") == 0)
      state.schedule = Schedule::kRandom;
    else
      bad_environment("EMBGEO_EMU_SCHEDULE", name, "one of forward, reverse, random");
  }
  if (const char* seed = std::getenv("EMBGEO_EMU_SEED"); seed && *seed) {
    char* end = nullptr;
    errno = 0;
    state.rng = std::strtoull(seed, &end, 0);
    if (errno != 0 || *end != '\0') bad_environment("EMBGEO_EMU_SEED", seed, "an unsigned integer");
  }
  return state;
}

ScheduleState& state() {
  static ScheduleState s = read_environment();
  return s;
}

// splitmix64: tiny, and good enough to make permutations that do not repeat.
std::uint64_t next_random() {
  std::uint64_t z = (state().rng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

template <typename T>
void shuffle(std::vector<T>& values) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[next_random() % i]);
}

}  // namespace

void set_schedule(Schedule schedule, unsigned long long seed) {
  state().schedule = schedule;
  state().rng = seed;
}

Schedule schedule() { return state().schedule; }

const char* schedule_name() {
  switch (state().schedule) {
    case Schedule::kForward:
      return "forward";
    case Schedule::kReverse:
      return "reverse";
    case Schedule::kRandom:
      return "random";
  }
  return "?";
}

namespace detail {

void fill_thread_order(std::vector<unsigned>& order, unsigned count) {
  const Schedule s = schedule();
  order.resize(count);
  std::iota(order.begin(), order.end(), 0u);
  if (s == Schedule::kReverse) std::reverse(order.begin(), order.end());
  if (s == Schedule::kRandom) shuffle(order);
}

BlockOrder::BlockOrder(std::uint64_t blocks) : blocks_(blocks), schedule_(schedule()) {
  if (schedule_ != Schedule::kRandom) return;
  if (blocks_ <= (std::uint64_t{1} << 24)) {
    shuffled_.resize(blocks_);
    std::iota(shuffled_.begin(), shuffled_.end(), 0u);
    shuffle(shuffled_);
    return;
  }
  offset_ = next_random() % blocks_;
  do stride_ = (next_random() % blocks_) | 1;
  while (std::gcd(stride_, blocks_) != 1);
}

std::uint64_t BlockOrder::operator[](std::uint64_t i) const {
  switch (schedule_) {
    case Schedule::kForward:
      return i;
    case Schedule::kReverse:
      return blocks_ - 1 - i;
    case Schedule::kRandom:
      break;
  }
  if (!shuffled_.empty()) return shuffled_[i];
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(i) * stride_ + offset_) % blocks_);
}

}  // namespace detail
}  // namespace embgeo_emu
