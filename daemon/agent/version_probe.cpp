// DESIGN: one private io_context per run. stdout and stderr are read
// concurrently (a child that fills one pipe while we block on the other
// would deadlock), raced against a timer. On timeout the child's process
// group gets SIGKILL, then the child is reaped, so nothing survives the call.
#include "daemon/agent/version_probe.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/agent/process_group.hpp"
#include "daemon/agent/process_v2.hpp"

namespace multicad::agent {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t output_cap = 64 * 1024;

asio::awaitable<void> drain(asio::readable_pipe& pipe, std::string& into) {
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    auto n = co_await pipe.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // EOF or closed
    if (into.size() < output_cap) into.append(buf, std::min(n, output_cap - into.size()));
  }
}

asio::awaitable<bool> expire(asio::steady_timer& timer) {
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return true;
}

}  // namespace

// Hands the child the environment given instead of ours.
struct environment_override {
  std::vector<char*> envp;
  explicit environment_override(const std::vector<std::string>* env) {
    if (!env) return;
    for (const auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  template <class Launcher, class Path>
  boost::system::error_code on_setup(Launcher& l, const Path&, const char* const*&) {
    if (!envp.empty()) l.env = envp.data();
    return {};
  }
};

probe_output probe_version(const std::filesystem::path& exe, std::chrono::milliseconds limit) {
  return run_bounded(exe, {"--version"}, limit);
}

probe_output run_bounded(const std::filesystem::path& exe, const std::vector<std::string>& args,
                         std::chrono::milliseconds limit, const std::vector<std::string>* env) {
  probe_output out;
  asio::io_context ctx;
  asio::readable_pipe out_pipe(ctx), err_pipe(ctx);
  boost::system::error_code ec;
  environment_override environment(env);
  bp::process proc = bp::default_process_launcher()(ctx.get_executor(), ec, exe, args,
                                                    bp::process_stdio{nullptr, out_pipe, err_pipe}, own_process_group{},
                                                    environment, close_inherited_fds{});
  if (ec) {
    out.failure = "cannot start: " + ec.message();
    return out;
  }
  const auto pgid = proc.id();
  asio::steady_timer timer(ctx, limit);
  bool timed_out = false;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        auto r = co_await ((drain(out_pipe, out.stdout_text) && drain(err_pipe, out.stderr_text)) ||
                           expire(timer));
        timed_out = r.index() == 1;
      },
      [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });  // out of ctx.run(), to the caller
  ctx.run();
  if (timed_out) {
    kill_process_group(pgid, SIGKILL);
    out.failure = "timed out after " + std::to_string(limit.count()) + "ms";
  }
  boost::system::error_code wait_ec;
  int code = proc.wait(wait_ec);
  if (!timed_out) {
    // Output ended; a child that closed its pipes but keeps running is
    // still bounded by the group kill below.
    out.ran = !wait_ec;
    out.exit_code = code;
    if (wait_ec) out.failure = "cannot wait for the process: " + wait_ec.message();
  }
  kill_process_group(pgid, SIGKILL);  // grandchildren that outlived their parent
  return out;
}

std::filesystem::path find_executable(const std::string& configured, const std::string& path_env) {
  namespace fs = std::filesystem;
  auto executable = [](const fs::path& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (configured.empty()) return {};
  if (configured.find('/') != std::string::npos) {
    std::error_code ec;
    fs::path p = fs::absolute(configured, ec);
    return !ec && executable(p) ? p : fs::path{};
  }
  std::size_t start = 0;
  while (start <= path_env.size()) {
    auto colon = path_env.find(':', start);
    auto dir = path_env.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / configured;
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

}  // namespace multicad::agent
