# net_echo: the bare HTTP layer for wrk (see docs/benchmarks.md, "HTTP layer").
if(TARGET rp_net)
  add_executable(net_echo ${CMAKE_CURRENT_SOURCE_DIR}/net_echo.cc)
  target_compile_options(net_echo PRIVATE ${RP_WARNINGS})
  target_link_libraries(net_echo PRIVATE rp_net)
endif()
