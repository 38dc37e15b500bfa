#include "daemon/agent/process_tree.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace multicad::agent {

namespace {

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end && *end == '\0' && pid > 0) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

// Fields after the command name of /proc/<pid>/stat (the name may hold spaces).
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(text.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;  // fields[0] is the state (field 3 of the file)
}

bool is_zombie(const std::vector<std::string>& f) { return !f.empty() && (f[0] == "Z" || f[0] == "X"); }

}  // namespace

std::optional<std::int64_t> process_start_time(pid_t pid) {
  auto f = stat_fields(pid);
  if (f.size() < 20 || is_zombie(f)) return std::nullopt;
  return std::stoll(f[19]);  // field 22 of the file
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::vector<pid_t> find_processes_with_env(std::string_view name, std::string_view value) {
  const std::string wanted = std::string(name) + "=" + std::string(value);
  std::vector<pid_t> out;
  for (pid_t pid : all_pids()) {
    if (pid == ::getpid()) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    if (!in) continue;  // gone, or another user's
    std::string env((std::istreambuf_iterator<char>(in)), {});
    for (std::size_t start = 0; start < env.size();) {
      auto end = env.find('\0', start);
      if (end == std::string::npos) end = env.size();
      if (std::string_view(env).substr(start, end - start) == wanted) {
        if (!is_zombie(stat_fields(pid))) out.push_back(pid);
        break;
      }
      start = end + 1;
    }
  }
  return out;
}

std::vector<pid_t> process_group_members(pid_t pgid) {
  std::vector<pid_t> out;
  for (pid_t pid : all_pids()) {
    auto f = stat_fields(pid);
    if (f.size() > 2 && !is_zombie(f) && std::stol(f[2]) == pgid) out.push_back(pid);
  }
  return out;
}

std::vector<pid_t> kill_task_processes(pid_t pgid, std::string_view task_id, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::vector<pid_t> alive;
    if (pgid > 1) {
      ::kill(-pgid, SIGKILL);
      alive = process_group_members(pgid);
    }
    if (!task_id.empty())
      for (pid_t p : find_processes_with_env(task_marker_variable, task_id)) {
        ::kill(p, SIGKILL);
        if (std::find(alive.begin(), alive.end(), p) == alive.end()) alive.push_back(p);
      }
    if (alive.empty() || std::chrono::steady_clock::now() >= deadline) return alive;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // SIGKILL lands asynchronously
  }
}

}  // namespace multicad::agent
