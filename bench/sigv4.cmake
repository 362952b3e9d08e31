rp_bench(sigv4_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sigv4_bench.cc
  DEPS rp_auth)
