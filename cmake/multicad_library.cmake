# multicad_library(NAME SOURCES ... DEPENDS ...)
# One library per top-level folder; headers sit beside sources and are
# included as "<folder>/<file>.hpp" from the repository root.
function(multicad_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
endfunction()
