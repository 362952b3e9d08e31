rp_fuzz(sigv4_fuzz
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sigv4_fuzz.cc
  DEPS rp_auth)
