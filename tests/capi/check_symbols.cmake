# Checks the dynamic symbol table and SONAME of the shared library:
# - every defined dynamic symbol starts with "trajplot_" (nothing of the C++
#   core or of the standard library leaks into the ABI);
# - every function declared TRAJPLOT_API in the header is defined;
# - the SONAME is libtrajplot.so.<TRAJPLOT_ABI_VERSION>.
#
# cmake -DLIBRARY=<path> -DHEADER=<trajplot.h> -DNM=<nm> -DREADELF=<readelf>
#       -P check_symbols.cmake
cmake_minimum_required(VERSION 3.20)

foreach(variable LIBRARY HEADER NM READELF)
  if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
    message(FATAL_ERROR "check_symbols.cmake: ${variable} is not set")
  endif()
endforeach()

execute_process(
  COMMAND "${NM}" -D --defined-only "${LIBRARY}"
  OUTPUT_VARIABLE nm_output
  ERROR_VARIABLE nm_error
  RESULT_VARIABLE nm_result)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIBRARY} failed: ${nm_error}")
endif()

string(REPLACE "\n" ";" nm_lines "${nm_output}")
set(exported "")
set(foreign "")
foreach(line IN LISTS nm_lines)
  # "<address> <type> <name>[@version]"
  if(line MATCHES "^[0-9a-fA-F]* *[A-Za-z] ([^ @]+)")
    set(symbol "${CMAKE_MATCH_1}")
    if(symbol MATCHES "^trajplot_")
      list(APPEND exported "${symbol}")
    else()
      list(APPEND foreign "${symbol}")
    endif()
  endif()
endforeach()
if(foreign)
  list(JOIN foreign "\n  " foreign_text)
  message(FATAL_ERROR "symbols outside the trajplot_ namespace are exported:\n  ${foreign_text}")
endif()

file(READ "${HEADER}" header_text)
string(REGEX MATCHALL "TRAJPLOT_API[^;(]*[ *](trajplot_[a-z0-9_]+)\\(" declarations "${header_text}")
set(declared "")
foreach(declaration IN LISTS declarations)
  if(declaration MATCHES "(trajplot_[a-z0-9_]+)\\($")
    list(APPEND declared "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(LENGTH declared declared_count)
if(declared_count LESS 10)
  message(FATAL_ERROR "found only ${declared_count} TRAJPLOT_API declarations in ${HEADER}")
endif()
set(missing "")
foreach(function IN LISTS declared)
  if(NOT function IN_LIST exported)
    list(APPEND missing "${function}")
  endif()
endforeach()
if(missing)
  list(JOIN missing "\n  " missing_text)
  message(FATAL_ERROR "declared in the header but not exported:\n  ${missing_text}")
endif()
set(undeclared "")
foreach(symbol IN LISTS exported)
  if(NOT symbol IN_LIST declared)
    list(APPEND undeclared "${symbol}")
  endif()
endforeach()
if(undeclared)
  list(JOIN undeclared "\n  " undeclared_text)
  message(FATAL_ERROR "exported but not declared in the header:\n  ${undeclared_text}")
endif()

string(REGEX MATCH "#define TRAJPLOT_ABI_VERSION ([0-9]+)" abi_match "${header_text}")
if(NOT abi_match)
  message(FATAL_ERROR "TRAJPLOT_ABI_VERSION not found in ${HEADER}")
endif()
set(expected_soname "libtrajplot.so.${CMAKE_MATCH_1}")

execute_process(
  COMMAND "${READELF}" -d "${LIBRARY}"
  OUTPUT_VARIABLE readelf_output
  ERROR_VARIABLE readelf_error
  RESULT_VARIABLE readelf_result)
if(NOT readelf_result EQUAL 0)
  message(FATAL_ERROR "${READELF} -d ${LIBRARY} failed: ${readelf_error}")
endif()
if(NOT readelf_output MATCHES "\\(SONAME\\)[^\n]*\\[([^]\n]+)\\]")
  message(FATAL_ERROR "${LIBRARY} has no SONAME")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL expected_soname)
  message(FATAL_ERROR "SONAME is ${CMAKE_MATCH_1}, expected ${expected_soname}")
endif()

list(LENGTH exported exported_count)
message(STATUS "${exported_count} trajplot_ symbols exported, all declared; SONAME ${expected_soname}")
