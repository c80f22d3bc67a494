// Philox4x32-10 against the Random123 known-answer vectors, and the batch-window draw built on it.
#include <gtest/gtest.h>

#include <set>

#include "embgeo/philox.hpp"

namespace embgeo {
namespace {

TEST(Philox, MatchesRandom123KnownAnswers) {
  struct Case {
    Philox4 counter;
    std::uint32_t key0, key1;
    Philox4 expected;
  };
  const Case cases[] = {
      {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  for (const Case& c : cases) {
    const Philox4 got = philox4x32_10(c.counter, c.key0, c.key1);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], c.expected.v[i]) << "word " << i;
  }
}

TEST(Philox, SampleWindowStaysInRangeAndCoversIt) {
  std::set<std::int64_t> seen;
  for (std::int64_t step = 1; step <= 200; ++step)
    for (int row = 0; row < 32; ++row) {
      const std::int64_t w = sample_window(42, step, row, 37);
      ASSERT_GE(w, 0);
      ASSERT_LT(w, 37);
      seen.insert(w);
    }
  EXPECT_EQ(seen.size(), 37u);
  EXPECT_EQ(sample_window(7, 3, 1, 1), 0);
}

TEST(Philox, DifferentSeedsStepsAndRowsGiveDifferentWindows) {
  const std::int64_t n = 1'000'000'007;
  EXPECT_NE(sample_window(1, 5, 0, n), sample_window(2, 5, 0, n));
  EXPECT_NE(sample_window(1, 5, 0, n), sample_window(1, 6, 0, n));
  EXPECT_NE(sample_window(1, 5, 0, n), sample_window(1, 5, 1, n));
  EXPECT_EQ(sample_window(1, 5, 0, n), sample_window(1, 5, 0, n));
}

TEST(Philox, Uniform01IsInUnitInterval) {
  EXPECT_EQ(uniform01(0), 0.0f);
  EXPECT_LT(uniform01(0xffffffffu), 1.0f);
  EXPECT_GT(uniform01(0xffffffffu), 0.9999f);
}

}  // namespace
}  // namespace embgeo
