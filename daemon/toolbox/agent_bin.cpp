#include "daemon/toolbox/agent_bin.hpp"

#include <unistd.h>

#include <stdexcept>

namespace multicad::toolbox {
namespace fs = std::filesystem;

void throw_exception_from_error(const agent_bin_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

boost::system::result<fs::path, agent_bin_error> install_agent_bin(const fs::path& state_dir) {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return agent_bin_error{"cannot find this executable's path: " + ec.message()};
  auto bin = state_dir / "bin";
  fs::create_directories(bin, ec);
  if (ec) return agent_bin_error{"cannot create " + bin.string() + ": " + ec.message()};
  auto link = bin / multica_command_name;
  // in_place_value: a path converts to the error's string too.
  if (fs::read_symlink(link, ec) == self) return {boost::system::in_place_value, bin};  // already right
  auto tmp = bin / (std::string(".") + multica_command_name + "." + std::to_string(::getpid()));
  fs::remove(tmp, ec);
  fs::create_symlink(self, tmp, ec);
  if (!ec) fs::rename(tmp, link, ec);  // atomic: a task starting now sees the old link or the new one
  if (ec) {
    fs::remove(tmp, ec);
    return agent_bin_error{"cannot link " + link.string() + " to " + self.string() + ": " + ec.message()};
  }
  return {boost::system::in_place_value, bin};
}

}  // namespace multicad::toolbox
