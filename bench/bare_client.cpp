// bare_client: the least a program can do to run one Codex task, as the
// baseline of bench/overhead.sh. No daemon, no event loop: fork/exec
// `codex app-server --listen stdio://` in a prepared CODEX_HOME and workdir,
// then over blocking pipes
//   initialize -> initialized -> thread/start -> turn/start -> ... turn/completed
// with the same parameters multicad sends (client info, opted-out
// notifications, explicit sandbox and approval policy), then close stdin and
// wait for Codex to exit, as the daemon does before it reports.
//
//   bare_client --codex PATH --codex-home DIR --cwd DIR --prompt TEXT
//               [--sandbox workspace-write] [--network-access true|false]
//               [--stderr FILE] [--timeout-s 120]
//
// Prints one JSON line: start_us (epoch µs just before fork), turn_completed_us,
// exit_us, the same as ms since start, the turn status, the final answer and
// Codex's exit status. Exit 0 when the turn completed, 1 otherwise.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;
using nlohmann::json;

namespace {

long long now_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

struct options {
  std::string codex, codex_home, cwd, prompt, sandbox = "workspace-write", stderr_file = "/dev/null";
  bool network_access = true;
  int timeout_s = 120;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--codex") o.codex = value();
    else if (a == "--codex-home") o.codex_home = value();
    else if (a == "--cwd") o.cwd = value();
    else if (a == "--prompt") o.prompt = value();
    else if (a == "--sandbox") o.sandbox = value();
    else if (a == "--network-access") o.network_access = value() == "true";
    else if (a == "--stderr") o.stderr_file = value();
    else if (a == "--timeout-s") o.timeout_s = std::stoi(value());
    else throw std::runtime_error("unknown argument " + a);
  }
  if (o.codex.empty() || o.codex_home.empty() || o.cwd.empty() || o.prompt.empty())
    throw std::runtime_error("--codex, --codex-home, --cwd and --prompt are required");
  return o;
}

class codex_child {
 public:
  codex_child(const options& o) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC)) throw std::runtime_error("pipe failed");
    // The environment the daemon would give: ours, plus CODEX_HOME and NO_COLOR.
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "CODEX_HOME=", 11) != 0 && std::strncmp(*e, "NO_COLOR=", 9) != 0) env.emplace_back(*e);
    env.push_back("CODEX_HOME=" + o.codex_home);
    env.push_back("NO_COLOR=1");
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string a0 = o.codex, a1 = "app-server", a2 = "--listen", a3 = "stdio://";
    argv = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
    int err = ::open(o.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setpgid(0, 0);  // its own process group, as the daemon does
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      if (err >= 0) ::dup2(err, 2);
      if (::chdir(o.cwd.c_str()) != 0) ::_exit(126);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    ::close(in[0]);
    ::close(out[1]);
    if (err >= 0) ::close(err);
    in_ = in[1];
    out_ = out[0];
  }
  ~codex_child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void send(const json& msg) {
    std::string line = msg.dump() + "\n";
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(in_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("codex closed its stdin");
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  // The next complete line from Codex's stdout; throws at the deadline or EOF.
  json next(long long deadline_us) {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        auto j = json::parse(line, nullptr, false);
        if (!j.is_discarded()) return j;
        continue;  // not JSON: ignore, as the daemon does
      }
      long long left_ms = (deadline_us - now_us()) / 1000;
      if (left_ms <= 0) throw std::runtime_error("timed out waiting for codex");
      pollfd p{out_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left_ms));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) continue;
      char chunk[65536];
      ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("codex closed its stdout");
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Waits for the reply to request `id`, ignoring notifications meanwhile.
  json reply(int id, long long deadline_us) {
    for (;;) {
      auto m = next(deadline_us);
      if (m.contains("id") && m["id"] == id && !m.contains("method")) {
        if (m.contains("error")) throw std::runtime_error("request " + std::to_string(id) + " failed: " + m["error"].dump());
        return m["result"];
      }
    }
  }

  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  int wait_exit(long long deadline_us) {
    int status = 0;
    while (now_us() < deadline_us) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(1000);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  bool reaped_ = false;
  std::string buf_;
};

}  // namespace

int main(int argc, char** argv) {
  options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bare_client: %s\n", e.what());
    return 2;
  }
  json out;
  long long start = now_us();
  long long deadline = start + static_cast<long long>(o.timeout_s) * 1000000;
  out["start_us"] = start;
  try {
    codex_child c(o);
    // The same handshake as proto/codex/session.cpp, minus account/read (a
    // credentials check that is not needed to run the turn).
    c.send({{"id", 1}, {"method", "initialize"},
            {"params", {{"clientInfo", {{"name", "bare_client"}, {"title", "bench"}, {"version", "0"}}},
                        {"capabilities", {{"experimentalApi", false},
                                          {"optOutNotificationMethods",
                                           {"item/agentMessage/delta", "account/rateLimits/updated",
                                            "item/commandExecution/outputDelta", "item/reasoning/summaryTextDelta",
                                            "item/reasoning/textDelta", "remoteControl/status/changed"}}}}}}});
    c.reply(1, deadline);
    c.send({{"method", "initialized"}});
    json thread{{"cwd", o.cwd}, {"sandbox", o.sandbox}, {"approvalPolicy", "never"}};
    if (o.sandbox == "workspace-write")
      thread["config"] = {{"sandbox_workspace_write", {{"network_access", o.network_access}}}};
    c.send({{"id", 2}, {"method", "thread/start"}, {"params", thread}});
    auto started = c.reply(2, deadline);
    std::string thread_id = started.at("thread").at("id");
    out["thread_started_us"] = now_us();
    c.send({{"id", 3}, {"method", "turn/start"},
            {"params", {{"threadId", thread_id}, {"input", {{{"type", "text"}, {"text", o.prompt}}}}}}});
    c.reply(3, deadline);
    std::string answer;
    for (;;) {
      auto m = c.next(deadline);
      std::string method = m.value("method", "");
      if (method == "item/completed") {
        const auto& item = m["params"]["item"];
        if (item.value("type", "") == "agentMessage") answer = item.value("text", "");
      } else if (method == "turn/completed") {
        out["turn_completed_us"] = now_us();
        out["turn_status"] = m["params"]["turn"].value("status", "");
        break;
      }
    }
    c.close_stdin();
    out["exit_status"] = c.wait_exit(deadline);
    out["exit_us"] = now_us();
    out["answer"] = answer;
  } catch (const std::exception& e) {
    out["error"] = e.what();
  }
  auto ms = [&](const char* k) { return out.contains(k) ? json((out[k].get<long long>() - start) / 1000.0) : json(); };
  out["turn_completed_ms"] = ms("turn_completed_us");
  out["exit_ms"] = ms("exit_us");
  std::printf("%s\n", out.dump().c_str());
  return out.value("turn_status", "") == "completed" ? 0 : 1;
}
