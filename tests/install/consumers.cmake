# Installs a finished build into a fresh prefix and uses it the ways users
# do: a C program built with pkg-config, a CMake project built with
# find_package(trajplot), the installed command-line tool; then moves the
# prefix and checks that the tool, the pkg-config file and the CMake package
# still work. WORK_DIR is emptied first and removed at the end, also on
# failure (set KEEP_WORK_DIR=ON to keep it for a look).
#
# cmake -DBUILD_DIR= -DCONFIG= -DWORK_DIR= -DSOURCE_DIR= -DVERSION=
#       -DBINDIR= -DLIBDIR= -DINCLUDEDIR= -DC_COMPILER= -DCXX_COMPILER=
#       -DGENERATOR= -DMAKE_PROGRAM= -DPKG_CONFIG= -DNM= -DREADELF= -DWITH_CLI=
#       -DDATADIR= [-DPLOTLYJS=<the build's plotly.min.js>]
#       [-DSANITIZER_FLAGS="<compile and link flags>"] -P consumers.cmake
# PLOTLYJS: the plotly.js the build installs, which pages inline by default;
# empty when the build has none.
# SANITIZER_FLAGS: the flags of a build with TRAJPLOT_SANITIZE, which the
# consumers need to run its library.
cmake_minimum_required(VERSION 3.20)

foreach(variable BUILD_DIR WORK_DIR SOURCE_DIR VERSION BINDIR LIBDIR INCLUDEDIR DATADIR
                 C_COMPILER CXX_COMPILER GENERATOR PKG_CONFIG NM READELF)
  if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
    message(FATAL_ERROR "consumers.cmake: ${variable} is not set")
  endif()
endforeach()

include(${SOURCE_DIR}/examples/check_figure_page.cmake)

function(fail message)
  if(NOT KEEP_WORK_DIR)
    file(REMOVE_RECURSE "${WORK_DIR}")
  endif()
  message(FATAL_ERROR "${message}")
endfunction()

# run(COMMAND ... [WORKING_DIRECTORY ...]): fails unless the command exits
# with 0; its standard output and error, merged, land in run_output.
function(run)
  execute_process(${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    list(JOIN ARGN " " command)
    fail("`${command}` failed (${result}):\n${output}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

function(expect_contains text expected what)
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    fail("${what} does not contain ${expected}:\n${text}")
  endif()
endfunction()

function(expect_page page)
  check_figure_page("${page}" error)
  if(error)
    fail("${error}")
  endif()
endfunction()

# A page draws offline when it inlines the installed plotly.js (`copy`),
# byte for byte; without one in the build, it loads the CDN's.
function(expect_plotlyjs page copy)
  file(READ "${page}" html)
  if(PLOTLYJS)
    file(READ "${copy}" script)
    string(FIND "${html}" "<script type=\"text/javascript\">${script}</script>" at)
    if(at EQUAL -1)
      fail("${page} does not inline ${copy}")
    endif()
  else()
    expect_contains("${html}" "<script src=\"https://cdn.plot.ly/plotly-" "${page}")
  endif()
endfunction()

# Whatever is found must come from the installed tree alone.
unset(ENV{LD_LIBRARY_PATH})
unset(ENV{PKG_CONFIG_LIBDIR})
unset(ENV{CMAKE_PREFIX_PATH})
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix ${WORK_DIR}/prefix)
if(CONFIG)
  set(config_option --config ${CONFIG})
endif()

# --- install ---------------------------------------------------------------
run(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_option})
# Everything lands under the prefix (no absolute destination), or the tree
# could not be moved.
file(STRINGS ${BUILD_DIR}/install_manifest.txt installed_files)
foreach(file IN LISTS installed_files)
  string(FIND "${file}" "${prefix}/" at)
  if(NOT at EQUAL 0)
    fail("installed outside the prefix ${prefix}: ${file}")
  endif()
endforeach()

file(READ ${prefix}/${INCLUDEDIR}/trajplot.h header)
if(header MATCHES "#define TRAJPLOT_ABI_VERSION ([0-9]+)")
  set(abi_version ${CMAKE_MATCH_1})
else()
  fail("the installed trajplot.h defines no TRAJPLOT_ABI_VERSION")
endif()
set(library ${prefix}/${LIBDIR}/libtrajplot.so)
foreach(link_and_target IN ITEMS "${library}|libtrajplot.so.${abi_version}"
                                 "${library}.${abi_version}|libtrajplot.so.${VERSION}")
  string(REPLACE "|" ";" link_and_target "${link_and_target}")
  list(GET link_and_target 0 link)
  list(GET link_and_target 1 target)
  if(NOT IS_SYMLINK ${link})
    fail("${link} is not a symbolic link")
  endif()
  file(READ_SYMLINK ${link} actual_target)
  if(NOT actual_target STREQUAL target)
    fail("${link} points to ${actual_target}, expected ${target}")
  endif()
endforeach()

file(GLOB core_headers RELATIVE ${SOURCE_DIR}/include ${SOURCE_DIR}/include/trajplot/*.hpp)
set(expected_files
  ${LIBDIR}/libtrajplot.so.${VERSION}
  ${LIBDIR}/libtrajplot_model.a
  ${LIBDIR}/libtrajplot_figures.a
  ${LIBDIR}/libtrajplot_engine.a
  ${INCLUDEDIR}/trajplot.h
  ${LIBDIR}/cmake/trajplot/trajplot-config.cmake
  ${LIBDIR}/cmake/trajplot/trajplot-config-version.cmake
  ${LIBDIR}/cmake/trajplot/trajplot-targets.cmake
  ${LIBDIR}/pkgconfig/trajplot.pc)
foreach(header IN LISTS core_headers)
  list(APPEND expected_files ${INCLUDEDIR}/${header})
endforeach()
if(WITH_CLI)
  list(APPEND expected_files ${BINDIR}/trajplot)
endif()
if(PLOTLYJS)
  list(APPEND expected_files ${DATADIR}/trajplot/plotly.min.js)
endif()
if(WITH_IMAGES)
  list(APPEND expected_files ${LIBDIR}/trajplot-images.so)
endif()
foreach(file IN LISTS expected_files)
  if(NOT EXISTS ${prefix}/${file})
    fail("${file} was not installed")
  endif()
endforeach()

# Cairo and Pango load with the image module only, when a program first
# draws a PNG or PDF: the library itself does not need them.
run(COMMAND ${READELF} -d ${library}.${abi_version})
if(run_output MATCHES "NEEDED[^\n]*(cairo|pango)")
  fail("the installed library needs ${CMAKE_MATCH_1} itself:\n${run_output}")
endif()

# The installed library exports the C API only, under its SONAME.
run(COMMAND ${CMAKE_COMMAND}
  -DLIBRARY=${library}.${abi_version} -DHEADER=${prefix}/${INCLUDEDIR}/trajplot.h
  -DNM=${NM} -DREADELF=${READELF}
  -P ${SOURCE_DIR}/tests/capi/check_symbols.cmake)

# --- a C program built with pkg-config -------------------------------------
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
run(COMMAND ${PKG_CONFIG} --modversion trajplot)
string(STRIP "${run_output}" pc_version)
if(NOT pc_version STREQUAL VERSION)
  fail("pkg-config reports trajplot ${pc_version}, expected ${VERSION}")
endif()
run(COMMAND ${PKG_CONFIG} --variable=libdir trajplot)
string(STRIP "${run_output}" pc_libdir)
run(COMMAND ${PKG_CONFIG} --cflags --libs trajplot)
separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
separate_arguments(sanitizer_flags UNIX_COMMAND "${SANITIZER_FLAGS}")
run(COMMAND ${C_COMPILER} -std=c99 -Wall -Wextra -pedantic -Werror ${sanitizer_flags}
  ${SOURCE_DIR}/examples/c/figure.c ${pc_flags} -Wl,-rpath,${pc_libdir}
  -o ${WORK_DIR}/figure_c)
run(COMMAND ${WORK_DIR}/figure_c ${WORK_DIR}/figure_c.html)
expect_page(${WORK_DIR}/figure_c.html)
# The library finds the plotly.js installed beside it.
unset(ENV{TRAJPLOT_PLOTLYJS})
expect_plotlyjs(${WORK_DIR}/figure_c.html ${prefix}/${DATADIR}/trajplot/plotly.min.js)

# --- a CMake project: find_package(trajplot) -------------------------------
function(configure_consumer binary_dir)
  if(MAKE_PROGRAM)
    set(make_program -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
  endif()
  if(SANITIZER_FLAGS)
    set(sanitizer_option "-DCMAKE_CXX_FLAGS=${SANITIZER_FLAGS}")
  endif()
  run(COMMAND ${CMAKE_COMMAND}
    -S ${SOURCE_DIR}/tests/install/consumer_cpp -B ${binary_dir}
    -G ${GENERATOR} ${make_program}
    -DCMAKE_BUILD_TYPE=${CONFIG}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DTRAJPLOT_EXAMPLES_DIR=${SOURCE_DIR}/examples
    ${sanitizer_option}
    ${ARGN})
  run(COMMAND ${CMAKE_COMMAND} --build ${binary_dir} ${config_option})
endfunction()

# The executables of the consumer project, wherever the generator puts them.
function(find_consumer_program variable binary_dir name)
  file(GLOB_RECURSE found LIST_DIRECTORIES false ${binary_dir}/${name})
  set(${variable} "${found}" PARENT_SCOPE)
endfunction()

function(check_capi_consumer binary_dir)
  find_consumer_program(program ${binary_dir} capi_consumer)
  if(NOT program)
    fail("capi_consumer was not built in ${binary_dir}")
  endif()
  run(COMMAND ${program})
  expect_contains("${run_output}" "trajplot ${VERSION} (ABI ${abi_version})" "capi_consumer's output")
  expect_contains("${run_output}" "\"type\":\"heatmap\"" "capi_consumer's output")
  expect_contains("${run_output}" "\"France\"" "capi_consumer's output")
endfunction()

set(consumer ${WORK_DIR}/consumer)
configure_consumer(${consumer} -DCMAKE_PREFIX_PATH=${prefix})
file(STRINGS ${consumer}/CMakeCache.txt trajplot_dir REGEX "^trajplot_DIR:")
if(NOT trajplot_dir STREQUAL "trajplot_DIR:PATH=${prefix}/${LIBDIR}/cmake/trajplot")
  fail("find_package(trajplot) did not find the installed package: ${trajplot_dir}")
endif()
check_capi_consumer(${consumer})
find_consumer_program(figure_cpp ${consumer} figure_cpp)
if(NOT figure_cpp)
  fail("figure_cpp was not built: find_package(trajplot) gave no trajplot::core")
endif()
# A program linking the static core finds plotly.js beside itself or at the
# prefix the build was configured for; this one is neither, so it is told.
if(PLOTLYJS)
  set(ENV{TRAJPLOT_PLOTLYJS} ${prefix}/${DATADIR}/trajplot/plotly.min.js)
endif()
run(COMMAND ${figure_cpp} ${WORK_DIR}/figure_cpp.html)
unset(ENV{TRAJPLOT_PLOTLYJS})
expect_page(${WORK_DIR}/figure_cpp.html)
# The C program through the shared library, the C++ one through the core:
# one page.
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
  ${WORK_DIR}/figure_c.html ${WORK_DIR}/figure_cpp.html RESULT_VARIABLE pages_differ)
if(pages_differ)
  fail("examples/c/figure.c and examples/cpp/figure.cpp wrote different pages")
endif()

# --- a CMake project in C alone -------------------------------------------
# find_package(trajplot) gives it the C API; xtensor's package, which needs
# a C++ compiler, is not looked for.
function(configure_c_consumer binary_dir)
  if(MAKE_PROGRAM)
    set(make_program -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
  endif()
  if(SANITIZER_FLAGS)
    set(sanitizer_option "-DCMAKE_C_FLAGS=${SANITIZER_FLAGS}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND}
    -S ${SOURCE_DIR}/tests/install/consumer_c -B ${binary_dir}
    -G ${GENERATOR} ${make_program}
    -DCMAKE_BUILD_TYPE=${CONFIG}
    -DCMAKE_C_COMPILER=${C_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix}
    -DTRAJPLOT_EXAMPLES_DIR=${SOURCE_DIR}/examples
    ${sanitizer_option}
    ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  set(c_consumer_result "${result}" PARENT_SCOPE)
  set(c_consumer_output "${output}" PARENT_SCOPE)
endfunction()

set(consumer_c ${WORK_DIR}/consumer-c)
configure_c_consumer(${consumer_c})
if(NOT c_consumer_result EQUAL 0)
  fail("a C-only project cannot use find_package(trajplot):\n${c_consumer_output}")
endif()
run(COMMAND ${CMAKE_COMMAND} --build ${consumer_c} ${config_option})
find_consumer_program(figure_c_cmake ${consumer_c} figure_c)
if(NOT figure_c_cmake)
  fail("the C-only project built no figure_c in ${consumer_c}")
endif()
run(COMMAND ${figure_c_cmake} ${WORK_DIR}/figure_c_cmake.html)
expect_page(${WORK_DIR}/figure_c_cmake.html)
# Asking a C-only project for the C++ core fails, saying what to do.
configure_c_consumer(${WORK_DIR}/consumer-c-core -DREQUIRE_CORE=ON)
if(c_consumer_result EQUAL 0)
  fail("find_package(trajplot COMPONENTS core) succeeded in a project without C++")
endif()
expect_contains("${c_consumer_output}" "enable CXX in project()" "the C-only project's configure output")

# --- the command-line tool -------------------------------------------------
function(check_cli cli out)
  run(COMMAND ${cli} demo --out ${out})
  if(NOT EXISTS ${out})
    fail("`${cli} demo --out ${out}` wrote nothing")
  endif()
  file(READ ${out} figure)
  expect_contains("${figure}" "\"type\":\"heatmap\"" "${out}")
endfunction()

if(WITH_CLI)
  # It finds the library relative to itself, never in the build tree.
  run(COMMAND ${READELF} -d ${prefix}/${BINDIR}/trajplot)
  if(NOT run_output MATCHES "\\((RUNPATH|RPATH)\\)[^\n]*\\[(\\$ORIGIN[^]\n]*)\\]")
    fail("the installed trajplot has no $ORIGIN run path:\n${run_output}")
  endif()
  if(NOT CMAKE_MATCH_2 MATCHES "^\\$ORIGIN/[^:]*$")
    fail("the installed trajplot's run path is ${CMAKE_MATCH_2}, expected only $ORIGIN/...")
  endif()
  check_cli(${prefix}/${BINDIR}/trajplot ${WORK_DIR}/x.json)
endif()

# --- the installed tree, moved ---------------------------------------------
set(moved ${WORK_DIR}/moved)
file(RENAME ${prefix} ${moved})
if(WITH_CLI)
  check_cli(${moved}/${BINDIR}/trajplot ${WORK_DIR}/y.json)
  # The moved library still finds its plotly.js, and its image module.
  run(COMMAND ${moved}/${BINDIR}/trajplot demo --format html --out ${WORK_DIR}/moved.html)
  expect_plotlyjs(${WORK_DIR}/moved.html ${moved}/${DATADIR}/trajplot/plotly.min.js)
  if(WITH_IMAGES)
    run(COMMAND ${moved}/${BINDIR}/trajplot demo --format png --out ${WORK_DIR}/moved.png)
    file(READ ${WORK_DIR}/moved.png png_signature LIMIT 4 HEX)
    if(NOT png_signature STREQUAL "89504e47")
      fail("the moved tree's `trajplot demo --format png` wrote no PNG")
    endif()
  endif()
endif()

set(ENV{PKG_CONFIG_PATH} ${moved}/${LIBDIR}/pkgconfig)
run(COMMAND ${PKG_CONFIG} --variable=libdir trajplot)
string(STRIP "${run_output}" moved_libdir)
get_filename_component(moved_libdir ${moved_libdir} REALPATH)
get_filename_component(expected_libdir ${moved}/${LIBDIR} REALPATH)
if(NOT moved_libdir STREQUAL expected_libdir)
  fail("pkg-config's libdir of the moved tree is ${moved_libdir}, expected ${expected_libdir}")
endif()

# From the moved tree, and without xtensor: the C API alone.
set(consumer_c_api ${WORK_DIR}/consumer-c-api)
configure_consumer(${consumer_c_api} -DCMAKE_PREFIX_PATH=${moved} -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON)
check_capi_consumer(${consumer_c_api})
find_consumer_program(figure_cpp ${consumer_c_api} figure_cpp)
if(figure_cpp)
  fail("trajplot::core was defined although xtensor was not found")
endif()

if(NOT KEEP_WORK_DIR)
  file(REMOVE_RECURSE "${WORK_DIR}")
endif()
