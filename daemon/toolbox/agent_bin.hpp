// The folder whose `multica` the agent runs: <state_dir>/bin/multica, a
// symbolic link to this very executable, which answers as the Multica CLI
// when it is called by that name (daemon/toolbox/multica_main.hpp). A folder
// of the daemon's own rather than the executable's (the reference daemon
// prepends that), so a package's /usr/bin is never put first on an agent's
// PATH and a `multica` installed beside multicad is not shadowed.
// Blocking filesystem work; call at start-up.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

namespace multicad::toolbox {

inline constexpr const char* multica_command_name = "multica";

struct agent_bin_error {
  std::string message;  // for the WARN
};
[[noreturn]] void throw_exception_from_error(const agent_bin_error& e, const boost::source_location& loc);

// Creates (or replaces) the link atomically and returns its folder.
boost::system::result<std::filesystem::path, agent_bin_error> install_agent_bin(const std::filesystem::path& state_dir);

}  // namespace multicad::toolbox
