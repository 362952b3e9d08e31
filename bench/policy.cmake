# Policy engine benchmarks (run from a Release build; figures in docs/benchmarks.md).
rp_bench(policy_bench SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/policy_bench.cc DEPS rp_policy fmt::fmt)
