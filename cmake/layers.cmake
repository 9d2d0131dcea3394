# The C++ core is built as layers, each a static library in src/<layer>/
# whose link dependencies state the architecture. A layer compiles with its
# own directory and those of the layers it depends on, so it cannot include
# another layer's internal headers; scripts/check_layers.py (the test
# layers.includes) holds every #include, public headers among them, to the
# same rule, reading the layers from trajplot_layers.json, which
# trajplot_write_layers() writes from what trajplot_add_layer() recorded.

# trajplot_add_layer(<layer> SOURCES <file>... HEADERS <file>... [DEPENDS <layer>...])
#   SOURCES  files of src/<layer>/ compiled into trajplot_<layer>
#   HEADERS  the layer's public headers, include/trajplot/<file>, installed
#   DEPENDS  the layers it builds on (their public and internal headers)
# The target is exported as trajplot::<layer>.
function(trajplot_add_layer layer)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;HEADERS;DEPENDS")
  set(target trajplot_${layer})
  list(TRANSFORM arg_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/src/${layer}/)
  add_library(${target} STATIC ${arg_SOURCES})
  add_library(trajplot::${layer} ALIAS ${target})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${layer})
  # The layer's own directory is part of its build interface: the layers
  # above may use its internal headers, the others cannot see them.
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src/${layer}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  list(TRANSFORM arg_DEPENDS PREPEND trajplot_ OUTPUT_VARIABLE dependencies)
  target_link_libraries(${target} PUBLIC ${dependencies} xtensor Threads::Threads)
  target_compile_options(${target} PRIVATE ${TRAJPLOT_WARNINGS})
  # Built, and its headers tested, as C++20: their users compile them so too.
  target_compile_features(${target} INTERFACE cxx_std_20)

  list(TRANSFORM arg_HEADERS PREPEND ${PROJECT_SOURCE_DIR}/include/trajplot/ OUTPUT_VARIABLE header_paths)
  install(FILES ${header_paths} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/trajplot)
  set_property(GLOBAL APPEND PROPERTY TRAJPLOT_LAYERS ${layer})
  set_property(GLOBAL PROPERTY TRAJPLOT_LAYER_${layer}_HEADERS ${arg_HEADERS})
  set_property(GLOBAL PROPERTY TRAJPLOT_LAYER_${layer}_DEPENDS ${arg_DEPENDS})
endfunction()

# Writes the layers recorded so far, as JSON, to <file>.
function(trajplot_write_layers file)
  get_property(layers GLOBAL PROPERTY TRAJPLOT_LAYERS)
  set(entries)
  foreach(layer IN LISTS layers)
    set(lists)
    foreach(field IN ITEMS HEADERS DEPENDS)
      get_property(items GLOBAL PROPERTY TRAJPLOT_LAYER_${layer}_${field})
      list(TRANSFORM items PREPEND "\"")
      list(TRANSFORM items APPEND "\"")
      list(JOIN items ", " joined)
      string(TOLOWER ${field} key)
      list(APPEND lists "\"${key}\": [${joined}]")
    endforeach()
    list(JOIN lists ", " fields)
    list(APPEND entries "    {\"name\": \"${layer}\", ${fields}}")
  endforeach()
  list(JOIN entries ",\n" body)
  file(CONFIGURE OUTPUT ${file} CONTENT "{\"layers\": [\n${body}\n]}\n" @ONLY)
endfunction()
