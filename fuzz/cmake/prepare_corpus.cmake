# ctest fixture of every fuzz test: copies the checked-in seeds (SEEDS) into
# the working corpus in the build tree (CORPUS), keeping what earlier runs
# added, and makes sure the artifacts folder (ARTIFACTS) exists.
#   cmake -DSEEDS=... -DCORPUS=... -DARTIFACTS=... -P prepare_corpus.cmake
foreach(var SEEDS CORPUS ARTIFACTS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "prepare_corpus.cmake: -D${var}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY ${CORPUS} ${ARTIFACTS})
file(GLOB seeds ${SEEDS}/*)
if(seeds)
  file(COPY ${seeds} DESTINATION ${CORPUS})
endif()
list(LENGTH seeds n)
message(STATUS "${n} seeds copied to ${CORPUS}")
