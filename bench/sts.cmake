rp_bench(sts_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sts_bench.cc
  DEPS rp_server rp_services rp_auth rp_authz rp_store)
