#pragma once
// A backend under test beside the CPU reference, both loaded with the same corpus and parameters, and the
// shapes every backend's ops are checked at: shared by the CUDA and the fast-CPU op tests.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "embgeo/backend.hpp"
#include "verify/verify.hpp"

namespace embgeo {

struct BackendPair {
  std::unique_ptr<Backend> reference, subject;
  BackendPair(std::unique_ptr<Backend> tested, const std::vector<std::int32_t>& corpus, std::uint64_t seed)
      : reference(make_cpu_backend(tested->config(), CpuPath::kReference)), subject(std::move(tested)) {
    const Params p = init_params(subject->config().shape, seed);
    for (Backend* b : {reference.get(), subject.get()}) {
      b->load_corpus(corpus);
      b->load_params(p);
    }
  }
};

inline void expect_all_pass(const std::vector<Comparison>& rows, const std::string& label) {
  ASSERT_FALSE(rows.empty());
  for (const Comparison& c : rows) {
    EXPECT_TRUE(c.pass()) << label << " " << c.what << ": max abs " << c.max_abs << ", "
                          << (c.first_mismatches.empty() ? "" : c.first_mismatches.front());
  }
}

inline VerifyCase make_case(const std::string& name, ModelShape shape, std::uint64_t seed) {
  return {name, shape, synthetic_corpus(shape.V, static_cast<std::size_t>(shape.B) * (shape.C + 1) * 4 + 64, seed)};
}

// A case of another objective: shape.C becomes the ids its rows pool, the corpus holds its wider windows.
inline VerifyCase make_objective_case(const std::string& name, ModelShape shape, WindowLayout layout,
                                      std::uint64_t seed, Loss loss = Loss::kSoftmax) {
  shape.C = layout.pooled_ids();
  const auto tokens = static_cast<std::size_t>(shape.B) * (layout.context + 1) * 4 + 64;
  return {name, shape, synthetic_corpus(shape.V, tokens, seed), layout, loss};
}

// The toy shape, each dimension at 1, D not a multiple of 4, a word-level vocabulary, heavy repeats, the
// other objectives' batches, and the position tables and concat pooling.
inline std::vector<VerifyCase> op_test_cases() {
  return {make_case("toy", {21, 16, 8, 32}, 1),      make_case("V1", {1, 4, 2, 3}, 2),
          make_case("D1", {50, 1, 5, 7}, 3),         make_case("C1", {100, 33, 1, 16}, 4),
          make_case("B1", {300, 7, 3, 1}, 5),        make_case("D257", {513, 257, 4, 9}, 6),
          make_case("V30000", {30000, 64, 8, 64}, 7), make_case("repeats", {3, 24, 16, 128}, 8),
          // Rows too long for shared memory (V·4 bytes > 227 KiB): the CUDA softmax re-reads them from L2.
          make_case("V60000", {60000, 4, 2, 20}, 9),
          make_objective_case("cbow", {40, 16, 0, 32}, {Objective::kCbow, 6}, 10),
          make_objective_case("skipgram", {40, 16, 0, 32}, {Objective::kSkipgram, 6}, 11),
          make_objective_case("negsamp", {300, 20, 0, 32}, {Objective::kNext, 4}, 12, Loss::kNegativeSampling),
          make_objective_case("negsamp_repeats", {3, 8, 0, 64}, {Objective::kCbow, 4}, 13, Loss::kNegativeSampling),
          // Position tables and concat pooling (pooling.hpp), at odd widths and with heavy repeats.
          make_case("position_add", {50, 5, 3, 7, {Pool::kMean, Position::kLearned, PositionMode::kAdd}}, 14),
          make_case("position_multiply_repeats", {3, 24, 16, 128, {Pool::kMean, Position::kLearned, PositionMode::kMultiply}}, 15),
          make_case("concat_D257", {513, 257, 4, 9, {Pool::kConcat, Position::kNone, PositionMode::kAdd}}, 16),
          make_objective_case("concat_sinusoidal_negsamp", {300, 6, 0, 32, {Pool::kConcat, Position::kSinusoidal, PositionMode::kMultiply}},
                              {Objective::kCbow, 4}, 17, Loss::kNegativeSampling)};
}

inline std::string case_name(const ::testing::TestParamInfo<VerifyCase>& info) { return info.param.name; }

// Names the case in test listings instead of dumping its bytes.
inline void PrintTo(const VerifyCase& c, std::ostream* os) { *os << c.name; }

}  // namespace embgeo
