# Runs a figure example and checks the page it writes.
#   cmake -DPROGRAM=<example> -DPAGE=<out.html> -P run_figure_example.cmake
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/check_figure_page.cmake)

# A page left by an earlier run must not pass for this one.
file(REMOVE "${PAGE}")
execute_process(COMMAND "${PROGRAM}" "${PAGE}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${PAGE} failed: ${result}")
endif()
check_figure_page("${PAGE}" error)
if(error)
  message(FATAL_ERROR "${error}")
endif()
