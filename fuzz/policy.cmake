# Policy engine fuzz targets.
rp_fuzz(policy_parse_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/policy_parse_fuzz.cc DEPS rp_policy)
