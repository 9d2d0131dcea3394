# Runs cargo for a CTest test of the Rust binding, with what the binding
# needs at build and run time:
#   cmake -DCARGO=<cargo> -DLIB_DIR=<dir of libtrajplot.so> -DTARGET_DIR=<dir>
#         -DMANIFEST=<workspace Cargo.toml> -DINCLUDE_DIR=<dir of trajplot.h>
#         -DCC=<C compiler> -DMODE=test|quickstart|figure|rpath|missing_library
#         [-DOUT=<page>]
#         [-DCAPI_DESCRIPTION=<the C API's description, scripts/describe_capi.py>]
#         [-DREQUIRE_IMAGE_FORMATS=png,pdf]
#         -P run_cargo.cmake
# MODE=test runs `cargo test` (trajplot-sys's tests/declarations.rs first);
# MODE=quickstart runs the README's quickstart
# (examples/rust/src/bin/quickstart.rs) and checks it prints a figure;
# MODE=figure runs examples/rust/src/bin/figure.rs, which writes the figure
# of examples/README.md to OUT, and checks the page.
# MODE=rpath builds the quickstart with the library's directory as its run
# path, as the Rust README shows, in a target directory of its own, and runs
# it with no LD_LIBRARY_PATH.
# MODE=missing_library builds trajplot-sys with no way to find the library
# and checks that the build says which variable to set.
# --locked: the committed Cargo.lock is used as it is, never rewritten.
# LD_LIBRARY_PATH gets LIB_DIR in front instead of being replaced, so that
# whatever else it held stays visible to the test programs.
foreach(variable CARGO LIB_DIR TARGET_DIR MANIFEST INCLUDE_DIR CC MODE)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_cargo.cmake needs -D${variable}=...")
  endif()
endforeach()
if(MODE STREQUAL "test")
  set(cargo_arguments test --offline --locked)
elseif(MODE STREQUAL "quickstart")
  set(cargo_arguments run --offline --locked --quiet -p trajplot-example --bin quickstart)
elseif(MODE STREQUAL "figure" AND DEFINED OUT)
  set(cargo_arguments run --offline --locked --quiet -p trajplot-example --bin figure)
elseif(MODE STREQUAL "rpath")
  set(cargo_arguments build --offline --locked --quiet -p trajplot-example --bin quickstart)
elseif(MODE STREQUAL "missing_library")
  set(cargo_arguments build --offline --locked --quiet -p trajplot-sys)
else()
  message(FATAL_ERROR "run_cargo.cmake: MODE must be test, quickstart, rpath, missing_library, or figure with OUT")
endif()

set(ENV{TRAJPLOT_LIB_DIR} "${LIB_DIR}")
set(ENV{TRAJPLOT_INCLUDE_DIR} "${INCLUDE_DIR}")
# trajplot-sys's tests check the declarations against it (without it they
# describe the header themselves, running scripts/describe_capi.py).
if(DEFINED CAPI_DESCRIPTION AND NOT CAPI_DESCRIPTION STREQUAL "")
  set(ENV{TRAJPLOT_CAPI_DESCRIPTION} "${CAPI_DESCRIPTION}")
endif()
# The image formats the library must write (the build has Cairo and Pango).
if(DEFINED REQUIRE_IMAGE_FORMATS AND NOT REQUIRE_IMAGE_FORMATS STREQUAL "")
  set(ENV{TRAJPLOT_REQUIRE_IMAGE_FORMATS} "${REQUIRE_IMAGE_FORMATS}")
endif()
set(ENV{CARGO_TARGET_DIR} "${TARGET_DIR}")
set(ENV{CC} "${CC}")
set(ENV{CARGO_TERM_COLOR} "never")
if("$ENV{LD_LIBRARY_PATH}" STREQUAL "")
  set(ENV{LD_LIBRARY_PATH} "${LIB_DIR}")
else()
  set(ENV{LD_LIBRARY_PATH} "${LIB_DIR}:$ENV{LD_LIBRARY_PATH}")
endif()

if(MODE STREQUAL "missing_library")
  # Nothing names the library and the compiler searches only an empty
  # directory: a stand-in compiler says so.
  set(empty_dir "${TARGET_DIR}-missing-library/empty")
  file(MAKE_DIRECTORY "${empty_dir}")
  set(fake_cc "${TARGET_DIR}-missing-library/cc")
  file(WRITE "${fake_cc}" "#!/bin/sh\necho 'libraries: =${empty_dir}'\n")
  file(CHMOD "${fake_cc}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  unset(ENV{TRAJPLOT_LIB_DIR})
  unset(ENV{LIBRARY_PATH})
  set(ENV{PKG_CONFIG} "${empty_dir}/no-pkg-config")
  set(ENV{CC} "${fake_cc}")
  set(ENV{CARGO_TARGET_DIR} "${TARGET_DIR}-missing-library")
  set(ENV{RUST_BACKTRACE} "0")
  execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(result EQUAL 0)
    message(FATAL_ERROR "trajplot-sys built with no library to link:\n${output}")
  endif()
  string(FIND "${output}" "set TRAJPLOT_LIB_DIR to the directory that holds it" position)
  if(position EQUAL -1)
    message("${output}")
    message(FATAL_ERROR "the failed build does not say to set TRAJPLOT_LIB_DIR")
  endif()
  message(STATUS "the build without a library says to set TRAJPLOT_LIB_DIR")
  return()
endif()

if(MODE STREQUAL "rpath")
  set(ENV{CARGO_TARGET_DIR} "${TARGET_DIR}-rpath")
  # Appended: a sanitized build passes its linker through RUSTFLAGS.
  set(ENV{RUSTFLAGS} "$ENV{RUSTFLAGS} -C link-arg=-Wl,-rpath,${LIB_DIR}")
  execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "cargo ${cargo_arguments} with an rpath failed: ${result}")
  endif()
  unset(ENV{LD_LIBRARY_PATH})
  execute_process(COMMAND "${TARGET_DIR}-rpath/debug/quickstart"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the quickstart built with an rpath did not run without LD_LIBRARY_PATH (${result}):\n${error}")
  endif()
  string(FIND "${output}" "{\"data\":[{\"type\":\"heatmap\"" position)
  if(position EQUAL -1)
    message(FATAL_ERROR "the quickstart built with an rpath did not print a heatmap figure:\n${output}")
  endif()
  message(STATUS "the quickstart built with an rpath runs without LD_LIBRARY_PATH")
  return()
endif()

if(MODE STREQUAL "test")
  # trajplot-sys's declarations against the C API first: when the header
  # has changed, the workspace may no longer link against the library, and
  # this names what differs rather than a missing symbol.
  execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}"
                          -p trajplot-sys --test declarations
                  RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "trajplot-sys's declarations (src/lib.rs) differ from the C API: see above")
  endif()
  execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}"
                  RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "cargo ${cargo_arguments} failed: ${result}")
  endif()
  return()
endif()

if(MODE STREQUAL "quickstart")
  execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "cargo ${cargo_arguments} failed: ${result}")
  endif()
  string(FIND "${output}" "{\"data\":[{\"type\":\"heatmap\"" position)
  if(position EQUAL -1)
    message("${output}")
    message(FATAL_ERROR "the quickstart did not print a heatmap figure")
  endif()
  message(STATUS "the quickstart printed a heatmap figure")
  return()
endif()

# A page left by an earlier run must not pass for this one's.
file(REMOVE "${OUT}")
execute_process(COMMAND "${CARGO}" ${cargo_arguments} --manifest-path "${MANIFEST}" -- "${OUT}"
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cargo ${cargo_arguments} failed: ${result}")
endif()
if(NOT EXISTS "${OUT}")
  message(FATAL_ERROR "the example did not write ${OUT}")
endif()
file(READ "${OUT}" page)
# The data of examples/README.md as the page must carry it: the values,
# the axes, the colour bar, a cell label and a formatted hover entry.
foreach(expected
    "<!DOCTYPE html>"
    "<title>Entropy by layer</title>"
    "Plotly.newPlot("
    "\"x\":[\"The\",\"Eiffel\",\"Tower\",\"is\"]"
    "\"y\":[\"0\",\"1\",\"output\"]"
    "\"z\":[[5.12,3.05,3.48,3.91],[4.27,1.21,2.36,2.88],[3.94,0.19,1.45,2.05]]"
    "\"colorbar\":{\"title\":{\"text\":\"Entropy (nats)\""
    "\"text\":[[\"the\",\"Tower\",\"of\",\"a\"],[\"first\",\"Tower\",\"is\",\"located\"],[\"first\",\"Tower\",\"is\",\"located\"]]"
    "[\"      is\",\" 41.20%\",\"     was\",\" 17.50%\",\"      in\",\" 12.30%\"]"
    "%{customdata[4]}%{customdata[5]}")
  string(FIND "${page}" "${expected}" position)
  if(position EQUAL -1)
    # A plain message keeps the text as it is (errors are re-wrapped).
    message("${OUT} lacks:\n${expected}")
    message(FATAL_ERROR "the example's page is not the figure of examples/README.md")
  endif()
endforeach()
message(STATUS "${OUT} holds the example's figure")
