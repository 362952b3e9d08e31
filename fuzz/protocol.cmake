rp_fuzz(query_decode_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/query_decode_fuzz.cc DEPS rp_protocol)
rp_fuzz(json_decode_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/json_decode_fuzz.cc DEPS rp_protocol)
