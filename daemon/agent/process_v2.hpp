// Boost.Process v2 as this project uses it: with std::filesystem paths
// (BOOST_PROCESS_USE_STD_FS, set for every target in CMakeLists.txt).
// Boost 1.81's config.hpp then names boost::optional without including it,
// so it is included here first. Heavy: include only from the few .cpp files
// that spawn processes.
#pragma once

#include <boost/optional.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <boost/process/v2/start_dir.hpp>
