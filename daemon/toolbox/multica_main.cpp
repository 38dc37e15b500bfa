// DESIGN: parse (proto::toolbox::parse_command_line), then drive one
// proto::toolbox::command_run, performing each action it asks for and
// writing its output as it comes (an upload's "Uploaded …" appears before the
// next upload starts). Nothing heavy starts unless a command needs it: no
// logger, no config of multicad, no io_context until the first request.
#include "daemon/toolbox/multica_main.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/toolbox/http_exchange.hpp"
#include "daemon/version.hpp"
#include "proto/toolbox/command_run.hpp"

extern char** environ;

namespace multicad::toolbox {

namespace pt = proto::toolbox;

namespace {

// Go's syscall error text: strerror with a lower-case first letter.
std::string errno_text(int e) {
  std::string s = std::strerror(e);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] + 32);
  return s;
}

void write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a broken stdout; the exit code still tells
    done += static_cast<std::size_t>(n);
  }
}

// Reads everything from fd; "" on success, else the errno text.
std::string read_all(int fd, std::string& out) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_text(errno);
    if (n == 0) return "";
    out.append(buf, static_cast<std::size_t>(n));
  }
}

pt::io_result read_file(const std::string& path) {
  pt::io_result r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = "open " + path + ": " + errno_text(errno);
    return r;
  }
  if (auto e = read_all(fd, r.data); !e.empty()) r.error = "read " + path + ": " + e;
  ::close(fd);
  return r;
}

pt::io_result write_file(const std::string& path, const std::string& data) {
  pt::io_result r;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    r.error = "open " + path + ": " + errno_text(errno);
    return r;
  }
  for (std::size_t done = 0; done < data.size();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = "write " + path + ": " + errno_text(errno);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return r;
}

// os.Getwd: $PWD when it names the current directory (it keeps the path the
// shell used, symlinks included), otherwise getcwd.
std::string working_directory() {
  const char* pwd = std::getenv("PWD");
  struct stat dot{}, named{};
  if (pwd && pwd[0] == '/' && ::stat(".", &dot) == 0 && ::stat(pwd, &named) == 0 && dot.st_dev == named.st_dev &&
      dot.st_ino == named.st_ino)
    return pwd;
  std::vector<char> buf(4096);
  while (!::getcwd(buf.data(), buf.size())) {
    if (errno != ERANGE) return "";
    buf.resize(buf.size() * 2);
  }
  return buf.data();
}

// mime/multipart's randomBoundary: 30 random bytes in hex.
std::string random_boundary() {
  std::random_device rd;
  static const char hex[] = "0123456789abcdef";
  std::string b;
  for (int i = 0; i < 30; ++i) {
    auto v = rd() & 0xff;
    b += hex[v >> 4];
    b += hex[v & 15];
  }
  return b;
}

pt::environment read_environment() {
  pt::environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env.vars.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

std::string version_text() {
#if defined(__x86_64__)
  const char* arch = "amd64";
#elif defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "unknown";
#endif
  return std::string(multicad_version) + " (commit: multicad, built: unknown)\ngo: none (multicad " + multicad_version +
         ", C++), os/arch: linux/" + arch + "\n";
}

void flush(pt::command_run& run) {
  write_all(1, run.take_stdout());
  write_all(2, run.take_stderr());
}

pt::io_result perform_action(const pt::action& a, std::chrono::steady_clock::time_point deadline) {
  switch (a.type) {
    case pt::action::kind::http: {
      pt::io_result r;
      r.response = perform(a.request, deadline);
      return r;
    }
    case pt::action::kind::read_stdin: {
      pt::io_result r;
      if (auto e = read_all(0, r.data); !e.empty()) r.error = "read /dev/stdin: " + e;
      return r;
    }
    case pt::action::kind::read_file: return read_file(a.path);
    case pt::action::kind::write_file: return write_file(a.path, a.data);
  }
  return {};
}

}  // namespace

bool invoked_as_multica(const char* argv0) {
  if (!argv0) return false;
  std::string name = argv0;
  auto slash = name.rfind('/');
  return name.substr(slash == std::string::npos ? 0 : slash + 1) == "multica";
}

int multica_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string version = version_text();
  auto parsed = pt::parse_command_line(args, version);
  if (!parsed.run) {
    write_all(1, parsed.out);
    write_all(2, parsed.err);
    return parsed.exit_code;
  }
  pt::run_context ctx;
  ctx.env = read_environment();
  if (pt::config_needed(parsed.inv, ctx.env)) {
    std::string path = pt::cli_config_path(ctx.env, parsed.inv.flags.get("profile"));
    if (!path.empty()) {
      auto file = read_file(path);
      if (file.error.empty()) ctx.config = pt::parse_cli_config(file.data);
    }
  }
  ctx.cwd = working_directory();
  ctx.multipart_boundary = random_boundary();
  ctx.version_text = version;

  pt::command_run run(std::move(parsed.inv), std::move(ctx));
  // The command's context starts once the input is read, as the Go CLI
  // creates it after reading stdin; the budget is known by then.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  flush(run);
  while (!run.finished()) {
    if (!deadline && run.next().type != pt::action::kind::read_stdin)
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run.budget_ms());
    auto until = deadline.value_or(std::chrono::steady_clock::time_point::max());
    run.done(perform_action(run.next(), until));
    flush(run);
  }
  return run.exit_code();
}

}  // namespace multicad::toolbox
