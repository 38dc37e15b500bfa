#include "daemon/service/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace multicad::service {
namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t output_cap = 64 * 1024;  // systemctl says what it must in a few lines

// Child side of fork(): only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, int out) {
  int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  ::execve(path, argv, envp);
  ::_exit(127);
}

// Our environment with `extra` (KEY=VALUE) set over it.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto key = kv.substr(0, kv.find('=') + 1);
    bool replaced = std::any_of(extra.begin(), extra.end(), [&](const std::string& x) { return x.starts_with(key); });
    if (!replaced) env.push_back(std::move(kv));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Reads the child's output until EOF or the deadline; true at EOF.
bool drain(int fd, clock::time_point deadline, std::string& into) {
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    if (into.size() < output_cap) into.append(buf, std::min<std::size_t>(n, output_cap - into.size()));
  }
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

process_runner::process_runner(std::chrono::milliseconds limit, std::vector<std::string> extra_env)
    : limit_(limit), extra_env_(std::move(extra_env)) {}

command_output process_runner::run(const std::vector<std::string>& argv) {
  command_output out;
  const char* path_env = std::getenv("PATH");
  // Resolved before fork(): the child may only make async-signal-safe calls.
  auto exe = find_executable(argv.at(0), path_env ? path_env : "/usr/sbin:/usr/bin:/sbin:/bin");
  if (!exe) {
    out.not_found = true;
    return out;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Built before fork() too.
  auto env = environment_with(extra_env_);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return out;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return out;
  }
  if (pid == 0) exec_child(exe->c_str(), args.data(), envp.data(), pipe_fds[1]);
  ::close(pipe_fds[1]);
  bool finished = drain(pipe_fds[0], clock::now() + limit_, out.output);
  ::close(pipe_fds[0]);
  if (!finished) {
    ::kill(pid, SIGKILL);
    out.timed_out = true;
  }
  int status = wait_status(pid);
  out.exit_status = finished ? status : -1;
  return out;
}

std::optional<fs::path> find_executable(std::string_view name, std::string_view path_env) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    fs::path p(name);
    return ::access(p.c_str(), X_OK) == 0 ? std::optional(p) : std::nullopt;
  }
  while (!path_env.empty()) {
    auto colon = path_env.find(':');
    auto dir = path_env.substr(0, colon);
    path_env = colon == std::string_view::npos ? std::string_view{} : path_env.substr(colon + 1);
    if (dir.empty()) continue;  // an empty entry means "." for a shell; never for a service
    fs::path candidate = fs::path(dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string display_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t'\"\\$`;&|<>()*?!#~") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace multicad::service
