// What this binary is: its version, the commit it was built from and the
// CMake build type; `--version`, the start-up log line and the
// multicad_build_info metric print them. The commit is taken at build time
// (cmake/build_info.cmake), so a rebuild after a commit never reports the
// previous one. Constant; any thread.
#pragma once

#include <string>

namespace multicad {

struct build_info {
  const char* version;     // "0.1.0" (CMake's PROJECT_VERSION)
  const char* commit;      // "3c9e708a1b2c", "3c9e708a1b2c-dirty", or "unknown" outside git
  const char* build_type;  // "RelWithDebInfo", or "unknown"
};

const build_info& this_build();

// "multicad 0.1.0 (commit 3c9e708a1b2c, RelWithDebInfo)".
std::string version_text();

}  // namespace multicad
