// The benchmark binary's entry point; the benchmarks themselves register from bench_*.cpp/.cu.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
