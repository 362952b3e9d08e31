# Store benchmarks (run from a Release build; figures in docs/benchmarks.md, "Store").
if(TARGET rp_store)
  rp_bench(store_bench SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/store_bench.cc DEPS rp_store)
endif()
