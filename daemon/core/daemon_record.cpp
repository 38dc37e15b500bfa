#include "daemon/core/daemon_record.hpp"

#include <signal.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "execenv/atomic_file.hpp"

namespace multicad::core {
namespace fs = std::filesystem;

std::string write_daemon_record(const fs::path& state_dir, const daemon_record& r) {
  nlohmann::json j{{"pid", r.pid}, {"port", r.port}, {"started_at", r.started_at}};
  if (!r.metrics_listen.empty()) j["metrics_listen"] = r.metrics_listen;
  // No fsync: after a power loss the pid in it is dead anyway.
  auto written = execenv::write_file_atomically(state_dir / daemon_record_file, j.dump() + "\n",
                                                execenv::owner_read_write, execenv::durability::regenerated);
  return written ? std::string() : written.error().to_string();
}

void remove_daemon_record(const fs::path& state_dir, pid_t pid) {
  auto r = read_daemon_record(state_dir);
  if (!r || r->pid != pid) return;
  std::error_code ec;
  fs::remove(state_dir / daemon_record_file, ec);
}

std::optional<daemon_record> read_daemon_record(const fs::path& state_dir) {
  auto text = execenv::read_file(state_dir / daemon_record_file);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer() || !j.contains("port") ||
      !j["port"].is_number_integer())
    return std::nullopt;
  daemon_record r;
  r.pid = j["pid"].get<pid_t>();
  r.port = j["port"].get<int>();
  auto text_field = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  r.started_at = text_field("started_at");
  r.metrics_listen = text_field("metrics_listen");
  if (r.pid <= 0 || r.port < 1 || r.port > 65535) return std::nullopt;
  return r;
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace multicad::core
