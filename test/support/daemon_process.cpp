#include "test/support/daemon_process.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "test/support/http.hpp"

namespace multicad::test {

std::string fake_codex_path() { return std::string(MULTICAD_SOURCE_DIR) + "/test/fakes/fake_codex.js"; }

std::filesystem::path fake_codex_agent_dir(const temp_dir& dir) { return dir / "fake-codex-agents"; }

nlohmann::json fake_codex_agent(const temp_dir& dir, const std::map<std::string, std::string>& fake_env,
                                const std::string& name_prefix) {
  static std::atomic<int> agents{0};
  auto name = name_prefix + "-" + std::to_string(++agents);
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [k, v] : fake_env) settings[k] = v;
  write_file(fake_codex_agent_dir(dir) / (name + ".json"), settings.dump());
  return {{"name", name}, {"instructions", "Be brief."}};
}

daemon_process::daemon_process(const temp_dir& dir, std::map<std::string, std::string> env,
                               std::vector<std::string> extra_args) {
  port_ = free_port();
  log_file_ = dir / "daemon.log";
  std::map<std::string, std::string> e{
      {"HOME", (dir / "home").string()},
      {"CODEX_HOME", (dir / "codex-shared").string()},
      {"XDG_CONFIG_HOME", (dir / "xdg").string()},
      {"MULTICA_WORKSPACES_ROOT", (dir / "ws").string()},
      {"MULTICA_STATE_DIR", (dir / "state").string()},
      {"MULTICA_DAEMON_HEALTH_PORT", std::to_string(port_)},
      {"MULTICA_CODEX_PATH", fake_codex_path()},
      {"MULTICA_DAEMON_POLL_INTERVAL", "100ms"},
      {"MULTICA_DAEMON_HEARTBEAT_INTERVAL", "1s"},
      {"MULTICA_LOG_LEVEL", "debug"},
      {"MULTICA_LOG_FILE", log_file_.string()},
      {"MULTICA_SHUTDOWN_GRACE", "5s"},
      {"FAKE_CODEX_AGENT_DIR", fake_codex_agent_dir(dir).string()},
      // The disk quota's free-space floor would make GC behave differently on
      // a machine with little free space; tests that need it set it.
      {"MULTICA_GC_MIN_FREE", "0"},
  };
  for (auto& [k, v] : env) e[k] = v;
  if (e.count("MULTICA_DAEMON_HEALTH_PORT")) port_ = std::stoi(e["MULTICA_DAEMON_HEALTH_PORT"]);
  std::vector<std::string> unset;
  for (auto it = e.begin(); it != e.end();) {
    if (it->second != daemon_process::unset) { ++it; continue; }
    unset.push_back(it->first);
    it = e.erase(it);
  }
  for (char** p = environ; *p; ++p) {
    std::string kv(*p);
    auto key = kv.substr(0, kv.find('='));
    if ((key.starts_with("MULTICA_") || key.starts_with("FAKE_CODEX_")) && !e.count(key)) unset.push_back(key);
  }
  std::vector<std::string> argv{MULTICAD_BINARY, "run"};
  for (auto& a : extra_args) argv.push_back(a);
  child_ = std::make_unique<child_process>(child_options{argv, e, unset, dir.path()});
}

daemon_process::~daemon_process() {
  if (!child_) return;
  signal(SIGTERM);
  if (!child_->wait(std::chrono::seconds(30))) ::kill(-child_->pid(), SIGKILL);
}

std::string daemon_process::log() const {
  try {
    return read_file(log_file_);
  } catch (...) {
    return {};
  }
}

bool daemon_process::wait_log(const std::string& text, std::chrono::milliseconds limit) const {
  return eventually([&] { return log().find(text) != std::string::npos; }, limit);
}

nlohmann::json daemon_process::health() const {
  auto r = http_request(port_, "GET", "/health", "", std::chrono::seconds(2));
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

bool daemon_process::wait_ready(std::chrono::milliseconds limit) const {
  return eventually([&] {
    auto h = health();
    return h.is_object() && h.value("status", "") == "running";
  }, limit);
}

void daemon_process::signal(int sig) { ::kill(child_->pid(), sig); }

std::optional<int> daemon_process::wait(std::chrono::milliseconds limit) { return child_->wait(limit); }

}  // namespace multicad::test
