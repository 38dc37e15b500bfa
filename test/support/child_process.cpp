#include "test/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace multicad::test {
using clock = std::chrono::steady_clock;

namespace {
std::vector<std::string> build_env(const child_options& o) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& k : o.env_unset) env.erase(k);
  for (const auto& [k, v] : o.env_set) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}
}  // namespace

child_process::child_process(const child_options& o) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  auto env = build_env(o);
  std::vector<char*> argv, envp;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test binary that crashes or is killed never runs its destructors:
    // its children (a daemon, a Node fake) then die with it instead of
    // lingering. (Children are started from threads that outlive them.)
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);  // the test died before prctl took effect
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also from the parent, so the group exists before we signal it
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_fd_ = err[0];
  ::fcntl(out_, F_SETFL, O_NONBLOCK);
  ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
  ::signal(SIGPIPE, SIG_IGN);
}

child_process::~child_process() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    if (!status_) ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_, out_, err_fd_})
    if (fd >= 0) ::close(fd);
}

void child_process::write(const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    auto n = ::write(in_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("write to child failed: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

void child_process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void child_process::pump(int timeout_ms) {
  pollfd fds[2] = {{out_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  int n = ::poll(fds, 2, timeout_ms);
  if (n <= 0) return;
  char buf[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto r = ::read(fds[i].fd, buf, sizeof buf);
    if (r > 0) (i == 0 ? out_buf_ : err_).append(buf, static_cast<std::size_t>(r));
    else if (r == 0) {
      ::close(fds[i].fd);
      (i == 0 ? out_ : err_fd_) = -1;
    }
  }
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  for (;;) {
    if (auto nl = out_buf_.find('\n'); nl != std::string::npos) {
      auto line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    if (out_ < 0) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return std::nullopt;
    pump(static_cast<int>(std::min<long long>(left, 100)));
  }
}

std::optional<int> child_process::wait(std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  while (!status_) {
    int st = 0;
    auto r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (clock::now() >= deadline) return std::nullopt;
    if (out_ >= 0 || err_fd_ >= 0) pump(20);
    else ::usleep(10'000);  // the step of a bounded wait for the exit, not a pause for something else
  }
  // Drain what is left once the child is gone (a grandchild may still hold the pipes).
  for (int i = 0; i < 50 && (out_ >= 0 || err_fd_ >= 0); ++i) pump(10);
  return status_;
}

std::string child_process::rest_of_stdout() {
  auto out = std::move(out_buf_);
  out_buf_.clear();
  return out;
}

command_result run_command(const child_options& o, std::chrono::milliseconds limit) {
  child_process p(o);
  p.close_stdin();
  command_result r;
  auto st = p.wait(limit);
  r.status = st ? *st : -1;
  r.out = p.rest_of_stdout();
  r.err = p.stderr_text();
  return r;
}

}  // namespace multicad::test
