# The python_wheel target: the Python package with this build's libtrajplot
# and its plotly.js inside, a platform wheel
#   cmake --build build --target python_wheel
#   -> build/python/trajplot-<version>-py3-none-<platform>.whl
# made by the package's own build backend, as
# `pip wheel bindings/python --config-settings library=...` makes it
# (bindings/python/README.md). Not part of the default build, nor defined
# when trajplot is a subproject, whose parent may have a target of that name.
if(NOT CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  return()
endif()
find_program(TRAJPLOT_WHEEL_PYTHON NAMES python3 python
             DOC "The Python (3.8 or later) that builds the Python wheel (target python_wheel)")
if(TRAJPLOT_WHEEL_PYTHON)
  add_custom_target(python_wheel
    COMMAND ${TRAJPLOT_WHEEL_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/build_backend/trajplot_build.py wheel
            --library $<TARGET_FILE:trajplot> --out-dir ${PROJECT_BINARY_DIR}/python
    DEPENDS trajplot
    COMMENT "Building the trajplot Python wheel in ${PROJECT_BINARY_DIR}/python"
    VERBATIM)
endif()
