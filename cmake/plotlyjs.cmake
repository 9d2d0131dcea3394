# plotly.js for pages that draw offline. trajplot's HTML pages inline a local
# copy of plotly.js by default, as plotly.py's write_html inlines its own:
# this obtains the bundle the browser tests run, pinned by
# cmake/plotlyjs/package-lock.json (npm checks its integrity hash; the file
# is checked against the SHA-256 below as well), puts it in the build tree
# at share/trajplot/plotly.min.js, beside which the library looks for it,
# and installs it to <prefix>/share/trajplot/.
#
#   TRAJPLOT_PLOTLYJS_FILE     a plotly.min.js to use instead (no npm needed)
#   TRAJPLOT_FETCH_PLOTLYJS    run npm when there is no file (ON)
#   TRAJPLOT_REQUIRE_PLOTLYJS  fail the configuration without plotly.js (OFF)
#
# Without a copy, pages load plotly.js from its CDN and need a network
# connection; the CLI says so when it writes one.

set(TRAJPLOT_PLOTLYJS_FILE "" CACHE FILEPATH "A plotly.min.js to install instead of obtaining one with npm")
option(TRAJPLOT_FETCH_PLOTLYJS "Obtain plotly.js from the npm registry with npm when no file is given" ON)
option(TRAJPLOT_REQUIRE_PLOTLYJS "Fail when plotly.js cannot be obtained" OFF)

set(trajplot_plotlyjs_npm_dir ${PROJECT_SOURCE_DIR}/cmake/plotlyjs)
# plotly.min.js of plotly.js-dist-min 4.1.2, the version the lock pins.
set(trajplot_plotlyjs_sha256 2f645d1bade8182fce161b7f10f89402f8b315805250ff4a94672a28d23c390a)
set(TRAJPLOT_PLOTLYJS ${PROJECT_BINARY_DIR}/share/trajplot/plotly.min.js)
set(trajplot_plotlyjs_license ${PROJECT_BINARY_DIR}/share/trajplot/plotly.js-LICENSE)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${trajplot_plotlyjs_npm_dir}/package.json ${trajplot_plotlyjs_npm_dir}/package-lock.json)

function(trajplot_plotlyjs_unavailable reason)
  file(REMOVE ${TRAJPLOT_PLOTLYJS} ${trajplot_plotlyjs_license})
  if(TRAJPLOT_REQUIRE_PLOTLYJS)
    message(FATAL_ERROR "plotly.js: ${reason} (TRAJPLOT_REQUIRE_PLOTLYJS is ON)")
  endif()
  message(WARNING "plotly.js: ${reason}; HTML pages will load plotly.js from its CDN and need a network "
                  "connection to draw. Give -DTRAJPLOT_PLOTLYJS_FILE=path/to/plotly.min.js, or install npm.")
endfunction()

function(trajplot_obtain_plotlyjs)
  if(TRAJPLOT_PLOTLYJS_FILE)
    if(NOT EXISTS ${TRAJPLOT_PLOTLYJS_FILE})
      message(FATAL_ERROR "TRAJPLOT_PLOTLYJS_FILE ${TRAJPLOT_PLOTLYJS_FILE} does not exist")
    endif()
    configure_file(${TRAJPLOT_PLOTLYJS_FILE} ${TRAJPLOT_PLOTLYJS} COPYONLY)
    file(REMOVE ${trajplot_plotlyjs_license})
    message(STATUS "plotly.js: ${TRAJPLOT_PLOTLYJS_FILE}")
    return()
  endif()
  if(EXISTS ${TRAJPLOT_PLOTLYJS})
    file(SHA256 ${TRAJPLOT_PLOTLYJS} present)
    if(present STREQUAL trajplot_plotlyjs_sha256)
      return()
    endif()
  endif()
  if(NOT TRAJPLOT_FETCH_PLOTLYJS)
    trajplot_plotlyjs_unavailable("not obtained (TRAJPLOT_FETCH_PLOTLYJS is OFF)")
    return()
  endif()
  find_program(TRAJPLOT_NPM_EXECUTABLE npm)
  if(NOT TRAJPLOT_NPM_EXECUTABLE)
    trajplot_plotlyjs_unavailable("npm not found (apt-get install npm)")
    return()
  endif()
  set(work ${PROJECT_BINARY_DIR}/plotlyjs-npm)
  file(REMOVE_RECURSE ${work})
  file(COPY ${trajplot_plotlyjs_npm_dir}/package.json ${trajplot_plotlyjs_npm_dir}/package-lock.json
       DESTINATION ${work})
  message(STATUS "plotly.js: npm ci (cmake/plotlyjs/package-lock.json)")
  execute_process(
    COMMAND ${TRAJPLOT_NPM_EXECUTABLE} ci --no-audit --no-fund --ignore-scripts --loglevel=error
    WORKING_DIRECTORY ${work}
    RESULT_VARIABLE failed
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output
    TIMEOUT 600)
  set(fetched ${work}/node_modules/plotly.js-dist-min/plotly.min.js)
  if(failed OR NOT EXISTS ${fetched})
    string(STRIP "${output}" output)
    trajplot_plotlyjs_unavailable("npm ci failed (${failed}): ${output}")
    return()
  endif()
  file(SHA256 ${fetched} fetched_sha256)
  if(NOT fetched_sha256 STREQUAL trajplot_plotlyjs_sha256)
    trajplot_plotlyjs_unavailable("${fetched} has SHA-256 ${fetched_sha256}, not the pinned ${trajplot_plotlyjs_sha256}")
    return()
  endif()
  configure_file(${fetched} ${TRAJPLOT_PLOTLYJS} COPYONLY)
  configure_file(${work}/node_modules/plotly.js-dist-min/LICENSE ${trajplot_plotlyjs_license} COPYONLY)
  file(REMOVE_RECURSE ${work})
  message(STATUS "plotly.js: ${TRAJPLOT_PLOTLYJS}")
endfunction()

trajplot_obtain_plotlyjs()

if(EXISTS ${TRAJPLOT_PLOTLYJS})
  install(FILES ${TRAJPLOT_PLOTLYJS} DESTINATION ${CMAKE_INSTALL_DATADIR}/trajplot)
  if(EXISTS ${trajplot_plotlyjs_license})
    install(FILES ${trajplot_plotlyjs_license} DESTINATION ${CMAKE_INSTALL_DATADIR}/trajplot)
  endif()
else()
  set(TRAJPLOT_PLOTLYJS "")
endif()
