// Which port the running daemon's local endpoint is on, for the commands
// that talk to it (status, submit, tasks): the record the daemon keeps in
// its state_dir (core/daemon_record.hpp) when its process is alive, else the
// health_port of these settings. Main thread only.
#pragma once

#include <string>

#include "config/settings.hpp"

namespace multicad::cli {

struct daemon_address {
  int port = 0;
  std::string source;  // "state_dir/daemon.json (pid N)" or "health_port": for messages
};

daemon_address locate_daemon(const config::settings& s);

}  // namespace multicad::cli
