# IAM benchmarks (run from a Release build; figures in docs/benchmarks.md, "IAM").
if(TARGET rp_services)
  rp_bench(iam_bench SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/iam_bench.cc DEPS rp_services rp_authz rp_store)
endif()
