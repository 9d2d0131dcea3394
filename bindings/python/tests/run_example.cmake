# Runs a Python example in the directory of the page it writes, and checks
# the page.
#   cmake -DPYTHON=<python> -DSCRIPT=<example.py> -DPAGE=<out.html>
#         [-DPAGE_ARGUMENT=ON] (pass PAGE to the script; else it writes the
#                               page's file name into the working directory)
#         [-DCHECKS=<examples/check_figure_page.cmake>] [-DEXPECT=<text;...>]
#         -P run_example.cmake
cmake_minimum_required(VERSION 3.20)

# A page left by an earlier run must not pass for this one.
file(REMOVE "${PAGE}")
get_filename_component(directory "${PAGE}" DIRECTORY)
file(MAKE_DIRECTORY "${directory}")
set(arguments)
if(PAGE_ARGUMENT)
  set(arguments "${PAGE}")
endif()
execute_process(COMMAND "${PYTHON}" "${SCRIPT}" ${arguments}
                WORKING_DIRECTORY "${directory}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${PYTHON} ${SCRIPT} ${arguments} failed: ${result}")
endif()
if(NOT EXISTS "${PAGE}")
  message(FATAL_ERROR "${SCRIPT} did not write ${PAGE}")
endif()
if(CHECKS)
  include("${CHECKS}")
  check_figure_page("${PAGE}" error)
  if(error)
    message(FATAL_ERROR "${error}")
  endif()
endif()
file(READ "${PAGE}" html)
foreach(expected IN LISTS EXPECT)
  string(FIND "${html}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${PAGE} does not contain ${expected}")
  endif()
endforeach()
