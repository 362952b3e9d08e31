# Audit trail benchmarks (run from a Release build; figures in docs/benchmarks.md, "Audit").
if(TARGET rp_audit AND TARGET rp_services AND TARGET rp_server)
  rp_bench(audit_bench SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/audit_bench.cc
           DEPS rp_server rp_audit rp_services rp_store rp_protocol Boost::json)
endif()
